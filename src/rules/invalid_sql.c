/*
 * invalid-sql: literal SQL in op.execute() that PostgreSQL's own parser
 * (libpg_query) refuses. The migration fails when it reaches that line,
 * after committing nothing or, in an autocommit block, half of its work.
 * Parameters SQLAlchemy binds (`:name`) are not errors: the analyzer reads
 * them as `$1` before parsing.
 */
#include <string.h>

#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (op->kind != MG_OP_EXECUTE || !op->sql_error || op->sql_error_message == NULL)
			continue;
		g = mg_diags_add(d, "invalid-sql", MG_ERROR);
		g->table = op->table;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message = mg_arena_printf(
		    &d->arena, "SQL in %s() does not parse on PostgreSQL: %s",
		    op->name != NULL && strcmp(op->name, "execute") != 0 ? op->name : "op.execute",
		    op->sql_error_message);
	}
}

const struct mg_rule mg_rule_invalid_sql = {
    "invalid-sql",      "SQL in op.execute() that PostgreSQL's parser refuses", MG_ERROR, check,
    MG_RULE_POSTGRESQL,
};
