/*
 * mg_write_atomic: the file is replaced whole, keeps its mode, and is not
 * touched when it changed after it was read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migen/fix.h"
#include "migen/input.h"

static char dir[] = "/tmp/migen-writefile-XXXXXX";

static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static char *
get(const char *path)
{
	struct mg_input in;
	const char *why;

	assert_int_equal(mg_input_read(path, &in, &why), 0);
	return in.data;
}

static void
test_replaces_and_keeps_mode(void **state)
{
	char path[128], *now;
	struct mg_input in;
	const char *why;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.py", dir);
	put(path, "old\n");
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(mg_input_read(path, &in, &why), 0);
	assert_int_equal(mg_write_atomic(path, &in.st, in.data, in.len, "new\n", 4, &why), 0);
	now = get(path);
	assert_string_equal(now, "new\n");
	free(now);
	{
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0604);
	}
	mg_input_free(&in);
	unlink(path);
}

static void
test_refuses_when_changed(void **state)
{
	char path[128], *now;
	struct mg_input in;
	const char *why = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/b.py", dir);
	put(path, "first\n");
	assert_int_equal(mg_input_read(path, &in, &why), 0);
	/* Someone else edits the file between migen's read and its write. */
	put(path, "someone else's edit\n");
	assert_int_equal(mg_write_atomic(path, &in.st, in.data, in.len, "migen\n", 6, &why), -1);
	assert_non_null(strstr(why, "changed"));
	now = get(path);
	assert_string_equal(now, "someone else's edit\n");
	free(now);
	mg_input_free(&in);
	unlink(path);
}

static void
test_missing_folder_fails_cleanly(void **state)
{
	struct mg_input in;
	const char *why = NULL;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/c.py", dir);
	put(path, "x\n");
	assert_int_equal(mg_input_read(path, &in, &why), 0);
	assert_int_equal(
	    mg_write_atomic("/nonexistent-migen-dir/c.py", &in.st, in.data, in.len, "y\n", 2, &why),
	    -1);
	assert_non_null(why);
	mg_input_free(&in);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replaces_and_keeps_mode),
	    cmocka_unit_test(test_refuses_when_changed),
	    cmocka_unit_test(test_missing_folder_fails_cleanly),
	};
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
