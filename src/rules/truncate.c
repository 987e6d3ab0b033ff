/*
 * truncate: upgrade() empties a table that already holds rows (TRUNCATE,
 * DELETE without WHERE, SQLAlchemy's table.delete() without a where clause).
 * Every row is gone for good: downgrade() cannot bring them back, and the
 * running version of the application sees an empty table from the moment
 * the migration commits. A table this migration created is not reported.
 */
#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (op->kind != MG_OP_EMPTY_TABLE || !mg_rc_existing(m, o, op))
			continue;
		g = mg_rc_op_diag(d, "truncate", MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "deletes every row of %s: the data is gone for good (downgrade() cannot "
		    "bring it back) and the running version sees an empty table",
		    op->table);
		g->note = mg_arena_printf(
		    &d->arena,
		    "if only some rows must go, say which (DELETE ... WHERE, in batches on a big "
		    "table); if all, make sure no running code needs them and keep a copy first "
		    "(pg_dump --table=%s)",
		    op->table);
	}
}

const struct mg_rule mg_rule_truncate = {
    "truncate", "every row of an existing table deleted (TRUNCATE, DELETE without WHERE)",
    MG_WARNING, check,
    0,
};
