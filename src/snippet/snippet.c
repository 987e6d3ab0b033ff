/*
 * Code generation for the snippets (see snippet.h). The SQL is laid out the
 * way a person would write it in a migration, in a triple-quoted string, and
 * every value a user typed is bound as a parameter rather than pasted into SQL.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/ident.h"
#include "migen/snippet.h"

const struct mg_style mg_style_default = {"    ", 1, '"'};

static void
ind(struct mg_buf *o, const struct mg_style *st, int extra)
{
	int i;

	for (i = 0; i < st->depth + extra; i++)
		mg_buf_puts(o, st->indent);
}

/* The width of the indentation at this depth, a tab counted as 4 columns. */
static size_t
ind_width(const struct mg_style *st, int extra)
{
	size_t w = strcmp(st->indent, "\t") == 0 ? 4 : strlen(st->indent);

	return w * (size_t)(st->depth + extra);
}

/* A line of code at the given extra depth. */
static void
line(struct mg_buf *o, const struct mg_style *st, int extra, const char *s)
{
	ind(o, st, extra);
	mg_buf_puts(o, s);
	mg_buf_putc(o, '\n');
}

void
mg_snippet_pystr(struct mg_buf *out, const char *s, char q)
{
	const unsigned char *p;

	mg_buf_putc(out, q);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == (unsigned char)q || *p == '\\') {
			mg_buf_putc(out, '\\');
			mg_buf_putc(out, (char)*p);
		} else if (*p == '\n') {
			mg_buf_puts(out, "\\n");
		} else if (*p < 0x20 || *p == 0x7f) {
			/* A raw CR or other control byte would end or corrupt the line. */
			mg_buf_printf(out, "\\x%02x", *p);
		} else {
			mg_buf_putc(out, (char)*p);
		}
	}
	mg_buf_putc(out, q);
}

/*
 * A one-line SQL string. SQL built from identifiers holds double quotes only
 * around names that need them, so the other quote keeps it free of escapes.
 */
static void
sqlstr(struct mg_buf *o, const char *sql, char q)
{
	char other = q == '"' ? '\'' : '"';

	if (strchr(sql, q) != NULL && strchr(sql, other) == NULL)
		q = other;
	mg_snippet_pystr(o, sql, q);
}

/*
 * head + args + ")" laid out as black lays it out: on one line when it fits
 * in MG_SNIPPET_WIDTH; else the arguments together on a line of their own;
 * else one argument per line, each followed by a comma.
 */
static void
call(struct mg_buf *o, const struct mg_style *st, int extra, const char *head,
     const char *const *args, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += strlen(args[i]) + (i ? 2 : 0);
	ind(o, st, extra);
	mg_buf_puts(o, head);
	if (ind_width(st, extra) + strlen(head) + w + 1 <= MG_SNIPPET_WIDTH) {
		for (i = 0; i < n; i++) {
			if (i)
				mg_buf_puts(o, ", ");
			mg_buf_puts(o, args[i]);
		}
		mg_buf_puts(o, ")\n");
		return;
	}
	mg_buf_putc(o, '\n');
	if (n == 1 || ind_width(st, extra + 1) + w <= MG_SNIPPET_WIDTH) {
		ind(o, st, extra + 1);
		for (i = 0; i < n; i++) {
			if (i)
				mg_buf_puts(o, ", ");
			mg_buf_puts(o, args[i]);
		}
		mg_buf_putc(o, '\n');
	} else {
		for (i = 0; i < n; i++) {
			ind(o, st, extra + 1);
			mg_buf_puts(o, args[i]);
			mg_buf_puts(o, ",\n");
		}
	}
	ind(o, st, extra);
	mg_buf_puts(o, ")\n");
}

/*
 * op.execute("<SQL>"), the string on a line of its own when the call is too
 * long. As black does, a string is never cut: SQL stays greppable.
 */
static void
exec_line(struct mg_buf *o, const struct mg_style *st, int extra, const char *sql)
{
	struct mg_buf lit = {0};
	const char *args[1];

	sqlstr(&lit, sql, st->quote);
	args[0] = lit.s;
	call(o, st, extra, "op.execute(", args, 1);
	mg_buf_free(&lit);
}

static void
triple(struct mg_buf *o, const struct mg_style *st)
{
	char t[4] = {st->quote, st->quote, st->quote, '\0'};
	mg_buf_puts(o, t);
}

/* A comment line, "# " + text, at the given extra depth. */
static void
comment_line(struct mg_buf *o, const struct mg_style *st, int extra, const char *text)
{
	ind(o, st, extra);
	mg_buf_printf(o, "# %s\n", text);
}

/* A step's first comment line: "# Step N of M: text", or "# Text" unnumbered. */
static void
heading(struct mg_buf *o, const struct mg_style *st, const struct mg_backfill_spec *bf,
        const char *text)
{
	ind(o, st, 0);
	if (bf->step > 0 && bf->steps > 1) {
		mg_buf_printf(o, "# Step %d of %d: %s\n", bf->step, bf->steps, text);
		return;
	}
	mg_buf_printf(o, "# %c%s\n",
	              text[0] >= 'a' && text[0] <= 'z' ? text[0] - 'a' + 'A' : text[0], text + 1);
}

static void
index_target(struct mg_buf *sql, const struct mg_index_spec *ix)
{
	size_t i;

	mg_buf_puts(sql, "ON ");
	mg_ident_sql_qualified(sql, ix->schema, ix->table);
	if (ix->using_method != NULL && strcmp(ix->using_method, "btree") != 0)
		mg_buf_printf(sql, " USING %s", ix->using_method);
	mg_buf_puts(sql, " (");
	for (i = 0; i < ix->ncolumns; i++) {
		if (i)
			mg_buf_puts(sql, ", ");
		mg_buf_puts(sql, ix->columns[i]);
	}
	mg_buf_putc(sql, ')');
	if (ix->options != NULL)
		mg_buf_printf(sql, " %s", ix->options);
}

/* The spec's comment, wrapped into "# " lines that fit in MG_SNIPPET_WIDTH. */
static void
comment(struct mg_buf *o, const struct mg_index_spec *ix, const struct mg_style *st, int extra)
{
	size_t room = MG_SNIPPET_WIDTH - ind_width(st, extra) - 2, col = 0;
	const char *w;

	if (ix->comment == NULL)
		return;
	for (w = ix->comment; *w;) {
		size_t n = strcspn(w, " ");

		if (col == 0) {
			ind(o, st, extra);
			mg_buf_puts(o, "#");
		}
		if (col > 0 && col + 1 + n > room) {
			mg_buf_putc(o, '\n');
			ind(o, st, extra);
			mg_buf_puts(o, "#");
			col = 0;
		}
		mg_buf_putc(o, ' ');
		mg_buf_add(o, w, n);
		col += n + (col > 0 ? 1 : 0);
		w += n;
		w += strspn(w, " ");
	}
	mg_buf_putc(o, '\n');
}

/* One CREATE INDEX CONCURRENTLY IF NOT EXISTS, inside the autocommit block. */
static void
create_one(struct mg_buf *out, const struct mg_index_spec *ix, const struct mg_style *st)
{
	struct mg_buf l = {0};

	line(out, st, 1, "op.execute(");
	ind(out, st, 2);
	triple(out, st);
	mg_buf_putc(out, '\n');
	mg_buf_printf(&l, "CREATE %sINDEX CONCURRENTLY IF NOT EXISTS ",
	              ix->unique ? "UNIQUE " : "");
	mg_ident_sql(&l, ix->name);
	if (ind_width(st, 2) + l.len > MG_SNIPPET_WIDTH) {
		/* SQL breaks anywhere: the name goes on a line of its own. */
		l.len = 0;
		mg_buf_printf(&l, "CREATE %sINDEX CONCURRENTLY IF NOT EXISTS",
		              ix->unique ? "UNIQUE " : "");
		line(out, st, 2, l.s);
		l.len = 0;
		mg_ident_sql(&l, ix->name);
	}
	line(out, st, 2, l.s);
	l.len = 0;
	index_target(&l, ix);
	line(out, st, 2, l.s);
	if (ix->where != NULL) {
		l.len = 0;
		mg_buf_printf(&l, "WHERE %s", ix->where);
		line(out, st, 2, l.s);
	}
	ind(out, st, 2);
	triple(out, st);
	mg_buf_putc(out, '\n');
	line(out, st, 1, ")");
	mg_buf_free(&l);
}

void
mg_snippet_indexes_concurrently(struct mg_buf *out, const struct mg_index_spec *ix, size_t n,
                                const struct mg_style *st)
{
	struct mg_buf names = {0}, qn = {0}, arg = {0};
	const char *args[1];
	size_t i;
	char q = st->quote;

	for (i = 0; i < n; i++) {
		qn.len = 0;
		mg_ident_sql_qualified(&qn, ix[i].schema, ix[i].name);
		if (i)
			mg_buf_puts(&names, ", ");
		sqlstr(&names, qn.s, q);
	}
	if (n == 1)
		comment(out, &ix[0], st, 0);
	line(out, st, 0, "with op.get_context().autocommit_block():");
	/*
	 * Proven on PostgreSQL 15: a build that fails (a duplicate for a unique
	 * index, a deadlock, a cancel) leaves an INVALID index, and a retry with
	 * IF NOT EXISTS then succeeds without building anything. The names go
	 * back as given (quoted as SQL needs), ready for DROP INDEX.
	 */
	comment_line(out, st, 1,
	             "A failed CONCURRENTLY build leaves an INVALID index that IF NOT EXISTS");
	comment_line(out, st, 1,
	             "would keep: drop it, so that a retry builds afresh. (Offline, with");
	comment_line(out, st, 1, "alembic upgrade --sql, there is no catalog to ask.)");
	line(out, st, 1, "if not op.get_context().as_sql:");
	line(out, st, 2, "for (invalid,) in op.get_bind().execute(");
	line(out, st, 3, "sa.text(");
	ind(out, st, 4);
	mg_snippet_pystr(out, "SELECT n FROM unnest(CAST(:names AS text[])) n JOIN pg_index", q);
	mg_buf_putc(out, '\n');
	ind(out, st, 4);
	mg_snippet_pystr(out, " ON indexrelid = to_regclass(n) WHERE NOT indisvalid", q);
	mg_buf_putc(out, '\n');
	line(out, st, 3, "),");
	ind(out, st, 3);
	mg_buf_putc(out, '{');
	mg_snippet_pystr(out, "names", q);
	mg_buf_printf(out, ": [%s]},\n", names.s);
	line(out, st, 2, "):");
	mg_snippet_pystr(&arg, "DROP INDEX CONCURRENTLY ", q);
	mg_buf_puts(&arg, " + invalid");
	args[0] = arg.s;
	call(out, st, 3, "op.execute(", args, 1);
	for (i = 0; i < n; i++) {
		if (n > 1)
			comment(out, &ix[i], st, 1);
		create_one(out, &ix[i], st);
	}
	mg_buf_free(&names);
	mg_buf_free(&qn);
	mg_buf_free(&arg);
}

void
mg_snippet_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                              const struct mg_style *st)
{
	mg_snippet_indexes_concurrently(out, ix, 1, st);
}

void
mg_snippet_drop_indexes_concurrently(struct mg_buf *out, const struct mg_index_spec *ix, size_t n,
                                     const struct mg_style *st)
{
	struct mg_buf l = {0};
	size_t i;

	line(out, st, 0, "with op.get_context().autocommit_block():");
	for (i = 0; i < n; i++) {
		l.len = 0;
		mg_buf_puts(&l, "DROP INDEX CONCURRENTLY IF EXISTS ");
		mg_ident_sql_qualified(&l, ix[i].schema, ix[i].name);
		exec_line(out, st, 1, l.s);
	}
	mg_buf_free(&l);
}

void
mg_snippet_drop_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                   const struct mg_style *st)
{
	mg_snippet_drop_indexes_concurrently(out, ix, 1, st);
}

/* A column of op.create_index: a name, or sa.text(...) for an expression. */
static void
op_column(struct mg_buf *o, const char *c, char q)
{
	if (mg_ident_refusal(c) == NULL && mg_ident_is_plain(c)) {
		mg_snippet_pystr(o, c, q);
		return;
	}
	mg_buf_puts(o, "sa.text(");
	mg_snippet_pystr(o, c, q);
	mg_buf_putc(o, ')');
}

void
mg_snippet_index_op(struct mg_buf *out, const struct mg_index_spec *ix, const struct mg_style *st)
{
	struct mg_buf a[7] = {{0}};
	const char *args[7];
	size_t i, n = 0;

	comment(out, ix, st, 0);
	mg_snippet_pystr(&a[n++], ix->name, st->quote);
	mg_snippet_pystr(&a[n++], ix->table, st->quote);
	mg_buf_putc(&a[n], '[');
	for (i = 0; i < ix->ncolumns; i++) {
		if (i)
			mg_buf_puts(&a[n], ", ");
		op_column(&a[n], ix->columns[i], st->quote);
	}
	mg_buf_putc(&a[n++], ']');
	if (ix->unique)
		mg_buf_puts(&a[n++], "unique=True");
	if (ix->schema != NULL) {
		mg_buf_puts(&a[n], "schema=");
		mg_snippet_pystr(&a[n++], ix->schema, st->quote);
	}
	if (ix->using_method != NULL && strcmp(ix->using_method, "btree") != 0) {
		mg_buf_puts(&a[n], "postgresql_using=");
		mg_snippet_pystr(&a[n++], ix->using_method, st->quote);
	}
	if (ix->where != NULL) {
		mg_buf_puts(&a[n], "postgresql_where=sa.text(");
		mg_snippet_pystr(&a[n], ix->where, st->quote);
		mg_buf_putc(&a[n++], ')');
	}
	for (i = 0; i < n; i++)
		args[i] = a[i].s;
	call(out, st, 0, "op.create_index(", args, n);
	for (i = 0; i < n; i++)
		mg_buf_free(&a[i]);
}

void
mg_snippet_drop_index_op(struct mg_buf *out, const struct mg_index_spec *ix,
                         const struct mg_style *st)
{
	struct mg_buf a[3] = {{0}};
	const char *args[3];
	size_t i, n = 0;

	mg_snippet_pystr(&a[n++], ix->name, st->quote);
	mg_buf_puts(&a[n], "table_name=");
	mg_snippet_pystr(&a[n++], ix->table, st->quote);
	if (ix->schema != NULL) {
		mg_buf_puts(&a[n], "schema=");
		mg_snippet_pystr(&a[n++], ix->schema, st->quote);
	}
	for (i = 0; i < n; i++)
		args[i] = a[i].s;
	call(out, st, 0, "op.drop_index(", args, n);
	for (i = 0; i < n; i++)
		mg_buf_free(&a[i]);
}

/* table, column[, more...][, schema=...] as arguments of an op.* call. */
static size_t
table_args(struct mg_buf *a, const struct mg_backfill_spec *bf, char q, const char *more)
{
	size_t n = 0;

	mg_snippet_pystr(&a[n++], bf->table, q);
	mg_snippet_pystr(&a[n++], bf->column, q);
	if (more != NULL)
		mg_buf_puts(&a[n++], more);
	if (bf->schema != NULL) {
		mg_buf_puts(&a[n], "schema=");
		mg_snippet_pystr(&a[n++], bf->schema, q);
	}
	return n;
}

/* An op.* call on the backfill's table and column, freeing its arguments. */
static void
table_call(struct mg_buf *out, const struct mg_backfill_spec *bf, const struct mg_style *st,
           const char *head, const char *more)
{
	struct mg_buf a[4] = {{0}};
	const char *args[4];
	size_t i, n = table_args(a, bf, st->quote, more);

	for (i = 0; i < n; i++)
		args[i] = a[i].s;
	call(out, st, 0, head, args, n);
	for (i = 0; i < n; i++)
		mg_buf_free(&a[i]);
}

/* op.add_column(table, sa.Column(column, type, extra)[, schema=...]) */
static void
add_column_call(struct mg_buf *out, const struct mg_backfill_spec *bf, const struct mg_style *st,
                int extra, const char *colargs)
{
	struct mg_buf a[3] = {{0}};
	const char *args[3];
	size_t i, n = 0;

	mg_snippet_pystr(&a[n++], bf->table, st->quote);
	mg_buf_puts(&a[n], "sa.Column(");
	mg_snippet_pystr(&a[n], bf->column, st->quote);
	mg_buf_printf(&a[n++], ", %s, %s)", bf->type_python ? bf->type_python : "sa.Text()",
	              colargs);
	if (bf->schema != NULL) {
		mg_buf_puts(&a[n], "schema=");
		mg_snippet_pystr(&a[n++], bf->schema, st->quote);
	}
	for (i = 0; i < n; i++)
		args[i] = a[i].s;
	call(out, st, extra, "op.add_column(", args, n);
	for (i = 0; i < n; i++)
		mg_buf_free(&a[i]);
}

void
mg_snippet_add_nullable_column(struct mg_buf *out, const struct mg_backfill_spec *bf,
                               const struct mg_style *st)
{
	struct mg_buf l = {0};

	heading(out, st, bf, "add the column as nullable: instant, no table rewrite.");
	comment_line(out, st, 0, "A retry after a failed later step finds it there already.");
	/*
	 * Alembic 1.8 has no add_column(if_not_exists=...), and the type is
	 * SQLAlchemy's, not SQL: ask the inspector instead.
	 */
	ind(out, st, 0);
	mg_buf_puts(out, "if op.get_context().as_sql or ");
	mg_snippet_pystr(out, bf->column, st->quote);
	mg_buf_puts(out, " not in [\n");
	mg_buf_puts(&l, "c[");
	mg_snippet_pystr(&l, "name", st->quote);
	mg_buf_puts(&l, "] for c in sa.inspect(op.get_bind()).get_columns(");
	mg_snippet_pystr(&l, bf->table, st->quote);
	if (bf->schema != NULL) {
		mg_buf_puts(&l, ", schema=");
		mg_snippet_pystr(&l, bf->schema, st->quote);
	}
	mg_buf_putc(&l, ')');
	line(out, st, 1, l.s);
	line(out, st, 0, "]:");
	add_column_call(out, bf, st, 1, "nullable=True");
	mg_buf_free(&l);
}

void
mg_snippet_set_default_sql(struct mg_buf *out, const struct mg_backfill_spec *bf,
                           const char *default_sql, const struct mg_style *st)
{
	struct mg_buf more = {0};

	heading(out, st, bf, "the default, for rows inserted from now on: no table rewrite.");
	mg_buf_puts(&more, "server_default=sa.text(");
	mg_snippet_pystr(&more, default_sql, st->quote);
	mg_buf_putc(&more, ')');
	table_call(out, bf, st, "op.alter_column(", more.s);
	mg_buf_free(&more);
}

void
mg_snippet_server_default(struct mg_buf *out, const char *v, char q)
{
	/* server_default wants SQL text: a string default is that text, quoted by Alembic. */
	if (strcmp(v, "True") == 0)
		mg_buf_puts(out, "sa.true()");
	else if (strcmp(v, "False") == 0)
		mg_buf_puts(out, "sa.false()");
	else if (v[0] == '"' || v[0] == '\'')
		mg_buf_puts(out, v);
	else
		mg_snippet_pystr(out, v, q);
}

void
mg_snippet_add_column_server_default(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                     const struct mg_style *st)
{
	struct mg_buf d = {0};
	const char *v = bf->value_python ? bf->value_python : "\"\"";

	heading(out, st, bf, "a constant default, PostgreSQL 11+: one statement, no table");
	comment_line(out, st, 0,
	             "rewrite and no backfill (existing rows read the default from the");
	comment_line(out, st, 0, "catalog), NOT NULL at once. New rows get the default too.");
	mg_buf_puts(&d, "server_default=");
	mg_snippet_server_default(&d, v, st->quote);
	mg_buf_puts(&d, ", nullable=False");
	add_column_call(out, bf, st, 0, d.s);
	mg_buf_free(&d);
}

/* Batches per progress line: about 50,000 rows, at least one batch. */
static long
log_every(long batch_size)
{
	long n = 50000 / (batch_size > 0 ? batch_size : 1);

	return n > 0 ? n : 1;
}

void
mg_snippet_backfill(struct mg_buf *out, const struct mg_backfill_spec *bf,
                    const struct mg_style *st)
{
	struct mg_buf t = {0}, k = {0}, c = {0}, l = {0}, what = {0};
	char q = st->quote;

	mg_ident_sql_qualified(&t, bf->schema, bf->table);
	mg_ident_sql(&k, bf->key);
	mg_ident_sql(&c, bf->column);
	if (bf->schema != NULL)
		mg_buf_printf(&what, "%s.", bf->schema);
	mg_buf_printf(&what, "%s.%s", bf->table, bf->column);

	mg_buf_printf(&l, "backfill %s in batches of %ld rows, in %s order.", bf->column,
	              bf->batch_size, bf->key);
	heading(out, st, bf, l.s);
	l.len = 0;
	comment_line(out, st, 0,
	             "In an autocommit block each batch commits on its own, so row locks");
	comment_line(out, st, 0,
	             "are held for one batch, not for the whole migration, and a failure");
	comment_line(out, st, 0, "keeps the batches already done (a retry goes on from there).");
	comment_line(out, st, 0,
	             "Walking the key visits each row once and always ends, even where");
	comment_line(out, st, 0, "the new value comes out NULL.");
	line(out, st, 0, "with op.get_context().autocommit_block():");
	line(out, st, 1, "if op.get_context().as_sql:");
	comment_line(out, st, 2,
	             "Offline (alembic upgrade --sql) nothing can be asked in batches:");
	comment_line(out, st, 2,
	             "this prints one UPDATE of the whole table, which holds every row");
	comment_line(out, st, 2, "lock until it commits. On a big table, run the upgrade online.");
	mg_buf_printf(&l, "UPDATE %s SET %s = %s", t.s, c.s,
	              bf->value_python ? ":value" : bf->value_sql);
	if (!bf->every_row)
		mg_buf_printf(&l, " WHERE %s IS NULL", c.s);
	if (bf->value_python != NULL) {
		struct mg_buf a = {0};
		const char *args[1];

		/* Bound, and rendered by Alembic's literal_binds (its env.py default). */
		sqlstr(&a, l.s, q);
		args[0] = a.s;
		call(out, st, 2, "update = sa.text(", args, 1);
		ind(out, st, 2);
		mg_buf_printf(out, "op.execute(update.bindparams(value=%s))\n", bf->value_python);
		mg_buf_free(&a);
	} else {
		exec_line(out, st, 2, l.s);
	}
	line(out, st, 1, "else:");
	line(out, st, 2, "import logging  # here, so that the migration needs no new import");
	mg_buf_putc(out, '\n');
	ind(out, st, 2);
	mg_buf_puts(out, "log = logging.getLogger(");
	mg_snippet_pystr(out, "alembic.runtime.migration", q);
	mg_buf_puts(out, ")\n");
	line(out, st, 2, "bind = op.get_bind()");
	ind(out, st, 2);
	mg_buf_puts(out, "batch = ");
	triple(out, st);
	mg_buf_putc(out, '\n');
	line(out, st, 3, "WITH batch AS (");
	ind(out, st, 4);
	mg_buf_printf(out, "SELECT %s FROM %s\n", k.s, t.s);
	ind(out, st, 4);
	/* Up to the largest key when the backfill starts, or a concurrent
	 * writer's new rows would keep the walk going for ever. */
	if (bf->every_row)
		mg_buf_printf(out, "WHERE %s <= :max_key AND %s > :last_key\n", k.s, k.s);
	else
		mg_buf_printf(out, "WHERE %s IS NULL AND %s <= :max_key AND %s > :last_key\n", c.s,
		              k.s, k.s);
	ind(out, st, 4);
	mg_buf_printf(out, "ORDER BY %s\n", k.s);
	line(out, st, 4, "LIMIT :batch_size");
	line(out, st, 3, "), done AS (");
	/* Rechecking IS NULL keeps a value the application wrote meanwhile. */
	ind(out, st, 4);
	mg_buf_printf(out, "UPDATE %s SET %s = %s\n", t.s, c.s,
	              bf->value_python ? ":value" : bf->value_sql);
	ind(out, st, 4);
	if (bf->every_row)
		mg_buf_printf(out, "WHERE %s IN (SELECT %s FROM batch)\n", k.s, k.s);
	else
		mg_buf_printf(out, "WHERE %s IS NULL AND %s IN (SELECT %s FROM batch)\n", c.s, k.s,
		              k.s);
	line(out, st, 4, "RETURNING 1");
	line(out, st, 3, ")");
	ind(out, st, 3);
	mg_buf_printf(out, "SELECT (SELECT %s FROM batch ORDER BY %s DESC LIMIT 1),\n", k.s, k.s);
	line(out, st, 3, "       (SELECT count(*) FROM done)");
	ind(out, st, 2);
	triple(out, st);
	mg_buf_putc(out, '\n');
	/*
	 * The parameter takes the key's type from the comparison: CAST(:last_key
	 * AS text) would type it text, which asyncpg (and psycopg 3, pg8000)
	 * then refuse to bind an int or a UUID to.
	 */
	comment_line(out, st, 2, "The first batch has no key to start after.");
	ind(out, st, 2);
	mg_buf_puts(out, "query = sa.text(batch.replace(");
	l.len = 0;
	mg_buf_printf(&l, " AND %s > :last_key", k.s);
	mg_snippet_pystr(out, l.s, q);
	mg_buf_puts(out, ", ");
	mg_buf_putc(out, q);
	mg_buf_putc(out, q);
	mg_buf_puts(out, "))\n");
	ind(out, st, 2);
	mg_buf_puts(out, "params = {");
	if (bf->value_python != NULL) {
		mg_snippet_pystr(out, "value", q);
		mg_buf_printf(out, ": %s, ", bf->value_python);
	}
	mg_snippet_pystr(out, "batch_size", q);
	mg_buf_printf(out, ": %ld}\n", bf->batch_size);
	{
		struct mg_buf a = {0};
		const char *args[1];

		comment_line(out, st, 2,
		             "Rows inserted from now on are not walked: the application");
		comment_line(out, st, 2, "writes them (an empty table gives None: nothing to do).");
		l.len = 0;
		/* What max() would do, which PostgreSQL has not for uuid: a DESC
		 * order puts NULLs first, and the index on the key is read backwards. */
		mg_buf_printf(&l, "SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s DESC LIMIT 1",
		              k.s, t.s, k.s, k.s);
		mg_snippet_pystr(&a, l.s, q);
		args[0] = a.s;
		call(out, st, 2, "last = sa.text(", args, 1);
		ind(out, st, 2);
		mg_buf_puts(out, "params[");
		mg_snippet_pystr(out, "max_key", q);
		mg_buf_puts(out, "] = bind.execute(last).scalar()\n");
		mg_buf_free(&a);
	}
	line(out, st, 2, "batches = rows = 0");
	line(out, st, 2, "while True:");
	line(out, st, 3, "last_key, count = bind.execute(query, params).one()");
	line(out, st, 3, "if last_key is None:");
	line(out, st, 4, "break");
	line(out, st, 3, "batches += 1");
	line(out, st, 3, "rows += count");
	ind(out, st, 3);
	mg_buf_printf(out, "if batches %% %ld == 0:\n", log_every(bf->batch_size));
	{
		struct mg_buf a = {0};
		const char *args[3];

		l.len = 0;
		mg_buf_printf(&l, "backfill %s: %%d rows in %%d batches", what.s);
		mg_snippet_pystr(&a, l.s, q);
		args[0] = a.s;
		args[1] = "rows";
		args[2] = "batches";
		call(out, st, 4, "log.info(", args, 3);
		line(out, st, 3, "query = sa.text(batch)");
		ind(out, st, 3);
		mg_buf_puts(out, "params[");
		mg_snippet_pystr(out, "last_key", q);
		mg_buf_puts(out, "] = last_key\n");
		comment_line(out, st, 3, "Let other writers in between batches.");
		ind(out, st, 3);
		mg_buf_puts(out, "bind.execute(sa.text(");
		mg_snippet_pystr(out, "SELECT pg_sleep(:seconds)", q);
		mg_buf_puts(out, "), {");
		mg_snippet_pystr(out, "seconds", q);
		mg_buf_printf(out, ": %s})\n", bf->sleep);
		a.len = 0;
		l.len = 0;
		mg_buf_printf(&l, "backfill %s: done, %%d rows in %%d batches", what.s);
		mg_snippet_pystr(&a, l.s, q);
		args[0] = a.s;
		call(out, st, 2, "log.info(", args, 3);
		mg_buf_free(&a);
	}
	mg_buf_free(&t);
	mg_buf_free(&k);
	mg_buf_free(&c);
	mg_buf_free(&l);
	mg_buf_free(&what);
}

/* The CHECK constraint's name: ck_<table>_<column>_not_null, shortened if needed. */
static char *
check_name(const struct mg_backfill_spec *bf)
{
	const char *parts[3] = {bf->table, bf->column, "not_null"};
	int shortened;

	return mg_ident_index_name("ck", parts, 3, &shortened);
}

void
mg_snippet_set_not_null(struct mg_buf *out, const struct mg_backfill_spec *bf,
                        const struct mg_style *st)
{
	struct mg_buf t = {0}, c = {0}, k = {0}, sql = {0};
	char *ck;

	if (bf->small_table) {
		heading(out, st, bf, "NOT NULL. This scans the table under an ACCESS EXCLUSIVE");
		comment_line(out, st, 0, "lock: fine for a small table only.");
		table_call(out, bf, st, "op.alter_column(", "nullable=False");
		return;
	}
	ck = check_name(bf);
	mg_ident_sql_qualified(&t, bf->schema, bf->table);
	mg_ident_sql(&c, bf->column);
	mg_ident_sql(&k, ck);
	heading(out, st, bf, "NOT NULL without a long lock.");
	comment_line(out, st, 0,
	             "A CHECK added NOT VALID takes a brief lock; VALIDATE scans the table");
	comment_line(out, st, 0,
	             "while writes go on; then SET NOT NULL trusts the validated CHECK");
	comment_line(out, st, 0, "(PostgreSQL 12+) and skips its own scan.");
	line(out, st, 0, "with op.get_context().autocommit_block():");
	/* A run that failed in VALIDATE left the CHECK behind: make the retry work. */
	mg_buf_printf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.s, k.s);
	exec_line(out, st, 1, sql.s);
	sql.len = 0;
	mg_buf_printf(&sql, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID",
	              t.s, k.s, c.s);
	exec_line(out, st, 1, sql.s);
	sql.len = 0;
	line(out, st, 1, "try:");
	mg_buf_printf(&sql, "ALTER TABLE %s VALIDATE CONSTRAINT %s", t.s, k.s);
	exec_line(out, st, 2, sql.s);
	sql.len = 0;
	/*
	 * Proven on PostgreSQL 15: a NOT VALID CHECK still applies to every row
	 * written, so left behind it makes the application's updates of the
	 * rows that are still NULL fail.
	 */
	line(out, st, 1, "except Exception:");
	comment_line(out, st, 2,
	             "Some rows are still NULL. Take the CHECK away again: it would make");
	comment_line(out, st, 2, "every update of those rows fail.");
	mg_buf_printf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.s, k.s);
	exec_line(out, st, 2, sql.s);
	sql.len = 0;
	line(out, st, 2, "raise");
	mg_buf_printf(&sql, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", t.s, c.s);
	exec_line(out, st, 0, sql.s);
	sql.len = 0;
	mg_buf_printf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.s, k.s);
	exec_line(out, st, 0, sql.s);
	free(ck);
	mg_buf_free(&t);
	mg_buf_free(&c);
	mg_buf_free(&k);
	mg_buf_free(&sql);
}

void
mg_snippet_backfill_downgrade(struct mg_buf *out, const struct mg_backfill_spec *bf, int add_column,
                              const struct mg_style *st)
{
	if (add_column)
		table_call(out, bf, st, "op.drop_column(", NULL);
	else
		table_call(out, bf, st, "op.alter_column(", "nullable=True");
}

void
mg_snippet_not_null(struct mg_buf *out, const struct mg_backfill_spec *bf,
                    enum mg_not_null_form form, int add_column, const struct mg_style *st)
{
	struct mg_backfill_spec s = *bf;

	switch (form) {
	case MG_NN_SERVER_DEFAULT:
		s.step = s.steps = 0;
		mg_snippet_add_column_server_default(out, &s, st);
		return;
	case MG_NN_VALIDATE_ONLY:
		s.step = s.steps = 0;
		mg_snippet_set_not_null(out, &s, st);
		return;
	case MG_NN_BACKFILL:
		break;
	}
	s.steps = add_column ? 3 : 2;
	s.step = 1;
	if (add_column) {
		mg_snippet_add_nullable_column(out, &s, st);
		mg_buf_putc(out, '\n');
		s.step++;
	}
	mg_snippet_backfill(out, &s, st);
	mg_buf_putc(out, '\n');
	s.step++;
	mg_snippet_set_not_null(out, &s, st);
}
