/*
 * The doctor's record cache: a record comes back only for the same file
 * (device, inode, size, mtime, ctime), only when the file is older than the
 * run that wrote it by the racy margin, and a damaged cache gives nothing;
 * the listing comes from the cache only when no folder changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
	mg_revcache_save(c, revs, keys, n, NULL, 0);
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
	struct mg_arena arena = {0};
	struct mg_rev out;

	(void)state;
	assert_int_equal(mg_revcache_count(c), 2);
	assert_int_equal(mg_revcache_get(c, 1, "versions/b.py", &keys[1], &arena, &out), 1);
	assert_string_equal(out.revision, "b2");
	assert_string_equal(out.path, "versions/b.py");
	assert_int_equal(out.line, 13);
	assert_int_equal(out.down.n, 1);
	assert_string_equal(out.down.v[0], "a1");
	assert_string_equal(out.message, revs[1].message);
	assert_int_equal(out.deps.present, 0);
	/* A wrong hint still finds it. */
	assert_int_equal(mg_revcache_get(c, 0, "versions/b.py", &keys[1], &arena, &out), 1);
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &keys[0], &arena, &out), 1);
	assert_int_equal(out.down.n, 0);
	mg_revcache_free(c);
	mg_arena_free(&arena);
}

static void
test_changed_file_misses(void **state)
{
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - 10 * SEC)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	struct mg_statkey k;
	struct mg_arena arena = {0};
	struct mg_rev out;

	(void)state;
	k = keys[0];
	k.size++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &arena, &out), 0);
	k = keys[0];
	k.mtime_ns++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &arena, &out), 0);
	k = keys[0];
	k.ctime_ns++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &arena, &out), 0);
	k = keys[0];
	k.ino++;
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &k, &arena, &out), 0);
	assert_int_equal(mg_revcache_get(c, 0, "versions/other.py", &keys[0], &arena, &out), 0);
	/* A key of 0 (the file could not be stat'ed) is never trusted. */
	{
		struct mg_statkey zero = {0, 0, 0, 0, 0};
		struct mg_revcache *z = roundtrip(revs, &zero, 1);
		assert_int_equal(mg_revcache_get(z, 0, "versions/a.py", &zero, &arena, &out), 0);
		mg_revcache_free(z);
	}
	mg_revcache_free(c);
	mg_arena_free(&arena);
}

static void
test_racy_file_misses(void **state)
{
	/* Modified half a second before the run that wrote the record: it
	 * may have changed again within the same clock tick. */
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - SEC / 2)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	struct mg_arena arena = {0};
	struct mg_rev out;

	(void)state;
	assert_int_equal(mg_revcache_count(c), 1);
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &keys[0], &arena, &out), 0);
	mg_revcache_free(c);
	mg_arena_free(&arena);
}

/* Overwrites bytes of the cache file at offset from its end (from its start if >= 0). */
static void
damage(long offset, const char *bytes)
{
	char *file = mg_revcache_path(dirs, 1, 0, 0);
	FILE *f;

	assert_non_null(file);
	f = fopen(file, "r+b");
	assert_non_null(f);
	fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET);
	fputs(bytes, f);
	fclose(f);
	free(file);
}

static void
test_damaged_cache_is_ignored(void **state)
{
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - 10 * SEC)};
	struct mg_revcache *c = roundtrip(revs, keys, 1);
	struct mg_arena arena = {0};
	struct mg_rev out;

	(void)state;
	mg_revcache_free(c);
	/* A damaged record: read when asked for, and not trusted. */
	damage(-5, "9999"); /* a length past the end */
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	assert_non_null(c);
	assert_int_equal(mg_revcache_get(c, 0, "versions/a.py", &keys[0], &arena, &out), 0);
	mg_revcache_free(c);
	/* A damaged header: nothing at all. */
	damage(0, "migen-revcache 0");
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	assert_non_null(c);
	assert_int_equal(mg_revcache_count(c), 0);
	mg_revcache_free(c);
	mg_arena_free(&arena);
}

/*
 * The listing from the cache, on a real folder: trusted only when every
 * folder asked for was stamped, no stamp changed, none is racy, and the
 * records' paths are sorted and inside the folders.
 */
static size_t
listing_after_save(const struct mg_rev *revs, size_t n, const struct mg_revfolder *f, size_t nf,
                   const char *const *ask, size_t nask, int64_t written, const char ***paths)
{
	struct mg_statkey keys[4];
	struct mg_revcache *c = mg_revcache_open(ask, nask, 0, 0, written);
	size_t i, got;

	for (i = 0; i < n; i++)
		keys[i] = key(7 + i, WRITTEN);
	mg_revcache_save(c, revs, keys, n, f, nf);
	mg_revcache_free(c);
	c = mg_revcache_open(ask, nask, 0, 0, written + 5 * SEC);
	got = mg_revcache_listing(c, ask, nask, paths);
	if (got != MG_REVCACHE_NONE && got > 0) {
		/* The paths live in the cache: check them before freeing it. */
		assert_string_equal((*paths)[0], revs[0].path);
		assert_string_equal((*paths)[got - 1], revs[got - 1].path);
	}
	mg_revcache_free(c);
	return got;
}

static void
test_listing_from_unchanged_folders(void **state)
{
	char proj[64], cwd[4096];
	struct stat st;
	struct mg_revfolder f[1];
	struct mg_rev sorted[2] = {rev("versions/a.py", "a1", NULL),
	                           rev("versions/b.py", "b2", "a1")};
	struct mg_rev unsorted[2] = {rev("versions/b.py", "b2", "a1"),
	                             rev("versions/a.py", "a1", NULL)};
	struct mg_rev outside[2] = {rev("versions/a.py", "a1", NULL),
	                            rev("versionsX/b.py", "b2", "a1")};
	const char *two[] = {"versions", "other"};
	const char **paths;
	int64_t written;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(proj, sizeof(proj), "%s/proj", home);
	assert_int_equal(mkdir(proj, 0700), 0);
	assert_int_equal(chdir(proj), 0);
	assert_int_equal(mkdir("versions", 0700), 0);
	assert_int_equal(stat("versions", &st), 0);
	f[0].path = "versions";
	mg_statkey_from(&f[0].key, &st);
	/* Written well after the folder last changed. */
	written = f[0].key.ctime_ns + 10 * SEC;
	if (f[0].key.mtime_ns > f[0].key.ctime_ns)
		written = f[0].key.mtime_ns + 10 * SEC;

	assert_int_equal(listing_after_save(sorted, 2, f, 1, dirs, 1, written, &paths), 2);
	/* Changed within the margin of the run that wrote it: listed again. */
	assert_int_equal(listing_after_save(sorted, 2, f, 1, dirs, 1, written - 10 * SEC, &paths),
	                 MG_REVCACHE_NONE);
	/* A folder asked for that the cache never listed. */
	assert_int_equal(listing_after_save(sorted, 2, f, 1, two, 2, written, &paths),
	                 MG_REVCACHE_NONE);
	/* Records out of order, or outside the folders: not a listing. */
	assert_int_equal(listing_after_save(unsorted, 2, f, 1, dirs, 1, written, &paths),
	                 MG_REVCACHE_NONE);
	assert_int_equal(listing_after_save(outside, 2, f, 1, dirs, 1, written, &paths),
	                 MG_REVCACHE_NONE);
	/* The folder changes (a file added): its stamp no longer matches. */
	{
		FILE *x = fopen("versions/c.py", "w");
		assert_non_null(x);
		fclose(x);
		/* On a coarse clock the change may share the stamp's tick: move it. */
		{
			struct timespec old[2] = {{0, 0}, {0, 0}};
			old[0].tv_sec = old[1].tv_sec = (time_t)(f[0].key.mtime_ns / SEC) - 100;
			assert_int_equal(utimensat(AT_FDCWD, "versions", old, 0), 0);
		}
		assert_int_equal(listing_after_save(sorted, 2, f, 1, dirs, 1, written, &paths),
		                 MG_REVCACHE_NONE);
	}
	assert_int_equal(chdir(cwd), 0);
}

static void
test_stale_folders(void **state)
{
	struct mg_rev revs[1] = {rev("versions/a.py", "a1", NULL)};
	struct mg_statkey keys[1] = {key(7, WRITTEN - 10 * SEC)};
	struct mg_revfolder f[1] = {
	    {"versions", {1, 2, 4096, WRITTEN - 10 * SEC, WRITTEN - 10 * SEC}}};
	struct mg_revfolder g[1] = {
	    {"versions", {1, 2, 4096, WRITTEN - 5 * SEC, WRITTEN - 5 * SEC}}};
	struct mg_revfolder racy[1] = {{"versions", {1, 2, 4096, WRITTEN, WRITTEN}}};
	struct mg_revcache *c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN);

	(void)state;
	mg_revcache_save(c, revs, keys, 1, f, 1);
	mg_revcache_free(c);
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	assert_int_equal(mg_revcache_folders_stale(c, f, 1), 0);
	assert_int_equal(mg_revcache_folders_stale(c, g, 1), 1);
	assert_int_equal(mg_revcache_folders_stale(c, f, 0), 1);
	mg_revcache_free(c);
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN);
	mg_revcache_save(c, revs, keys, 1, racy, 1);
	mg_revcache_free(c);
	c = mg_revcache_open(dirs, 1, 0, 0, WRITTEN + 5 * SEC);
	/* Same stamp, but too recent for the run that wrote it: rewrite. */
	assert_int_equal(mg_revcache_folders_stale(c, racy, 1), 1);
	mg_revcache_free(c);
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
	    cmocka_unit_test(test_listing_from_unchanged_folders),
	    cmocka_unit_test(test_stale_folders),
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
