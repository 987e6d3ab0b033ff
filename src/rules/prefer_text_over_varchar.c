/*
 * prefer-text-over-varchar: a column created or retyped as varchar(n). In
 * PostgreSQL text and varchar are the same type underneath; the length is
 * only a check, and a costly one to change: lowering it later checks every
 * row under an ACCESS EXCLUSIVE lock (and is a narrowing change), while a
 * CHECK (length(col) <= n) on text is replaced online (added NOT VALID,
 * validated without blocking writes). A note: opt in (docs/rules.md).
 */
#include <string.h>

#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	const struct mg_rc_tcol *v;
	size_t i, n = mg_rc_typed_columns(m, d, &v);

	(void)o;
	for (i = 0; i < n; i++) {
		const char *len;
		struct mg_diag *g;

		if (v[i].pg == NULL || strncmp(v[i].pg, "character varying(", 18) != 0)
			continue;
		len = v[i].pg + 18;
		g = mg_rc_col_diag(d, "prefer-text-over-varchar", MG_NOTE, &v[i]);
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s.%s is %s: the limit is costly to change later (a lower one checks every "
		    "row under an ACCESS EXCLUSIVE lock)",
		    v[i].table, v[i].name, v[i].pg);
		g->note =
		    mg_arena_printf(&d->arena,
		                    "use sa.Text() with a CHECK (length(%s) <= %.*s) constraint, "
		                    "which can be replaced online (NOT VALID, then VALIDATE)",
		                    v[i].name, (int)strcspn(len, ")"), len);
	}
}

const struct mg_rule mg_rule_prefer_text_over_varchar = {
    "prefer-text-over-varchar",
    "varchar(n): prefer text with a CHECK on the length",
    MG_NOTE,
    check,
    MG_RULE_POSTGRESQL,
};
