/*
 * concurrent-index-in-transaction: CREATE or DROP INDEX CONCURRENTLY
 * outside `with op.get_context().autocommit_block():`. Alembic runs a
 * migration inside a transaction on PostgreSQL, and PostgreSQL refuses
 * CONCURRENTLY there ("cannot run inside a transaction block"): the
 * migration fails when it reaches that line.
 */
#include "common.h"

static void
report(const struct mg_model *m, struct mg_diags *d, const struct mg_op *op, size_t opi,
       const char *what, const char *name)
{
	struct mg_diag *g = mg_diags_add(d, "concurrent-index-in-transaction", MG_ERROR);

	g->table = op->table;
	g->line = op->span.line;
	g->col = op->span.col;
	g->op = op->source == MG_SRC_SQL ? op->parent : opi;
	g->message =
	    mg_arena_printf(&d->arena,
	                    "%s INDEX CONCURRENTLY%s%s runs inside the migration's transaction: "
	                    "PostgreSQL refuses it (\"cannot run inside a transaction block\")",
	                    what, name ? " " : "", name ? name : "");
	/* The fix is the same statement, moved into an autocommit block. */
	g->code = mg_rc_wrap_autocommit(d, m, &m->ops[g->op]);
	g->where = mg_arena_printf(&d->arena, "%s(), instead of the statement at line %u",
	                           op->function ? op->function : "upgrade",
	                           (unsigned)m->ops[g->op].stmt.line);
	if (m->ops[g->op].in_loop)
		g->not_applied = "the statement is in a loop or nested function";
	g->fix = g->not_applied != NULL ? MG_FIX_NONE : MG_FIX_REPLACE;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];

		if (!op->concurrently || op->autocommit)
			continue;
		if (op->kind == MG_OP_CREATE_INDEX)
			report(m, d, op, i, "CREATE",
			       op->index != (size_t)-1 ? m->indexes[op->index].name : NULL);
		else if (op->kind == MG_OP_DROP_INDEX)
			report(m, d, op, i, "DROP", op->object);
	}
}

const struct mg_rule mg_rule_concurrent_index_in_transaction = {
    "concurrent-index-in-transaction",
    "CONCURRENTLY outside an autocommit block: PostgreSQL refuses it",
    MG_ERROR,
    check,
    MG_RULE_POSTGRESQL,
};
