/*
 * duplicate-column-assignment: a statement that names one column twice
 * fails when it runs, so the migration fails at deploy (measured on
 * PostgreSQL 15 by tests/integration/deploy_rules.sh):
 *   UPDATE t SET a = 1, a = 2      multiple assignments to same column "a"
 *   INSERT INTO t (a, a) ...       column "a" specified more than once
 *   CREATE TABLE t (a int, a int)  column "a" specified more than once
 * op.create_table() with two sa.Column of one name: SQLAlchemy 2.0 refuses
 * the Table (DuplicateColumnError); 1.4 warns and keeps only the last
 * definition, so the table is created without the first one. Either way
 * the migration does not do what it says: error, in any function, on any
 * table (a new one too).
 *
 * op.bulk_insert() rows are Python dicts: a key written twice keeps its last
 * value and nothing fails, so they are not checked.
 */
#include <string.h>

#include "common.h"

#define RULE "duplicate-column-assignment"

/* The first name that occurs twice in v, or NULL. */
static const char *
twice(const char *const *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (v[i] != NULL && v[j] != NULL && strcmp(v[i], v[j]) == 0)
				return v[i];
	return NULL;
}

static void
table(const struct mg_model *m, size_t i, struct mg_diags *d)
{
	const struct mg_op *op = &m->ops[i];
	const struct mg_table *t;
	struct mg_diag *g;
	size_t k, j;

	if (op->table_index >= m->ntables)
		return;
	t = &m->tables[op->table_index];
	for (k = 0; k < t->ncolumns; k++)
		for (j = 0; j < k; j++)
			if (t->columns[k].name != NULL && t->columns[j].name != NULL &&
			    strcmp(t->columns[k].name, t->columns[j].name) == 0)
				goto found;
	return;
found:
	g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
	g->column = t->columns[k].name;
	if (op->source == MG_SRC_SQL)
		g->message = mg_arena_printf(
		    &d->arena,
		    "CREATE TABLE %s defines column '%s' twice: PostgreSQL refuses it (\"column "
		    "\"%s\" specified more than once\"), the migration fails at deploy",
		    t->name ? t->name : "?", t->columns[k].name, t->columns[k].name);
	else
		g->message = mg_arena_printf(
		    &d->arena,
		    "op.create_table('%s') has two sa.Column named '%s': SQLAlchemy 2.0 refuses "
		    "the table (DuplicateColumnError); 1.4 keeps only the last one, so the first "
		    "definition is silently lost",
		    t->name ? t->name : "?", t->columns[k].name);
	g->note = "keep one definition of the column (rename the other if both are meant)";
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *col;
		struct mg_diag *g;

		/* SQL is read with PostgreSQL's grammar and errors (MySQL, for one,
		 * accepts UPDATE t SET a = 1, a = 2); SQLAlchemy's Table is the same
		 * everywhere. */
		if (op->source == MG_SRC_SQL && !mg_dialect_postgresql(o))
			continue;
		if (op->kind == MG_OP_CREATE_TABLE) {
			table(m, i, d);
			continue;
		}
		if (op->source != MG_SRC_SQL)
			continue; /* Python keyword arguments and dict keys cannot repeat */
		if (op->kind == MG_OP_UPDATE && (col = twice(op->set_columns, op->nset)) != NULL) {
			g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
			g->column = col;
			g->message = mg_arena_printf(
			    &d->arena,
			    "UPDATE %s sets column '%s' twice: PostgreSQL refuses it (\"multiple "
			    "assignments to same column \"%s\"\"), the migration fails at deploy",
			    op->table ? op->table : "?", col, col);
		} else if (op->kind == MG_OP_OTHER && op->name != NULL &&
		           strcmp(op->name, "insert") == 0 &&
		           (col = twice(op->set_columns, op->nset)) != NULL) {
			g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
			g->column = col;
			g->message = mg_arena_printf(
			    &d->arena,
			    "INSERT INTO %s names column '%s' twice: PostgreSQL refuses it "
			    "(\"column \"%s\" specified more than once\"), the migration fails at "
			    "deploy",
			    op->table ? op->table : "?", col, col);
		} else {
			continue;
		}
		g->note = "give the column one value";
	}
}

const struct mg_rule mg_rule_duplicate_column_assignment = {
    RULE,
    "a statement that names one column twice (UPDATE SET, INSERT, CREATE TABLE): it fails",
    MG_ERROR,
    check,
    0,
};
