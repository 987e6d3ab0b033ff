/*
 * Unit tests for the rules (rules.h), each fed a model built by hand: no
 * parsing, so a failure here is the rule's own. Every rule has cases where
 * it fires (id, severity, position, the code it suggests) and the matching
 * cases where it must stay silent. Each check runs twice, on the model as
 * built and after mg_model_finish() (sorted lookups), which must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/model.h"
#include "migen/rules.h"
#include "../../src/rules/common.h"
#include "unit.h"

/* ---- building models ---- */

static struct mg_options
options(int tenant, int concurrently)
{
	struct mg_options o;

	memset(&o, 0, sizeof(o));
	o.add_tenant_indexes = tenant;
	o.use_concurrently = concurrently;
	o.tenant_column = "tenant_id";
	o.space_column = "space_id";
	o.soft_delete_column = "deleted_at";
	/* The hand-built models have no downgrade(): irreversible-downgrade is tested in goldens.
	 */
	o.no_downgrades = 1;
	return o;
}

static struct mg_span
span_at(uint32_t line, uint32_t col)
{
	struct mg_span s;

	memset(&s, 0, sizeof(s));
	s.line = line;
	s.col = col;
	return s;
}

/* An op.<name>() call on table at line:5 in upgrade(). */
static size_t
add_op(struct mg_model *m, enum mg_op_kind kind, const char *name, const char *table, uint32_t line)
{
	struct mg_op *op = mg_model_add_op(m);

	op->kind = kind;
	op->name = name;
	op->dir = MG_UPGRADE;
	op->function = "upgrade";
	op->source = MG_SRC_OP;
	op->span = span_at(line, 5);
	op->stmt = op->span;
	op->table = table;
	return m->nops - 1;
}

/* op.create_table(name, columns...) with plain nullable columns; returns the table's index. */
static size_t
add_table(struct mg_model *m, const char *name, const char *const *cols, size_t ncols,
          uint32_t line)
{
	size_t opi = add_op(m, MG_OP_CREATE_TABLE, "create_table", name, line), i;
	struct mg_table *t = mg_model_add_table(m);

	t->name = name;
	t->columns = mg_arena_alloc(&m->arena, (ncols ? ncols : 1) * sizeof(*t->columns));
	memset(t->columns, 0, (ncols ? ncols : 1) * sizeof(*t->columns));
	for (i = 0; i < ncols; i++) {
		t->columns[i].name = cols[i];
		t->columns[i].type = "sa.Integer()";
		t->columns[i].nullable = MG_YES;
		t->columns[i].primary_key = MG_NO;
		t->columns[i].has_server_default = MG_NO;
		t->columns[i].line = line + 1 + (uint32_t)i;
	}
	t->ncolumns = ncols;
	t->columns_known = 1;
	t->op = opi;
	t->line = line;
	t->col = 5;
	m->ops[opi].table_index = m->ntables - 1;
	return m->ntables - 1;
}

/* An index on table over plain column names (is_expr all 0). */
static struct mg_index *
add_index(struct mg_model *m, size_t opi, const char *table, const char *name,
          const char *const *cols, size_t ncols, enum mg_index_kind kind, enum mg_source source)
{
	struct mg_index *ix = mg_model_add_index(m);
	size_t i;

	ix->name = name;
	ix->table = table;
	ix->columns = mg_arena_alloc(&m->arena, (ncols ? ncols : 1) * sizeof(*ix->columns));
	ix->is_expr = mg_arena_alloc(&m->arena, (ncols ? ncols : 1) * sizeof(*ix->is_expr));
	for (i = 0; i < ncols; i++) {
		ix->columns[i] = cols[i];
		ix->is_expr[i] = 0;
	}
	ix->ncolumns = ncols;
	ix->columns_known = 1;
	ix->kind = kind;
	ix->unique = kind != MG_IX_INDEX;
	ix->dir = m->ops[opi].dir;
	ix->source = source;
	ix->op = opi;
	ix->line = m->ops[opi].span.line;
	ix->col = m->ops[opi].span.col;
	return ix;
}

/* op.create_index(name, table, cols) and its index. */
static struct mg_index *
add_create_index(struct mg_model *m, const char *table, const char *name, const char *const *cols,
                 size_t ncols, uint32_t line)
{
	size_t opi = add_op(m, MG_OP_CREATE_INDEX, "create_index", table, line);
	struct mg_index *ix = add_index(m, opi, table, name, cols, ncols, MG_IX_INDEX, MG_SRC_OP);

	m->ops[opi].index = m->nindexes - 1;
	return ix;
}

static struct mg_fkey *
add_fkey(struct mg_model *m, size_t opi, const char *table, const char *const *cols, size_t ncols,
         const char *ref, uint32_t line)
{
	struct mg_fkey *fk = mg_model_add_fkey(m);

	fk->table = table;
	fk->columns = mg_arena_alloc(&m->arena, (ncols ? ncols : 1) * sizeof(*fk->columns));
	memcpy(fk->columns, cols, ncols * sizeof(*cols));
	fk->ncolumns = ncols;
	fk->ref_table = ref;
	fk->dir = m->ops[opi].dir;
	fk->source = m->ops[opi].source;
	fk->op = opi;
	fk->line = line;
	fk->col = 5;
	return fk;
}

/* op.add_column(table, sa.Column(column, type, nullable=...)). */
static size_t
add_column(struct mg_model *m, const char *table, const char *column, int nullable,
           int server_default, uint32_t line)
{
	size_t opi = add_op(m, MG_OP_ADD_COLUMN, "add_column", table, line);
	struct mg_column *c = mg_arena_alloc(&m->arena, sizeof(*c));
	struct mg_op *op = &m->ops[opi];

	memset(c, 0, sizeof(*c));
	c->name = column;
	c->type = "sa.String(length=16)";
	c->nullable = nullable;
	c->primary_key = MG_NO;
	c->has_server_default = server_default;
	c->server_default = server_default == MG_YES ? "'x'" : NULL;
	c->line = line;
	op->coldef = c;
	op->column = column;
	op->nullable = nullable;
	op->has_server_default = server_default;
	return opi;
}

static size_t
alter_column(struct mg_model *m, const char *table, const char *column, int nullable, uint32_t line)
{
	size_t opi = add_op(m, MG_OP_ALTER_COLUMN, "alter_column", table, line);

	m->ops[opi].column = column;
	m->ops[opi].nullable = nullable;
	m->ops[opi].has_server_default = MG_NO;
	return opi;
}

/* op.execute(sql) at line, with an SQL statement of kind inside it; returns the statement. */
static size_t
add_sql(struct mg_model *m, const char *sql, enum mg_op_kind kind, const char *table, uint32_t line)
{
	size_t ex = add_op(m, MG_OP_EXECUTE, "execute", table, line), opi;

	m->ops[ex].sql = sql;
	m->ops[ex].sql_line = line;
	opi = add_op(m, kind, mg_op_kind_name(kind), table, line);
	m->ops[opi].source = MG_SRC_SQL;
	m->ops[opi].parent = ex;
	return opi;
}

/* ---- running rules ---- */

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Runs rule on m (which must not be finished yet) into *d, then again after
 * mg_model_finish(m): both runs must give the same diagnostics.
 */
static void
run(struct mg_model *m, const struct mg_rule *rule, const struct mg_options *o, struct mg_diags *d)
{
	struct mg_diags first;
	size_t i;

	memset(&first, 0, sizeof(first));
	memset(d, 0, sizeof(*d));
	assert_null(m->lookup);
	rule->check(m, o, &first);
	mg_model_finish(m);
	rule->check(m, o, d);
	assert_int_equal(first.n, d->n);
	for (i = 0; i < d->n; i++) {
		assert_string_equal(first.v[i].rule, d->v[i].rule);
		assert_int_equal(first.v[i].severity, d->v[i].severity);
		assert_int_equal(first.v[i].line, d->v[i].line);
		assert_true(same(first.v[i].message, d->v[i].message));
		assert_true(same(first.v[i].code, d->v[i].code));
		assert_true(same(first.v[i].downgrade, d->v[i].downgrade));
	}
	for (i = 0; i < d->n; i++) {
		assert_string_equal(d->v[i].rule, rule->id);
		assert_non_null(d->v[i].message);
		assert_null(strchr(d->v[i].message, '\n'));
	}
	mg_diags_free(&first);
}

static void
contains(const char *haystack, const char *needle)
{
	assert_non_null(haystack);
	if (strstr(haystack, needle) == NULL) {
		print_error("expected \"%s\" in:\n%s\n", needle, haystack);
		fail();
	}
}

static void
lacks(const char *haystack, const char *needle)
{
	if (haystack != NULL && strstr(haystack, needle) != NULL) {
		print_error("did not expect \"%s\" in:\n%s\n", needle, haystack);
		fail();
	}
}

/* ---- the registry ---- */

static void
test_registry(void **state)
{
	static const char *const ids[] = {
	    "missing-tenant-index",
	    "missing-fk-index",
	    "require-concurrent-index",
	    "concurrent-index-in-transaction",
	    "not-null-without-backfill",
	    "set-not-null-scans",
	    "invalid-sql",
	    "drop-unnamed-constraint",
	    "drop-column",
	    "drop-table",
	    "rename-column",
	    "rename-table",
	    "truncate",
	    "narrowing-change",
	    "drops-needed-index",
	    "prefer-text-over-varchar",
	    "prefer-timestamptz",
	    "prefer-bigint-keys",
	    "prefer-identity",
	    "prefer-jsonb",
	    "ban-char",
	    "identifier-too-long",
	    "irreversible-downgrade",
	    "downgrade-mismatch",
	    "sqlite-alter-needs-batch",
	    "non-idempotent-autocommit",
	    "add-foreign-key-validates",
	    "add-check-validates",
	    "drop-index-locks",
	    "column-type-rewrites",
	    "unbatched-backfill",
	    "volatile-default-rewrites",
	    "enum-add-value",
	    "missing-lock-timeout",
	    "maintenance-in-transaction",
	    "lock-held-across-slow-step",
	    "transaction-control",
	    "unique-constraint-locks",
	    "truncate-cascade",
	    "drop-schema",
	    "domain-constraint-validates",
	    "duplicate-column-assignment",
	    "lock-table",
	    "refresh-materialized-view-locks",
	    "detach-partition-locks",
	    "exclusion-constraint-locks",
	};
	const size_t nids = sizeof(ids) / sizeof(ids[0]);
	size_t i, j, n = 0;

	(void)state;
	for (i = 0; mg_rules[i] != NULL; i++) {
		assert_non_null(mg_rules[i]->id);
		assert_non_null(mg_rules[i]->summary);
		assert_non_null(mg_rules[i]->check);
		for (j = 0; j < i; j++)
			assert_string_not_equal(mg_rules[i]->id, mg_rules[j]->id);
		n++;
	}
	assert_int_equal(n, nids);
	for (i = 0; i < nids; i++) {
		for (j = 0; mg_rules[j] != NULL; j++)
			if (strcmp(mg_rules[j]->id, ids[i]) == 0)
				break;
		assert_non_null(mg_rules[j]);
	}
	assert_int_equal(mg_rule_concurrent_index_in_transaction.severity, MG_ERROR);
	assert_int_equal(mg_rule_missing_fk_index.severity, MG_WARNING);
}

static void
test_dialect_parse(void **state)
{
	struct mg_options o;

	(void)state;
	assert_int_equal(mg_dialect_parse("postgresql+psycopg2://u@h/db"), MG_DIALECT_POSTGRESQL);
	assert_int_equal(mg_dialect_parse("postgres://h/db"), MG_DIALECT_POSTGRESQL);
	assert_int_equal(mg_dialect_parse("sqlite:///app.db"), MG_DIALECT_SQLITE);
	assert_int_equal(mg_dialect_parse("mysql+pymysql://h/db"), MG_DIALECT_MYSQL);
	assert_int_equal(mg_dialect_parse("mariadb://h/db"), MG_DIALECT_MYSQL);
	assert_int_equal(mg_dialect_parse("mssql+pyodbc://h/db"), MG_DIALECT_MSSQL);
	assert_int_equal(mg_dialect_parse("cockroachdb://h/db"), MG_DIALECT_OTHER);
	assert_int_equal(mg_dialect_parse("driver://user:pass@localhost/dbname"),
	                 MG_DIALECT_UNKNOWN);
	assert_int_equal(mg_dialect_parse("%(DB_URL)s"), MG_DIALECT_UNKNOWN);
	assert_int_equal(mg_dialect_parse(""), MG_DIALECT_UNKNOWN);
	assert_int_equal(mg_dialect_parse(NULL), MG_DIALECT_UNKNOWN);
	assert_int_equal(mg_dialect_parse("sqlite"), MG_DIALECT_SQLITE);
	memset(&o, 0, sizeof(o));
	assert_true(mg_dialect_postgresql(&o));
	o.dialect = MG_DIALECT_SQLITE;
	assert_false(mg_dialect_postgresql(&o));
	assert_string_equal(mg_dialect_name(MG_DIALECT_MSSQL), "mssql");
}

/* ---- missing-tenant-index ---- */

static void
test_tenant_fires_tenant_space_soft_delete(void **state)
{
	static const char *const cols[] = {"id", "tenant_id", "space_id", "deleted_at", "title"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;
	const struct mg_diag *g;

	(void)state;
	add_table(m, "documents", cols, 5, 12);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	g = &d.v[0];
	assert_string_equal(g->rule, "missing-tenant-index");
	assert_int_equal(g->severity, MG_WARNING);
	assert_int_equal(g->line, 12);
	assert_int_equal(g->col, 5);
	assert_string_equal(g->table, "documents");
	assert_string_equal(g->column, "tenant_id");
	assert_int_equal(g->op, 0);
	assert_int_equal(g->fix, MG_FIX_INSERT_AFTER);
	/* A new, empty table: the plain op.create_index, partial on the soft delete. */
	assert_string_equal(g->code, "    op.create_index(\n"
	                             "        \"ix_documents_tenant_space\",\n"
	                             "        \"documents\",\n"
	                             "        [\"tenant_id\", \"space_id\"],\n"
	                             "        postgresql_where=sa.text(\"deleted_at IS NULL\"),\n"
	                             "    )\n");
	lacks(g->code, "CONCURRENTLY");
	contains(g->downgrade, "op.drop_index(\"ix_documents_tenant_space\"");
	contains(g->downgrade, "table_name=\"documents\"");
	contains(g->where, "upgrade()");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_only_no_soft_delete(void **state)
{
	static const char *const cols[] = {"id", "tenant_id", "url"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;

	(void)state;
	m->quote = '\'';
	add_table(m, "webhooks", cols, 3, 7);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 7);
	/* The file's quote style is followed. */
	assert_string_equal(
	    d.v[0].code, "    op.create_index('ix_webhooks_tenant', 'webhooks', ['tenant_id'])\n");
	lacks(d.v[0].code, "WHERE");
	lacks(d.v[0].code, "postgresql_where");
	lacks(d.v[0].code, "space_id");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_schema_and_indent(void **state)
{
	static const char *const cols[] = {"tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;

	(void)state;
	m->indent = "\t";
	add_table(m, "audit", cols, 1, 3);
	m->tables[0].schema = "app";
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].code, "\top.create_index(\"ix_audit_tenant\", \"audit\", "
	                                 "[\"tenant_id\"], schema=\"app\")\n");
	contains(d.v[0].downgrade, "schema=\"app\"");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_off_without_option(void **state)
{
	static const char *const cols[] = {"id", "tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;

	(void)state;
	add_table(m, "webhooks", cols, 2, 7);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

/* Silent when an index of that kind leads with tenant_id. */
static void
tenant_silent_with(enum mg_index_kind kind, enum mg_source source)
{
	static const char *const cols[] = {"id", "tenant_id", "space_id"};
	static const char *const ixcols[] = {"tenant_id", "id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;

	add_table(m, "spaces", cols, 3, 5);
	if (source == MG_SRC_TABLE)
		add_index(m, 0, "spaces", NULL, ixcols, 2, kind, MG_SRC_TABLE);
	else if (source == MG_SRC_OP)
		add_create_index(m, "spaces", "ix_any", ixcols, 2, 20)->kind = kind;
	else
		add_index(m, add_sql(m, "CREATE INDEX ...", MG_OP_CREATE_INDEX, "spaces", 20),
		          "spaces", "ix_sql", ixcols, 2, kind, MG_SRC_SQL);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_silent_when_indexed(void **state)
{
	(void)state;
	tenant_silent_with(MG_IX_INDEX, MG_SRC_TABLE);
	tenant_silent_with(MG_IX_PRIMARY_KEY, MG_SRC_TABLE);
	tenant_silent_with(MG_IX_UNIQUE, MG_SRC_TABLE);
	tenant_silent_with(MG_IX_INDEX, MG_SRC_OP);
	tenant_silent_with(MG_IX_UNIQUE, MG_SRC_OP);
	tenant_silent_with(MG_IX_INDEX, MG_SRC_SQL);
}

static void
test_tenant_fires_when_index_does_not_lead(void **state)
{
	static const char *const cols[] = {"id", "tenant_id"};
	static const char *const second[] = {"id", "tenant_id"};
	static const char *const lead[] = {"tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;
	struct mg_index *ix;
	size_t down;

	(void)state;
	add_table(m, "users", cols, 2, 5);
	/* tenant_id second: no help for "WHERE tenant_id = ?". */
	add_create_index(m, "users", "ix_users_id_tenant", second, 2, 20);
	/* An expression that happens to read "tenant_id". */
	ix = add_create_index(m, "users", "ix_expr", lead, 1, 21);
	ix->is_expr[0] = 1;
	/* An index of another table. */
	add_create_index(m, "other", "ix_other_tenant", lead, 1, 22);
	/* One made in downgrade(). */
	down = add_op(m, MG_OP_CREATE_INDEX, "create_index", "users", 40);
	m->ops[down].dir = MG_DOWNGRADE;
	m->ops[down].function = "downgrade";
	add_index(m, down, "users", "ix_down", lead, 1, MG_IX_INDEX, MG_SRC_OP);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].table, "users");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_silent_cases(void **state)
{
	static const char *const plain[] = {"id", "name"};
	static const char *const cols[] = {"id", "tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;

	(void)state;
	/* No tenant column. */
	add_table(m, "plain", plain, 2, 5);
	/* Created in downgrade(). */
	add_table(m, "old", cols, 2, 30);
	m->ops[m->tables[1].op].dir = MG_DOWNGRADE;
	/* Name not a literal. */
	add_table(m, NULL, cols, 2, 40);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_custom_columns(void **state)
{
	static const char *const custom[] = {"id", "org_id", "workspace_id", "removed_at"};
	static const char *const deflt[] = {"id", "tenant_id", "space_id", "deleted_at"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;

	(void)state;
	o.tenant_column = "org_id";
	o.space_column = "workspace_id";
	o.soft_delete_column = "removed_at";
	add_table(m, "projects", custom, 4, 5);
	/* The default names mean nothing now. */
	add_table(m, "legacy", deflt, 4, 20);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].table, "projects");
	assert_string_equal(d.v[0].column, "org_id");
	assert_string_equal(d.v[0].code,
	                    "    op.create_index(\n"
	                    "        \"ix_projects_tenant_space\",\n"
	                    "        \"projects\",\n"
	                    "        [\"org_id\", \"workspace_id\"],\n"
	                    "        postgresql_where=sa.text(\"removed_at IS NULL\"),\n"
	                    "    )\n");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_tenant_long_table_name(void **state)
{
	static const char *const cols[] = {"tenant_id", "space_id"};
	static const char long_name[] = "a_very_long_table_name_that_goes_on_and_on_past_sixty";
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;
	const char *q, *e;

	(void)state;
	assert_true(strlen(long_name) <= 63);
	add_table(m, long_name, cols, 2, 5);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	/* The index name in the code is cut to 63 bytes. */
	q = strstr(d.v[0].code, "op.create_index(");
	assert_non_null(q);
	q += strlen("op.create_index(");
	q += strspn(q, " \n"); /* the call is laid out over several lines */
	assert_true(*q == '"');
	q++;
	e = strchr(q, '"');
	assert_non_null(e);
	assert_int_equal(e - q, 63);
	assert_true(strncmp(q, "ix_a_very_long", 14) == 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- missing-fk-index ---- */

static void
test_fk_existing_table_fires(void **state)
{
	static const char *const col[] = {"user_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	const struct mg_diag *g;
	size_t opi;

	(void)state;
	add_column(m, "notifications", "user_id", MG_YES, MG_NO, 20);
	opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "notifications", 21);
	add_fkey(m, opi, "notifications", col, 1, "users", 21);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 1);
	g = &d.v[0];
	assert_string_equal(g->rule, "missing-fk-index");
	assert_int_equal(g->severity, MG_WARNING);
	assert_int_equal(g->line, 21);
	assert_int_equal(g->col, 5);
	assert_int_equal(g->op, opi);
	assert_string_equal(g->table, "notifications");
	assert_string_equal(g->column, "user_id");
	contains(g->message, "users");
	assert_int_equal(g->fix, MG_FIX_INSERT_AFTER);
	/* An existing table: built CONCURRENTLY, in an autocommit block. */
	contains(g->code, "with op.get_context().autocommit_block():\n");
	contains(g->code, "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_notifications_user_id\n");
	contains(g->code, "ON notifications (user_id)\n");
	lacks(g->code, "op.create_index(");
	contains(g->downgrade, "DROP INDEX CONCURRENTLY IF EXISTS ix_notifications_user_id");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_created_table_plain_index(void **state)
{
	static const char *const cols[] = {"id", "owner_id"};
	static const char *const col[] = {"owner_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;

	(void)state;
	add_table(m, "spaces", cols, 2, 10);
	add_fkey(m, 0, "spaces", col, 1, "users", 12)->source = MG_SRC_TABLE;
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 12);
	/* A new, empty table: the plain op, in the migration's transaction. */
	assert_string_equal(
	    d.v[0].code,
	    "    op.create_index(\"ix_spaces_owner_id\", \"spaces\", [\"owner_id\"])\n");
	lacks(d.v[0].code, "CONCURRENTLY");
	lacks(d.v[0].code, "autocommit");
	contains(d.v[0].downgrade, "op.drop_index(\"ix_spaces_owner_id\", table_name=\"spaces\")");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_composite(void **state)
{
	static const char *const cols[] = {"group_id", "space_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t opi;

	(void)state;
	opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "memberships", 8);
	add_fkey(m, opi, "memberships", cols, 2, "groups_spaces", 8);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].column, "group_id");
	contains(d.v[0].code, "ix_memberships_group_id_space_id");
	contains(d.v[0].code, "ON memberships (group_id, space_id)");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_silent_with_leading_index(void **state)
{
	static const char *const cols[] = {"id", "user_id"};
	static const char *const col[] = {"user_id"};
	static const char *const ixcols[] = {"user_id", "created_at"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t opi;

	(void)state;
	/* Existing table, index made by op.create_index. */
	opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "notifications", 21);
	add_fkey(m, opi, "notifications", col, 1, "users", 21);
	add_create_index(m, "notifications", "ix_n_user", ixcols, 2, 22);
	/* Created table, index from the table definition. */
	add_table(m, "sessions", cols, 2, 30);
	add_fkey(m, m->tables[0].op, "sessions", col, 1, "users", 32);
	add_index(m, m->tables[0].op, "sessions", NULL, ixcols, 2, MG_IX_UNIQUE, MG_SRC_TABLE);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_silent_cases(void **state)
{
	static const char *const tcols[] = {"id", "tenant_id"};
	static const char *const tenant[] = {"tenant_id"};
	static const char *const col[] = {"user_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;
	size_t down;

	(void)state;
	/* In downgrade(). */
	down = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "a", 40);
	m->ops[down].dir = MG_DOWNGRADE;
	add_fkey(m, down, "a", col, 1, "users", 40);
	/* Table or columns unknown. */
	add_fkey(m, down, NULL, col, 1, "users", 41)->dir = MG_UPGRADE;
	add_fkey(m, down, "b", col, 0, "users", 42)->dir = MG_UPGRADE;
	/* With --add-tenant-indexes, the tenant index covers a created table's tenant FK. */
	add_table(m, "c", tcols, 2, 50);
	add_fkey(m, m->tables[0].op, "c", tenant, 1, "tenants", 51);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_tenant_on_existing_table_fires(void **state)
{
	static const char *const tenant[] = {"tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 0);
	struct mg_diags d;
	size_t opi;

	(void)state;
	/* The tenant rule only indexes created tables: this one is on its own. */
	opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "legacy", 9);
	add_fkey(m, opi, "legacy", tenant, 1, "tenants", 9);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 1);
	contains(d.v[0].code, "ix_legacy_tenant_id");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_fk_duplicates_reported_once(void **state)
{
	static const char *const col[] = {"user_id"};
	static const char *const other[] = {"editor_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t a, b, c;

	(void)state;
	a = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "docs", 10);
	b = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "docs", 11);
	c = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "docs", 12);
	add_fkey(m, a, "docs", col, 1, "users", 10);
	add_fkey(m, b, "docs", other, 1, "users", 11);
	add_fkey(m, c, "docs", col, 1, "accounts", 12);
	run(m, &mg_rule_missing_fk_index, &o, &d);
	assert_int_equal(d.n, 2);
	/* The first of the two on docs.user_id is the one reported. */
	assert_int_equal(d.v[0].line, 10);
	assert_string_equal(d.v[0].column, "user_id");
	assert_int_equal(d.v[1].line, 11);
	assert_string_equal(d.v[1].column, "editor_id");
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- require-concurrent-index ---- */

static void
test_concurrent_existing_table_fires(void **state)
{
	static const char *const col[] = {"email"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;
	const struct mg_diag *g;

	(void)state;
	add_create_index(m, "users", "ix_users_email", col, 1, 17);
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 1);
	g = &d.v[0];
	assert_string_equal(g->rule, "require-concurrent-index");
	assert_int_equal(g->severity, MG_WARNING);
	assert_int_equal(g->line, 17);
	assert_int_equal(g->col, 5);
	assert_string_equal(g->table, "users");
	assert_int_equal(g->op, 0);
	assert_int_equal(g->fix, MG_FIX_REPLACE);
	/* The code's layout belongs to the snippets (their own tests): here, what it does. */
	assert_true(strncmp(g->code, "    with op.get_context().autocommit_block():\n", 46) == 0);
	contains(g->code, "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email\n");
	contains(g->code, "ON users (email)\n");
	lacks(g->code, "UNIQUE");
	lacks(g->code, "op.create_index(");
	/* Not partial: nothing between the column list and the end of the SQL. */
	{
		const char *on = strstr(g->code, "ON users (email)\n");
		const char *end = on ? strstr(on, "\"\"\"") : NULL;
		assert_non_null(end);
		on += strlen("ON users (email)\n");
		while (on < end && *on == ' ')
			on++;
		assert_ptr_equal(on, end);
	}
	assert_true(strncmp(g->downgrade, "    with op.get_context().autocommit_block():\n", 46) ==
	            0);
	contains(g->downgrade, "DROP INDEX CONCURRENTLY IF EXISTS ix_users_email");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_concurrent_keeps_index_shape(void **state)
{
	static const char *const cols[] = {"lower(email)", "tenant_id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;
	struct mg_index *ix;

	(void)state;
	ix = add_create_index(m, "users", "ix_users_lower_email", cols, 2, 9);
	ix->is_expr[0] = 1;
	ix->unique = 1;
	ix->schema = "app";
	ix->where = "deleted_at IS NULL";
	ix->using_method = "gin";
	m->ops[0].schema = "app";
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 1);
	contains(d.v[0].code,
	         "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_users_lower_email\n");
	contains(d.v[0].code, "ON app.users USING gin (lower(email), tenant_id)\n");
	contains(d.v[0].code, "WHERE deleted_at IS NULL\n");
	contains(d.v[0].downgrade, "DROP INDEX CONCURRENTLY IF EXISTS app.ix_users_lower_email");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_concurrent_created_table_note(void **state)
{
	static const char *const cols[] = {"id", "email"};
	static const char *const col[] = {"email"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;

	(void)state;
	add_table(m, "users", cols, 2, 5);
	add_create_index(m, "users", "ix_users_email", col, 1, 12);
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].severity, MG_NOTE);
	assert_int_equal(d.v[0].line, 12);
	assert_null(d.v[0].code);
	assert_null(d.v[0].downgrade);
	assert_int_equal(d.v[0].fix, MG_FIX_NONE);
	contains(d.v[0].message, "ix_users_email");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_concurrent_silent_cases(void **state)
{
	static const char *const col[] = {"email"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1), off = options(1, 0);
	struct mg_diags d;
	struct mg_index *ix;
	size_t down;

	(void)state;
	/* Already CONCURRENTLY. */
	ix = add_create_index(m, "users", "ix_a", col, 1, 5);
	ix->concurrently = 1;
	m->ops[0].concurrently = 1;
	/* A unique constraint, and an index from a table definition. */
	add_index(m,
	          add_op(m, MG_OP_CREATE_UNIQUE_CONSTRAINT, "create_unique_constraint", "users", 6),
	          "users", "uq_b", col, 1, MG_IX_UNIQUE, MG_SRC_OP);
	add_index(m, add_op(m, MG_OP_OTHER, "x", "users", 7), "users", "ix_c", col, 1, MG_IX_INDEX,
	          MG_SRC_TABLE);
	/* Table not known. */
	add_create_index(m, NULL, "ix_e", col, 1, 8);
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);

	/* In downgrade() too: a rollback locks the table just the same. */
	m = mg_model_new("t.py");
	down = add_op(m, MG_OP_CREATE_INDEX, "create_index", "users", 40);
	m->ops[down].dir = MG_DOWNGRADE;
	add_index(m, down, "users", "ix_d", col, 1, MG_IX_INDEX, MG_SRC_OP)->dir = MG_DOWNGRADE;
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].severity, MG_WARNING);
	assert_non_null(strstr(d.v[0].message, "in downgrade()"));
	assert_null(d.v[0].downgrade);
	mg_diags_free(&d);
	mg_model_free(m);

	/* Without --use-concurrently: reported all the same, the rewrite not applied. */
	m = mg_model_new("t.py");
	add_create_index(m, "users", "ix_users_email", col, 1, 17);
	run(m, &mg_rule_require_concurrent_index, &off, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].fix, MG_FIX_NONE);
	assert_non_null(d.v[0].code);
	assert_non_null(strstr(d.v[0].not_applied, "--use-concurrently"));
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_concurrent_no_replace_in_loop_or_sql(void **state)
{
	static const char *const col[] = {"email"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;
	size_t sq;

	(void)state;
	add_create_index(m, "users", "ix_loop", col, 1, 5);
	m->ops[0].in_loop = 1;
	sq = add_sql(m, "CREATE INDEX ix_sql ON users (email)", MG_OP_CREATE_INDEX, "users", 9);
	add_index(m, sq, "users", "ix_sql", col, 1, MG_IX_INDEX, MG_SRC_SQL);
	m->ops[sq].index = m->nindexes - 1;
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 2);
	/* The code is still suggested, but not applied by --write. */
	contains(d.v[0].code, "ix_loop");
	assert_int_equal(d.v[0].fix, MG_FIX_NONE);
	contains(d.v[1].code, "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_sql");
	assert_int_equal(d.v[1].fix, MG_FIX_NONE);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_concurrent_no_code_when_unknown(void **state)
{
	static const char *const col[] = {"email"};
	static const char *const quoted[] = {"x '''"};
	static const char *const backslash[] = {"a\\b"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 1);
	struct mg_diags d;
	size_t i;

	(void)state;
	/* No name, columns not a literal, an expression that could end the SQL string. */
	add_create_index(m, "users", NULL, col, 1, 5);
	add_create_index(m, "users", "ix_b", col, 1, 6)->columns_known = 0;
	add_create_index(m, "users", "ix_c", quoted, 1, 7)->is_expr[0] = 1;
	add_create_index(m, "users", "ix_d", backslash, 1, 8)->is_expr[0] = 1;
	add_create_index(m, "users", "ix_e", col, 1, 9)->where = "a = '''";
	run(m, &mg_rule_require_concurrent_index, &o, &d);
	assert_int_equal(d.n, 5);
	for (i = 0; i < d.n; i++) {
		assert_int_equal(d.v[i].severity, MG_WARNING);
		assert_null(d.v[i].code);
		assert_null(d.v[i].downgrade);
	}
	contains(d.v[0].message, "(unnamed)");
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- concurrent-index-in-transaction ---- */

static const char conc_src[] =
    "def upgrade():\n"
    "    op.create_index('ix_a', 'users', ['a'], postgresql_concurrently=True)\n"
    "    op.execute('DROP INDEX CONCURRENTLY ix_old')\n";

static void
test_in_transaction_fires(void **state)
{
	static const char *const col[] = {"a"};
	const char *call = "op.create_index('ix_a', 'users', ['a'], postgresql_concurrently=True)";
	const char *exec = "op.execute('DROP INDEX CONCURRENTLY ix_old')";
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	struct mg_index *ix;
	size_t drop;

	(void)state;
	m->src = conc_src;
	m->srclen = strlen(conc_src);
	ix = add_create_index(m, "users", "ix_a", col, 1, 2);
	ix->concurrently = 1;
	m->ops[0].concurrently = 1;
	m->ops[0].span.start = (uint32_t)(strstr(conc_src, call) - conc_src);
	m->ops[0].span.end = m->ops[0].span.start + (uint32_t)strlen(call);
	m->ops[0].stmt = m->ops[0].span;
	drop = add_sql(m, "DROP INDEX CONCURRENTLY ix_old", MG_OP_DROP_INDEX, NULL, 3);
	m->ops[drop].concurrently = 1;
	m->ops[drop].object = "ix_old";
	m->ops[drop - 1].span.start = (uint32_t)(strstr(conc_src, exec) - conc_src);
	m->ops[drop - 1].span.end = m->ops[drop - 1].span.start + (uint32_t)strlen(exec);
	m->ops[drop - 1].stmt = m->ops[drop - 1].span;
	m->ops[drop].span = m->ops[drop - 1].span;
	m->ops[drop].stmt = m->ops[drop - 1].stmt;
	run(m, &mg_rule_concurrent_index_in_transaction, &o, &d);
	assert_int_equal(d.n, 2);

	assert_string_equal(d.v[0].rule, "concurrent-index-in-transaction");
	assert_int_equal(d.v[0].severity, MG_ERROR);
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].table, "users");
	assert_int_equal(d.v[0].op, 0);
	contains(d.v[0].message, "CREATE INDEX CONCURRENTLY ix_a");
	assert_string_equal(d.v[0].code, "    with op.get_context().autocommit_block():\n"
	                                 "        op.create_index('ix_a', 'users', ['a'], "
	                                 "postgresql_concurrently=True)\n");
	assert_int_equal(d.v[0].fix, MG_FIX_REPLACE);

	/* An SQL statement: the fix moves its op.execute(). */
	assert_int_equal(d.v[1].line, 3);
	assert_int_equal(d.v[1].op, drop - 1);
	contains(d.v[1].message, "DROP INDEX CONCURRENTLY ix_old");
	assert_string_equal(d.v[1].code, "    with op.get_context().autocommit_block():\n"
	                                 "        op.execute('DROP INDEX CONCURRENTLY ix_old')\n");
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_in_transaction_downgrade_and_loop(void **state)
{
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t a;

	(void)state;
	a = add_op(m, MG_OP_DROP_INDEX, "drop_index", "users", 30);
	m->ops[a].dir = MG_DOWNGRADE;
	m->ops[a].function = "downgrade";
	m->ops[a].object = "ix_a";
	m->ops[a].concurrently = 1;
	m->ops[a].in_loop = 1;
	run(m, &mg_rule_concurrent_index_in_transaction, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 30);
	contains(d.v[0].where, "downgrade()");
	assert_int_equal(d.v[0].fix, MG_FIX_NONE);
	/* No source to move: no code, rather than wrong code. */
	assert_null(d.v[0].code);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_in_transaction_silent(void **state)
{
	static const char *const col[] = {"a"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 1);
	struct mg_diags d;
	struct mg_index *ix;
	size_t a;

	(void)state;
	/* In an autocommit block. */
	ix = add_create_index(m, "users", "ix_a", col, 1, 2);
	ix->concurrently = ix->autocommit = 1;
	m->ops[0].concurrently = m->ops[0].autocommit = 1;
	a = add_op(m, MG_OP_DROP_INDEX, "drop_index", "users", 3);
	m->ops[a].concurrently = m->ops[a].autocommit = 1;
	a = add_sql(m, "DROP INDEX CONCURRENTLY x", MG_OP_DROP_INDEX, NULL, 4);
	m->ops[a].concurrently = m->ops[a].autocommit = 1;
	m->ops[a - 1].autocommit = 1;
	/* Not CONCURRENTLY. */
	add_create_index(m, "users", "ix_b", col, 1, 5);
	add_op(m, MG_OP_DROP_INDEX, "drop_index", "users", 6);
	run(m, &mg_rule_concurrent_index_in_transaction, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- not-null-without-backfill ---- */

static void
test_not_null_add_column_fires(void **state)
{
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	const struct mg_diag *g;

	(void)state;
	add_column(m, "users", "status", MG_NO, MG_NO, 22);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 1);
	g = &d.v[0];
	assert_string_equal(g->rule, "not-null-without-backfill");
	assert_int_equal(g->severity, MG_ERROR);
	assert_int_equal(g->line, 22);
	assert_int_equal(g->col, 5);
	assert_string_equal(g->table, "users");
	assert_string_equal(g->column, "status");
	assert_int_equal(g->op, 0);
	contains(g->message, "users.status");
	/* Step 1 is the user's own call made nullable; without the source it is
	 * only described, never rebuilt with another type. */
	contains(g->code, "# Step 1 of 3: add status as nullable");
	lacks(g->code, "sa.Text()");
	contains(g->code, "UPDATE users SET status = :value");
	contains(g->code, "WHERE status IS NULL");
	contains(g->code, "backfill_value = ...\n");
	contains(g->code, "ALTER TABLE users ADD CONSTRAINT ck_users_status_not_null CHECK (status "
	                  "IS NOT NULL) NOT VALID");
	contains(g->code, "ALTER TABLE users ALTER COLUMN status SET NOT NULL");
	/* The value is not known: nothing is applied by --write. */
	assert_int_equal(g->fix, MG_FIX_NONE);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_not_null_add_column_silent(void **state)
{
	static const char *const cols[] = {"id"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 1);
	struct mg_diags d;
	size_t down;

	(void)state;
	/* With a server default. */
	add_column(m, "users", "a", MG_NO, MG_YES, 5);
	/* Server default unknown (not a literal): not reported. */
	add_column(m, "users", "b", MG_NO, MG_UNKNOWN, 6);
	/* Nullable, or unknown. */
	add_column(m, "users", "c", MG_YES, MG_NO, 7);
	add_column(m, "users", "d", MG_UNKNOWN, MG_NO, 8);
	/* A table created in this migration is empty. */
	add_table(m, "fresh", cols, 1, 9);
	add_column(m, "fresh", "e", MG_NO, MG_NO, 12);
	/* In downgrade(). */
	down = add_column(m, "users", "f", MG_NO, MG_NO, 40);
	m->ops[down].dir = MG_DOWNGRADE;
	/* Table or column unknown. */
	add_column(m, NULL, "g", MG_NO, MG_NO, 13);
	add_column(m, "users", NULL, MG_NO, MG_NO, 14);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_not_null_alter_column_fires(void **state)
{
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t u;

	(void)state;
	/* Backfills that do not count: other table, other column, after it, in downgrade(). */
	u = add_sql(m, "UPDATE accounts SET phone = ''", MG_OP_UPDATE, "accounts", 3);
	(void)u;
	u = add_sql(m, "UPDATE users SET fax = ''", MG_OP_UPDATE, "users", 4);
	m->ops[u].set_columns = mg_arena_alloc(&m->arena, sizeof(char *));
	m->ops[u].set_columns[0] = "fax";
	m->ops[u].nset = 1;
	u = add_sql(m, "UPDATE users SET phone = ''", MG_OP_UPDATE, "users", 5);
	m->ops[u].dir = m->ops[u - 1].dir = MG_DOWNGRADE;
	alter_column(m, "users", "phone", MG_NO, 9);
	add_sql(m, "UPDATE users SET phone = ''", MG_OP_UPDATE, "users", 10);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].severity, MG_WARNING);
	assert_int_equal(d.v[0].line, 9);
	assert_string_equal(d.v[0].table, "users");
	assert_string_equal(d.v[0].column, "phone");
	contains(d.v[0].message, "users.phone");
	/* No add_column step: the column exists. No value given and nothing
	 * filling it here: the validate-only NOT NULL, the backfill one option away. */
	lacks(d.v[0].code, "op.add_column(");
	lacks(d.v[0].code, "UPDATE users");
	contains(d.v[0].code, "enhance --default VALUE");
	contains(d.v[0].code,
	         "ALTER TABLE users ADD CONSTRAINT ck_users_phone_not_null CHECK (phone IS "
	         "NOT NULL) NOT VALID");
	contains(d.v[0].code, "ALTER TABLE users ALTER COLUMN phone SET NOT NULL");
	mg_diags_free(&d);
	mg_model_free(m);
}

/* alter_column(nullable=False) after the op made by add, on users.phone: silent. */
static void
not_null_backfilled_by(size_t (*add)(struct mg_model *))
{
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;

	add(m);
	alter_column(m, "users", "phone", MG_NO, 20);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static size_t
update_any(struct mg_model *m)
{
	return add_sql(m, "UPDATE users SET phone = ''", MG_OP_UPDATE, "users", 10);
}

static size_t
update_phone(struct mg_model *m)
{
	size_t u = add_sql(m, "UPDATE users SET a = 1, phone = ''", MG_OP_UPDATE, "users", 10);

	m->ops[u].set_columns = mg_arena_alloc(&m->arena, 2 * sizeof(char *));
	m->ops[u].set_columns[0] = "a";
	m->ops[u].set_columns[1] = "phone";
	m->ops[u].nset = 2;
	return u;
}

static size_t
update_unknown_table(struct mg_model *m)
{
	return add_sql(m, "UPDATE ...", MG_OP_UPDATE, NULL, 10);
}

static size_t
opaque_execute(struct mg_model *m)
{
	return add_op(m, MG_OP_EXECUTE, "execute", NULL, 10);
}

static size_t
bulk_insert(struct mg_model *m)
{
	return add_op(m, MG_OP_BULK_INSERT, "bulk_insert", "users", 10);
}

static void
test_not_null_alter_column_silent_after_backfill(void **state)
{
	(void)state;
	not_null_backfilled_by(update_any);
	not_null_backfilled_by(update_phone);
	not_null_backfilled_by(update_unknown_table);
	not_null_backfilled_by(opaque_execute);
	not_null_backfilled_by(bulk_insert);
}

/* One whole-table UPDATE in the transaction is the hazard: still reported, saying why. */
static void
test_not_null_alter_column_unbatched(void **state)
{
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t u;

	(void)state;
	u = add_sql(m, "UPDATE users SET phone = ''", MG_OP_UPDATE, "users", 10);
	m->ops[u].whole_table = MG_YES;
	alter_column(m, "users", "phone", MG_NO, 20);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 1);
	contains(d.v[0].message, "one UPDATE of the whole table (line 10)");
	contains(d.v[0].not_applied, "the UPDATE at line 10");
	assert_int_equal(d.v[0].fix, MG_FIX_NONE);
	mg_diags_free(&d);
	mg_model_free(m);
	/* In a loop, or in an autocommit block: the batched form. */
	m = mg_model_new("t.py");
	u = add_sql(m, "UPDATE users SET phone = ''", MG_OP_UPDATE, "users", 10);
	m->ops[u].whole_table = MG_YES;
	m->ops[u].in_loop = 1;
	u = add_sql(m, "UPDATE users SET fax = ''", MG_OP_UPDATE, "users", 11);
	m->ops[u].whole_table = MG_YES;
	m->ops[u].autocommit = 1;
	alter_column(m, "users", "phone", MG_NO, 20);
	alter_column(m, "users", "fax", MG_NO, 21);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_not_null_alter_column_silent(void **state)
{
	static const char *const cols[] = {"id", "phone"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(0, 0);
	struct mg_diags d;
	size_t a;

	(void)state;
	alter_column(m, "users", "a", MG_YES, 5);
	alter_column(m, "users", "b", MG_UNKNOWN, 6);
	a = alter_column(m, "users", "c", MG_NO, 40);
	m->ops[a].dir = MG_DOWNGRADE;
	add_table(m, "fresh", cols, 2, 7);
	alter_column(m, "fresh", "phone", MG_NO, 10);
	run(m, &mg_rule_not_null_without_backfill, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- unsafe identifiers: a diagnostic, never code ---- */

static const char *const unsafe[] = {"bad\"name", "bad'name",    "drop;table",
                                     "new\nline", "back\\slash", ""};
#define NUNSAFE (sizeof(unsafe) / sizeof(unsafe[0]))

static void
test_unsafe_table_names(void **state)
{
	struct mg_options o = options(1, 1);
	size_t i;

	(void)state;
	for (i = 0; i < NUNSAFE; i++) {
		const char *tcols[] = {"id", "tenant_id"};
		const char *fcol[] = {"user_id"};
		const char *icol[] = {"email"};
		struct mg_model *m = mg_model_new("t.py");
		struct mg_diags d;
		size_t j, opi;

		add_table(m, unsafe[i], tcols, 2, 5);
		opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", unsafe[i], 8);
		add_fkey(m, opi, unsafe[i], fcol, 1, "users", 8);
		add_create_index(m, "users", unsafe[i], icol, 1, 9);
		/* Another unsafe name: a table this migration did not create. */
		add_column(m, unsafe[(i + 1) % NUNSAFE], "status", MG_NO, MG_NO, 10);
		alter_column(m, "users", unsafe[i], MG_NO, 11);
		memset(&d, 0, sizeof(d));
		mg_rules_run(m, &o, &d);
		/* tenant, fk, concurrent (index name), not-null x2, and the ACCESS EXCLUSIVE
		 * of the add_column held across SET NOT NULL on users (lock-held-across-slow-step)
		 */
		if (d.n != 6)
			print_error("name \"%s\": %zu diagnostics\n", unsafe[i], d.n);
		assert_int_equal(d.n, 6);
		for (j = 0; j < d.n; j++) {
			if (d.v[j].code != NULL)
				print_error("name \"%s\", rule %s: code\n%s\n", unsafe[i],
				            d.v[j].rule, d.v[j].code);
			assert_null(d.v[j].code);
			assert_null(d.v[j].downgrade);
			assert_int_not_equal(d.v[j].fix, MG_FIX_REPLACE);
			assert_int_not_equal(d.v[j].fix, MG_FIX_INSERT_AFTER);
		}
		mg_diags_free(&d);
		mg_model_free(m);
	}
}

static void
test_unsafe_column_names(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i + 1 < NUNSAFE; i++) {
		const char *tcols[] = {"id", unsafe[i]};
		const char *fcol[] = {unsafe[i]};
		struct mg_options o = options(1, 1);
		struct mg_model *m = mg_model_new("t.py");
		struct mg_diags d;
		size_t j, opi;

		/* A hostile tenant column name given on the command line. */
		o.tenant_column = unsafe[i];
		add_table(m, "t", tcols, 2, 5);
		opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "u", 8);
		add_fkey(m, opi, "u", fcol, 1, "users", 8);
		add_column(m, "users", unsafe[i], MG_NO, MG_NO, 10);
		memset(&d, 0, sizeof(d));
		mg_rules_run(m, &o, &d);
		/* add-foreign-key-validates reports the key too, without code */
		assert_int_equal(d.n, 4);
		for (j = 0; j < d.n; j++)
			assert_null(d.v[j].code);
		mg_diags_free(&d);
		mg_model_free(m);
	}
}

static void
test_unsafe_space_option(void **state)
{
	static const char *const cols[] = {"id", "tenant_id", "space;id"};
	struct mg_options o = options(1, 0);
	struct mg_model *m = mg_model_new("t.py");
	struct mg_diags d;

	(void)state;
	o.space_column = "space;id";
	add_table(m, "t", cols, 3, 5);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_null(d.v[0].code);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_unsafe_soft_delete_option(void **state)
{
	static const char *const cols[] = {"id", "tenant_id", "deleted_at IS NULL OR true) --"};
	struct mg_options o = options(1, 0);
	struct mg_model *m = mg_model_new("t.py");
	struct mg_diags d;

	(void)state;
	/*
	 * A --soft-delete-column naming a column the file declares, with SQL in
	 * its name: it goes into the WHERE double-quoted, as one identifier.
	 */
	o.soft_delete_column = cols[2];
	add_table(m, "t", cols, 3, 5);
	run(m, &mg_rule_missing_tenant_index, &o, &d);
	assert_int_equal(d.n, 1);
	assert_non_null(d.v[0].code);
	assert_non_null(strstr(d.v[0].code, "\\\"deleted_at IS NULL OR true) --\\\" IS NULL"));
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_unsafe_schema(void **state)
{
	static const char *const col[] = {"user_id"};
	static const char *const icol[] = {"email"};
	static const char evil[] = "app\"; DROP TABLE users; --";
	struct mg_options o = options(1, 1);
	struct mg_model *m = mg_model_new("t.py");
	struct mg_diags d;
	size_t i, opi;

	(void)state;
	/* An FK on an existing table in a hostile schema, an index, a NOT NULL. */
	opi = add_op(m, MG_OP_CREATE_FOREIGN_KEY, "create_foreign_key", "notifications", 8);
	m->ops[opi].schema = evil;
	add_fkey(m, opi, "notifications", col, 1, "users", 8);
	add_create_index(m, "users", "ix_users_email", icol, 1, 9)->schema = evil;
	m->ops[1].schema = evil;
	opi = add_column(m, "users", "status", MG_NO, MG_NO, 10);
	m->ops[opi].schema = evil;
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	assert_int_equal(d.n, 4);
	for (i = 0; i < d.n; i++) {
		/*
		 * Regression: on an existing table the index's schema once went
		 * into the code unchecked, and `app"; DROP TABLE users; --`
		 * came out as SQL. No code may be written for it.
		 */
		if (d.v[i].code != NULL)
			print_error("rule %s: code\n%s\n", d.v[i].rule, d.v[i].code);
		assert_null(d.v[i].code);
	}
	mg_diags_free(&d);
	mg_model_free(m);
}

/* ---- all rules together ---- */

static void
test_rules_run_sorted(void **state)
{
	static const char *const tcols[] = {"id", "tenant_id", "user_id"};
	static const char *const fcol[] = {"user_id"};
	static const char *const icol[] = {"email"};
	struct mg_model *m = mg_model_new("t.py");
	struct mg_options o = options(1, 1);
	struct mg_diags d;
	size_t i;

	(void)state;
	alter_column(m, "users", "phone", MG_NO, 30);
	add_create_index(m, "users", "ix_users_email", icol, 1, 20);
	add_table(m, "docs", tcols, 3, 10);
	add_fkey(m, m->tables[0].op, "docs", fcol, 1, "users", 12);
	mg_model_finish(m);
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	/* The ALTER (op 0) holds ACCESS EXCLUSIVE on users through the index build. */
	assert_int_equal(d.n, 5);
	assert_string_equal(d.v[0].rule, "missing-tenant-index");
	assert_int_equal(d.v[0].line, 10);
	assert_string_equal(d.v[1].rule, "missing-fk-index");
	assert_int_equal(d.v[1].line, 12);
	assert_string_equal(d.v[2].rule, "require-concurrent-index");
	assert_int_equal(d.v[2].line, 20);
	assert_string_equal(d.v[3].rule, "lock-held-across-slow-step");
	assert_int_equal(d.v[3].line, 30);
	assert_string_equal(d.v[4].rule, "not-null-without-backfill");
	assert_int_equal(d.v[4].line, 30);
	for (i = 1; i < d.n; i++)
		assert_true(d.v[i - 1].line <= d.v[i].line);
	mg_diags_free(&d);
	mg_model_free(m);
}

static void
test_empty_model(void **state)
{
	struct mg_model *m = mg_model_new(NULL);
	struct mg_options o = options(1, 1);
	struct mg_diags d;

	(void)state;
	memset(&d, 0, sizeof(d));
	mg_rules_run(m, &o, &d);
	assert_int_equal(d.n, 0);
	mg_model_finish(m);
	mg_rules_run(m, &o, &d);
	assert_int_equal(d.n, 0);
	mg_diags_free(&d);
	mg_model_free(m);
}

/* The CHECK that lets SET NOT NULL skip its scan, as PostgreSQL reads names. */
static void
test_not_null_expr(void **state)
{
	(void)state;
	assert_true(mg_rc_is_not_null_expr("plan IS NOT NULL", "plan"));
	assert_true(mg_rc_is_not_null_expr("((plan is not null))", "plan"));
	assert_true(mg_rc_is_not_null_expr("\"plan\"  IS\nNOT NULL", "plan"));
	assert_true(mg_rc_is_not_null_expr("Plan IS NOT NULL", "plan"));
	assert_true(mg_rc_is_not_null_expr("\"Pl\"\"an\" IS NOT NULL", "Pl\"an"));
	assert_false(mg_rc_is_not_null_expr("\"Plan\" IS NOT NULL", "plan"));
	assert_false(mg_rc_is_not_null_expr("Plan IS NOT NULL", "Plan"));
	assert_false(mg_rc_is_not_null_expr("plan IS NOT NULL AND x > 0", "plan"));
	assert_false(mg_rc_is_not_null_expr("(plan IS NOT NULL", "plan"));
	assert_false(mg_rc_is_not_null_expr("plan IS NOT NULL)", "plan"));
	assert_false(mg_rc_is_not_null_expr("planx IS NOT NULL", "plan"));
	assert_false(mg_rc_is_not_null_expr("plan IS NOT NULLS", "plan"));
	assert_false(mg_rc_is_not_null_expr("plan IS NULL", "plan"));
	assert_false(mg_rc_is_not_null_expr("\"plan IS NOT NULL", "plan"));
	assert_false(mg_rc_is_not_null_expr(NULL, "plan"));
	assert_false(mg_rc_is_not_null_expr("", "plan"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_not_null_expr),
	    cmocka_unit_test(test_dialect_parse),
	    cmocka_unit_test(test_tenant_fires_tenant_space_soft_delete),
	    cmocka_unit_test(test_tenant_only_no_soft_delete),
	    cmocka_unit_test(test_tenant_schema_and_indent),
	    cmocka_unit_test(test_tenant_off_without_option),
	    cmocka_unit_test(test_tenant_silent_when_indexed),
	    cmocka_unit_test(test_tenant_fires_when_index_does_not_lead),
	    cmocka_unit_test(test_tenant_silent_cases),
	    cmocka_unit_test(test_tenant_custom_columns),
	    cmocka_unit_test(test_tenant_long_table_name),
	    cmocka_unit_test(test_fk_existing_table_fires),
	    cmocka_unit_test(test_fk_created_table_plain_index),
	    cmocka_unit_test(test_fk_composite),
	    cmocka_unit_test(test_fk_silent_with_leading_index),
	    cmocka_unit_test(test_fk_silent_cases),
	    cmocka_unit_test(test_fk_tenant_on_existing_table_fires),
	    cmocka_unit_test(test_fk_duplicates_reported_once),
	    cmocka_unit_test(test_concurrent_existing_table_fires),
	    cmocka_unit_test(test_concurrent_keeps_index_shape),
	    cmocka_unit_test(test_concurrent_created_table_note),
	    cmocka_unit_test(test_concurrent_silent_cases),
	    cmocka_unit_test(test_concurrent_no_replace_in_loop_or_sql),
	    cmocka_unit_test(test_concurrent_no_code_when_unknown),
	    cmocka_unit_test(test_in_transaction_fires),
	    cmocka_unit_test(test_in_transaction_downgrade_and_loop),
	    cmocka_unit_test(test_in_transaction_silent),
	    cmocka_unit_test(test_not_null_add_column_fires),
	    cmocka_unit_test(test_not_null_add_column_silent),
	    cmocka_unit_test(test_not_null_alter_column_fires),
	    cmocka_unit_test(test_not_null_alter_column_silent_after_backfill),
	    cmocka_unit_test(test_not_null_alter_column_unbatched),
	    cmocka_unit_test(test_not_null_alter_column_silent),
	    cmocka_unit_test(test_unsafe_table_names),
	    cmocka_unit_test(test_unsafe_column_names),
	    cmocka_unit_test(test_unsafe_space_option),
	    cmocka_unit_test(test_unsafe_soft_delete_option),
	    cmocka_unit_test(test_unsafe_schema),
	    cmocka_unit_test(test_rules_run_sorted),
	    cmocka_unit_test(test_empty_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
