/*
 * Suppression comments (src/lint/suppress.c) on analysed sources with
 * hand-placed findings: which lines a comment covers, ignore-file in the
 * header only, several ids, text in strings ignored, and the findings about
 * the comments themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/lint.h"

static const char head[] = "revision = 'r1'\ndown_revision = None\n";

struct fixture {
	struct mg_model *m;
	struct mg_lint_report r;
	struct mg_lint_config c;
	char *src;
};

static void
setup(struct fixture *f, const char *body)
{
	size_t n = strlen(head) + strlen(body);

	memset(f, 0, sizeof(*f));
	f->src = mg_xcalloc(n + 1, 1);
	strcpy(f->src, head);
	strcat(f->src, body);
	f->m = mg_analyze("m.py", f->src, n, MG_ANALYZE_FULL);
	mg_grow(&f->r.files, &f->r.capfiles, 1, sizeof(*f->r.files));
	f->r.nfiles = 1;
	f->r.files[0].path = "m.py";
}

static void
finding(struct fixture *f, const char *rule, uint32_t line)
{
	struct mg_finding *x;

	mg_grow(&f->r.v, &f->r.cap, f->r.n + 1, sizeof(*f->r.v));
	x = &f->r.v[f->r.n++];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->severity = MG_WARNING;
	x->line = x->end_line = line;
	x->col = 5;
	x->end_col = 6;
	x->message = rule;
}

static void
teardown(struct fixture *f)
{
	mg_lint_report_free(&f->r);
	mg_model_free(f->m);
	free(f->src);
}

/* The finding of rule on line, or NULL. */
static const struct mg_finding *
at(const struct fixture *f, const char *rule, uint32_t line)
{
	size_t i;

	for (i = 0; i < f->r.n; i++)
		if (strcmp(f->r.v[i].rule, rule) == 0 && f->r.v[i].line == line)
			return &f->r.v[i];
	return NULL;
}

static void
test_same_line_and_line_above(void **state)
{
	struct fixture f;
	const struct mg_finding *x;

	(void)state;
	setup(&f, "def upgrade():\n"                                            /* 3 */
	          "    op.a()  # migen: ignore[missing-fk-index] tiny table\n"  /* 4 */
	          "    # migen: ignore[require-concurrent-index]   40 rows  \n" /* 5 */
	          "    op.b()\n"                                                /* 6 */
	          "    op.c()\n");                                              /* 7 */
	finding(&f, "missing-fk-index", 4);
	finding(&f, "require-concurrent-index", 6);
	finding(&f, "require-concurrent-index", 7);
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	assert_int_equal(f.r.n, 3);
	x = at(&f, "missing-fk-index", 4);
	assert_true(x->suppressed);
	assert_string_equal(x->suppress_reason, "tiny table");
	assert_int_equal(x->suppress_line, 4);
	x = at(&f, "require-concurrent-index", 6);
	assert_true(x->suppressed);
	assert_string_equal(x->suppress_reason, "40 rows");
	/* Only the next line: the one after stays. */
	assert_false(at(&f, "require-concurrent-index", 7)->suppressed);
	teardown(&f);
}

static void
test_trailing_comment_covers_its_line_only(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, "def upgrade():\n"                                       /* 3 */
	          "    op.a()  # migen: ignore[missing-fk-index] reason\n" /* 4 */
	          "    op.b()\n");                                         /* 5 */
	finding(&f, "missing-fk-index", 5);
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	assert_false(at(&f, "missing-fk-index", 5)->suppressed);
	assert_non_null(at(&f, "unused-ignore", 4));
	teardown(&f);
}

static void
test_several_ids_and_file(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, "# migen: ignore-file[require-concurrent-index] small tables\n" /* 3 */
	          "def upgrade():\n"                                              /* 4 */
	          "    # migen: ignore[missing-fk-index,not-null-without-backfill] ok\n"
	          "    op.a()\n"   /* 6 */
	          "    op.b()\n"); /* 7 */
	finding(&f, "missing-fk-index", 6);
	finding(&f, "not-null-without-backfill", 6);
	finding(&f, "require-concurrent-index", 7);
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	assert_int_equal(f.r.n, 3);
	assert_true(at(&f, "missing-fk-index", 6)->suppressed);
	assert_true(at(&f, "not-null-without-backfill", 6)->suppressed);
	assert_true(at(&f, "require-concurrent-index", 7)->suppressed);
	assert_int_equal(at(&f, "require-concurrent-index", 7)->suppress_line, 3);
	teardown(&f);
}

static void
test_not_in_strings(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, "def upgrade():\n"
	          "    op.execute('x  # migen: ignore[missing-fk-index] no')\n" /* 4 */
	          "    op.execute(\"\"\"\n"                                     /* 5 */
	          "# migen: ignore[missing-fk-index] no\n"                      /* 6 */
	          "\"\"\")\n"
	          "    op.b()\n"); /* 8 */
	finding(&f, "missing-fk-index", 4);
	finding(&f, "missing-fk-index", 7);
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	assert_int_equal(f.r.n, 2);
	assert_false(f.r.v[0].suppressed);
	assert_false(f.r.v[1].suppressed);
	teardown(&f);
}

static void
test_reported_comments(void **state)
{
	struct fixture f;
	const struct mg_finding *x;

	(void)state;
	setup(&f, "def upgrade():\n"                                        /* 3 */
	          "    op.a()  # migen: ignore[missing-fk-index]\n"         /* 4 */
	          "    op.b()  # migen: ignore[no-such-rule] typo\n"        /* 5 */
	          "    op.c()  # migen: ignore[missing-fk-index] nothing\n" /* 6 */
	          "    op.d()  # migen: ignore missing-fk-index\n"          /* 7 */
	          "    # migen: ignore-file[missing-fk-index] too late\n"   /* 8 */
	          "    op.e()  # migen: ignore[unused-ignore] no\n");       /* 9 */
	finding(&f, "missing-fk-index", 4);
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	/* Without a reason it still suppresses, and says so. */
	assert_true(at(&f, "missing-fk-index", 4)->suppressed);
	assert_null(at(&f, "missing-fk-index", 4)->suppress_reason);
	assert_non_null(at(&f, "ignore-without-reason", 4));
	x = at(&f, "unused-ignore", 5);
	assert_non_null(x);
	assert_string_equal(x->message, "unknown rule 'no-such-rule' in a suppression");
	assert_string_equal(at(&f, "unused-ignore", 6)->message,
	                    "ignore[missing-fk-index] suppresses nothing: no missing-fk-index "
	                    "finding on this line");
	assert_non_null(strstr(at(&f, "unused-ignore", 7)->message, "malformed"));
	assert_non_null(strstr(at(&f, "unused-ignore", 8)->message, "module header"));
	assert_non_null(strstr(at(&f, "unused-ignore", 9)->message, "cannot be suppressed"));
	/* Sorted by line. */
	for (size_t i = 1; i < f.r.n; i++)
		assert_true(f.r.v[i - 1].line <= f.r.v[i].line);
	teardown(&f);
}

static void
test_unselected_rule_is_not_unused(void **state)
{
	struct fixture f;
	static const char *const only[] = {"missing-fk-index"};

	(void)state;
	setup(&f, "def upgrade():\n"
	          "    op.a()  # migen: ignore[require-concurrent-index] reason\n");
	f.c.select = only;
	f.c.nselect = 1;
	mg_lint_suppress(&f.c, f.m, 0, &f.r);
	assert_int_equal(f.r.n, 0);
	teardown(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_line_and_line_above),
	    cmocka_unit_test(test_trailing_comment_covers_its_line_only),
	    cmocka_unit_test(test_several_ids_and_file),
	    cmocka_unit_test(test_not_in_strings),
	    cmocka_unit_test(test_reported_comments),
	    cmocka_unit_test(test_unselected_rule_is_not_unused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
