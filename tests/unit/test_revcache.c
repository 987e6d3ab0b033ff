/*
 * The doctor's record cache: a record comes back only for the same file
 * (device, inode, size, mtime, ctime), only when the file is older than the
 * run that wrote it by the racy margin, and a damaged cache gives nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migen/revcache.h"

static char home[] = "/tmp/migen-revcache-XXXXXX";
static const char *const dirs[] = {"versions"};

#define SEC 1000000000LL
#define WRITTEN (1000 * SEC)

static struct mg_rev
rev(const char *path, const char *id, const char *down)
{
	static const char *downs[1];
	struct mg_rev r;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.revision = id;
	r.has_revision = 1;
	r.line = 13;
	r.message = "add\nthings: with \"quotes\" and 5:colons";
	downs[0] = down;
	r.down.present = 1;
	r.down.known = 1;
	r.down.v = down ? downs : NULL;
	r.down.n = down ? 1 : 0;
	r.labels.present = 1;
	r.labels.known = 1;
	r.deps.present = 0;
	return r;
}

static struct mg_statkey
key(uint64_t ino, int64_t mtime)
{
	struct mg_statkey k = {42, ino, 1234, mtime, mtime};
	return k;
}

/* Writes revs with keys as a run started at WRITTEN would, then opens a new cache. */
static struct mg_revcache *
roundtrip(const struct mg_rev *revs, const struct mg_statkey *keys, size_t n)
{
	struct mg_revcache *c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN);

	assert_non_null(c);
	mg_revcache_save(c, revs, keys, n);
	mg_revcache_free(c);
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	assert_non_null(c);
	return c;
}

static void
test_hit_gives_the_record(void **state)
{
	struct mg_rev revs[2] = {rev("versions/a.py", "a1", NULL),
	                         rev("versions/b.py", "b2", "a1")};
	struct mg_statkey keys[2] = {key(7, WRITTEN - 10 * SEC), key(8, WRITTEN - 10 * SEC)};
	struct mg_revcache *c = roundtrip(revs, keys, 2);
	struct mg_rev out;

	(void)state;
	assert_int_equal(mg_revcache_count(c), 2);
	assert_int_equal(mg_revcache_get(c, 1, "versions/b.py", &keys[1], &out), 1);
	assert_string_equal(out.revision, "b2");
	assert_string_equal(out.path, "versions/b.py");
	assert_int_equal(out.line, 13);
	assert_int_equal(out.down.n, 1);
	assert_string_equal(out.down.v[0], "a1");
	assert_string_equal(out.message, revs[1].message);
	assert_int_equal(out.deps.present, 0);
	/* A wrong hint still finds it. */
	assert_int_equal(mg_revcache_get(c, 0, "versions/b.py", &keys[1], &out), 1);
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &keys[0], &out), 1);
	assert_int_equal(out.down.n, 0);
	mg_revcache_free(c);
}

static void
test_changed_file_misses(void **state)
{
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - 10 * SEC)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	struct mg_statkey k;
	struct mg_rev out;

	(void)state;
	k = keys[0];
	k.size++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &out), 0);
	k = keys[0];
	k.mtime_ns++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &out), 0);
	k = keys[0];
	k.ctime_ns++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &out), 0);
	k = keys[0];
	k.ino++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &out), 0);
	assert_int_equal(mg_revcache_get(c, 0, "versions/other.py", &keys[0], &out), 0);
	mg_revcache_free(c);
}

static void
test_racy_file_misses(void **state)
{
	/* Modified half a second before the run that wrote the record: it
	 * may have changed again within the same clock tick. */
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - SEC / 2)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	struct mg_rev out;

	(void)state;
	assert_int_equal(mg_revcache_count(c), 1);
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &keys[0], &out), 0);
	mg_revcache_free(c);
}

static void
test_damaged_cache_is_ignored(void **state)
{
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - 10 * SEC)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	char *file = mg_revcache_path(dirs, 1, 0, 0);
	FILE *f;

	(void)state;
	mg_revcache_free(c);
	assert_non_null(file);
	f = fopen(file, "r+b");
	assert_non_null(f);
	fseek(f, -5, SEEK_END);
	fputs("9999", f); /* a length past the end */
	fclose(f);
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	assert_non_null(c);
	assert_int_equal(mg_revcache_count(c), 0);
	mg_revcache_free(c);
	free(file);
}

static void
test_off_switch_and_keys(void **state)
{
	const char *other[] = {"elsewhere"};
	char *a, *b;

	(void)state;
	a = mg_revcache_path(dirs, 1, 0, 0);
	b = mg_revcache_path(other, 1, 0, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b); /* one cache a set of folders */
	free(b);
	b = mg_revcache_path(dirs, 1, 0, 1);
	assert_string_not_equal(a, b); /* --full records differ */
	free(a);
	free(b);
	setenv("MIGEN_NO_CACHE", "1", 1);
	assert_null(mg_revcache_path(dirs, 1, 0, 0));
	assert_null(mg_revcache_open(dirs, 1, 0, 0, WRITTEN));
	unsetenv("MIGEN_NO_CACHE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_gives_the_record),
	    cmocka_unit_test(test_changed_file_misses),
	    cmocka_unit_test(test_racy_file_misses),
	    cmocka_unit_test(test_damaged_cache_is_ignored),
	    cmocka_unit_test(test_off_switch_and_keys),
	};
	int r;

	if (mkdtemp(home) == NULL)
		return 1;
	setenv("XDG_CACHE_HOME", home, 1);
	unsetenv("MIGEN_NO_CACHE");
	r = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
		if (system(cmd) != 0)
			r = r ? r : 1;
	}
	return r;
}
