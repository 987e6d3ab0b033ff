/*
 * pyval: the Python values printed as typed and the SQLAlchemy types
 * accepted; everything that could run code is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "migen/pyval.h"

static void
plain_values(void **state)
{
	(void)state;
	assert_true(mg_pyval_is_plain("0"));
	assert_true(mg_pyval_is_plain("42"));
	assert_true(mg_pyval_is_plain("-7"));
	assert_true(mg_pyval_is_plain("0.01"));
	assert_true(mg_pyval_is_plain("True"));
	assert_true(mg_pyval_is_plain("False"));
	assert_false(mg_pyval_is_plain("007")); /* a SyntaxError in Python 3 */
	assert_false(mg_pyval_is_plain("1e5"));
	assert_false(mg_pyval_is_plain("1."));
	assert_false(mg_pyval_is_plain("None"));
	assert_false(mg_pyval_is_plain("true"));
	assert_false(mg_pyval_is_plain("active"));
	assert_false(mg_pyval_is_plain(""));
	assert_false(mg_pyval_is_plain("1_000"));
}

static void
types(void **state)
{
	static const char *const ok[] = {
	    "sa.Integer()",
	    "sa.String(20)",
	    "sa.String(length=20)",
	    "sa.Text",
	    "sa.DateTime(timezone=True)",
	    "sa.Numeric(10, 2)",
	    "postgresql.JSONB()",
	    "postgresql.ARRAY(sa.Integer())",
	    "sa.Enum('a', 'b', name='status')",
	    "sa.types.BigInteger()",
	    "sa.Boolean()",
	};
	static const char *const bad[] = {
	    "",
	    "Integer()",
	    "sa.text('1')",
	    "sa.Integer() or os.system('x')",
	    "__import__('os').system('id')",
	    "sa.Integer(); import os",
	    "sa.String(\"a\")",
	    "sa.Enum('a\\'')",
	    "sa.Integer(",
	    "sa.Integer())",
	    "sa._Private()",
	    "sa.String(x)",
	    "sa.String(length=len('x'))",
	    "sa.Enum('a\nb')",
	    "sa.Integer().with_variant(sa.Text(), 'x')",
	    "sa.String(1==1)",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (mg_pyval_type_refusal(ok[i]) != NULL)
			fail_msg("refused '%s'", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_pyval_type_refusal(bad[i]) == NULL)
			fail_msg("accepted '%s'", bad[i]);
}

static void
strings(void **state)
{
	(void)state;
	assert_null(mg_pyval_str_refusal("active"));
	assert_null(mg_pyval_str_refusal("caf\xc3\xa9 \"x\" 'y' \\"));
	assert_non_null(mg_pyval_str_refusal("\xff"));
	assert_non_null(mg_pyval_str_refusal("\xc3"));
	assert_non_null(mg_pyval_str_refusal("\xed\xa0\x80")); /* a surrogate */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_values),
	    cmocka_unit_test(types),
	    cmocka_unit_test(strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
