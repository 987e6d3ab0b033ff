/*
 * [tool.migen] through the TOML grammar (src/env/config.c): every key, the
 * ways TOML spells tables (headers, dotted keys, inline tables), strings
 * with escapes, and one-line errors naming the file, line and key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "migen/config.h"

static int
known(const char *id)
{
	return strcmp(id, "missing-fk-index") == 0 || strcmp(id, "require-concurrent-index") == 0 ||
	       strcmp(id, "unused-ignore") == 0;
}

static int
parse(const char *toml, struct mg_config *c, const char **err)
{
	return mg_config_parse("pyproject.toml", toml, strlen(toml), known, c, err);
}

/* The error for toml, which must be refused. */
static void
refused(const char *toml, const char *want)
{
	struct mg_config c;
	const char *err = NULL;

	assert_int_equal(parse(toml, &c, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, want);
	mg_config_free(&c);
}

static void
test_every_key(void **state)
{
	struct mg_config c;
	const char *err = NULL;
	const char *toml = "[project]\nname = \"x\"\n\n"
	                   "[tool.migen]\n"
	                   "select = [\"missing-fk-index\", 'require-concurrent-index',]\n"
	                   "ignore = [\n  \"unused-ignore\", # why\n]\n"
	                   "fail-on = \"note\"\n"
	                   "pg-version = 1_5\n"
	                   "tenant-column = \"account_id\"\n"
	                   "space-column = 'workspace_id'\n"
	                   "soft-delete-column = \"\"\"archived_at\"\"\"\n"
	                   "start-after = \"abc123\"\n"
	                   "types = { \"myapp.db.UUID\" = \"uuid\" }\n"
	                   "[tool.migen.severity]\n"
	                   "missing-fk-index = \"error\"\n";

	(void)state;
	assert_int_equal(parse(toml, &c, &err), 0);
	assert_true(c.found);
	assert_int_equal(c.nselect, 2);
	assert_string_equal(c.select[1], "require-concurrent-index");
	assert_int_equal(c.nignore, 1);
	assert_string_equal(c.ignore[0], "unused-ignore");
	assert_int_equal(c.fail_on, MG_NOTE);
	assert_int_equal(c.pg_version, 15);
	assert_string_equal(c.tenant_column, "account_id");
	assert_string_equal(c.space_column, "workspace_id");
	assert_string_equal(c.soft_delete_column, "archived_at");
	assert_string_equal(c.start_after, "abc123");
	assert_int_equal(c.start_after_line, 14);
	assert_int_equal(c.types.n, 1);
	assert_string_equal(c.types.name[0], "myapp.db.UUID");
	assert_string_equal(c.types.pg[0], "uuid");
	assert_int_equal(c.nseverity, 1);
	assert_string_equal(c.severity[0].rule, "missing-fk-index");
	assert_int_equal(c.severity[0].severity, MG_ERROR);
	mg_config_free(&c);
}

static void
test_dotted_and_escapes(void **state)
{
	struct mg_config c;
	const char *err = NULL;
	const char *toml = "tool.migen.fail-on = \"never\"\n"
	                   "[tool]\n"
	                   "migen.severity.\"unused-ignore\" = \"note\"\n"
	                   "[tool.migen.types]\n"
	                   "myapp.types.Money = \"numeric(12,2)\"\n"
	                   "\"a.b\" = \"time\\u0020zone\\t\\\"x\\\"\"\n";

	(void)state;
	assert_int_equal(parse(toml, &c, &err), 0);
	assert_int_equal(c.fail_on, MG_CONFIG_FAIL_NEVER);
	assert_int_equal(c.nseverity, 1);
	assert_int_equal(c.severity[0].severity, MG_NOTE);
	assert_int_equal(c.types.n, 2);
	assert_string_equal(c.types.name[0], "myapp.types.Money");
	assert_string_equal(c.types.pg[0], "numeric(12,2)");
	assert_string_equal(c.types.name[1], "a.b");
	assert_string_equal(c.types.pg[1], "time zone\t\"x\"");
	mg_config_free(&c);
}

static void
test_no_section(void **state)
{
	struct mg_config c;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("[tool.black]\nline-length = 99\n", &c, &err), 0);
	assert_false(c.found);
	assert_null(c.select);
	assert_int_equal(c.fail_on, -1);
	mg_config_free(&c);
	assert_int_equal(parse("", &c, &err), 0);
	mg_config_free(&c);
	/* A BOM before the document. */
	assert_int_equal(parse("\xEF\xBB\xBF[tool.migen]\nfail-on = \"error\"\n", &c, &err), 0);
	assert_int_equal(c.fail_on, MG_ERROR);
	mg_config_free(&c);
}

static void
test_downgrades_dialect(void **state)
{
	struct mg_config c;
	const char *err = NULL;

	(void)state;
	assert_int_equal(parse("[tool.migen]\nfail-on = \"error\"\n", &c, &err), 0);
	assert_int_equal(c.downgrades, -1);
	assert_null(c.dialect);
	mg_config_free(&c);
	assert_int_equal(
	    parse("[tool.migen]\ndowngrades = false\ndialect = \"sqlite\"\n", &c, &err), 0);
	assert_int_equal(c.downgrades, 0);
	assert_string_equal(c.dialect, "sqlite");
	mg_config_free(&c);
	assert_int_equal(parse("[tool.migen]\ndowngrades = true\n", &c, &err), 0);
	assert_int_equal(c.downgrades, 1);
	mg_config_free(&c);
	refused("[tool.migen]\ndowngrades = \"no\"\n",
	        "pyproject.toml:2: must be true or false, not string (downgrades)");
	refused(
	    "[tool.migen]\ndialect = \"db2\"\n",
	    "pyproject.toml:2: 'db2' is not postgresql, sqlite, mysql, mariadb, mssql or oracle "
	    "(dialect)");
	refused("[tool.migen]\ndialect = 3\n",
	        "pyproject.toml:2: must be a string, not integer (dialect)");
}

static void
test_errors(void **state)
{
	(void)state;
	refused("[tool.migen]\nfail_on = \"error\"\n", "pyproject.toml:2: unknown key (fail_on)");
	refused("[tool.migen]\nfail-on = 1\n",
	        "pyproject.toml:2: must be a string, not integer (fail-on)");
	refused("[tool.migen]\nfail-on = \"sometimes\"\n",
	        "pyproject.toml:2: 'sometimes' is not error, warning, note or never (fail-on)");
	refused("[tool.migen]\nselect = \"missing-fk-index\"\n",
	        "pyproject.toml:2: must be an array of rule ids, such as [\"missing-fk-index\"] "
	        "(select)");
	refused("[tool.migen]\nselect = [1]\n",
	        "pyproject.toml:2: must be an array of strings, not of integer (select)");
	refused("[tool.migen]\nignore = [\n\"nope\"]\n",
	        "pyproject.toml:3: unknown rule 'nope' (ignore)");
	refused("[tool.migen.severity]\nnope = \"error\"\n",
	        "pyproject.toml:2: unknown rule 'nope' (severity.nope)");
	refused("[tool.migen]\nseverity = \"error\"\n",
	        "pyproject.toml:2: must be a table (severity)");
	refused("[tool.migen]\npg-version = 9\n",
	        "pyproject.toml:2: must be a whole number from 10 to 99 (pg-version)");
	refused("[tool.migen]\npg-version = 0x10\n",
	        "pyproject.toml:2: must be a whole number from 10 to 99 (pg-version)");
	refused("[tool.migen]\ntenant-column = \"a\\\"b\"\n",
	        "pyproject.toml:2: not a column name: identifier contains a quote, backslash or "
	        "';' (tenant-column)");
	refused("[tool.migen]\nselect = [\"missing-fk-index\"\n",
	        "pyproject.toml:2: TOML syntax error");
	refused("[tool.migen]\nfail-on = \"error\"\n'fail-on' = \"note\"\n",
	        "pyproject.toml:3: key given twice (fail-on)");
	refused("[[tool.migen]]\nfail-on = \"error\"\n",
	        "pyproject.toml:1: [[...]] is not a setting of migen (tool.migen)");
	refused("tool.migen = 1\n", "pyproject.toml:1: must be a table (tool.migen)");
	refused("[tool.migen.types]\nx = 1\n", "pyproject.toml:2: must be a string, not integer "
	                                       "(types.x)");
	refused("[tool.migen]\nstart-after = \"\"\n",
	        "pyproject.toml:2: the revision id is empty (start-after)");
}

/* Hostile bytes never crash: each prefix of a document, and junk. */
static void
test_hostile(void **state)
{
	const char *toml = "[tool.migen]\nselect = [\"missing-fk-index\"]\n"
	                   "types = { a = { b = { c = \"\\uD800\" } } }\n"
	                   "x = \"\"\"\\\n  y\"\"\"\n";
	size_t i, n = strlen(toml);

	(void)state;
	for (i = 0; i <= n; i++) {
		struct mg_config c;
		const char *err;
		mg_config_parse("p", toml, i, known, &c, &err);
		mg_config_free(&c);
	}
	{
		struct mg_config c;
		const char *err;
		static const char nul[] = "[tool.migen]\0x";
		assert_int_equal(mg_config_parse("p", nul, sizeof(nul) - 1, known, &c, &err), -1);
		mg_config_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_key),  cmocka_unit_test(test_dotted_and_escapes),
	    cmocka_unit_test(test_no_section), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_hostile),    cmocka_unit_test(test_downgrades_dialect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
