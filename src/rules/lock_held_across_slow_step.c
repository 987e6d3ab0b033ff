/*
 * lock-held-across-slow-step: in one transaction, a statement that takes
 * ACCESS EXCLUSIVE on an existing table T, then a slow statement (an index
 * build, VALIDATE CONSTRAINT, a constraint checked against every row, a SET
 * NOT NULL scan, a backfill, a table rewrite). PostgreSQL keeps a lock until
 * the transaction ends, so T stays locked against reads and writes for the
 * whole slow step, although the statement that needed the lock took
 * milliseconds.
 *
 * An autocommit block ends the transaction: locks taken before it are
 * released there. A slow step that takes ACCESS EXCLUSIVE on T itself adds
 * nothing (it blocks T anyway; other rules report it). Tables created in
 * this migration (or the change) are empty: neither side counts. Once per
 * locked table, with the first slow step after it. No code: the fix is an
 * order (the slow step first, or in its own migration or autocommit block).
 */
#include <string.h>

#include "common.h"

#define RULE "lock-held-across-slow-step"

/* Whether the constraint operation i makes is added NOT VALID (no scan). */
static int
not_valid(const struct mg_model *m, size_t i)
{
	size_t k;

	if (m->ops[i].not_valid)
		return 1;
	for (k = 0; k < m->nfkeys; k++)
		if (m->fkeys[k].op == i)
			return m->fkeys[k].not_valid;
	for (k = 0; k < m->nchecks; k++)
		if (m->checks[k].op == i)
			return m->checks[k].not_valid;
	return 0;
}

/* Why operation i is slow on a table with rows, or NULL. */
static const char *
slow(const struct mg_model *m, size_t i)
{
	const struct mg_op *op = &m->ops[i];

	switch (op->kind) {
	case MG_OP_CREATE_INDEX:
		return op->concurrently ? NULL : "an index build";
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
		return "a unique index build";
	case MG_OP_VALIDATE_CONSTRAINT:
		return "VALIDATE CONSTRAINT, which reads the whole table";
	case MG_OP_CREATE_FOREIGN_KEY:
		return not_valid(m, i) ? NULL : "a foreign key checked against every row";
	case MG_OP_CREATE_CHECK_CONSTRAINT:
		return not_valid(m, i) ? NULL : "a CHECK checked against every row";
	case MG_OP_ALTER_COLUMN:
		return op->nullable == MG_NO ? "SET NOT NULL, which reads the whole table" : NULL;
	case MG_OP_ADD_COLUMN:
		return op->coldef != NULL && (op->coldef->computed || op->coldef->identity ||
		                              op->coldef->generated)
		           ? "a column computed for every row (a table rewrite)"
		           : NULL;
	case MG_OP_UPDATE:
		return op->rows == MG_ROWS_ALL || op->rows == MG_ROWS_SOME ||
		               (op->rows == MG_ROWS_UNKNOWN && op->whole_table == MG_YES)
		           ? "a backfill UPDATE"
		           : NULL;
	case MG_OP_OTHER:
		if (op->source != MG_SRC_SQL || op->name == NULL)
			return NULL;
		if (strcmp(op->name, "insert_select") == 0 &&
		    (op->rows == MG_ROWS_ALL || op->rows == MG_ROWS_SOME))
			return "an INSERT ... SELECT";
		if (strcmp(op->name, "delete") == 0 && op->rows == MG_ROWS_SOME)
			return "a DELETE over the table";
		if (strcmp(op->name, "vacuum_full") == 0 || strcmp(op->name, "cluster") == 0)
			return "a table rewrite";
		if (strcmp(op->name, "reindex") == 0 && !op->concurrently)
			return "a REINDEX";
		if (strcmp(op->name, "refresh_matview") == 0)
			return "a materialized view refresh";
		return NULL;
	default:
		return NULL;
	}
}

struct held {
	const char *table;
	size_t op;
	int reported;
};

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	struct held h[64];
	size_t nh = 0, i, k;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *why;

		if (op->dir != MG_UPGRADE)
			continue;
		if (op->autocommit) {
			nh = 0; /* the block committed what ran before it */
			continue;
		}
		if (op->table != NULL && (why = slow(m, i)) != NULL &&
		    !mg_rc_table_new(m, o, op->table)) {
			int ae = mg_rc_op_lock(op) == MG_LOCK_ACCESS_EXCLUSIVE;
			for (k = 0; k < nh; k++) {
				const struct mg_op *a = &m->ops[h[k].op];
				struct mg_diag *g;
				if (h[k].reported || (ae && strcmp(h[k].table, op->table) == 0))
					continue;
				h[k].reported = 1;
				g = mg_diags_add(d, RULE, MG_WARNING);
				g->table = h[k].table;
				g->line = a->span.line;
				g->col = a->span.col;
				g->op = a->source == MG_SRC_SQL ? a->parent : h[k].op;
				g->message =
				    mg_arena_printf(&d->arena,
				                    "%s takes ACCESS EXCLUSIVE on existing table "
				                    "'%s', and the lock is held "
				                    "until the migration commits: through %s on "
				                    "'%s' at line %u, reads and "
				                    "writes of '%s' wait",
				                    mg_rc_describe_stmt(d, m, a), h[k].table, why,
				                    op->table, (unsigned)op->span.line, h[k].table);
				g->note = mg_arena_printf(&d->arena,
				                          "no code given: run the slow step first, "
				                          "or in a migration of its own (or "
				                          "an autocommit block) after this one, so "
				                          "that '%s' is locked only for "
				                          "the quick statement",
				                          h[k].table);
			}
		}
		if (op->table != NULL && nh < sizeof(h) / sizeof(h[0]) &&
		    mg_rc_op_lock(op) == MG_LOCK_ACCESS_EXCLUSIVE &&
		    !mg_rc_table_new(m, o, op->table)) {
			for (k = 0; k < nh; k++)
				if (strcmp(h[k].table, op->table) == 0)
					break;
			if (k == nh) {
				h[nh].table = op->table;
				h[nh].op = i;
				h[nh].reported = 0;
				nh++;
			}
		}
	}
}

const struct mg_rule mg_rule_lock_held_across_slow_step = {
    RULE,
    "ACCESS EXCLUSIVE on a table with rows held across a slow statement of the same transaction",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
