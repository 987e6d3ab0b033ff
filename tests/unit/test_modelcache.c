/*
 * The analysed-model cache and the parallel analysis: every fixture's
 * model survives encode → decode with every field equal; the field list
 * covers every byte of model.h's structs; a damaged, truncated or hostile
 * cache gives a miss or the right model, never a crash (run under ASan);
 * serial and parallel analysis give the same models, and a warm run gives
 * what a cold one does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/analyze.h"
#include "migen/analyze_many.h"
#include "migen/input.h"
#include "migen/modelcache.h"

#define SEC 1000000000LL
#define WRITTEN (1000 * SEC)

static char home[] = "/tmp/migen-modelcache-XXXXXX";

/* Every .py under fixtures/, sorted (a stable order for the comparisons). */
static char **files;
static size_t nfiles;

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path);
		} else if (S_ISREG(st.st_mode) && n > 3 && strcmp(e->d_name + n - 3, ".py") == 0) {
			files = realloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = strdup(path);
		}
	}
	closedir(d);
}

static int
setup(void **state)
{
	const char *fx = getenv("MIGEN_FIXTURES");

	(void)state;
	walk(fx ? fx : "fixtures");
	qsort(files, nfiles, sizeof(*files), strpcmp);
	if (mkdtemp(home) == NULL)
		return -1;
	setenv("XDG_CACHE_HOME", home, 1);
	unsetenv("MIGEN_NO_CACHE");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];
	size_t i;

	(void)state;
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

static struct mg_model *
analyse(const char *path, struct mg_input *in)
{
	const char *why;

	if (mg_input_read(path, in, &why) != 0)
		return NULL;
	return mg_analyze(path, in->data, in->len, MG_ANALYZE_FULL);
}

static void
assert_same(const struct mg_model *a, const struct mg_model *b, const char *path)
{
	char where[256] = "";

	if (!mg_model_same_deep(a, b, where, sizeof(where)))
		fail_msg("%s: models differ at %s", path, where);
}

static void
test_layout(void **state)
{
	char why[256] = "";

	(void)state;
	if (mg_model_layout_check(why, sizeof(why)) != 0)
		fail_msg("the field list in modelcodec.c misses a field of model.h: %s", why);
}

/* Every fixture: encode, decode, compare every field; the encoding is stable. */
static void
test_roundtrip_fixtures(void **state)
{
	size_t i, done = 0;

	(void)state;
	assert_true(nfiles > 100);
	for (i = 0; i < nfiles; i++) {
		struct mg_input in;
		struct mg_model *m = analyse(files[i], &in), *back;
		struct mg_buf a = {0}, b = {0};

		if (m == NULL)
			continue; /* not UTF-8 and the like: nothing to cache */
		mg_model_encode(m, &a);
		back = mg_model_decode(a.s, a.len, files[i]);
		if (back == NULL)
			fail_msg("%s: its own encoding does not decode", files[i]);
		assert_null(back->src);
		assert_null(back->lookup); /* built when rules run on it */
		assert_same(m, back, files[i]);
		mg_model_encode(back, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.s, b.s, a.len);
		mg_buf_free(&a);
		mg_buf_free(&b);
		mg_model_free(back);
		mg_model_free(m);
		mg_input_free(&in);
		done++;
	}
	assert_true(done > 100);
}

/* The comparator sees a change in a nested field, and names it. */
static void
test_comparator(void **state)
{
	struct mg_input in;
	struct mg_model *m, *n;
	struct mg_buf a = {0};
	char where[256] = "";
	size_t i;

	(void)state;
	for (i = 0; i < nfiles && strstr(files[i], "02_create_notifications") == NULL; i++)
		;
	assert_true(i < nfiles);
	m = analyse(files[i], &in);
	assert_non_null(m);
	mg_model_encode(m, &a);
	n = mg_model_decode(a.s, a.len, files[i]);
	assert_non_null(n);
	assert_true(m->ntables > 0 && m->tables[0].ncolumns > 1);
	n->tables[0].columns[1].nullable = !n->tables[0].columns[1].nullable;
	assert_false(mg_model_same_deep(m, n, where, sizeof(where)));
	assert_string_equal(where, "tables[0].columns[1].nullable");
	n->tables[0].columns[1].nullable = m->tables[0].columns[1].nullable;
	assert_true(mg_model_same_deep(m, n, NULL, 0));
	n->rev.down_revision.v = NULL;
	assert_false(mg_model_same_deep(m, n, where, sizeof(where)));
	mg_buf_free(&a);
	mg_model_free(n);
	mg_model_free(m);
	mg_input_free(&in);
}

/*
 * Well-formed encodings of models no reader could trust: an index out of
 * range, a span past the end of the file, a missing string that readers
 * use without checking. Each is refused.
 */
static void
test_decode_invalid(void **state)
{
	struct mg_input in;
	struct mg_model *m;
	size_t i, k;

	(void)state;
	for (i = 0; i < nfiles && strstr(files[i], "02_create_notifications") == NULL; i++)
		;
	assert_true(i < nfiles);
	m = analyse(files[i], &in);
	assert_non_null(m);
	assert_true(m->nops > 0 && m->ntables > 0 && m->nfunctions > 0);
	for (k = 0; k < 7; k++) {
		struct mg_buf a = {0};
		size_t parent = m->ops[0].parent, top = m->tables[0].op, index = m->ops[0].index;
		uint32_t end = m->ops[0].span.end;
		const char *name = m->functions[0].name;
		char quote = m->quote;

		switch (k) {
		case 0:
			m->ops[0].parent = m->nops;
			break;
		case 1:
			m->tables[0].op = (size_t)-1;
			break;
		case 2:
			m->ops[0].index = m->nindexes + 5;
			break;
		case 3:
			m->ops[0].span.end = (uint32_t)m->srclen + 1;
			break;
		case 4:
			m->functions[0].name = NULL;
			break;
		case 5:
			m->quote = '\0';
			break;
		case 6:
			break; /* unchanged: decodes */
		}
		mg_model_encode(m, &a);
		if (k < 6) {
			assert_null(mg_model_decode(a.s, a.len, files[i]));
		} else {
			struct mg_model *back = mg_model_decode(a.s, a.len, files[i]);
			assert_non_null(back);
			mg_model_free(back);
		}
		mg_buf_free(&a);
		m->ops[0].parent = parent;
		m->tables[0].op = top;
		m->ops[0].index = index;
		m->ops[0].span.end = end;
		m->functions[0].name = name;
		m->quote = quote;
	}
	mg_model_free(m);
	mg_input_free(&in);
}

/* Mutated encodings: a miss or a model, never a crash (ASan watches the reads). */
static void
test_decode_hostile(void **state)
{
	unsigned seed = 12345;
	size_t i, f, decoded = 0;

	(void)state;
	for (f = 0; f < nfiles; f += 7) {
		struct mg_input in;
		struct mg_model *m = analyse(files[f], &in), *back;
		struct mg_buf a = {0};
		char *buf;

		if (m == NULL)
			continue;
		mg_model_encode(m, &a);
		buf = malloc(a.len + 1);
		/* Every truncation. */
		for (i = 0; i < a.len; i++) {
			memcpy(buf, a.s, i);
			back = mg_model_decode(buf, i, files[f]);
			assert_null(back);
		}
		/* Bytes flipped, one to three at a time. */
		for (i = 0; i < 3000; i++) {
			int k, nflip = 1 + (int)(i % 3);
			memcpy(buf, a.s, a.len);
			for (k = 0; k < nflip; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[(seed >> 8) % a.len] ^= (char)(1u << ((seed >> 4) % 8));
			}
			back = mg_model_decode(buf, a.len, files[f]);
			if (back != NULL) {
				struct mg_buf b = {0};
				decoded++;
				/* What decodes is a valid model: it encodes back and passes again.
				 */
				mg_model_encode(back, &b);
				mg_model_free(mg_model_decode(b.s, b.len, files[f]));
				mg_buf_free(&b);
				mg_model_free(back);
			}
		}
		free(buf);
		mg_buf_free(&a);
		mg_model_free(m);
		mg_input_free(&in);
	}
	(void)decoded;
}

static void
key_for(struct mg_statkey *k, size_t i, const struct mg_model *m)
{
	memset(k, 0, sizeof(*k));
	k->dev = 1;
	k->ino = 100 + i;
	k->size = m->srclen;
	k->mtime_ns = k->ctime_ns = 10 * SEC;
}

static size_t
cache_size(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 ? (size_t)st.st_size : 0;
}

static char *
slurp_file(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *s;

	assert_non_null(f);
	*len = cache_size(file);
	s = malloc(*len + 1);
	assert_int_equal(fread(s, 1, *len, f), *len);
	fclose(f);
	return s;
}

static void
spit_file(const char *file, const char *s, size_t len)
{
	FILE *f = fopen(file, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

/* Save every fixture's model; get each back by key; racy or other keys miss. */
static void
test_cache_file(void **state)
{
	struct mg_model **models = calloc(nfiles, sizeof(*models));
	struct mg_input *ins = calloc(nfiles, sizeof(*ins));
	struct mg_statkey *keys = calloc(nfiles, sizeof(*keys));
	struct mg_buf *enc = calloc(nfiles, sizeof(*enc));
	const char **paths = calloc(nfiles, sizeof(*paths));
	struct mg_modelcache *c;
	char *file = mg_modelcache_path("unit");
	char *orig;
	size_t i, len, hits;
	unsigned seed = 7;

	(void)state;
	assert_non_null(file);
	unlink(file);
	for (i = 0; i < nfiles; i++) {
		paths[i] = files[i];
		models[i] = analyse(files[i], &ins[i]);
		if (models[i] != NULL) {
			key_for(&keys[i], i, models[i]);
			mg_model_encode(models[i], &enc[i]);
		}
	}
	c = mg_modelcache_open("unit", WRITTEN);
	assert_non_null(c);
	assert_int_equal(mg_modelcache_count(c), 0);
	mg_modelcache_save(c, paths, keys, enc, NULL, nfiles);
	mg_modelcache_free(c);

	c = mg_modelcache_open("unit", WRITTEN + SEC);
	assert_non_null(c);
	for (i = hits = 0; i < nfiles; i++) {
		struct mg_model *m;
		struct mg_statkey k = keys[i];

		if (models[i] == NULL)
			continue;
		/* The hint is wrong on purpose for odd i: the binary search finds it. */
		m = mg_modelcache_get(c, i % 2 ? 0 : i, paths[i], &k);
		assert_non_null(m);
		assert_same(models[i], m, paths[i]);
		mg_model_free(m);
		hits++;
		k.mtime_ns++;
		assert_null(mg_modelcache_get(c, i, paths[i], &k));
		k = keys[i];
		k.ino++;
		assert_null(mg_modelcache_get(c, i, paths[i], &k));
		/* Changed within a second of the writing run: racy, not trusted. */
		k = keys[i];
		k.ctime_ns = WRITTEN - SEC / 2;
		assert_null(mg_modelcache_get(c, i, paths[i], &k));
	}
	assert_int_equal(mg_modelcache_count(c), hits);
	assert_null(mg_modelcache_get(c, 0, "no/such.py", &keys[0]));
	/* Saved again reusing every record: the same bytes. */
	orig = slurp_file(file, &len);
	{
		unsigned char *reuse = calloc(nfiles, 1);
		char *again;
		size_t len2;
		memset(reuse, 1, nfiles);
		mg_modelcache_save(c, paths, keys, enc, reuse, nfiles);
		again = slurp_file(file, &len2);
		assert_int_equal(len, len2);
		/* Only the "started" stamp differs. */
		free(again);
		free(reuse);
	}
	mg_modelcache_free(c);
	spit_file(file, orig, len);

	/* Damaged caches: a flipped byte or a cut anywhere gives a miss or the right model. */
	for (i = 0; i < 400; i++) {
		char *bad = malloc(len);
		size_t cut = len, j, got = 0;

		memcpy(bad, orig, len);
		seed = seed * 1103515245u + 12345u;
		if (i % 4 == 0)
			cut = (seed >> 4) % len;
		else
			bad[(seed >> 4) % len] ^= (char)(1u << (seed % 8));
		spit_file(file, bad, cut);
		c = mg_modelcache_open("unit", WRITTEN + SEC);
		if (c != NULL) {
			for (j = 0; j < nfiles; j += 3) {
				struct mg_model *m;
				if (models[j] == NULL)
					continue;
				m = mg_modelcache_get(c, j, paths[j], &keys[j]);
				if (m != NULL) {
					assert_same(models[j], m, paths[j]);
					got++;
				}
				mg_model_free(m);
			}
			mg_modelcache_free(c);
		}
		(void)got;
		free(bad);
	}
	/* Another format's file, an empty file, a folder: no cache, no crash. */
	spit_file(file, "migen-modelcache 0\n", 19);
	c = mg_modelcache_open("unit", WRITTEN);
	assert_int_equal(mg_modelcache_count(c), 0);
	mg_modelcache_free(c);
	spit_file(file, "", 0);
	c = mg_modelcache_open("unit", WRITTEN);
	assert_int_equal(mg_modelcache_count(c), 0);
	mg_modelcache_free(c);

	free(orig);
	for (i = 0; i < nfiles; i++) {
		mg_model_free(models[i]);
		mg_input_free(&ins[i]);
		mg_buf_free(&enc[i]);
	}
	free(enc);
	unlink(file);
	free(file);
	free(models);
	free(ins);
	free(keys);
	free(paths);
}

/* Serial and parallel analysis give the same models, in the same order. */
static void
test_serial_parallel(void **state)
{
	struct mg_analyzed *one = calloc(nfiles + 1, sizeof(*one));
	struct mg_analyzed *many = calloc(nfiles + 1, sizeof(*many));
	const char **paths = calloc(nfiles + 1, sizeof(*paths));
	struct mg_analyze_opts o1 = {0}, o4 = {0};
	struct mg_analyze_stats st;
	size_t i, n = nfiles + 1;

	(void)state;
	for (i = 0; i < nfiles; i++)
		paths[i] = files[i];
	paths[nfiles] = "no/such/file.py";
	o1.jobs = 1;
	o4.jobs = 4;
	mg_analyze_many(paths, n, &o1, one, &st);
	assert_int_equal(st.hits, 0);
	assert_true(st.failed >= 1);
	mg_analyze_many(paths, n, &o4, many, NULL);
	for (i = 0; i < n; i++) {
		assert_true((one[i].model == NULL) == (many[i].model == NULL));
		if (one[i].model == NULL) {
			assert_non_null(one[i].error);
			assert_string_equal(one[i].error, many[i].error);
			continue;
		}
		assert_string_equal(one[i].model->path, paths[i]);
		assert_same(one[i].model, many[i].model, paths[i]);
		assert_int_equal(one[i].model->srclen, many[i].model->srclen);
		assert_memory_equal(one[i].model->src, many[i].model->src, one[i].model->srclen);
	}
	mg_analyzed_free(one, n);
	mg_analyzed_free(many, n);
	free(one);
	free(many);
	free(paths);
}

/*
 * Through the cache: the first run analyses every file, the second takes
 * every model from the cache (the fixtures are older than the run), with
 * the same values; with need_src off, no file is read.
 */
static void
test_warm_equals_cold(void **state)
{
	struct mg_analyzed *cold = calloc(nfiles, sizeof(*cold));
	struct mg_analyzed *warm = calloc(nfiles, sizeof(*warm));
	const char **paths = calloc(nfiles, sizeof(*paths));
	unsigned char *need = calloc(nfiles, 1);
	struct mg_analyze_opts o = {0};
	struct mg_analyze_stats st;
	struct timespec now;
	size_t i;

	(void)state;
	for (i = 0; i < nfiles; i++)
		paths[i] = files[i];
	clock_gettime(CLOCK_REALTIME, &now);
	o.cache_scope = "warm-test";
	/* A run "now + 1 h" sees the fixtures as older than the racy margin. */
	o.started_ns = ((int64_t)now.tv_sec + 3600) * SEC;
	/* The cold run in two windows of one session: one cache for both. */
	{
		struct mg_analysis *s = mg_analysis_open(&o);
		size_t half = nfiles / 2;
		mg_analysis_run(s, paths, half, NULL, cold);
		mg_analysis_run(s, paths + half, nfiles - half, NULL, cold + half);
		mg_analysis_run(s, paths, 0, NULL, NULL); /* an empty window */
		mg_analysis_close(s, &st);
	}
	assert_int_equal(st.hits, 0);
	assert_true(st.misses > 100);
	o.started_ns += SEC;
	o.need_src = need;
	need[0] = 1;
	mg_analyze_many(paths, nfiles, &o, warm, &st);
	assert_int_equal(st.misses, 0);
	assert_int_equal(st.hits + st.failed, nfiles);
	for (i = 0; i < nfiles; i++) {
		if (cold[i].model == NULL) {
			assert_null(warm[i].model);
			continue;
		}
		assert_true(warm[i].cached);
		assert_same(cold[i].model, warm[i].model, paths[i]);
		if (i == 0) {
			assert_non_null(warm[i].model->src);
			assert_non_null(warm[i].model->lookup);
			assert_memory_equal(warm[i].model->src, cold[i].model->src,
			                    cold[i].model->srclen);
		} else {
			assert_null(warm[i].model->src);
		}
	}
	/* --no-cache: every file analysed again. */
	mg_analyzed_free(warm, nfiles);
	o.no_cache = 1;
	mg_analyze_many(paths, nfiles, &o, warm, &st);
	assert_int_equal(st.hits, 0);
	mg_analyzed_free(cold, nfiles);
	mg_analyzed_free(warm, nfiles);
	free(cold);
	free(warm);
	free(paths);
	free(need);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    /* clang-format off */
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_roundtrip_fixtures),
	    cmocka_unit_test(test_comparator),
	    cmocka_unit_test(test_decode_invalid),
	    cmocka_unit_test(test_decode_hostile),
	    cmocka_unit_test(test_cache_file),
	    cmocka_unit_test(test_serial_parallel),
	    cmocka_unit_test(test_warm_equals_cold),
	    /* clang-format on */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
