/*
 * transaction-control: COMMIT, BEGIN, ROLLBACK, END, SAVEPOINT handling or
 * PREPARE TRANSACTION in op.execute(). Alembic runs the migration in a
 * transaction it owns; a COMMIT in the SQL ends it behind Alembic's back:
 * what ran before is committed, what follows runs outside any transaction
 * Alembic knows of (a failure no longer rolls the migration back, and the
 * version table is updated apart from the changes), and Alembic's own
 * COMMIT at the end meets "there is no transaction in progress". A BEGIN
 * inside its transaction is ignored with a warning, a ROLLBACK discards
 * what ran before (Alembic's version table too: on a fresh database the
 * upgrade then fails on the missing alembic_version, measured by
 * tests/integration/locks_fixes.sh). Error. Savepoints (SAVEPOINT, RELEASE, ROLLBACK TO) stay
 * inside the transaction, and an autocommit block has no transaction of
 * Alembic's to break: not reported.
 *
 * The fix: what must run outside the transaction goes into
 * `with op.get_context().autocommit_block():`, which commits and reopens
 * Alembic's transaction properly. No code: which statements belong there is
 * the author's choice.
 */
#include <string.h>

#include "common.h"

#define RULE "transaction-control"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;
		const char *k;

		if (op->kind != MG_OP_OTHER || op->source != MG_SRC_SQL || op->name == NULL ||
		    strcmp(op->name, "transaction") != 0 || op->autocommit)
			continue;
		k = op->object != NULL ? op->object : "?";
		/* Savepoints live inside the transaction: harmless. */
		if (strcmp(k, "SAVEPOINT") == 0 || strcmp(k, "RELEASE") == 0 ||
		    strcmp(k, "ROLLBACK_TO") == 0)
			continue;
		g = mg_diags_add(d, RULE, MG_ERROR);
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = op->parent;
		if (strcmp(k, "BEGIN") == 0 || strcmp(k, "START") == 0)
			g->message =
			    "BEGIN in op.execute() inside the migration's transaction: "
			    "PostgreSQL ignores it (\"there is already a transaction in "
			    "progress\"), and a COMMIT meant to pair with it ends Alembic's "
			    "transaction";
		else if (strcmp(k, "ROLLBACK") == 0)
			g->message =
			    "ROLLBACK in op.execute() discards everything the migration's "
			    "transaction did before it, Alembic's own version-table changes too, "
			    "behind Alembic's back; what follows runs in a new transaction";
		else
			g->message = mg_arena_printf(&d->arena,
			                             "%s in op.execute() ends Alembic's "
			                             "transaction behind its back: what runs "
			                             "after it is outside any transaction Alembic "
			                             "knows of (a failure no longer "
			                             "rolls the migration back)",
			                             strcmp(k, "COMMIT") == 0
			                                 ? "COMMIT"
			                                 : "PREPARE TRANSACTION / COMMIT PREPARED");
		g->note =
		    "no code given: put what must run outside the transaction in `with "
		    "op.get_context().autocommit_block():`, which commits and reopens Alembic's "
		    "transaction itself";
	}
}

const struct mg_rule mg_rule_transaction_control = {
    RULE,     "COMMIT, BEGIN or ROLLBACK in op.execute(): it breaks Alembic's own transaction",
    MG_ERROR, check,
    0,
};
