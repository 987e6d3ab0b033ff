/*
 * drops-needed-index: upgrade() drops the only index that leads with a
 * foreign key's column or with the tenant column. Autogenerate proposes such
 * a drop whenever the index exists in the database but not in the models
 * (one added by hand, or by a tool such as migen): without it, each delete
 * or key update in the referenced table scans the referencing one, and
 * every per-tenant query scans the table. The schema replayed before the
 * migration says which indexes and foreign keys the table has; a table with
 * facts migen could not follow is left alone.
 */
#include <string.h>

#include "common.h"

/* Whether another index of t than x, that a foreign key check can use, leads with column. */
static int
other_leading(const struct mg_stable *t, const struct mg_sindex *x, const char *column)
{
	size_t i;

	for (i = 0; i < t->nindexes; i++) {
		const struct mg_sindex *y = &t->indexes[i];
		if (y != x && y->ncolumns > 0 && y->columns[0] != NULL &&
		    !(y->is_expr != NULL && y->is_expr[0]) && y->where == NULL && y->valid &&
		    strcmp(y->columns[0], column) == 0)
			return 1;
	}
	return 0;
}

/* Whether upgrade() drops the constraint, the column or the table itself. */
static int
goes_too(const struct mg_model *m, const char *table, const char *column, const char *fk)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->dir != MG_UPGRADE || op->table == NULL || strcmp(op->table, table) != 0)
			continue;
		if (op->kind == MG_OP_DROP_TABLE ||
		    (op->kind == MG_OP_DROP_COLUMN && op->column != NULL &&
		     strcmp(op->column, column) == 0) ||
		    (op->kind == MG_OP_DROP_CONSTRAINT && fk != NULL && op->object != NULL &&
		     strcmp(op->object, fk) == 0))
			return 1;
	}
	return 0;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	const char *tenant = o->tenant_column != NULL ? o->tenant_column : "tenant_id";
	size_t i, k;

	if (o->schema == NULL)
		return;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_stable *t = NULL;
		const struct mg_sindex *x;
		const struct mg_sfkey *need = NULL;
		const char *col, *what;
		struct mg_diag *g;

		if (op->kind != MG_OP_DROP_INDEX || op->dir != MG_UPGRADE || op->object == NULL)
			continue;
		x = mg_schema_index(o->schema, op->schema, op->object, &t);
		if (x == NULL || t == NULL || t->nuncertain > 0 || x->kind != MG_IX_INDEX ||
		    x->ncolumns == 0 || x->columns[0] == NULL || (x->is_expr && x->is_expr[0]) ||
		    x->where != NULL || mg_rc_table_new(m, o, t->name))
			continue;
		col = x->columns[0];
		for (k = 0; k < t->nfkeys && need == NULL; k++)
			if (t->fkeys[k].ncolumns > 0 && t->fkeys[k].columns[0] != NULL &&
			    strcmp(t->fkeys[k].columns[0], col) == 0)
				need = &t->fkeys[k];
		if (need == NULL && strcmp(col, tenant) != 0)
			continue;
		if (other_leading(t, x, col) || mg_model_has_full_index_leading(m, t->name, col) ||
		    goes_too(m, t->name, col, need != NULL ? need->name : NULL))
			continue;
		if (need != NULL)
			what = mg_arena_printf(
			    &d->arena,
			    "foreign key %s (%s.%s -> %s) needs it: without it every "
			    "delete or key update in %s scans %s",
			    need->name ? need->name : "(unnamed)", t->name, col,
			    need->ref_table ? need->ref_table : "?",
			    need->ref_table ? need->ref_table : "the referenced table", t->name);
		else
			what =
			    mg_arena_printf(&d->arena,
			                    "every query per tenant needs it: without it each one "
			                    "scans %s",
			                    t->name);
		g = mg_rc_op_diag(d, "drops-needed-index", MG_WARNING, m, i);
		g->table = t->name;
		g->column = col;
		g->message =
		    mg_arena_printf(&d->arena, "drops %s, the only index that leads with %s.%s: %s",
		                    op->object, t->name, col, what);
		g->note = mg_arena_printf(
		    &d->arena,
		    "keep it: if autogenerate proposed this drop, the models do not declare the "
		    "index; declare it (index=True on the %s column, or sa.Index(\"%s\", \"%s\") "
		    "in __table_args__) and remove the drop_index from upgrade() and the "
		    "create_index "
		    "from downgrade()",
		    col, op->object, col);
	}
}

const struct mg_rule mg_rule_drops_needed_index = {
    "drops-needed-index", "the only index a foreign key or the tenant column needs is dropped",
    MG_WARNING,           check,
    MG_RULE_POSTGRESQL,
};
