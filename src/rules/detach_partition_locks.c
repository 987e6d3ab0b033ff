/*
 * detach-partition-locks: ALTER TABLE ... DETACH PARTITION without
 * CONCURRENTLY (SQL in op.execute()) on a partitioned table that already
 * holds rows. It takes ACCESS EXCLUSIVE on the partitioned table and on
 * the partition until the migration commits (measured by
 * tests/integration/locks.sh): no read or write of any partition meanwhile.
 *
 * DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE
 * EXCLUSIVE on both for a short first step, then waits for the queries that
 * use the table holding no lock on either (measured: writes go on); only its
 * short last step takes ACCESS EXCLUSIVE on the partition. It cannot run in
 * a transaction block (the fix puts it in an autocommit block) nor when the
 * table has a DEFAULT partition, which migen cannot see. Below PostgreSQL
 * 14 (--pg-version) there is no online form: the finding says so and gives
 * no code.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

#define RULE "detach-partition-locks"

static int
is_detach(const struct mg_op *op)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, "detach_partition") == 0;
}

/* The DETACH ... CONCURRENTLY in an autocommit block, or NULL (names unsafe). */
static const char *
code(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	struct mg_buf sql = {0};
	const char *r;

	if (op->object == NULL || mg_ident_refusal(op->table) != NULL ||
	    mg_ident_refusal(op->object) != NULL ||
	    (op->schema != NULL && mg_ident_refusal(op->schema) != NULL) ||
	    (op->new_name != NULL && mg_ident_refusal(op->new_name) != NULL))
		return NULL;
	mg_buf_puts(&sql, "ALTER TABLE ");
	mg_ident_sql_qualified(&sql, op->schema, op->table);
	mg_buf_puts(&sql, " DETACH PARTITION ");
	mg_ident_sql_qualified(&sql, op->new_name, op->object);
	mg_buf_puts(&sql, " CONCURRENTLY");
	r = mg_rc_execute_code(d, m, NULL, sql.s, 1);
	mg_buf_free(&sql);
	return r;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *fn, *part;
		struct mg_diag *g;

		if (!is_detach(op))
			continue;
		if (op->concurrently) {
			/* The safe form, unless it runs where PostgreSQL refuses it. */
			if (op->autocommit)
				continue;
			g = mg_rc_stmt_diag(d, RULE, MG_ERROR, m, i);
			g->message =
			    "DETACH PARTITION ... CONCURRENTLY runs inside the migration's "
			    "transaction: PostgreSQL refuses it (\"cannot run inside a "
			    "transaction block\")";
			if (mg_rc_sql_alone(m, op->parent, i) && !m->ops[op->parent].in_loop)
				g->code = mg_rc_wrap_autocommit(d, m, &m->ops[op->parent]);
			if (g->code == NULL) {
				g->note =
				    "no code given: its op.execute() runs more statements (or is "
				    "in a loop): give it an op.execute() of its own in an "
				    "autocommit block";
				continue;
			}
			g->where = mg_arena_printf(
			    &d->arena, "%s(), instead of the statement at line %u",
			    mg_rc_function(m, op), (unsigned)m->ops[op->parent].stmt.line);
			g->fix = MG_FIX_REPLACE;
			continue;
		}
		if (!mg_rc_table_existing(m, o, i, op->schema, op->table))
			continue;
		fn = mg_rc_function(m, op);
		part = op->object ? op->object : "the partition";
		g = mg_rc_stmt_diag(d, RULE, MG_WARNING, m, i);
		g->message = mg_arena_printf(&d->arena,
		                             "DETACH PARTITION %s%s%s without CONCURRENTLY in %s() "
		                             "takes ACCESS EXCLUSIVE on "
		                             "partitioned table '%s' and on the partition until "
		                             "the migration commits: every "
		                             "read and write of '%s' waits",
		                             op->object ? "'" : "", part, op->object ? "'" : "", fn,
		                             op->table, op->table);
		if (mg_rc_pg_version(o) < 14) {
			g->note =
			    mg_arena_printf(&d->arena,
			                    "no code given: DETACH PARTITION ... CONCURRENTLY "
			                    "needs PostgreSQL 14 (deploying to %d); detach in a "
			                    "maintenance window",
			                    mg_rc_pg_version(o));
			continue;
		}
		g->code = code(d, m, op);
		if (g->code == NULL) {
			g->note =
			    "no code given: a name cannot be written into code; write DETACH "
			    "PARTITION ... CONCURRENTLY in an autocommit block (PostgreSQL 14+)";
			continue;
		}
		g->note =
		    "CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE: reads and "
		    "writes go on; it cannot run in a transaction (hence the autocommit block, "
		    "which commits what ran before it) nor when the table has a DEFAULT "
		    "partition; if it is interrupted, finish with ALTER TABLE ... DETACH "
		    "PARTITION ... FINALIZE";
		g->where = mg_arena_printf(&d->arena, "%s(), instead of the statement at line %u",
		                           fn, (unsigned)m->ops[op->parent].stmt.line);
		if (!(mg_rc_sql_alone(m, op->parent, i) && !m->ops[op->parent].in_loop))
			g->where =
			    mg_arena_printf(&d->arena,
			                    "%s(), in place of the DETACH in the op.execute() "
			                    "at line %u",
			                    fn, (unsigned)m->ops[op->parent].stmt.line);
		g->not_applied =
		    "the autocommit block commits what ran before it, and CONCURRENTLY "
		    "fails on a table with a DEFAULT partition: applied by hand";
		g->fix = MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_detach_partition_locks = {
    RULE,
    "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
