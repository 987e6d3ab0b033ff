/*
 * lock-table: an explicit LOCK TABLE (SQL in op.execute()) on a table that
 * already holds rows. The mode it names (ACCESS EXCLUSIVE when none is
 * given) is held until the migration commits: SHARE, SHARE ROW EXCLUSIVE
 * and EXCLUSIVE block every write to the table, ACCESS EXCLUSIVE blocks
 * reads too (measured by tests/integration/locks.sh). While the LOCK waits
 * for running transactions, every later query on the table queues behind
 * it. The weaker modes (ACCESS SHARE up to SHARE UPDATE EXCLUSIVE) block no
 * read or write, only DDL and VACUUM: they are not reported.
 *
 * In an autocommit block the statement fails: PostgreSQL refuses LOCK
 * TABLE outside a transaction block. That is an error.
 *
 * A lock taken on purpose has no code fix: the finding says what it
 * blocks, for how long, and how to keep that short.
 */
#include <string.h>

#include "common.h"

#define RULE "lock-table"

static int
is_lock(const struct mg_op *op)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, "lock") == 0;
}

/* What the mode keeps other sessions from doing. */
static const char *
blocks(enum mg_rc_lock l)
{
	switch (l) {
	case MG_LOCK_ACCESS_EXCLUSIVE:
		return "every read and write of";
	case MG_LOCK_EXCLUSIVE:
		return "every write (and SELECT ... FOR UPDATE/SHARE) of";
	default:
		return "every write to";
	}
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		enum mg_rc_lock l;
		struct mg_diag *g;

		if (!is_lock(op))
			continue;
		l = mg_rc_op_lock(op);
		if (op->autocommit) {
			/* Fails whatever the table: not a lock question. */
			g = mg_rc_stmt_diag(d, RULE, MG_ERROR, m, i);
			g->message = mg_arena_printf(
			    &d->arena,
			    "LOCK TABLE%s%s%s runs in an autocommit block: PostgreSQL refuses it "
			    "(\"LOCK TABLE can only be used in transaction blocks\")",
			    op->table ? " '" : "", op->table ? op->table : "",
			    op->table ? "'" : "");
			g->note =
			    "a lock lasts until its transaction commits: take it in the "
			    "migration's transaction, outside the autocommit block, or drop it";
			continue;
		}
		if (l < MG_LOCK_SHARE || !mg_rc_table_existing(m, o, i, op->schema, op->table))
			continue;
		g = mg_rc_stmt_diag(d, RULE, MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "LOCK TABLE '%s' IN %s MODE on an existing table in %s(): the lock blocks %s "
		    "'%s' "
		    "until the migration commits, and queries queue behind the LOCK while it waits",
		    op->table, mg_rc_lock_name(l), mg_rc_function(m, op), blocks(l), op->table);
		g->note =
		    "no code given: a lock taken on purpose; keep the migration short after it "
		    "(no backfill or index build in the same transaction) and set "
		    "lock_timeout so the LOCK gives up instead of stalling the table";
	}
}

const struct mg_rule mg_rule_lock_table = {
    RULE,
    "LOCK TABLE in SHARE mode or stronger on a table with rows, held until the migration "
    "commits; LOCK TABLE in an autocommit block",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
