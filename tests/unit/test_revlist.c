/*
 * Listing version folders: which names are migrations, the order (the radix
 * sort on 8-byte keys must give strcmp's order, ties and short names
 * included), and a real folder listed with and without sub-folders.
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

#include "migen/revlist.h"

static void
test_which_names_are_migrations(void **state)
{
	(void)state;
	assert_true(mg_revlist_is_migration("1a2b_add_users.py"));
	assert_true(mg_revlist_is_migration("x.py"));
	assert_false(mg_revlist_is_migration("__init__.py"));
	assert_false(mg_revlist_is_migration("__init__x.py"));
	assert_false(mg_revlist_is_migration(".#1a2b_add_users.py"));
	assert_false(mg_revlist_is_migration("notes.txt"));
	assert_false(mg_revlist_is_migration("x.pyc"));
	/* Alembic's pattern is (?!\.\#|__init__)(.*\.py)$: even a bare ".py". */
	assert_true(mg_revlist_is_migration(".py"));
}

static int
cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Paths that stress the keys: shared prefixes past 8 bytes, names shorter
 * than a key, one name the prefix of another, bytes above 0x7f. */
static char *
random_path(struct mg_arena *a, unsigned *seed)
{
	static const char *const heads[] = {"", "2024_01_15_", "0001_", "aaaaaaaaaaaa",
	                                    "\xc3\xa9t"};
	static const char alphabet[] = "0123456789abcdef_\xc3\xa9";
	char buf[64];
	size_t n, i, len;

	*seed = *seed * 1103515245u + 12345u;
	n = snprintf(buf, sizeof(buf), "versions/%s", heads[(*seed >> 16) % 5]);
	*seed = *seed * 1103515245u + 12345u;
	len = (*seed >> 16) % 14;
	for (i = 0; i < len; i++) {
		*seed = *seed * 1103515245u + 12345u;
		buf[n++] = alphabet[(*seed >> 16) % (sizeof(alphabet) - 1)];
	}
	buf[n] = '\0';
	return mg_arena_strdup(a, buf);
}

static void
test_sort_is_strcmp_order(void **state)
{
	struct mg_arena a = {0};
	unsigned seed = 7;
	int trial;

	(void)state;
	for (trial = 0; trial < 50; trial++) {
		struct mg_revlist l = {0};
		size_t i, n = 1 + (size_t)trial * 37;
		char **want = calloc(n, sizeof(*want));

		assert_non_null(want);
		for (i = 0; i < n; i++) {
			struct mg_revfile f = {random_path(&a, &seed), 0, (ino_t)i, 1};
			/* Every so often the same path twice: ties all the way. */
			if (i > 0 && i % 11 == 0)
				f.path = l.v[i - 1].path;
			mg_grow(&l.v, &l.cap, l.n + 1, sizeof(*l.v));
			l.v[l.n++] = f;
			want[i] = f.path;
		}
		qsort(want, n, sizeof(*want), cmp_path);
		mg_revlist_sort(&l);
		assert_int_equal(l.n, n);
		for (i = 0; i < n; i++)
			assert_string_equal(l.v[i].path, want[i]);
		free(want);
		mg_revlist_free(&l);
	}
	mg_arena_free(&a);
}

static void
touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
}

static void
test_lists_a_real_folder(void **state)
{
	char top[] = "/tmp/migen-revlist-XXXXXX", cwd[4096], cmd[128];
	const char *const dirs[] = {"versions", "missing"};
	const char *why = NULL, *where = NULL;
	struct mg_arena a = {0};
	struct mg_revlist l = {0};

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(top));
	assert_int_equal(chdir(top), 0);
	assert_int_equal(mkdir("versions", 0700), 0);
	assert_int_equal(mkdir("versions/__pycache__", 0700), 0);
	assert_int_equal(mkdir("versions/sub", 0700), 0);
	assert_int_equal(mkdir("elsewhere", 0700), 0);
	touch("versions/b_second.py");
	touch("versions/a_first.py");
	touch("versions/__init__.py");
	touch("versions/notes.txt");
	touch("versions/__pycache__/c.py");
	touch("versions/sub/d.py");
	touch("elsewhere/e.py");
	/* A link to a folder is not followed, as os.walk does not. */
	assert_int_equal(symlink("../elsewhere", "versions/linked"), 0);

	l.arena = &a;
	assert_int_equal(mg_revlist_dirs(&l, dirs, 2, 0, &why, &where), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].path, "versions/a_first.py");
	assert_string_equal(l.v[1].path, "versions/b_second.py");
	assert_true(l.v[0].regular);
	assert_int_equal(l.nfolders, 1); /* "missing" is skipped, not stamped */
	assert_string_equal(l.folders[0].path, "versions");
	mg_revlist_free(&l);

	l.arena = &a;
	assert_int_equal(mg_revlist_dirs(&l, dirs, 1, 1, &why, &where), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2].path, "versions/sub/d.py");
	assert_int_equal(l.nfolders, 2);
	mg_revlist_free(&l);

	assert_int_equal(chdir(cwd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
	mg_arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_which_names_are_migrations),
	    cmocka_unit_test(test_sort_is_strcmp_order),
	    cmocka_unit_test(test_lists_a_real_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
