/*
 * drop-index-locks: DROP INDEX without CONCURRENTLY (op.drop_index,
 * batch_op.drop_index, SQL) on a table that already holds rows, in
 * upgrade() and in downgrade(). It takes ACCESS EXCLUSIVE on the table
 * (measured by tests/integration/locks.sh): the DROP waits for every
 * running query on the table, and every query after it waits for the DROP,
 * so a slow report query stalls all traffic on the table. DROP INDEX
 * CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes go on. It
 * cannot run in a transaction: the fix runs it in an autocommit block, with
 * IF EXISTS so that a retry after a failure passes.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

/*
 * The table of the index op drops: the call's table_name, else the index
 * of that name in the replayed schema, else one this file creates.
 */
static const char *
index_table(const struct mg_model *m, const struct mg_options *o, const struct mg_op *op,
            const char **schema)
{
	size_t i;

	*schema = op->schema;
	if (op->table != NULL)
		return op->table;
	if (op->object == NULL)
		return NULL;
	if (o->schema != NULL) {
		struct mg_stable *t = NULL;
		if (mg_schema_index(o->schema, op->schema, op->object, &t) != NULL && t != NULL) {
			*schema = t->schema;
			return t->name;
		}
		return NULL;
	}
	for (i = 0; i < m->nindexes; i++)
		if (m->indexes[i].name != NULL && strcmp(m->indexes[i].name, op->object) == 0)
			return m->indexes[i].table;
	return NULL;
}

/*
 * Whether require-concurrent-index owns this drop: downgrade() dropping an
 * index that upgrade() builds without CONCURRENTLY is the statement that
 * rule's downgrade code replaces (with DROP INDEX CONCURRENTLY), so it is
 * reported once, there.
 */
static int
owned_by_index_rule(const struct mg_model *m, const struct mg_op *op)
{
	size_t i;

	if (op->dir != MG_DOWNGRADE || op->object == NULL)
		return 0;
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		if (x->dir == MG_UPGRADE && x->kind == MG_IX_INDEX && x->source != MG_SRC_TABLE &&
		    !x->concurrently && x->name != NULL && strcmp(x->name, op->object) == 0)
			return 1;
	}
	return 0;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *table, *schema, *fn;
		const struct mg_op *stmt = op;
		struct mg_index_spec ix;
		struct mg_buf b = {0};
		struct mg_style st;
		struct mg_diag *g;

		if (op->kind != MG_OP_DROP_INDEX || op->concurrently || owned_by_index_rule(m, op))
			continue;
		table = index_table(m, o, op, &schema);
		if (!mg_rc_table_existing(m, o, i, schema, table))
			continue;
		fn = mg_rc_function(m, op);
		g = mg_diags_add(d, "drop-index-locks", MG_WARNING);
		g->table = table;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message = mg_arena_printf(
		    &d->arena,
		    "index %s on existing table '%s' is dropped without CONCURRENTLY in %s(): "
		    "ACCESS EXCLUSIVE on '%s', so the DROP waits for every running query on it and "
		    "every later query waits for the DROP",
		    op->object ? op->object : "(name not a literal)", table, fn, table);
		if (op->object == NULL || mg_ident_refusal(op->object) != NULL ||
		    (schema != NULL && mg_ident_refusal(schema) != NULL)) {
			g->note = "no code given: the index name cannot be written into code";
			continue;
		}
		memset(&ix, 0, sizeof(ix));
		ix.name = op->object;
		ix.table = table;
		ix.schema = schema;
		mg_rules_style(m, &st);
		mg_snippet_drop_index_concurrently(&b, &ix, &st);
		g->code = mg_arena_strndup(&d->arena, b.s, b.len);
		mg_buf_free(&b);
		if (op->source == MG_SRC_SQL) {
			stmt = &m->ops[op->parent];
			g->op = op->parent;
		}
		g->where = mg_arena_printf(&d->arena, "%s(), instead of %s", fn,
		                           mg_rc_describe(d, m, stmt));
		if (op->batch) {
			g->where =
			    mg_arena_printf(&d->arena,
			                    "%s(), after the `with op.batch_alter_table('%s')` "
			                    "block, instead of its "
			                    "batch_op.drop_index(...)",
			                    fn, table);
			g->not_applied = "the statement is a batch_op call: move it by hand";
		} else if (op->source == MG_SRC_SQL && !mg_rc_sql_alone(m, op->parent, i)) {
			g->not_applied =
			    "the op.execute() runs other SQL too: edit that SQL by hand";
		} else if (stmt->in_loop) {
			g->not_applied = "the statement is in a loop or nested function";
		}
		g->fix = g->not_applied == NULL ? MG_FIX_REPLACE : MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_drop_index_locks = {
    "drop-index-locks",
    "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on a table with rows",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
