/*
 * Unit tests for snippet.h: the shape of the printed code that the
 * PostgreSQL integration tests cannot see at a glance — one autocommit block
 * and one catalog query for several indexes, the untyped key parameter, the
 * offline branches, step numbering, and lines within 88 columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "migen/snippet.h"
#include "unit.h"

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p;

	for (p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Every line fits in MG_SNIPPET_WIDTH columns, but for a string literal
 * alone on its line: as black does, a string is not cut.
 */
static void
fits(const char *code)
{
	const char *p = code;

	while (*p) {
		size_t n = strcspn(p, "\n"), lead = strspn(p, " ");
		int lone_string = lead < n && (p[lead] == '"' || p[lead] == '\'') &&
		                  (p[n - 1] == p[lead] || (p[n - 1] == ',' && p[n - 2] == p[lead]));

		if (n > MG_SNIPPET_WIDTH && !lone_string)
			print_error("line of %zu columns: %.*s\n", n, (int)n, p);
		assert_true(n <= MG_SNIPPET_WIDTH || lone_string);
		p += n + (p[n] == '\n');
	}
}

static const char *const cols_a[] = {"tenant_id", "email"};
static const char *const cols_b[] = {"created_at"};

static void
test_two_indexes_one_block(void **state)
{
	struct mg_index_spec ix[2];
	struct mg_buf b = {0};

	(void)state;
	memset(ix, 0, sizeof(ix));
	ix[0].name = "ix_users_tenant_id_email";
	ix[0].table = "users";
	ix[0].columns = cols_a;
	ix[0].ncolumns = 2;
	ix[1].name = "ix_users_created_at";
	ix[1].table = "users";
	ix[1].columns = cols_b;
	ix[1].ncolumns = 1;
	mg_snippet_indexes_concurrently(&b, ix, 2, &mg_style_default);
	assert_int_equal(count(b.s, "autocommit_block()"), 1);
	assert_int_equal(count(b.s, "FROM unnest("), 1);
	assert_int_equal(count(b.s, "CREATE INDEX CONCURRENTLY IF NOT EXISTS"), 2);
	assert_non_null(strstr(b.s, "[\"ix_users_tenant_id_email\", \"ix_users_created_at\"]"));
	/* Offline there is no catalog: the query is guarded. */
	assert_non_null(strstr(b.s, "if not op.get_context().as_sql:"));
	fits(b.s);
	b.len = 0;
	mg_snippet_drop_indexes_concurrently(&b, ix, 2, &mg_style_default);
	assert_int_equal(count(b.s, "autocommit_block()"), 1);
	assert_int_equal(count(b.s, "DROP INDEX CONCURRENTLY IF EXISTS"), 2);
	mg_buf_free(&b);
}

static struct mg_backfill_spec
spec(void)
{
	struct mg_backfill_spec bf;

	memset(&bf, 0, sizeof(bf));
	bf.table = "users";
	bf.column = "plan";
	bf.key = "id";
	bf.value_python = "\"free\"";
	bf.type_python = "sa.String(20)";
	bf.batch_size = 5000;
	bf.sleep = "0.01";
	return bf;
}

static void
test_backfill_key_untyped(void **state)
{
	struct mg_backfill_spec bf = spec();
	struct mg_buf b = {0};

	(void)state;
	mg_snippet_backfill(&b, &bf, &mg_style_default);
	/* A typed parameter breaks server-side binding (asyncpg): never. */
	assert_null(strstr(b.s, "CAST(:last_key"));
	assert_non_null(strstr(b.s, "AND id > :last_key"));
	/* The first batch drops the key condition. */
	assert_non_null(strstr(b.s, "batch.replace(\" AND id > :last_key\", \"\")"));
	/* Offline: one UPDATE, the value bound. */
	assert_non_null(strstr(b.s, "if op.get_context().as_sql:"));
	assert_non_null(strstr(b.s, "UPDATE users SET plan = :value WHERE plan IS NULL"));
	assert_non_null(strstr(b.s, "bindparams(value=\"free\")"));
	/* Progress through Alembic's logger, every 10 batches of 5000. */
	assert_non_null(strstr(b.s, "logging.getLogger(\"alembic.runtime.migration\")"));
	assert_non_null(strstr(b.s, "if batches % 10 == 0:"));
	fits(b.s);
	mg_buf_free(&b);
}

static void
test_not_null_forms(void **state)
{
	struct mg_backfill_spec bf = spec();
	struct mg_buf b = {0};

	(void)state;
	mg_snippet_not_null(&b, &bf, MG_NN_BACKFILL, 1, &mg_style_default);
	assert_non_null(strstr(b.s, "# Step 1 of 3: add the column"));
	assert_non_null(strstr(b.s, "# Step 2 of 3: backfill plan"));
	assert_non_null(strstr(b.s, "# Step 3 of 3: NOT NULL"));
	/* A retry finds the column there. */
	assert_non_null(strstr(b.s, "not in ["));
	fits(b.s);
	b.len = 0;
	mg_snippet_not_null(&b, &bf, MG_NN_BACKFILL, 0, &mg_style_default);
	assert_non_null(strstr(b.s, "# Step 1 of 2: backfill plan"));
	assert_non_null(strstr(b.s, "# Step 2 of 2: NOT NULL"));
	b.len = 0;
	mg_snippet_not_null(&b, &bf, MG_NN_SERVER_DEFAULT, 1, &mg_style_default);
	assert_null(strstr(b.s, "Step"));
	assert_non_null(strstr(b.s, "server_default=\"free\", nullable=False"));
	assert_null(strstr(b.s, "autocommit_block"));
	fits(b.s);
	b.len = 0;
	mg_snippet_not_null(&b, &bf, MG_NN_VALIDATE_ONLY, 0, &mg_style_default);
	assert_null(strstr(b.s, "Step"));
	assert_null(strstr(b.s, "UPDATE"));
	assert_non_null(strstr(b.s, "NOT VALID"));
	assert_non_null(strstr(b.s, "SET NOT NULL"));
	mg_buf_free(&b);
}

static void
test_server_default_values(void **state)
{
	struct mg_backfill_spec bf = spec();
	struct mg_buf b = {0};

	(void)state;
	bf.value_python = "0";
	mg_snippet_add_column_server_default(&b, &bf, &mg_style_default);
	assert_non_null(strstr(b.s, "server_default=\"0\""));
	b.len = 0;
	bf.value_python = "True";
	mg_snippet_add_column_server_default(&b, &bf, &mg_style_default);
	assert_non_null(strstr(b.s, "server_default=sa.true()"));
	mg_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_indexes_one_block),
	    cmocka_unit_test(test_backfill_key_untyped),
	    cmocka_unit_test(test_not_null_forms),
	    cmocka_unit_test(test_server_default_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
