/*
 * require-concurrent-index: an index built without CONCURRENTLY on a table
 * that already holds rows, in upgrade() or in downgrade() (a rollback in
 * production locks the table just the same). A plain CREATE INDEX holds a
 * SHARE lock for the whole build: every INSERT, UPDATE and DELETE on the
 * table waits. Always reported; --use-concurrently only decides whether
 * --write applies the CONCURRENTLY rewrite, because its autocommit block
 * commits what ran before it and the migration is no longer atomic.
 *
 * An index on a table created in the same function is left as it is; with
 * --use-concurrently a note says why: the table is empty and the migration
 * stays atomic.
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

/*
 * Whether the table is created in the same direction, before the index: in
 * downgrade() a table re-created there is new, one upgrade() created is not.
 */
static int
new_table(const struct mg_model *m, const struct mg_options *o, const struct mg_index *x)
{
	size_t i;

	if (x->dir == MG_UPGRADE)
		return mg_rc_table_new(m, o, x->table);
	for (i = 0; i < m->ntables; i++) {
		const struct mg_table *t = &m->tables[i];
		if (t->name != NULL && m->ops[t->op].dir == MG_DOWNGRADE && t->op < x->op &&
		    strcmp(t->name, x->table) == 0)
			return 1;
	}
	return 0;
}

/* Why --write leaves the rewrite to the user, or NULL when it can apply it. */
static const char *
not_applied(const struct mg_op *op, const struct mg_options *o)
{
	if (op->source == MG_SRC_SQL)
		return "the index is built by SQL inside op.execute(): edit that SQL by hand "
		       "(CREATE INDEX CONCURRENTLY, in an autocommit block)";
	if (op->in_loop)
		return "the statement is in a loop or nested function";
	if (!o->use_concurrently)
		return "--write rewrites an index build only with --use-concurrently (the "
		       "autocommit block commits what runs before it)";
	return NULL;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		const struct mg_op *op = &m->ops[x->op];
		const char *label, *fn;
		struct mg_index_spec ix;
		struct mg_diag *g;
		const char *why;

		if (x->source == MG_SRC_TABLE || x->kind != MG_IX_INDEX || x->concurrently ||
		    x->table == NULL)
			continue;
		label = mg_rc_index_label(d, x);
		fn = op->function ? op->function : x->dir == MG_UPGRADE ? "upgrade" : "downgrade";
		if (new_table(m, o, x)) {
			/* Nothing to do: said only to whoever asks enhance about
			 * CONCURRENTLY; lint (checking against a schema) reports only
			 * what needs doing. */
			if (!o->use_concurrently || o->schema != NULL)
				continue;
			g = mg_diags_add(d, "require-concurrent-index", MG_NOTE);
			g->table = x->table;
			g->line = x->line;
			g->col = x->col;
			g->op = x->op;
			g->message = mg_arena_printf(
			    &d->arena,
			    "index %s on '%s' stays transactional: the table is created in this "
			    "%s, so it is empty and the migration stays atomic",
			    label, x->table,
			    x->dir == MG_DOWNGRADE || mg_model_created_table(m, x->table) != NULL
			        ? "migration"
			        : "change (by a migration added since the --since reference)");
			continue;
		}
		g = mg_diags_add(d, "require-concurrent-index", MG_WARNING);
		g->table = x->table;
		g->line = x->line;
		g->col = x->col;
		g->op = x->op;
		g->message = mg_arena_printf(
		    &d->arena,
		    "index %s on existing table '%s' is built without CONCURRENTLY%s: writes to "
		    "'%s' block until it is done",
		    label, x->table, x->dir == MG_DOWNGRADE ? " in downgrade()" : "", x->table);
		if (x->name == NULL || !x->columns_known)
			continue;
		/* The same index or none: a fix that drops an option builds another index. */
		memset(&ix, 0, sizeof(ix));
		why = NULL;
		if (x->no_code == NULL)
			ix.options = mg_rc_index_options(d, x, &why);
		if (x->no_code != NULL || why != NULL) {
			g->note = mg_arena_printf(&d->arena, "no code given: %s",
			                          x->no_code ? x->no_code : why);
			continue;
		}
		ix.name = x->name;
		ix.table = x->table;
		ix.schema = x->schema;
		ix.columns = elements(d, x);
		ix.ncolumns = x->ncolumns;
		ix.unique = x->unique;
		ix.using_method = x->using_method;
		ix.where = x->where;
		g->where =
		    mg_arena_printf(&d->arena, "%s(), instead of %s", fn, mg_rc_describe(d, m, op));
		/* NULL when a part is not safe to put into code: the finding stays. */
		if (mg_rc_index_code(d, m, &ix, 1, g) != 0)
			continue;
		if (x->dir == MG_UPGRADE) {
			g->downgrade_where = mg_arena_printf(
			    &d->arena,
			    "downgrade(), instead of its op.drop_index('%s', ...) if there is one",
			    ix.name);
		} else {
			/* Its counterpart is a drop in upgrade(): nothing to add there. */
			g->downgrade = NULL;
		}
		g->not_applied = not_applied(op, o);
		g->fix = g->not_applied == NULL ? MG_FIX_REPLACE : MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_require_concurrent_index = {
    "require-concurrent-index",
    "an index on a table with rows is built without CONCURRENTLY",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
