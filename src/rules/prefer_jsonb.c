/*
 * prefer-jsonb: a column created or retyped as json. json keeps the text as
 * written and has no equality operator: SELECT DISTINCT, UNION, GROUP BY
 * and = on it fail, and no GIN index can serve it. jsonb has them all.
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

		if (v[i].pg == NULL || strcmp(v[i].pg, "json") != 0)
			continue;
		g = mg_rc_col_diag(d, "prefer-jsonb", MG_NOTE, &v[i]);
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s.%s is json: it has no equality operator (DISTINCT, UNION, GROUP BY and = "
		    "on it fail) and no GIN index",
		    v[i].table, v[i].name);
		g->note = "use postgresql.JSONB() (from sqlalchemy.dialects import postgresql)";
	}
}

const struct mg_rule mg_rule_prefer_jsonb = {
    "prefer-jsonb", "json: prefer jsonb", MG_NOTE, check, MG_RULE_POSTGRESQL,
};
