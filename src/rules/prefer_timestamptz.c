/*
 * prefer-timestamptz: a column created or retyped as timestamp without time
 * zone (sa.DateTime() without timezone=True). The value carries no zone:
 * what it means depends on the session that wrote it, and comparing it with
 * now() (a timestamptz) converts through the session's TimeZone setting.
 * timestamptz stores an instant and costs the same 8 bytes.
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

		if (v[i].pg == NULL || strncmp(v[i].pg, "timestamp", 9) != 0 ||
		    strstr(v[i].pg, "without time zone") == NULL)
			continue;
		g = mg_rc_col_diag(d, "prefer-timestamptz", MG_NOTE, &v[i]);
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s.%s is timestamp without time zone: the value carries no zone, so what it "
		    "means depends on the session that wrote it",
		    v[i].table, v[i].name);
		g->note = "use sa.DateTime(timezone=True) (timestamptz): an instant, in the same 8 "
		          "bytes";
	}
}

const struct mg_rule mg_rule_prefer_timestamptz = {
    "prefer-timestamptz", "timestamp without time zone: prefer timestamptz", MG_NOTE, check,
    MG_RULE_POSTGRESQL,
};
