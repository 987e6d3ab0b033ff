/*
 * require-concurrent-index (with --use-concurrently): an index built on a
 * table this migration did not create, without CONCURRENTLY. A plain CREATE
 * INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and
 * DELETE on the table waits. An index on a table created in the same
 * migration is left as it is, and the note says why: the table is empty and
 * the migration stays atomic.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

/* The index's elements as SQL: names quoted as needed, expressions as written. */
static const char **
elements(struct mg_diags *d, const struct mg_index *x)
{
	const char **q = mg_arena_alloc(&d->arena, (x->ncolumns ? x->ncolumns : 1) * sizeof(*q));
	size_t i;

	for (i = 0; i < x->ncolumns; i++) {
		if (x->elements != NULL)
			q[i] = x->elements[i]; /* SQL as written: keeps DESC, opclass */
		else if (x->columns[i] == NULL || x->is_expr[i] || mg_ident_refusal(x->columns[i]))
			q[i] = x->columns[i];
		else
			q[i] = mg_rc_sql_name(d, x->columns[i]);
		if (x->opclass != NULL && x->opclass[i] != NULL && q[i] != NULL)
			q[i] = mg_arena_printf(&d->arena, "%s %s", q[i], x->opclass[i]);
	}
	return q;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	if (!o->use_concurrently)
		return;
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		const struct mg_op *op = &m->ops[x->op];
		struct mg_index_spec ix;
		struct mg_diag *g;
		const char *why;

		if (x->dir != MG_UPGRADE || x->source == MG_SRC_TABLE || x->kind != MG_IX_INDEX ||
		    x->concurrently || x->table == NULL)
			continue;
		if (mg_model_created_table(m, x->table) != NULL) {
			g = mg_diags_add(d, "require-concurrent-index", MG_NOTE);
			g->table = x->table;
			g->line = x->line;
			g->col = x->col;
			g->op = x->op;
			g->message = mg_arena_printf(
			    &d->arena,
			    "index %s on '%s' stays transactional: the table is created in this "
			    "migration, so it is empty and the migration stays atomic",
			    x->name ? x->name : "(unnamed)", x->table);
			continue;
		}
		g = mg_diags_add(d, "require-concurrent-index", MG_WARNING);
		g->table = x->table;
		g->line = x->line;
		g->col = x->col;
		g->op = x->op;
		g->message = mg_arena_printf(&d->arena,
		                             "index %s on existing table '%s' is built without "
		                             "CONCURRENTLY: writes to '%s' block until it is done",
		                             x->name ? x->name : "(unnamed)", x->table, x->table);
		if (x->name == NULL || !x->columns_known)
			continue;
		/* The same index or none: a fix that drops an option builds another index. */
		if (x->no_code != NULL || (ix.options = mg_rc_index_options(d, x, &why), why)) {
			g->note = mg_arena_printf(&d->arena, "no code given: %s",
			                          x->no_code ? x->no_code : why);
			continue;
		}
		memset(&ix, 0, sizeof(ix));
		ix.options = mg_rc_index_options(d, x, &why);
		ix.name = x->name;
		ix.table = x->table;
		ix.schema = x->schema;
		ix.columns = elements(d, x);
		ix.ncolumns = x->ncolumns;
		ix.unique = x->unique;
		ix.using_method = x->using_method;
		ix.where = x->where;
		g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s",
		                           mg_rc_describe(d, m, op));
		/* NULL when a part is not safe to put into code: the finding stays. */
		if (mg_rc_index_code(d, m, &ix, 1, g) != 0)
			continue;
		g->downgrade_where = mg_arena_printf(
		    &d->arena,
		    "downgrade(), instead of its op.drop_index('%s', ...) if there is one",
		    ix.name);
		g->fix = op->source == MG_SRC_OP && !op->in_loop ? MG_FIX_REPLACE : MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_require_concurrent_index = {
    "require-concurrent-index",
    "an index on an existing table is built without CONCURRENTLY",
    MG_WARNING,
    check,
};
