/*
 * missing-tenant-index (with --add-tenant-indexes): a table created here
 * with a tenant column and no index leading with it. In a multi-tenant
 * schema nearly every query filters by tenant first; without such an index
 * each of them scans the whole table. The index is (tenant, space) when the
 * table has a space column, partial on the soft-delete column only when the
 * table has one (a WHERE on a missing column fails the migration).
 */
#include <string.h>

#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	if (!o->add_tenant_indexes)
		return;
	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		const struct mg_op *op = &m->ops[t->op];
		const char *cols[2], *parts[2];
		struct mg_index_spec ix;
		struct mg_diag *g;
		size_t n = 1;
		int has_space, has_soft;

		if (op->dir != MG_UPGRADE || t->name == NULL ||
		    mg_table_column(t, o->tenant_column) == NULL ||
		    mg_model_has_index_leading(m, t->name, o->tenant_column))
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
		g->message = mg_arena_printf(&d->arena,
		                             "table '%s' has %s but no index leading with it: "
		                             "every tenant query scans the table",
		                             t->name, o->tenant_column);
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
};
