/*
 * What the parts of a `migen lint` run cost on one version folder, before
 * the engine exists: the floor (a stat of every file), the cold analysis
 * on one and on all cores, writing the model cache, and the warm paths
 * (every model from the cache; the same with every file's bytes read, as
 * an audit's rules need; the --since case, where only one file's bytes are
 * needed). Median of R runs each, in milliseconds, one line per figure.
 *
 *   analyze-bench VERSIONS_DIR [R]
 *
 * Runs in a temporary XDG_CACHE_HOME that it removes. ANALYZE_BENCH_WARM=K
 * instead fills the cache once and makes K warm runs (for perf and for
 * /usr/bin/time), in windows of ANALYZE_BENCH_WINDOW files if set.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/analyze_many.h"
#include "migen/modelcache.h"
#include "timing.h"

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One run over every file: in one go, or with ANALYZE_BENCH_WINDOW=W in
 * windows of W files, each freed before the next (as a graph walk that
 * replays and forgets would), to see the memory a window needs.
 */
static void
run_all(const char *const *paths, size_t n, const struct mg_analyze_opts *o,
        struct mg_analyzed *out, const unsigned char *need)
{
	const char *w = getenv("ANALYZE_BENCH_WINDOW");
	size_t win = w ? (size_t)atol(w) : n, i, k;
	struct mg_analysis *s = mg_analysis_open(o);

	if (win == 0)
		win = n;
	for (i = 0; i < n; i += win) {
		k = n - i < win ? n - i : win;
		mg_analysis_run(s, paths + i, k, need ? need + i : NULL, out);
		mg_analyzed_free(out, k);
	}
	mg_analysis_close(s, NULL);
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/migen-abench-XXXXXX", cmd[256];
	const char *dir;
	char **paths = NULL, *file;
	size_t n = 0, i;
	int r, reps;
	double t[64], t0;
	DIR *d;
	struct dirent *e;
	struct mg_analyzed *out;
	struct mg_analyze_opts o;
	struct mg_analyze_stats st;
	unsigned char *need;
	struct stat sb;
	struct timespec rt;

	if (argc < 2) {
		fprintf(stderr, "usage: analyze-bench VERSIONS_DIR [R]\n");
		return 2;
	}
	dir = argv[1];
	reps = argc > 2 ? atoi(argv[2]) : 5;
	if (reps < 1 || reps > 64)
		reps = 5;
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".py") == 0) {
			paths = realloc(paths, (n + 1) * sizeof(*paths));
			paths[n] = malloc(strlen(dir) + len + 2);
			sprintf(paths[n++], "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(paths, n, sizeof(*paths), strpcmp);
	if (mkdtemp(tmpl) == NULL)
		return 2;
	if (getenv("ANALYZE_BENCH_FILLED") == NULL)
		setenv("XDG_CACHE_HOME", tmpl, 1);
	unsetenv("MIGEN_NO_CACHE");
	out = calloc(n, sizeof(*out));
	need = calloc(n, 1);
	printf("files %zu, jobs %d\n", n, mg_analyze_jobs(0, n));

	/* ANALYZE_BENCH_WARM=K: one cold run that fills the cache, then only
	 * the warm run (models only), K times: for perf stat / perf record. */
	if (getenv("ANALYZE_BENCH_WARM") != NULL) {
		int k = atoi(getenv("ANALYZE_BENCH_WARM"));
		memset(&o, 0, sizeof(o));
		clock_gettime(CLOCK_REALTIME, &rt);
		o.cache_scope = "bench";
		o.started_ns = ((long long)rt.tv_sec + 3600) * 1000000000LL;
		/* ANALYZE_BENCH_FILLED=1: the cache of a previous run is there (its
		 * XDG_CACHE_HOME given): only warm runs, for their own peak RSS. */
		if (getenv("ANALYZE_BENCH_FILLED") == NULL)
			run_all((const char *const *)paths, n, &o, out, NULL);
		o.started_ns += 1000000000LL;
		for (r = 0; r < k; r++)
			run_all((const char *const *)paths, n, &o, out, need);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		return system(cmd) != 0;
	}

	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		for (i = 0; i < n; i++)
			(void)stat(paths[i], &sb);
		t[r] = now_ms() - t0;
	}
	printf("stat every file (1 thread): %.2f ms\n", median(t, reps));

	memset(&o, 0, sizeof(o));
	o.jobs = 1;
	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	printf("cold, 1 thread: %.1f ms (%.1f us a file)\n", median(t, reps),
	       median(t, reps) * 1e3 / (double)n);
	o.jobs = 0;
	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	printf("cold, all cores: %.1f ms\n", median(t, reps));

	/* A run "one hour from now": the files are well older than it (racy rule). */
	clock_gettime(CLOCK_REALTIME, &rt);
	o.cache_scope = "bench";
	for (r = 0; r < reps; r++) {
		file = mg_modelcache_path("bench");
		unlink(file);
		free(file);
		o.started_ns = ((long long)rt.tv_sec + 3600) * 1000000000LL;
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	file = mg_modelcache_path("bench");
	stat(file, &sb);
	printf("cold, all cores, cache written: %.1f ms (cache file %.1f MB, %.0f bytes a model)\n",
	       median(t, reps), (double)sb.st_size / 1e6, (double)sb.st_size / (double)n);
	free(file);

	o.started_ns += 1000000000LL;
	o.need_src = need; /* no bytes needed: the replay only */

	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		if (st.hits != n - st.failed)
			fprintf(stderr, "warm run: %zu hits of %zu\n", st.hits, n);
		mg_analyzed_free(out, n);
	}
	printf("warm, models only (stat + decode): %.2f ms (%.2f us a file)\n", median(t, reps),
	       median(t, reps) * 1e3 / (double)n);
	o.jobs = 1;
	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	printf("warm, models only, 1 thread: %.2f ms\n", median(t, reps));
	o.jobs = 0;
	need[n - 1] = 1; /* --since: the one new file's bytes */
	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	printf("warm, one file's bytes read (--since): %.2f ms\n", median(t, reps));
	o.need_src = NULL;
	for (r = 0; r < reps; r++) {
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		mg_analyzed_free(out, n);
	}
	printf("warm, every file's bytes read (audit): %.2f ms\n", median(t, reps));

	/* One changed file: analysed, and the cache rewritten (records copied). */
	for (r = 0; r < reps; r++) {
		file = mg_modelcache_path("bench");
		o.started_ns += 1000000000LL;
		o.need_src = need;
		/* The record for the last file goes: a miss, as a new migration is. */
		{
			struct mg_modelcache *c = mg_modelcache_open("bench", o.started_ns);
			struct mg_statkey *keys = calloc(n, sizeof(*keys));
			unsigned char *reuse = calloc(n, 1);
			struct mg_buf *enc = calloc(n, sizeof(*enc));
			for (i = 0; i + 1 < n; i++) {
				stat(paths[i], &sb);
				mg_statkey_from(&keys[i], &sb);
				reuse[i] = 1;
			}
			mg_modelcache_save(c, (const char *const *)paths, keys, enc, reuse, n);
			mg_modelcache_free(c);
			free(keys);
			free(reuse);
			free(enc);
		}
		free(file);
		t0 = now_ms();
		mg_analyze_many((const char *const *)paths, n, &o, out, &st);
		t[r] = now_ms() - t0;
		if (st.misses != 1)
			fprintf(stderr, "one new file: %zu misses\n", st.misses);
		mg_analyzed_free(out, n);
	}
	printf("warm, one new file analysed + cache rewritten: %.2f ms\n", median(t, reps));

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		return 1;
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(out);
	free(need);
	return 0;
}
