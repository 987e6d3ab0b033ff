/*
 * refresh-materialized-view-locks: REFRESH MATERIALIZED VIEW without
 * CONCURRENTLY (SQL in op.execute()) on a view that already exists. It
 * takes ACCESS EXCLUSIVE on the view for the whole refresh, and in the
 * migration's transaction until it commits: every query that reads the view
 * waits (measured by tests/integration/locks.sh). REFRESH MATERIALIZED VIEW
 * CONCURRENTLY takes EXCLUSIVE instead: reads go on, and it may run in a
 * transaction (unlike CREATE INDEX CONCURRENTLY). It needs a unique index
 * on the view over plain columns with no WHERE clause, and a view that is
 * populated; migen does not follow materialized views through the history,
 * so the finding says the index is required unless this file creates one.
 *
 * REFRESH ... WITH NO DATA has no CONCURRENTLY form (PostgreSQL refuses the
 * pair): it empties the view, and every query on it then fails until the
 * next refresh. Reported, with no code.
 *
 * A view this migration creates (CREATE MATERIALIZED VIEW) has no readers
 * yet: silent.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

#define RULE "refresh-materialized-view-locks"

static int
is_refresh(const struct mg_op *op)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, "refresh_matview") == 0;
}

/* Whether the same function creates the view before op (CREATE MATERIALIZED VIEW). */
static int
created_here(const struct mg_model *m, size_t at)
{
	const struct mg_op *op = &m->ops[at];
	size_t i;

	for (i = 0; i < at; i++) {
		const struct mg_op *x = &m->ops[i];
		if (x->kind == MG_OP_OTHER && x->source == MG_SRC_SQL && x->name != NULL &&
		    strcmp(x->name, "ddl") == 0 && x->object != NULL &&
		    strcmp(x->object, op->table) == 0 && mg_str_same(x->function, op->function))
			return 1;
	}
	return 0;
}

/*
 * A unique index on the view that this file builds before op and that
 * CONCURRENTLY can use: plain columns, no WHERE. NULL when none.
 */
static const struct mg_index *
unique_index(const struct mg_model *m, size_t at)
{
	const struct mg_op *op = &m->ops[at];
	size_t i, k;

	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		int plain = x->columns_known && x->ncolumns > 0;
		if (!x->unique || x->where != NULL || x->op >= at || x->table == NULL ||
		    strcmp(x->table, op->table) != 0 || x->dir != op->dir)
			continue;
		for (k = 0; k < x->ncolumns && plain; k++)
			plain = x->is_expr == NULL || !x->is_expr[k];
		if (plain)
			return x;
	}
	return NULL;
}

/* op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY v"), or NULL (names unsafe). */
static const char *
code(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	struct mg_buf sql = {0};
	const char *r;

	if (mg_ident_refusal(op->table) != NULL ||
	    (op->schema != NULL && mg_ident_refusal(op->schema) != NULL))
		return NULL;
	mg_buf_puts(&sql, "REFRESH MATERIALIZED VIEW CONCURRENTLY ");
	mg_ident_sql_qualified(&sql, op->schema, op->table);
	r = mg_rc_execute_code(d, m, NULL, sql.s, 0);
	mg_buf_free(&sql);
	return r;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_index *ux;
		struct mg_diag *g;
		const char *fn;
		int alone;

		if (!is_refresh(op) || op->concurrently || op->table == NULL ||
		    mg_rc_table_new(m, o, op->table) || created_here(m, i))
			continue;
		fn = mg_rc_function(m, op);
		g = mg_rc_stmt_diag(d, RULE, MG_WARNING, m, i);
		if (op->object_type != NULL && strcmp(op->object_type, "no_data") == 0) {
			g->message = mg_arena_printf(
			    &d->arena,
			    "REFRESH MATERIALIZED VIEW '%s' WITH NO DATA in %s() empties the view "
			    "under ACCESS EXCLUSIVE: every query on it fails (\"has not been "
			    "populated\") until the next REFRESH",
			    op->table, fn);
			g->note =
			    "no code given: WITH NO DATA has no CONCURRENTLY form (PostgreSQL "
			    "refuses the pair); drop the view's readers first, or refresh it "
			    "with data";
			continue;
		}
		g->message = mg_arena_printf(
		    &d->arena,
		    "REFRESH MATERIALIZED VIEW '%s' without CONCURRENTLY in %s() takes ACCESS "
		    "EXCLUSIVE on the view for the whole refresh and until the migration commits: "
		    "every query that reads it waits",
		    op->table, fn);
		ux = unique_index(m, i);
		if (ux != NULL)
			g->note = mg_arena_printf(&d->arena,
			                          "CONCURRENTLY (EXCLUSIVE: reads go on) needs a "
			                          "unique index on the view "
			                          "over plain columns with no WHERE: %s (line %u) "
			                          "is one; the view must be "
			                          "populated",
			                          mg_rc_index_label(d, ux), (unsigned)ux->line);
		else
			g->note =
			    "CONCURRENTLY (EXCLUSIVE: reads go on) needs a unique index on the "
			    "view over plain columns with no WHERE, and a populated view: "
			    "migen does not follow materialized views, check the index exists "
			    "(CREATE UNIQUE INDEX CONCURRENTLY first if not)";
		g->code = code(d, m, op);
		if (g->code == NULL) {
			g->note =
			    "no code given: the view's name cannot be written into code; write "
			    "REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on "
			    "the view over plain columns with no WHERE)";
			continue;
		}
		alone = mg_rc_sql_alone(m, op->parent, i) && !m->ops[op->parent].in_loop;
		g->where = mg_arena_printf(&d->arena, "%s(), instead of the statement at line %u",
		                           fn, (unsigned)m->ops[op->parent].stmt.line);
		if (!alone)
			g->where =
			    mg_arena_printf(&d->arena,
			                    "%s(), in place of the REFRESH in the op.execute() "
			                    "at line %u",
			                    fn, (unsigned)m->ops[op->parent].stmt.line);
		if (!alone)
			g->not_applied =
			    "the op.execute() runs other SQL too (or is in a loop): edit "
			    "that SQL by hand";
		else if (ux == NULL)
			g->not_applied =
			    "CONCURRENTLY fails without a unique index on the view, which "
			    "migen cannot see: applied by hand";
		g->fix = g->not_applied == NULL ? MG_FIX_REPLACE : MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_refresh_materialized_view_locks = {
    RULE,
    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks the view's readers for the whole "
    "refresh",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
