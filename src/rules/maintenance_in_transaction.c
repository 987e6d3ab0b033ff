/*
 * maintenance-in-transaction: maintenance statements in op.execute().
 *
 * Inside the migration's transaction (not in an autocommit block) PostgreSQL
 * refuses VACUUM (any form), CREATE DATABASE, DROP DATABASE and REINDEX ...
 * CONCURRENTLY ("cannot run inside a transaction block"): error, fixed by
 * moving the statement into an autocommit block.
 *
 * Wherever they run, on a table that already holds rows: VACUUM FULL and
 * CLUSTER rewrite the table under ACCESS EXCLUSIVE for the whole rewrite
 * (no read or write meanwhile); a plain REINDEX blocks writes to the table
 * (SHARE) and reads that use the index (ACCESS EXCLUSIVE on it) while it
 * rebuilds: warning. REINDEX gets REINDEX ... CONCURRENTLY (PostgreSQL 12+)
 * in an autocommit block; VACUUM FULL and CLUSTER have no online form in
 * PostgreSQL itself (pg_repack is one).
 */
#include <string.h>

#include "common.h"

#define RULE "maintenance-in-transaction"

static int
is(const struct mg_op *op, const char *name)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, name) == 0;
}

/* The SQL as PostgreSQL's error message names it. */
static const char *
what(const struct mg_op *op)
{
	if (is(op, "vacuum"))
		return "VACUUM";
	if (is(op, "vacuum_full"))
		return "VACUUM FULL";
	if (is(op, "create_database"))
		return "CREATE DATABASE";
	if (is(op, "drop_database"))
		return "DROP DATABASE";
	if (is(op, "reindex"))
		return op->concurrently ? "REINDEX CONCURRENTLY" : "REINDEX";
	if (is(op, "cluster"))
		return "CLUSTER";
	return NULL;
}

/* `REINDEX TABLE x` -> `REINDEX TABLE CONCURRENTLY x` when written once so. */
static const char *
concurrently(struct mg_diags *d, const char *code)
{
	static const char *const forms[][2] = {
	    {"REINDEX TABLE ", "REINDEX TABLE CONCURRENTLY "},
	    {"REINDEX INDEX ", "REINDEX INDEX CONCURRENTLY "},
	    {"reindex table ", "reindex table concurrently "},
	    {"reindex index ", "reindex index concurrently "},
	};
	size_t i;

	if (code == NULL)
		return NULL;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const char *at = strstr(code, forms[i][0]);
		if (at != NULL && strstr(at + 1, forms[i][0]) == NULL)
			return mg_arena_printf(&d->arena, "%.*s%s%s", (int)(at - code), code,
			                       forms[i][1], at + strlen(forms[i][0]));
	}
	return NULL;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_op *ex = op->parent < m->nops ? &m->ops[op->parent] : op;
		const char *w = what(op);
		int fails, locks, alone;
		struct mg_diag *g;

		if (w == NULL)
			continue;
		fails = !op->autocommit &&
		        (is(op, "vacuum") || is(op, "vacuum_full") || is(op, "create_database") ||
		         is(op, "drop_database") || (is(op, "reindex") && op->concurrently));
		locks = (is(op, "vacuum_full") || is(op, "cluster") ||
		         (is(op, "reindex") && !op->concurrently)) &&
		        !(op->table != NULL && mg_rc_table_new(m, o, op->table));
		if (!fails && !locks)
			continue;
		/* The op.execute() runs only this statement: its code can be moved whole. */
		alone = !(i + 1 < m->nops && m->ops[i + 1].parent == op->parent) &&
		        !(i > 0 && m->ops[i - 1].parent == op->parent && i - 1 != op->parent);
		g = mg_rc_stmt_diag(d, RULE, fails ? MG_ERROR : MG_WARNING, m, i);
		if (fails && locks)
			g->message = mg_arena_printf(
			    &d->arena,
			    "%s runs inside the migration's transaction: PostgreSQL refuses it "
			    "(\"cannot "
			    "run inside a transaction block\"); in an autocommit block it still "
			    "rewrites "
			    "'%s' under ACCESS EXCLUSIVE, blocking reads and writes until done",
			    w, op->table ? op->table : "the tables");
		else if (fails)
			g->message = mg_arena_printf(&d->arena,
			                             "%s runs inside the migration's transaction: "
			                             "PostgreSQL refuses it (\"cannot run inside a "
			                             "transaction block\")",
			                             w);
		else if (is(op, "reindex"))
			g->message =
			    mg_arena_printf(&d->arena,
			                    "REINDEX without CONCURRENTLY blocks writes to %s%s%s "
			                    "and reads that use the "
			                    "index (ACCESS EXCLUSIVE on it) while it rebuilds",
			                    op->table ? "'" : "the index's table",
			                    op->table ? op->table : "", op->table ? "'" : "");
		else
			g->message =
			    mg_arena_printf(&d->arena,
			                    "%s rewrites %s%s%s under ACCESS EXCLUSIVE: no read or "
			                    "write of it until the "
			                    "rewrite is done",
			                    w, op->table ? "'" : "every table",
			                    op->table ? op->table : "", op->table ? "'" : "");
		if (ex->in_loop || !alone) {
			g->note = "no code given: its op.execute() runs more statements (or is in "
			          "a loop): "
			          "give it an op.execute() of its own in an autocommit block";
			continue;
		}
		if (locks && is(op, "reindex")) {
			g->code = concurrently(d, mg_rc_wrap_autocommit(d, m, ex));
			if (g->code == NULL) {
				g->note = "no code given: write REINDEX ... CONCURRENTLY "
				          "(PostgreSQL 12+) in "
				          "an autocommit block";
				continue;
			}
			g->note = "REINDEX CONCURRENTLY needs PostgreSQL 12 or later";
		} else if (fails) {
			g->code = mg_rc_wrap_autocommit(d, m, ex);
			if (locks)
				g->note = "the autocommit block stops the failure, not the lock: "
				          "VACUUM FULL "
				          "and CLUSTER have no online form in PostgreSQL "
				          "(pg_repack has one)";
		} else {
			g->note = "no code given: VACUUM FULL and CLUSTER have no online form in "
			          "PostgreSQL (pg_repack has one); run it in a maintenance window";
			continue;
		}
		if (g->code == NULL)
			continue;
		g->where = mg_arena_printf(&d->arena, "%s(), instead of the statement at line %u",
		                           op->function ? op->function : "upgrade",
		                           (unsigned)ex->stmt.line);
		g->fix = fails ? MG_FIX_REPLACE : MG_FIX_NONE;
		if (!fails)
			g->not_applied = "REINDEX CONCURRENTLY is applied by hand (PostgreSQL 12+)";
	}
}

const struct mg_rule mg_rule_maintenance_in_transaction = {
    RULE,
    "VACUUM, CREATE/DROP DATABASE, REINDEX CONCURRENTLY in a transaction; VACUUM FULL, CLUSTER, "
    "REINDEX locking a table with rows",
    MG_ERROR,
    check,
    MG_RULE_POSTGRESQL,
};
