/*
 * Unit tests for applying planned edits (fix.h, mg_fix_apply): bytes outside
 * the edits are kept, insertions at one point keep their order. The
 * end-to-end --write/--diff guarantees are in test_writefile.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/fix.h"
#include "migen/util.h"
#include "unit.h"

static void
add_edit(struct mg_edits *e, size_t start, size_t end, const char *text, size_t order)
{
	mg_grow(&e->v, &e->cap, e->n + 1, sizeof(*e->v));
	e->v[e->n].start = start;
	e->v[e->n].end = end;
	e->v[e->n].text = mg_xstrdup(text);
	e->v[e->n].order = order;
	e->n++;
}

static void
test_apply_edits(void **state)
{
	const char *src = "line1\nline2\nline3\n";
	struct mg_edits e;
	char *out;
	size_t len;

	(void)state;
	memset(&e, 0, sizeof(e));
	/* Given out of order: replace line2, insert twice after line3, insert at 0. */
	add_edit(&e, 18, 18, "B\n", 2);
	add_edit(&e, 6, 12, "two\n", 0);
	add_edit(&e, 18, 18, "A\n", 1);
	add_edit(&e, 0, 0, "top\n", 3);
	out = mg_fix_apply(src, strlen(src), &e, &len);
	assert_string_equal(out, "top\nline1\ntwo\nline3\nA\nB\n");
	assert_int_equal(len, strlen(out));
	free(out);
	mg_edits_free(&e);
}

static void
test_apply_nothing(void **state)
{
	const char *src = "x = 1\r\n";
	struct mg_edits e;
	char *out;
	size_t len;

	(void)state;
	/*
	 * Regression (fixed): src/fix/fix.c mg_fix_apply(): with no edits e->v is NULL and
	 * memcpy(v, e->v, 0) is called: undefined behaviour, which the
	 * sanitizer build stops on (`migen enhance --diff` on any file without
	 * a fix: "null pointer passed as argument 2"). Runs clean in a plain
	 * build; fails under -fsanitize=undefined until fixed.
	 */
	memset(&e, 0, sizeof(e));
	out = mg_fix_apply(src, strlen(src), &e, &len);
	assert_int_equal(len, strlen(src));
	assert_memory_equal(out, src, len);
	free(out);
	mg_edits_free(&e);
}

/* An insertion where a replacement starts is applied too, before it (diff does the same). */
static void
test_apply_insert_at_replacement(void **state)
{
	const char *src = "def downgrade():\n    op.drop_index('a')\n";
	struct mg_edits e;
	char *out;
	size_t len;

	(void)state;
	memset(&e, 0, sizeof(e));
	add_edit(&e, 17, 40, "    drop(a)\n", 0);
	add_edit(&e, 17, 17, "    drop(b)\n", 1);
	out = mg_fix_apply(src, strlen(src), &e, &len);
	assert_string_equal(out, "def downgrade():\n    drop(b)\n    drop(a)\n");
	free(out);
	mg_edits_free(&e);
}

/* Verification refuses an edited file with an autocommit block inside another. */
static void
test_verify_nested_autocommit(void **state)
{
	static const char before[] = "revision = 'x'\ndown_revision = None\n\n"
	                             "def upgrade():\n"
	                             "    with op.get_context().autocommit_block():\n"
	                             "        op.execute('SELECT 1')\n";
	static const char after[] = "revision = 'x'\ndown_revision = None\n\n"
	                            "def upgrade():\n"
	                            "    with op.get_context().autocommit_block():\n"
	                            "        op.execute('SELECT 1')\n"
	                            "        with op.get_context().autocommit_block():\n"
	                            "            op.execute('SELECT 2')\n";
	struct mg_model *m = mg_analyze("x.py", before, strlen(before), MG_ANALYZE_FULL);
	const char *why;

	(void)state;
	assert_int_equal(m->nested_autocommit, 0);
	assert_null(mg_fix_verify(m, before, strlen(before)));
	why = mg_fix_verify(m, after, strlen(after));
	assert_non_null(why);
	assert_non_null(strstr(why, "nest autocommit"));
	mg_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply_edits),
	    cmocka_unit_test(test_apply_nothing),
	    cmocka_unit_test(test_apply_insert_at_replacement),
	    cmocka_unit_test(test_verify_nested_autocommit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
