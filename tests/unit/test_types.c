/*
 * Unit tests for types.c: SQLAlchemy type expressions to PostgreSQL's names
 * (format_type), through the file's imports, and the project's own map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "migen/analyze.h"
#include "migen/schema.h"

static void
expect(const char *expr, const char *want)
{
	struct mg_arena a = {0};
	const char *got = mg_type_pg(&a, expr, NULL, NULL, NULL);

	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s: expected unknown, got %s", expr, got);
	} else {
		if (got == NULL || strcmp(got, want) != 0)
			fail_msg("%s: expected %s, got %s", expr, want, got ? got : "NULL");
	}
	mg_arena_free(&a);
}

static void
test_generic(void **state)
{
	(void)state;
	expect("sa.String(50)", "character varying(50)");
	expect("sa.String(length=50)", "character varying(50)");
	expect("sa.String()", "character varying");
	expect("sa.String", "character varying");
	expect("sa.Unicode(20)", "character varying(20)");
	expect("sa.VARCHAR(length=255)", "character varying(255)");
	expect("sa.CHAR(2)", "character(2)");
	expect("sa.Text()", "text");
	expect("sa.Integer()", "integer");
	expect("sa.INTEGER()", "integer");
	expect("sa.BigInteger()", "bigint");
	expect("sa.SmallInteger", "smallint");
	expect("sa.Boolean()", "boolean");
	expect("sa.DateTime()", "timestamp without time zone");
	expect("sa.DateTime(timezone=True)", "timestamp with time zone");
	expect("sa.DateTime(True)", "timestamp with time zone");
	expect("sa.TIMESTAMP(timezone=True)", "timestamp with time zone");
	expect("sa.Date()", "date");
	expect("sa.Time()", "time without time zone");
	expect("sa.Time(timezone=True)", "time with time zone");
	expect("sa.Numeric(10, 2)", "numeric(10,2)");
	expect("sa.Numeric(precision=12, scale=4)", "numeric(12,4)");
	expect("sa.Numeric(10)", "numeric(10,0)");
	expect("sa.Numeric()", "numeric");
	expect("sa.Float()", "double precision");
	expect("sa.Float(precision=10)", "real");
	expect("sa.LargeBinary()", "bytea");
	expect("sa.JSON()", "json");
	expect("sa.Uuid()", "uuid");
	expect("sa.Interval()", "interval");
	expect("sa.ARRAY(sa.Integer())", "integer[]");
	expect("sa.BigInteger().with_variant(sa.Integer(), 'sqlite')", "bigint");
	expect("sa.Interval(second_precision=3)", "interval(3)");
	expect("sa.String(50  # a comment\n)", "character varying(50)");
}

static void
test_postgresql(void **state)
{
	(void)state;
	expect("postgresql.JSONB()", "jsonb");
	expect("postgresql.JSONB(astext_type=sa.Text())", "jsonb");
	expect("postgresql.JSON()", "json");
	expect("postgresql.UUID(as_uuid=True)", "uuid");
	expect("postgresql.ARRAY(sa.Text())", "text[]");
	expect("postgresql.ARRAY(sa.String(20), dimensions=2)", "character varying(20)[]");
	expect("postgresql.INET()", "inet");
	expect("postgresql.CITEXT()", "citext");
	expect("postgresql.TIMESTAMP(timezone=True, precision=3)", "timestamp(3) with time zone");
	expect("postgresql.DOUBLE_PRECISION()", "double precision");
	expect("postgresql.BYTEA()", "bytea");
	expect("postgresql.INTERVAL()", "interval");
	expect("postgresql.INTERVAL(precision=2)", "interval(2)");
	expect("postgresql.INTERVAL(fields='DAY TO SECOND')", "interval day to second");
	expect("postgresql.TSVECTOR()", "tsvector");
}

static void
test_unknown(void **state)
{
	(void)state;
	expect("myapp.types.UUID()", NULL);
	expect("GUID()", NULL);
	expect("sa.String(n)", NULL);
	expect("sa.Integer().with_variant(sa.BigInteger(), 'postgresql')", NULL);
	expect("sa.Integer().upper()", NULL);
	expect("sa.String(*args)", NULL);
	expect("sa.Enum(*STATES)", NULL);
	expect("sa.ARRAY(item)", NULL);
	expect("", NULL);
	expect("sa.String(50", NULL);
	expect("'text'", NULL);
	expect("mysql.VARCHAR(10)", NULL);
}

static void
test_enum(void **state)
{
	struct mg_arena a = {0};
	struct mg_type_enum en;
	const char *t;

	(void)state;
	t = mg_type_pg(&a, "sa.Enum('new', 'paid', name='order_state')", NULL, NULL, &en);
	assert_string_equal(t, "order_state");
	assert_string_equal(en.name, "order_state");
	assert_int_equal(en.nlabels, 2);
	assert_string_equal(en.labels[1], "paid");
	assert_true(en.labels_known);
	assert_true(en.create);
	t = mg_type_pg(&a, "postgresql.ENUM('a', name='x', create_type=False, schema='app')", NULL,
	               NULL, &en);
	assert_string_equal(t, "app.x");
	assert_false(en.create);
	assert_string_equal(en.schema, "app");
	/* A Python enum class: SQLAlchemy names the type after it, lower-cased. */
	t = mg_type_pg(&a, "sa.Enum(models.Status)", NULL, NULL, &en);
	assert_string_equal(t, "status");
	assert_false(en.labels_known);
	/* native_enum=False: a VARCHAR as long as the longest label. */
	t = mg_type_pg(&a, "sa.Enum('a', 'long', native_enum=False)", NULL, NULL, &en);
	assert_string_equal(t, "character varying(4)");
	assert_null(en.name);
	t = mg_type_pg(&a, "postgresql.ARRAY(sa.Enum('a', name='tag'))", NULL, NULL, &en);
	assert_string_equal(t, "tag[]");
	assert_string_equal(en.name, "tag");
	/* No name: SQLAlchemy refuses it on PostgreSQL. */
	assert_null(mg_type_pg(&a, "sa.Enum('a', 'b')", NULL, NULL, &en));
	assert_null(mg_type_pg(&a, "sa.Enum('a', name=NAME)", NULL, NULL, &en));
	mg_arena_free(&a);
}

/* Names through a file's own imports, and the project's map. */
static void
test_imports(void **state)
{
	static const char src[] = "import sqlalchemy\n"
	                          "from sqlalchemy.dialects.postgresql import JSONB, CITEXT as CI\n"
	                          "from sqlalchemy import String\n"
	                          "from myapp.db import types as apptypes\n"
	                          "from myapp.db.types import Money\n"
	                          "from alembic import op\n";
	struct mg_model *m = mg_analyze("x.py", src, strlen(src), MG_ANALYZE_FULL);
	struct mg_arena a = {0};
	const char *names[] = {"myapp.db.types.UUID", "myapp.db.types.Money"};
	const char *pgs[] = {"uuid", "numeric(12,2)"};
	struct mg_typemap map = {names, pgs, 2};

	(void)state;
	assert_string_equal(mg_type_pg(&a, "JSONB()", m, NULL, NULL), "jsonb");
	assert_string_equal(mg_type_pg(&a, "CI", m, NULL, NULL), "citext");
	assert_string_equal(mg_type_pg(&a, "String(10)", m, NULL, NULL), "character varying(10)");
	assert_string_equal(mg_type_pg(&a, "sqlalchemy.Text()", m, NULL, NULL), "text");
	/* `sa` is not imported in this file: not known. */
	assert_null(mg_type_pg(&a, "sa.Text()", m, NULL, NULL));
	assert_null(mg_type_pg(&a, "apptypes.UUID()", m, NULL, NULL));
	assert_string_equal(mg_type_pg(&a, "apptypes.UUID()", m, &map, NULL), "uuid");
	assert_string_equal(mg_type_pg(&a, "Money()", m, &map, NULL), "numeric(12,2)");
	assert_string_equal(mg_type_pg(&a, "sqlalchemy.ARRAY(Money())", m, &map, NULL),
	                    "numeric(12,2)[]");
	mg_arena_free(&a);
	mg_model_free(m);
}

static void
test_defaults(void **state)
{
	struct mg_arena a = {0};

	(void)state;
	assert_string_equal(mg_type_default_sql(&a, "sa.text('now()')"), "now()");
	assert_string_equal(mg_type_default_sql(&a, "sa.text(\"'{}'::jsonb\")"), "'{}'::jsonb");
	assert_string_equal(mg_type_default_sql(&a, "'draft'"), "'draft'");
	assert_string_equal(mg_type_default_sql(&a, "\"it's\""), "'it''s'");
	assert_string_equal(mg_type_default_sql(&a, "sa.func.now()"), "now()");
	assert_string_equal(mg_type_default_sql(&a, "sa.true()"), "true");
	assert_string_equal(mg_type_default_sql(&a, "DEFAULT_VALUE"), "DEFAULT_VALUE");
	mg_arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generic), cmocka_unit_test(test_postgresql),
	    cmocka_unit_test(test_unknown), cmocka_unit_test(test_enum),
	    cmocka_unit_test(test_imports), cmocka_unit_test(test_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
