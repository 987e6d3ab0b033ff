/*
 * unbatched-backfill: an UPDATE, DELETE or INSERT ... SELECT over a table
 * that already holds rows, run as one statement inside the migration's
 * transaction (op.execute SQL, the migration's connection, SQLAlchemy Core,
 * an ORM session). Every row it changes stays locked until the migration
 * commits: writers of those rows wait for the whole migration, and the
 * transaction grows with the table.
 *
 * A DELETE without WHERE empties the table on purpose (what a TRUNCATE
 * does too): not a backfill, not reported.
 *
 * Silent on what is already small or batched: a WHERE that names rows
 * (`id = 1`, `key IN ('a', 'b')`, a bound parameter in `=`), a WHERE with a
 * bound parameter or a LIMIT (one batch of a loop), a statement in a loop or
 * in an autocommit block, a table created in this migration (or the change,
 * --since) or emptied earlier in it, a Core/ORM statement whose WHERE migen
 * does not read.
 *
 * An UPDATE that fills a column this migration then makes NOT NULL belongs to
 * not-null-without-backfill, whose fix batches it and makes it NOT NULL in
 * one piece: it is not reported twice.
 *
 * The fix, for `UPDATE t SET col = <sql>` with no WHERE or `WHERE col IS
 * NULL`: the batched form of `migen backfill-template` walking the table's
 * primary key, each batch committed on its own.
 */
#include <string.h>

#include "migen/ident.h"
#include "migen/sqlcheck.h"
#include "common.h"

#define RULE "unbatched-backfill"

static int
same_table(const struct mg_op *a, const char *table, const char *schema)
{
	return a->table != NULL && strcmp(a->table, table) == 0 &&
	       mg_str_same(a->schema ? a->schema : "public", schema ? schema : "public");
}

/* DELETE without WHERE or TRUNCATE of the table before op i in upgrade(): no rows left. */
static int
emptied_before(const struct mg_model *m, size_t i, const struct mg_op *op)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (m->ops[j].kind == MG_OP_EMPTY_TABLE && m->ops[j].dir == MG_UPGRADE &&
		    same_table(&m->ops[j], op->table, op->schema))
			return 1;
	return 0;
}

/*
 * The UPDATE fills a column that upgrade() makes NOT NULL after it: what
 * not-null-without-backfill reports (its message names this UPDATE's line).
 */
static int
owned_by_not_null(const struct mg_model *m, const struct mg_options *o, size_t i,
                  const struct mg_op *op)
{
	size_t j, c;

	if (op->kind != MG_OP_UPDATE || op->whole_table != MG_YES)
		return 0;
	for (j = i + 1; j < m->nops; j++) {
		const struct mg_op *p = &m->ops[j];
		if (p->dir != MG_UPGRADE || p->kind != MG_OP_ALTER_COLUMN || p->nullable != MG_NO ||
		    p->column == NULL || !same_table(p, op->table, op->schema) ||
		    /* that rule is silent after a validated CHECK (col IS NOT NULL) */
		    mg_rc_not_null_proven(m, o, j, p->schema, p->table, p->column))
			continue;
		if (op->nset == 0)
			return 1; /* the columns it sets are not known: as that rule reads it */
		for (c = 0; c < op->nset; c++)
			if (strcmp(op->set_columns[c], p->column) == 0)
				return 1;
	}
	return 0;
}

/* The batched form of the UPDATE, or NULL with *why set. */
static const char *
batched(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d,
        const struct mg_op *op, const char **why)
{
	struct mg_backfill_spec bf;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *key, *r, *code;

	*why = NULL;
	if (op->kind != MG_OP_UPDATE || op->source != MG_SRC_SQL || op->parent >= m->nops ||
	    m->ops[op->parent].sql == NULL || op->set_sql == NULL || op->nset != 1) {
		*why = "the batched form is written for a plain SQL `UPDATE t SET col = value`";
		return NULL;
	}
	if (op->rows != MG_ROWS_ALL ||
	    (op->column != NULL && strcmp(op->column, op->set_columns[0]) != 0)) {
		*why = "its WHERE is not the batched form's (none, or the column IS NULL)";
		return NULL;
	}
	if ((key = mg_rc_walk_key(m, o, op)) == NULL) {
		*why = "the table's single-column primary key is not known (give --key)";
		return NULL;
	}
	if ((r = mg_ident_refusal(op->table)) != NULL ||
	    (op->schema != NULL && (r = mg_ident_refusal(op->schema)) != NULL) ||
	    (r = mg_ident_refusal(op->set_columns[0])) != NULL ||
	    (r = mg_ident_refusal(key)) != NULL) {
		*why = mg_arena_printf(&d->arena, "a name cannot go into code: %s", r);
		return NULL;
	}
	if (mg_sql_check_expr(op->set_sql, &r) != 0) {
		*why =
		    mg_arena_printf(&d->arena, "the new value cannot be copied into code: %s", r);
		return NULL;
	}
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = op->set_columns[0];
	bf.key = key;
	bf.value_sql = op->set_sql;
	bf.batch_size = o->batch_size > 0 ? o->batch_size : 5000;
	bf.sleep = o->sleep ? o->sleep : "0.01";
	bf.every_row = op->column == NULL;
	mg_rules_style(m, &st);
	mg_snippet_backfill(&b, &bf, &st);
	code = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return code;
}

/* "every row of existing table 't'", as the message says it. */
static const char *
what_rows(struct mg_diags *d, const struct mg_op *op)
{
	if (op->rows == MG_ROWS_SOME)
		return mg_arena_printf(
		    &d->arena, "the rows of existing table '%s' its WHERE matches", op->table);
	if (op->kind == MG_OP_UPDATE && op->column != NULL)
		return mg_arena_printf(&d->arena,
		                       "every row of existing table '%s' where %s IS NULL",
		                       op->table, op->column);
	return mg_arena_printf(&d->arena, "every row of existing table '%s'", op->table);
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *verb, *why;
		struct mg_diag *g;

		if (op->dir != MG_UPGRADE || op->table == NULL || op->autocommit || op->in_loop)
			continue;
		if (op->kind == MG_OP_UPDATE) {
			/* SQL tells which rows; Core/ORM only whether a WHERE narrows them. */
			if (op->rows != MG_ROWS_ALL && op->rows != MG_ROWS_SOME &&
			    !(op->rows == MG_ROWS_UNKNOWN && op->whole_table == MG_YES))
				continue;
			verb = "UPDATE";
		} else if (op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL &&
		           op->name != NULL && strcmp(op->name, "delete") == 0 &&
		           op->rows == MG_ROWS_SOME) {
			verb = "DELETE";
		} else if (op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL &&
		           op->name != NULL && strcmp(op->name, "insert_select") == 0 &&
		           (op->rows == MG_ROWS_ALL || op->rows == MG_ROWS_SOME)) {
			verb = "INSERT ... SELECT";
		} else {
			continue;
		}
		if (mg_rc_table_new(m, o, op->table) || emptied_before(m, i, op) ||
		    owned_by_not_null(m, o, i, op))
			continue;
		g = mg_diags_add(d, RULE, MG_WARNING);
		g->table = op->table;
		g->column = op->kind == MG_OP_UPDATE && op->nset == 1 ? op->set_columns[0] : NULL;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		if (op->kind == MG_OP_OTHER && strcmp(op->name, "insert_select") == 0)
			g->message = mg_arena_printf(
			    &d->arena,
			    "INSERT ... SELECT into existing table '%s' in one statement inside "
			    "the "
			    "migration's transaction: every row the query returns is written at "
			    "once "
			    "and stays uncommitted (and locked) until the migration commits",
			    op->table);
		else
			g->message = mg_arena_printf(
			    &d->arena,
			    "%s of %s, in one statement inside the migration's transaction: each "
			    "row "
			    "it changes stays locked until the migration commits, so writers of "
			    "those rows wait for the whole migration",
			    verb, what_rows(d, op));
		g->code = batched(m, o, d, op, &why);
		if (g->code == NULL) {
			g->note = mg_arena_printf(
			    &d->arena,
			    "no code given: %s; batch it by hand: an autocommit block walking the "
			    "primary key, a few thousand rows per statement (see `migen "
			    "backfill-template`)",
			    why ? why : "migen writes the batched form for UPDATE only");
			continue;
		}
		g->where = mg_arena_printf(&d->arena, "upgrade(), instead of the UPDATE at line %u",
		                           (unsigned)op->span.line);
		g->note =
		    "the batches commit one by one in an autocommit block: the migration is no "
		    "longer atomic, and a failure keeps the batches already done";
		g->not_applied =
		    "an op.execute() holding the UPDATE is replaced by hand (it may hold "
		    "other statements)";
		g->fix = MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_unbatched_backfill = {
    RULE,
    "an UPDATE, DELETE or INSERT ... SELECT over a table with rows in one statement of the "
    "migration's transaction",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
