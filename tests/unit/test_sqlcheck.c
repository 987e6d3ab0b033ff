/*
 * sqlcheck: what the PostgreSQL parser and the lexical pass accept and
 * refuse. The refusals are the point: each is a way out of the SQL, the
 * Python string or SQLAlchemy's text() that must stay shut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "migen/sqlcheck.h"

static void
accepts_expressions(void **state)
{
	static const char *const ok[] = {
	    "lower(email)",
	    "'active'",
	    "now()",
	    "0",
	    "coalesce(a, b) || 'x'",
	    "a::text",
	    "(SELECT id FROM plans WHERE name = 'free')",
	    "'it''s'",
	    "\"Weird Name\"",
	    "x = 'a:b'",
	    "CASE WHEN a THEN 1 ELSE 2 END",
	    "a$b",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		why = NULL;
		if (mg_sql_check_expr(ok[i], &why) != 0)
			fail_msg("refused '%s': %s", ok[i], why);
	}
}

static void
refuses_expressions(void **state)
{
	static const char *const bad[] = {
	    "",                    /* empty */
	    "1; DROP TABLE users", /* a second statement */
	    "1;",                  /* a trailing one */
	    "1 FROM users",        /* a clause */
	    "1 UNION SELECT 2",    /* a set operation */
	    "a, b",                /* two expressions */
	    "a AS b",              /* an alias */
	    "*",                   /* not an expression */
	    "lower(",              /* not valid SQL */
	    "'x\\'",               /* backslash */
	    "'a\nb'",              /* newline */
	    "a -- c",              /* comment */
	    "a /* c */",           /* comment */
	    "\"\"\"",              /* ends the Python string */
	    "x = ':value'",        /* SQLAlchemy would bind :value */
	    "x = :value",
	    "$1",    /* a parameter */
	    "$$x$$", /* dollar quoting */
	    "'unterminated",
	    "\xff", /* not UTF-8 */
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (mg_sql_check_expr(bad[i], &why) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
}

static void
index_elements(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(mg_sql_check_index_elem("email", &why), 0);
	assert_int_equal(mg_sql_check_index_elem("created_at DESC NULLS LAST", &why), 0);
	assert_int_equal(mg_sql_check_index_elem("lower(email) text_pattern_ops", &why), 0);
	assert_int_equal(mg_sql_check_index_elem("email COLLATE \"C\"", &why), 0);
	assert_int_equal(mg_sql_check_index_elem("(a + b)", &why), 0);
	/* Closing the list and adding a clause or a statement changes the tree. */
	assert_int_equal(mg_sql_check_index_elem("a) WHERE (b", &why), -1);
	assert_int_equal(mg_sql_check_index_elem("a), (b", &why), -1);
	assert_int_equal(mg_sql_check_index_elem("a); DROP TABLE x; --", &why), -1);
	assert_int_equal(mg_sql_check_index_elem("a, b", &why), -1);
	assert_int_equal(mg_sql_check_index_elem("a DESC DESC", &why), -1);
}

static void
predicates(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(mg_sql_check_predicate("deleted_at IS NULL", &why), 0);
	assert_int_equal(mg_sql_check_predicate("status = 'active' AND NOT archived", &why), 0);
	assert_int_equal(mg_sql_check_predicate("a > 1; DROP TABLE x", &why), -1);
	assert_int_equal(mg_sql_check_predicate("", &why), -1);
	assert_int_equal(mg_sql_check_predicate("a ORDER BY b", &why), -1);
}

static void
null_detection(void **state)
{
	(void)state;
	assert_true(mg_sql_is_null("NULL"));
	assert_true(mg_sql_is_null("null::text"));
	assert_true(mg_sql_is_null("CAST(NULL AS int)"));
	assert_false(mg_sql_is_null("'NULL'"));
	assert_false(mg_sql_is_null("coalesce(NULL, 1)"));
}

static void
split(void **state)
{
	const char *why;
	char **v;
	size_t n;

	(void)state;
	v = mg_sql_split_list(" a , lower(b, 'x,y') ,\"c,d\" DESC", &n, &why);
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "lower(b, 'x,y')");
	assert_string_equal(v[2], "\"c,d\" DESC");
	mg_sql_list_free(v, n);

	assert_null(mg_sql_split_list("a,,b", &n, &why));
	assert_null(mg_sql_split_list("", &n, &why));
	assert_null(mg_sql_split_list("a,", &n, &why));
	assert_null(mg_sql_split_list("lower(a", &n, &why));
	assert_null(mg_sql_split_list("a)", &n, &why));
	assert_null(mg_sql_split_list("'a", &n, &why));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_expressions), cmocka_unit_test(refuses_expressions),
	    cmocka_unit_test(index_elements),      cmocka_unit_test(predicates),
	    cmocka_unit_test(null_detection),      cmocka_unit_test(split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
