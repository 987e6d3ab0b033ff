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
	 * Regression (fixed): src/fix.c mg_fix_apply(): with no edits e->v is NULL and
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply_edits),
	    cmocka_unit_test(test_apply_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
