/*
 * ban-char: a column created or retyped as char(n) (sa.CHAR, character(n)).
 * PostgreSQL pads it with spaces to n, strips them again in comparisons and
 * casts, and stores the padding: never faster than text or varchar, and a
 * source of surprises (length('ab '::char(3)) is 2).
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
		struct mg_diag *g;

		if (v[i].pg == NULL ||
		    (strncmp(v[i].pg, "character(", 10) != 0 && strcmp(v[i].pg, "character") != 0 &&
		     strcmp(v[i].pg, "bpchar") != 0))
			continue;
		g = mg_rc_col_diag(d, "ban-char", MG_NOTE, &v[i]);
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s.%s is %s: PostgreSQL pads it with spaces and drops them in comparisons; it "
		    "is never faster than text",
		    v[i].table, v[i].name, v[i].pg);
		g->note = "use sa.Text() (with a CHECK on the length if one is needed)";
	}
}

const struct mg_rule mg_rule_ban_char = {
    "ban-char", "char(n): use text or varchar", MG_NOTE, check, 0,
};
