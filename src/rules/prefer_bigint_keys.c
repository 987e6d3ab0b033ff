/*
 * prefer-bigint-keys: a new single-column primary key of type integer (or
 * smallint), and a foreign key column of type integer that references a
 * bigint. An integer key runs out at 2,147,483,647, and changing its type
 * later rewrites the table and every table that references it, under an
 * ACCESS EXCLUSIVE lock. A referencing integer column is the same limit one
 * table away: the referenced ids above it cannot be stored.
 */
#include <string.h>

#include "common.h"

static int
small_int(const char *pg)
{
	return pg != NULL && (strcmp(pg, "integer") == 0 || strcmp(pg, "smallint") == 0);
}

/* The type of table.column: the schema's, or a column this migration creates. */
static const char *
ref_type(const struct mg_rc_tcol *v, size_t n, const struct mg_options *o, const char *target)
{
	const char *dot = target != NULL ? strrchr(target, '.') : NULL;
	const struct mg_stable *t;
	const struct mg_scolumn *c;
	size_t i, tl;

	if (dot == NULL)
		return NULL;
	tl = (size_t)(dot - target);
	for (i = 0; i < n; i++)
		if (v[i].def != NULL && strlen(v[i].table) == tl &&
		    strncmp(v[i].table, target, tl) == 0 && strcmp(v[i].name, dot + 1) == 0)
			return v[i].pg;
	if (o->schema == NULL || memchr(target, '.', tl) != NULL)
		return NULL;
	{
		char name[256];
		if (tl >= sizeof(name))
			return NULL;
		memcpy(name, target, tl);
		name[tl] = '\0';
		t = mg_rc_schema_table(o, NULL, name);
	}
	c = t != NULL ? mg_stable_column(t, dot + 1) : NULL;
	return c != NULL ? c->type : NULL;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	const struct mg_rc_tcol *v;
	size_t i, n = mg_rc_typed_columns(m, d, &v);

	for (i = 0; i < n; i++) {
		const struct mg_column *c = v[i].def;
		struct mg_diag *g;
		const char *rt;

		if (c == NULL || !small_int(v[i].pg))
			continue;
		if (mg_rc_single_pk(m, &v[i])) {
			g = mg_rc_col_diag(d, "prefer-bigint-keys", MG_NOTE, &v[i]);
			g->message = mg_arena_printf(
			    &d->arena,
			    "%s.%s is an %s primary key: it runs out at %s, and changing it later "
			    "rewrites %s and every table that references it",
			    v[i].table, v[i].name, v[i].pg,
			    strcmp(v[i].pg, "integer") == 0 ? "2,147,483,647" : "32,767",
			    v[i].table);
			g->note =
			    "use sa.BigInteger() for the key (and for the columns that reference "
			    "it)";
		} else if (c->foreign_key != NULL &&
		           (rt = ref_type(v, n, o, c->foreign_key)) != NULL &&
		           strcmp(rt, "bigint") == 0) {
			g = mg_rc_col_diag(d, "prefer-bigint-keys", MG_NOTE, &v[i]);
			g->message = mg_arena_printf(&d->arena,
			                             "%s.%s is %s but references %s, a bigint: ids "
			                             "above the %s range cannot be "
			                             "stored",
			                             v[i].table, v[i].name, v[i].pg, c->foreign_key,
			                             v[i].pg);
			g->note = "use sa.BigInteger(), the referenced key's type";
		}
	}
}

const struct mg_rule mg_rule_prefer_bigint_keys = {
    "prefer-bigint-keys",
    "integer primary keys, and integer columns referencing bigint keys",
    MG_NOTE,
    check,
    MG_RULE_POSTGRESQL,
};
