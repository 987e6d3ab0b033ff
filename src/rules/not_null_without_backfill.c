/*
 * not-null-without-backfill: a column made NOT NULL on a table that already
 * has rows, with nothing filling it first.
 *  - add_column(nullable=False) without server_default fails on the first
 *    existing row ("column contains null values");
 *  - alter_column(nullable=False) with no backfill before it fails if any
 *    NULL is left, and scans the table under an ACCESS EXCLUSIVE lock.
 * The fix is the three-step pattern: add nullable, backfill in batches,
 * then NOT NULL through a validated CHECK. migen cannot know the value
 * existing rows should get, so the code asks for it.
 */
#include <string.h>

#include "common.h"

/* Whether an UPDATE sets column (an UPDATE whose SET list is unknown counts). */
static int
sets(const struct mg_op *p, const char *column)
{
	size_t i;

	if (p->nset == 0)
		return 1;
	for (i = 0; i < p->nset; i++)
		if (strcmp(p->set_columns[i], column) == 0)
			return 1;
	return 0;
}

/* A statement before op (same function) that may fill table: UPDATE, opaque SQL, a bulk insert. */
static int
backfilled_before(const struct mg_model *m, size_t upto, const char *table, const char *column)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const struct mg_op *p = &m->ops[i];
		if (p->dir != MG_UPGRADE)
			continue;
		if (p->kind == MG_OP_EXECUTE && p->sql == NULL)
			return 1; /* opaque: it may well be the backfill */
		if (p->kind == MG_OP_BULK_INSERT &&
		    (p->table == NULL || strcmp(p->table, table) == 0))
			return 1;
		if (p->kind == MG_OP_UPDATE && (p->table == NULL || strcmp(p->table, table) == 0) &&
		    sets(p, column))
			return 1;
	}
	return 0;
}

static void
code(struct mg_diags *d, const struct mg_model *m, const struct mg_options *o, struct mg_diag *g,
     const struct mg_op *op, int add)
{
	struct mg_backfill_spec bf;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *names[3] = {op->table, op->column, "id"};

	if (!mg_rc_safe(names, 3) || (op->schema && !mg_rc_safe(&op->schema, 1)))
		return;
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = op->column;
	bf.key = "id";
	bf.value_python = o->backfill_python ? o->backfill_python : "backfill_value";
	bf.value_sql = o->backfill_sql;
	if (o->backfill_sql != NULL && o->backfill_python == NULL)
		bf.value_python = NULL;
	bf.type_python = op->coldef && op->coldef->type ? op->coldef->type : NULL;
	bf.batch_size = 5000;
	bf.sleep = "0.01";
	mg_rules_style(m, &st);
	if (add)
		mg_snippet_add_nullable_column(&b, &bf, &st);
	if (o->backfill_python == NULL && o->backfill_sql == NULL) {
		mg_buf_printf(
		    &b,
		    "%s# The value existing rows get: migen cannot know it. Left as ... it fails\n",
		    st.indent);
		mg_buf_printf(
		    &b, "%s# loudly until set (or run enhance with --default / --default-sql).\n",
		    st.indent);
		mg_buf_printf(&b, "%sbackfill_value = ...\n", st.indent);
	}
	mg_snippet_backfill(&b, &bf, &st);
	mg_snippet_set_not_null(&b, &bf, &st);
	g->code = mg_arena_strndup(&d->arena, b.s, b.len);
	g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s", mg_rc_describe(d, m, op));
	/* Applied only when the value is known, and only to an op.* call of its own. */
	if (o->backfill_python == NULL && o->backfill_sql == NULL)
		g->not_applied =
		    "needs the value for existing rows: --default VALUE or --default-sql EXPR";
	else if (op->source != MG_SRC_OP)
		g->not_applied = "the statement is SQL inside op.execute(): edit it by hand";
	else if (op->in_loop)
		g->not_applied = "the statement is in a loop or nested function";
	else
		g->fix = MG_FIX_REPLACE;
	mg_buf_free(&b);
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;
		int add;

		if (op->dir != MG_UPGRADE || op->nullable != MG_NO || op->table == NULL ||
		    op->column == NULL || mg_model_created_table(m, op->table) != NULL)
			continue;
		if (op->kind == MG_OP_ADD_COLUMN) {
			if (op->has_server_default != MG_NO)
				continue;
			add = 1;
		} else if (op->kind == MG_OP_ALTER_COLUMN) {
			if (backfilled_before(m, i, op->table, op->column))
				continue;
			add = 0;
		} else {
			continue;
		}
		g = mg_diags_add(d, "not-null-without-backfill", add ? MG_ERROR : MG_WARNING);
		g->table = op->table;
		g->column = op->column;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message =
		    add ? mg_arena_printf(&d->arena,
		                          "NOT NULL column %s.%s is added without a "
		                          "server_default: it fails on a table that has rows",
		                          op->table, op->column)
		        : mg_arena_printf(
		              &d->arena,
		              "%s.%s is made NOT NULL with no backfill before it: it fails if a "
		              "NULL is left, and scans the table under an ACCESS EXCLUSIVE lock",
		              op->table, op->column);
		code(d, m, o, g, op, add);
	}
}

const struct mg_rule mg_rule_not_null_without_backfill = {
    "not-null-without-backfill",
    "a column becomes NOT NULL on an existing table without a backfill",
    MG_WARNING,
    check,
};
