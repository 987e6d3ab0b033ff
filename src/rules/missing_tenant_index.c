/*
 * missing-tenant-index (with --add-tenant-indexes): a table created here
 * with a tenant column and no index leading with it. In a multi-tenant
 * schema every query of a tenant-owned table filters by tenant, and deleting
 * a tenant finds (and cascades to) its rows by that column; without such an
 * index each of them scans the whole table. The index is (tenant, space)
 * when the table has a space column, partial on the soft-delete column only
 * when the table has one (a WHERE on a missing column fails the migration).
 *
 * Not every table with the column is queried tenant-first: when an index or
 * unique constraint already holds the tenant column together with the
 * table's key (its primary key, or a composite foreign key the tenant column
 * is part of), lookups by that key are tenant-scoped already and the rule
 * stays silent.
 */
#include <string.h>

#include "common.h"

/* Whether index x (on the table) holds column c among its plain columns. */
static int
holds(const struct mg_index *x, const char *c)
{
	size_t i;

	for (i = 0; i < x->ncolumns; i++)
		if (x->columns[i] != NULL && !x->is_expr[i] && strcmp(x->columns[i], c) == 0)
			return 1;
	return 0;
}

static int
holds_all(const struct mg_index *x, const char *const *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cols[i] == NULL || !holds(x, cols[i]))
			return 0;
	return n > 0;
}

/* Whether something of upgrade() (an index, a key) is on the table. */
static int
on_table(const char *table, enum mg_direction dir, const char *other)
{
	return dir == MG_UPGRADE && other != NULL && strcmp(table, other) == 0;
}

/*
 * Whether an index of t holds the tenant column with the table's key: every
 * primary key column, or every column of a composite foreign key that has
 * the tenant column in it.
 */
static int
keyed_by_tenant(const struct mg_model *m, const struct mg_options *o, const struct mg_table *t)
{
	size_t i, j;

	/* The table's own upgrade() indexes, through the model's lookup. */
	for (i = mg_model_table_index(m, t->name, 0); i < m->nindexes;
	     i = mg_model_table_index(m, t->name, i + 1)) {
		const struct mg_index *x = &m->indexes[i];

		if (!x->columns_known || !holds(x, o->tenant_column))
			continue;
		for (j = mg_model_table_index(m, t->name, 0); j < m->nindexes;
		     j = mg_model_table_index(m, t->name, j + 1)) {
			const struct mg_index *pk = &m->indexes[j];
			if (pk->kind == MG_IX_PRIMARY_KEY && pk->columns_known &&
			    holds_all(x, pk->columns, pk->ncolumns))
				return 1;
		}
		for (j = 0; j < m->nfkeys; j++) {
			const struct mg_fkey *fk = &m->fkeys[j];
			size_t k;
			int has_tenant = 0;

			if (!on_table(t->name, fk->dir, fk->table) || fk->ncolumns < 2)
				continue;
			for (k = 0; k < fk->ncolumns; k++)
				if (fk->columns[k] != NULL &&
				    strcmp(fk->columns[k], o->tenant_column) == 0)
					has_tenant = 1;
			if (has_tenant && holds_all(x, fk->columns, fk->ncolumns))
				return 1;
		}
	}
	return 0;
}

/* Whether the rule fires for table t. */
static int
fires(const struct mg_model *m, const struct mg_options *o, const struct mg_table *t)
{
	return o->add_tenant_indexes && m->ops[t->op].dir == MG_UPGRADE && t->name != NULL &&
	       mg_table_column(t, o->tenant_column) != NULL &&
	       !mg_model_has_index_leading(m, t->name, o->tenant_column) &&
	       !keyed_by_tenant(m, o, t);
}

int
mg_rc_tenant_index_full(const struct mg_model *m, const struct mg_options *o,
                        const struct mg_table *t)
{
	return fires(m, o, t) && mg_table_column(t, o->soft_delete_column) == NULL;
}

/* Whether a foreign key of table t starts with the tenant column: deleting a tenant checks it. */
static int
tenant_fk(const struct mg_model *m, const struct mg_options *o, const struct mg_table *t)
{
	size_t i;

	for (i = 0; i < m->nfkeys; i++) {
		const struct mg_fkey *fk = &m->fkeys[i];
		if (fk->dir == MG_UPGRADE && fk->table != NULL && fk->ncolumns > 0 &&
		    fk->columns[0] != NULL && strcmp(fk->table, t->name) == 0 &&
		    strcmp(fk->columns[0], o->tenant_column) == 0)
			return 1;
	}
	return 0;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	if (!o->add_tenant_indexes)
		return; /* its scans, locks and CONCURRENTLY fix are PostgreSQL's */
	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		const struct mg_op *op = &m->ops[t->op];
		const char *cols[2], *parts[2];
		struct mg_index_spec ix;
		struct mg_diag *g;
		size_t n = 1;
		int has_space, has_soft;

		if (!fires(m, o, t))
			continue;
		has_space = mg_table_column(t, o->space_column) != NULL;
		has_soft = mg_table_column(t, o->soft_delete_column) != NULL;
		cols[0] = mg_rc_sql_name(d, o->tenant_column);
		parts[0] = "tenant";
		if (has_space) {
			cols[n] = mg_rc_sql_name(d, o->space_column);
			parts[n++] = "space";
		}
		g = mg_diags_add(d, "missing-tenant-index", MG_WARNING);
		g->table = t->name;
		g->column = o->tenant_column;
		g->line = t->line;
		g->col = t->col;
		g->op = t->op;
		if (!has_soft && tenant_fk(m, o, t))
			g->message = mg_arena_printf(&d->arena,
			                             "table '%s' has %s but no index leading with "
			                             "it: tenant-scoped queries and deleting a "
			                             "tenant (its foreign key check or cascade) "
			                             "scan '%s'; an index on (%s%s%s) serves both",
			                             t->name, o->tenant_column, t->name,
			                             o->tenant_column, has_space ? ", " : "",
			                             has_space ? o->space_column : "");
		else if (!has_soft)
			g->message = mg_arena_printf(&d->arena,
			                             "table '%s' has %s but no index leading with "
			                             "it: tenant-scoped queries scan '%s'; an "
			                             "index on (%s%s%s) serves them",
			                             t->name, o->tenant_column, t->name,
			                             o->tenant_column, has_space ? ", " : "",
			                             has_space ? o->space_column : "");
		else
			/* A partial index serves no foreign key check: missing-fk-index
			 * asks for its own index on the tenant column. */
			g->message = mg_arena_printf(
			    &d->arena,
			    "table '%s' has %s but no index leading with it: tenant-scoped queries "
			    "scan '%s'; an index on (%s%s%s) WHERE %s IS NULL serves those that "
			    "skip deleted rows",
			    t->name, o->tenant_column, t->name, o->tenant_column,
			    has_space ? ", " : "", has_space ? o->space_column : "",
			    o->soft_delete_column);
		{
			/* Names from the command line and the file are hostile. */
			const char *raw[4] = {o->tenant_column, o->space_column,
			                      o->soft_delete_column, t->name};
			if (!mg_rc_safe(raw, 4))
				continue;
		}
		memset(&ix, 0, sizeof(ix));
		ix.name = mg_rc_index_name(d, t->name, parts, n);
		ix.table = t->name;
		ix.schema = t->schema;
		ix.columns = cols;
		ix.ncolumns = n;
		if (has_soft)
			ix.where = mg_arena_printf(&d->arena, "%s IS NULL",
			                           mg_rc_sql_name(d, o->soft_delete_column));
		/* The table is new and empty: the plain form keeps the migration atomic. */
		g->where =
		    mg_arena_printf(&d->arena, "upgrade(), after %s", mg_rc_describe(d, m, op));
		/* NULL when a name is not safe to put into code: the finding stays. */
		if (mg_rc_index_code(d, m, &ix, 0, g) != 0)
			continue;
		g->downgrade_where =
		    mg_arena_printf(&d->arena, "downgrade(), before op.drop_table('%s')", t->name);
		g->fix = MG_FIX_INSERT_AFTER;
	}
}

const struct mg_rule mg_rule_missing_tenant_index = {
    "missing-tenant-index",
    "a table with a tenant column has no index leading with it",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
