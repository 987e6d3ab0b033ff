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

/* op.execute("<one line of SQL>") */
static void
exec_line(struct mg_buf *o, const struct mg_style *st, int extra, const char *sql)
{
	ind(o, st, extra);
	mg_buf_puts(o, "op.execute(");
	sqlstr(o, sql, st->quote);
	mg_buf_puts(o, ")\n");
}

static void
triple(struct mg_buf *o, const struct mg_style *st)
{
	char t[4] = {st->quote, st->quote, st->quote, '\0'};
	mg_buf_puts(o, t);
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

static void
comment(struct mg_buf *o, const struct mg_index_spec *ix, const struct mg_style *st)
{
	if (ix->comment != NULL) {
		ind(o, st, 0);
		mg_buf_printf(o, "# %s\n", ix->comment);
	}
}

void
mg_snippet_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                              const struct mg_style *st)
{
	struct mg_buf l1 = {0}, l2 = {0}, l3 = {0}, qn = {0}, drop = {0};
	const char *lines[3];
	size_t n = 2;

	mg_buf_printf(&l1, "CREATE %sINDEX CONCURRENTLY IF NOT EXISTS ",
	              ix->unique ? "UNIQUE " : "");
	mg_ident_sql(&l1, ix->name);
	index_target(&l2, ix);
	if (ix->where != NULL)
		mg_buf_printf(&l3, "WHERE %s", ix->where);
	lines[0] = l1.s;
	lines[1] = l2.s;
	if (ix->where != NULL)
		lines[n++] = l3.s;
	mg_ident_sql_qualified(&qn, ix->schema, ix->name);
	mg_buf_printf(&drop, "DROP INDEX CONCURRENTLY %s", qn.s);

	comment(out, ix, st);
	line(out, st, 0, "with op.get_context().autocommit_block():");
	/*
	 * Proven on PostgreSQL 15: a build that fails (a duplicate for a unique
	 * index, a deadlock, a cancel) leaves an INVALID index, and a retry with
	 * IF NOT EXISTS then succeeds without building anything.
	 */
	line(out, st, 1, "# A failed CONCURRENTLY build leaves an INVALID index behind, which");
	line(out, st, 1, "# IF NOT EXISTS would keep: drop it so that a retry builds afresh.");
	line(out, st, 1, "if op.get_bind().execute(");
	ind(out, st, 2);
	mg_buf_puts(out, "sa.text(");
	sqlstr(out, "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)",
	       st->quote);
	mg_buf_puts(out, "),\n");
	ind(out, st, 2);
	mg_buf_putc(out, '{');
	mg_snippet_pystr(out, "name", st->quote);
	mg_buf_puts(out, ": ");
	sqlstr(out, qn.s, st->quote);
	mg_buf_puts(out, "},\n");
	line(out, st, 1, ").scalar():");
	exec_line(out, st, 2, drop.s);
	ind(out, st, 1);
	mg_buf_puts(out, "op.execute(");
	triple(out, st);
	mg_buf_putc(out, '\n');
	for (n = 0; n < (ix->where != NULL ? 3u : 2u); n++)
		line(out, st, 2, lines[n]);
	ind(out, st, 1);
	triple(out, st);
	mg_buf_puts(out, ")\n");
	mg_buf_free(&l1);
	mg_buf_free(&l2);
	mg_buf_free(&l3);
	mg_buf_free(&qn);
	mg_buf_free(&drop);
}

void
mg_snippet_drop_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                   const struct mg_style *st)
{
	struct mg_buf l1 = {0};

	mg_buf_puts(&l1, "DROP INDEX CONCURRENTLY IF EXISTS ");
	mg_ident_sql_qualified(&l1, ix->schema, ix->name);
	line(out, st, 0, "with op.get_context().autocommit_block():");
	exec_line(out, st, 1, l1.s);
	mg_buf_free(&l1);
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
	size_t i;

	comment(out, ix, st);
	ind(out, st, 0);
	mg_buf_puts(out, "op.create_index(");
	mg_snippet_pystr(out, ix->name, st->quote);
	mg_buf_puts(out, ", ");
	mg_snippet_pystr(out, ix->table, st->quote);
	mg_buf_puts(out, ", [");
	for (i = 0; i < ix->ncolumns; i++) {
		if (i)
			mg_buf_puts(out, ", ");
		op_column(out, ix->columns[i], st->quote);
	}
	mg_buf_putc(out, ']');
	if (ix->unique)
		mg_buf_puts(out, ", unique=True");
	if (ix->schema != NULL) {
		mg_buf_puts(out, ", schema=");
		mg_snippet_pystr(out, ix->schema, st->quote);
	}
	if (ix->using_method != NULL && strcmp(ix->using_method, "btree") != 0) {
		mg_buf_puts(out, ", postgresql_using=");
		mg_snippet_pystr(out, ix->using_method, st->quote);
	}
	if (ix->where != NULL) {
		mg_buf_puts(out, ", postgresql_where=sa.text(");
		mg_snippet_pystr(out, ix->where, st->quote);
		mg_buf_putc(out, ')');
	}
	mg_buf_puts(out, ")\n");
}

void
mg_snippet_drop_index_op(struct mg_buf *out, const struct mg_index_spec *ix,
                         const struct mg_style *st)
{
	ind(out, st, 0);
	mg_buf_puts(out, "op.drop_index(");
	mg_snippet_pystr(out, ix->name, st->quote);
	mg_buf_puts(out, ", table_name=");
	mg_snippet_pystr(out, ix->table, st->quote);
	if (ix->schema != NULL) {
		mg_buf_puts(out, ", schema=");
		mg_snippet_pystr(out, ix->schema, st->quote);
	}
	mg_buf_puts(out, ")\n");
}

static void
table_args(struct mg_buf *o, const struct mg_backfill_spec *bf, char q)
{
	mg_snippet_pystr(o, bf->table, q);
	mg_buf_puts(o, ", ");
	mg_snippet_pystr(o, bf->column, q);
}

static void
schema_arg(struct mg_buf *o, const struct mg_backfill_spec *bf, char q)
{
	if (bf->schema != NULL) {
		mg_buf_puts(o, ", schema=");
		mg_snippet_pystr(o, bf->schema, q);
	}
}

void
mg_snippet_add_nullable_column(struct mg_buf *out, const struct mg_backfill_spec *bf,
                               const struct mg_style *st)
{
	line(out, st, 0, "# Step 1: add the column as nullable: instant, no table rewrite.");
	ind(out, st, 0);
	mg_buf_puts(out, "op.add_column(");
	mg_snippet_pystr(out, bf->table, st->quote);
	mg_buf_puts(out, ", sa.Column(");
	mg_snippet_pystr(out, bf->column, st->quote);
	mg_buf_printf(out, ", %s, nullable=True)", bf->type_python ? bf->type_python : "sa.Text()");
	schema_arg(out, bf, st->quote);
	mg_buf_puts(out, ")\n");
}

void
mg_snippet_backfill(struct mg_buf *out, const struct mg_backfill_spec *bf,
                    const struct mg_style *st)
{
	struct mg_buf t = {0}, k = {0}, c = {0};

	mg_ident_sql_qualified(&t, bf->schema, bf->table);
	mg_ident_sql(&k, bf->key);
	mg_ident_sql(&c, bf->column);

	ind(out, st, 0);
	mg_buf_printf(out, "# Step 2: backfill %s in batches of %ld rows, in %s order. In an\n",
	              bf->column, bf->batch_size, bf->key);
	line(out, st, 0, "# autocommit block each batch commits on its own, so row locks are held");
	line(out, st, 0, "# for one batch, not for the whole migration, and a failure keeps the");
	line(out, st, 0, "# batches already done. Walking the key visits each row once and always");
	line(out, st, 0, "# ends, even where the new value comes out NULL.");
	line(out, st, 0, "with op.get_context().autocommit_block():");
	line(out, st, 1, "bind = op.get_bind()");
	line(out, st, 1, "last_key = None");
	line(out, st, 1, "while True:");
	line(out, st, 2, "last_key = bind.execute(");
	line(out, st, 3, "sa.text(");
	ind(out, st, 4);
	triple(out, st);
	mg_buf_putc(out, '\n');
	line(out, st, 4, "WITH batch AS (");
	ind(out, st, 5);
	mg_buf_printf(out, "SELECT %s FROM %s\n", k.s, t.s);
	ind(out, st, 5);
	mg_buf_printf(out, "WHERE %s IS NULL\n", c.s);
	ind(out, st, 5);
	mg_buf_printf(out, "AND (CAST(:last_key AS text) IS NULL OR %s > :last_key)\n", k.s);
	ind(out, st, 5);
	mg_buf_printf(out, "ORDER BY %s\n", k.s);
	line(out, st, 5, "LIMIT :batch_size");
	line(out, st, 4, "), done AS (");
	/* Rechecking IS NULL keeps a value the application wrote meanwhile. */
	ind(out, st, 5);
	mg_buf_printf(out, "UPDATE %s SET %s = %s\n", t.s, c.s,
	              bf->value_python ? ":value" : bf->value_sql);
	ind(out, st, 5);
	mg_buf_printf(out, "WHERE %s IS NULL AND %s IN (SELECT %s FROM batch)\n", c.s, k.s, k.s);
	line(out, st, 4, ")");
	ind(out, st, 4);
	mg_buf_printf(out, "SELECT %s FROM batch ORDER BY %s DESC LIMIT 1\n", k.s, k.s);
	ind(out, st, 4);
	triple(out, st);
	mg_buf_putc(out, '\n');
	line(out, st, 3, "),");
	ind(out, st, 3);
	mg_buf_putc(out, '{');
	if (bf->value_python != NULL) {
		mg_snippet_pystr(out, "value", st->quote);
		mg_buf_printf(out, ": %s, ", bf->value_python);
	}
	mg_snippet_pystr(out, "last_key", st->quote);
	mg_buf_puts(out, ": last_key, ");
	mg_snippet_pystr(out, "batch_size", st->quote);
	mg_buf_printf(out, ": %ld},\n", bf->batch_size);
	line(out, st, 2, ").scalar()");
	line(out, st, 2, "if last_key is None:");
	line(out, st, 3, "break");
	line(out, st, 2, "# Let other writers in between batches.");
	ind(out, st, 2);
	mg_buf_puts(out, "bind.execute(sa.text(");
	mg_snippet_pystr(out, "SELECT pg_sleep(:seconds)", st->quote);
	mg_buf_puts(out, "), {");
	mg_snippet_pystr(out, "seconds", st->quote);
	mg_buf_printf(out, ": %s})\n", bf->sleep);
	mg_buf_free(&t);
	mg_buf_free(&k);
	mg_buf_free(&c);
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
		line(out, st, 0,
		     "# Step 3: NOT NULL. This scans the table under an ACCESS EXCLUSIVE");
		line(out, st, 0, "# lock: fine for a small table only.");
		ind(out, st, 0);
		mg_buf_puts(out, "op.alter_column(");
		table_args(out, bf, st->quote);
		mg_buf_puts(out, ", nullable=False");
		schema_arg(out, bf, st->quote);
		mg_buf_puts(out, ")\n");
		return;
	}
	ck = check_name(bf);
	mg_ident_sql_qualified(&t, bf->schema, bf->table);
	mg_ident_sql(&c, bf->column);
	mg_ident_sql(&k, ck);
	line(out, st, 0, "# Step 3: NOT NULL without a long lock. A CHECK added NOT VALID takes a");
	line(out, st, 0, "# brief lock; VALIDATE scans the table while writes go on; then SET NOT");
	line(out, st, 0,
	     "# NULL trusts the validated CHECK (PostgreSQL 12+) and skips its own scan.");
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
	line(out, st, 2, "# Some rows are still NULL. Take the CHECK away again: it would make");
	line(out, st, 2, "# every update of those rows fail.");
	mg_buf_printf(&sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", t.s, k.s);
	exec_line(out, st, 2, sql.s);
	sql.len = 0;
	line(out, st, 2, "raise");
	mg_buf_printf(&sql, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", t.s, c.s);
	exec_line(out, st, 0, sql.s);
	sql.len = 0;
	mg_buf_printf(&sql, "ALTER TABLE %s DROP CONSTRAINT %s", t.s, k.s);
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
	ind(out, st, 0);
	if (add_column) {
		mg_buf_puts(out, "op.drop_column(");
		table_args(out, bf, st->quote);
		schema_arg(out, bf, st->quote);
		mg_buf_puts(out, ")\n");
		return;
	}
	mg_buf_puts(out, "op.alter_column(");
	table_args(out, bf, st->quote);
	mg_buf_puts(out, ", nullable=True");
	schema_arg(out, bf, st->quote);
	mg_buf_puts(out, ")\n");
}
