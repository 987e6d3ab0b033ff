/*
 * ident: which names are refused, which are written bare and which quoted,
 * and how long index names are shortened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "migen/ident.h"

static char *
sql(const char *s)
{
	struct mg_buf b = {0};

	mg_ident_sql(&b, s);
	return mg_buf_detach(&b);
}

static void
refusals(void **state)
{
	static const char *const bad[] = {
	    "",
	    "a\"b",
	    "a'b",
	    "a\\b",
	    "a;b",
	    "a`b",
	    "a\nb",
	    "a\tb",
	    "a\rb",
	    "a\x7f",
	    ":x",
	    "a:b",
	    "x123456789012345678901234567890123456789012345678901234567890123",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_ident_refusal(bad[i]) == NULL)
			fail_msg("accepted identifier %zu", i);
	assert_null(mg_ident_refusal("users"));
	assert_null(mg_ident_refusal("Order"));
	assert_null(mg_ident_refusal("Plan Name"));
	assert_null(
	    mg_ident_refusal("x12345678901234567890123456789012345678901234567890123456789012"));
}

static void
quoting(void **state)
{
	static const char *const cases[][2] = {
	    {"users", "users"},
	    {"tenant_id", "tenant_id"},
	    {"_x$1", "_x$1"},
	    {"Order", "\"Order\""},
	    {"user", "\"user\""},
	    {"select", "\"select\""},
	    {"Plan Name", "\"Plan Name\""},
	    {"1abc", "\"1abc\""},
	    {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sql(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

static void
qualified(void **state)
{
	struct mg_buf b = {0};

	(void)state;
	mg_ident_sql_qualified(&b, "app", "Order");
	assert_string_equal(b.s, "app.\"Order\"");
	mg_buf_free(&b);
	mg_ident_sql_qualified(&b, NULL, "users");
	assert_string_equal(b.s, "users");
	mg_buf_free(&b);
}

static void
index_names(void **state)
{
	const char *parts[] = {"users", "tenant_id", "email"};
	const char *longp[] = {"a_rather_long_table_name_for_tests", "first_long_column_name",
	                       "second_long_column_name"};
	const char *longq[] = {"a_rather_long_table_name_for_tests", "first_long_column_name",
	                       "second_long_column_namf"};
	char *n, *m, *again;
	int sh;

	(void)state;
	n = mg_ident_index_name("ix", parts, 3, &sh);
	assert_string_equal(n, "ix_users_tenant_id_email");
	assert_false(sh);
	free(n);

	n = mg_ident_index_name("ix", longp, 3, &sh);
	assert_true(sh);
	assert_int_equal(strlen(n), MG_IDENT_MAX);
	assert_null(mg_ident_refusal(n));
	again = mg_ident_index_name("ix", longp, 3, &sh);
	assert_string_equal(n, again); /* deterministic */
	m = mg_ident_index_name("ix", longq, 3, &sh);
	assert_string_not_equal(n, m); /* same prefix, different names */
	free(n);
	free(m);
	free(again);
}

static void
index_names_utf8(void **state)
{
	/* 30 two-byte characters: the cut must not split one. */
	char col[61];
	const char *parts[2];
	char *n;
	int sh, i;

	(void)state;
	for (i = 0; i < 30; i++) {
		col[2 * i] = (char)0xc3;
		col[2 * i + 1] = (char)0xa9;
	}
	col[60] = '\0';
	parts[0] = "t";
	parts[1] = col;
	n = mg_ident_index_name("ix", parts, 2, &sh);
	assert_true(sh);
	assert_true(strlen(n) <= MG_IDENT_MAX);
	/* The byte before "_<hash>" must end a character. */
	assert_true(((unsigned char)n[strlen(n) - 10] & 0xC0) != 0xC0);
	free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refusals),         cmocka_unit_test(quoting),
	    cmocka_unit_test(qualified),        cmocka_unit_test(index_names),
	    cmocka_unit_test(index_names_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
