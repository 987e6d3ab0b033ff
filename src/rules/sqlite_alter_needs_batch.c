/*
 * sqlite-alter-needs-batch: SQLite has no ALTER COLUMN and no ALTER of
 * constraints. Outside op.batch_alter_table(), Alembic's alter_column (other
 * than a rename) sends `ALTER TABLE ... ALTER COLUMN`, which SQLite refuses
 * ("near ALTER: syntax error"); create_foreign_key, create_unique_constraint,
 * create_check_constraint and drop_constraint raise NotImplementedError
 * before reaching the database; drop_column of a column in an index or a
 * constraint fails ("cannot drop ... column"; SQLite before 3.35 has no DROP
 * COLUMN at all). The batch form copies the table, which SQLite can do.
 * Only for projects whose dialect is SQLite (rules.h); tests/integration/
 * sqlite_batch.sh runs both forms through Alembic on a real SQLite file.
 */
#include <string.h>

#include "common.h"

/* The positional argument that names the table, or -1 when the op has none to move. */
static int
table_arg(const struct mg_op *op)
{
	switch (op->kind) {
	case MG_OP_ALTER_COLUMN:
	case MG_OP_DROP_COLUMN:
		return 0;
	case MG_OP_CREATE_FOREIGN_KEY:
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
	case MG_OP_CREATE_CHECK_CONSTRAINT:
	case MG_OP_DROP_CONSTRAINT:
		return 1;
	default:
		return -1;
	}
}

/* Whether upgrade() drops the index or constraint before op (ops[0..upto)). */
static int
dropped_before(const struct mg_model *m, size_t upto, const char *name)
{
	size_t i;

	for (i = 0; i < upto && name != NULL; i++)
		if (m->ops[i].dir == MG_UPGRADE && m->ops[i].object != NULL &&
		    (m->ops[i].kind == MG_OP_DROP_INDEX ||
		     m->ops[i].kind == MG_OP_DROP_CONSTRAINT) &&
		    strcmp(m->ops[i].object, name) == 0)
			return 1;
	return 0;
}

/*
 * Whether the column is in an index, key or foreign key of the schema's
 * table that upgrade() has not dropped before the op.
 */
static int
constrained(const struct mg_model *m, const struct mg_options *o, size_t opi)
{
	const struct mg_op *op = &m->ops[opi];
	const struct mg_stable *t = mg_rc_schema_table(o, op->schema, op->table);
	size_t i, k;

	if (t == NULL || op->column == NULL)
		return 0;
	for (i = 0; i < t->nindexes; i++)
		for (k = 0; k < t->indexes[i].ncolumns; k++)
			if (strcmp(t->indexes[i].columns[k], op->column) == 0 &&
			    !dropped_before(m, opi, t->indexes[i].name))
				return 1;
	for (i = 0; i < t->nfkeys; i++)
		for (k = 0; k < t->fkeys[i].ncolumns; k++)
			if (t->fkeys[i].columns[k] != NULL &&
			    strcmp(t->fkeys[i].columns[k], op->column) == 0 &&
			    !dropped_before(m, opi, t->fkeys[i].name))
				return 1;
	return 0;
}

/* Top-level argument boundaries of the call's argument text [p, end): up to 16. */
static size_t
split_args(const char *p, const char *end, const char **starts, const char **ends)
{
	int depth = 0;
	char quote = 0;
	size_t n = 0;
	const char *s = p;

	for (; p < end; p++) {
		if (quote) {
			if (*p == '\\')
				p++;
			else if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if (*p == ')' || *p == ']' || *p == '}')
			depth--;
		else if (*p == ',' && depth == 0) {
			if (n == 16)
				return 0;
			starts[n] = s, ends[n++] = p;
			s = p + 1;
		}
	}
	if (n < 16) {
		const char *q = s;
		while (q < end && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t'))
			q++;
		if (q < end)
			starts[n] = s, ends[n++] = end;
	}
	return n;
}

static int
positional(const char *s, const char *e)
{
	int depth = 0;

	for (; s < e; s++) {
		if (*s == '\'' || *s == '"')
			return 1; /* a string starts before any '=' */
		if (*s == '(' || *s == '[')
			depth++;
		else if (*s == '=' && depth == 0 && s + 1 < e && s[1] != '=')
			return 0;
	}
	return 1;
}

static const char *
trim(struct mg_diags *d, const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
		e--;
	return mg_arena_strndup(&d->arena, s, (size_t)(e - s));
}

/*
 * The statement in batch form: `with op.batch_alter_table(TABLE) as
 * batch_op:` and the call on batch_op without its table argument. NULL
 * when the call is not one migen can rewrite safely (a keyword table
 * argument, schema=, a multi-line statement prefix).
 */
static const char *
batch_code(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	const char *starts[16], *ends[16], *open, *close, *table;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *r;
	size_t n, i;
	int k = table_arg(op), first;

	if (m->src == NULL || k < 0 || op->stmt.end > m->srclen || op->span.end > op->stmt.end ||
	    op->span.start < op->stmt.start || op->schema != NULL || op->in_loop)
		return NULL;
	if (op->stmt.start != op->span.start || op->stmt.end != op->span.end)
		return NULL; /* `x = op...` or a trailing part: leave it to the author */
	open = memchr(m->src + op->span.start, '(', op->span.end - op->span.start);
	close = m->src + op->span.end - 1;
	if (open == NULL || *close != ')')
		return NULL;
	n = split_args(open + 1, close, starts, ends);
	if (n <= (size_t)k)
		return NULL;
	for (i = 0; i <= (size_t)k; i++)
		if (!positional(starts[i], ends[i]))
			return NULL;
	table = trim(d, starts[k], ends[k]);
	mg_rules_style(m, &st);
	mg_buf_printf(&b, "%swith op.batch_alter_table(%s) as batch_op:\n%s%sbatch_op.%s(",
	              st.indent, table, st.indent, st.indent, op->name);
	for (i = 0, first = 1; i < n; i++) {
		const char *p;
		if (i == (size_t)k)
			continue;
		if (!first)
			mg_buf_puts(&b, ", ");
		first = 0;
		/* One line: the arguments' own line breaks become spaces. */
		for (p = trim(d, starts[i], ends[i]); *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				;
			else
				mg_buf_putc(&b, *p);
	}
	mg_buf_puts(&b, ")\n");
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	if (o->dialect != MG_DIALECT_SQLITE)
		return;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *why;
		struct mg_diag *g;

		if (op->source != MG_SRC_OP || op->batch)
			continue;
		switch (op->kind) {
		case MG_OP_ALTER_COLUMN:
			if (op->type_expr == NULL && op->nullable == MG_UNKNOWN &&
			    op->default_change == MG_DEFAULT_KEEP)
				continue; /* a rename alone: SQLite has RENAME COLUMN */
			why = "SQLite has no ALTER COLUMN: it fails with a syntax error";
			break;
		case MG_OP_DROP_COLUMN:
			if (op->dir != MG_UPGRADE || !constrained(m, o, i))
				continue;
			why = "SQLite cannot drop a column that is in an index or a constraint";
			break;
		case MG_OP_CREATE_FOREIGN_KEY:
		case MG_OP_CREATE_UNIQUE_CONSTRAINT:
		case MG_OP_CREATE_CHECK_CONSTRAINT:
		case MG_OP_DROP_CONSTRAINT:
			why = "SQLite cannot ALTER a table's constraints: Alembic raises "
			      "NotImplementedError";
			break;
		default:
			continue;
		}
		g = mg_diags_add(d, "sqlite-alter-needs-batch", MG_ERROR);
		g->table = op->table;
		g->column = op->column;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message = mg_arena_printf(
		    &d->arena, "op.%s() outside op.batch_alter_table(): %s", op->name, why);
		g->where = mg_arena_printf(&d->arena, "%s(), in place of the call",
		                           op->dir == MG_UPGRADE ? "upgrade" : "downgrade");
		if ((g->code = batch_code(d, m, op)) != NULL)
			g->fix = MG_FIX_REPLACE;
		else
			g->note =
			    "move the call into `with op.batch_alter_table(TABLE) as batch_op:` "
			    "as batch_op.<call> without the table argument";
	}
}

const struct mg_rule mg_rule_sqlite_alter_needs_batch = {
    "sqlite-alter-needs-batch",
    "SQLite: alter_column, drop_column of a constrained column, constraint changes need "
    "op.batch_alter_table()",
    MG_ERROR,
    check,
    0,
};
