/*
 * Many files into many models (see analyze_many.h), on a small thread pool.
 *
 * What makes mg_analyze_with() safe on several threads at once, checked
 * for this pool:
 * - tree-sitter: one TSParser per thread (each worker owns an mg_parser);
 *   the language tables are read-only; the node symbols (pytree.c) are
 *   looked up once under pthread_once.
 * - libpg_query (the SQL of op.execute): its memory contexts
 *   (TopMemoryContext, CurrentMemoryContext, ErrorContext) are thread-local
 *   in the library (readelf shows them as TLS symbols), so parses on two
 *   threads do not share an allocator; its results are the caller's.
 * - jansson (libpg_query's parse trees): no mutable global state but its
 *   hash seed, made on first use; it is made here, before any thread
 *   starts (json_object_seed(0) does nothing once a seed exists).
 * - migen's own caches: ident.c's answers per word are _Thread_local; the
 *   one static buffer (sqlcheck.c's message) belongs to the rules, not to
 *   the analysis. Each model has its own arena.
 * Workers take files by an atomic counter and write only out[i] of the
 * files they took, so the results do not depend on the schedule.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/analyze.h"
#include "migen/analyze_many.h"
#include "migen/input.h"
#include "migen/modelcache.h"

#define MAX_JOBS 16
/* Files a worker takes at once: a cache hit costs microseconds, and the
 * counter's cache line would otherwise bounce between cores. */
#define BATCH 8

/* What a session remembers of each file for the cache it writes at the end. */
struct seen {
	char *path;
	struct mg_statkey key;
	struct mg_buf enc; /* a model analysed now, encoded; empty for a cache hit */
	int hit;
};

struct mg_analysis {
	struct mg_analyze_opts o;
	struct mg_modelcache *cache; /* NULL: none */
	struct seen *seen;
	size_t nseen, capseen;
	size_t kept; /* seen only to be kept (mg_analysis_keep) */
	struct mg_analyze_stats st;
};

struct job {
	const char *const *paths;
	size_t n;
	const unsigned char *need_src;
	struct mg_analyzed *out;
	struct mg_modelcache *cache; /* NULL: none */
	struct mg_statkey *keys;     /* with a cache: each file's stat data, for the next run */
	struct mg_buf *enc;          /* with a cache: each analysed model, encoded by its worker */
	atomic_size_t next;
};

struct worker {
	struct job *job;
	struct mg_parser *parser; /* made on the first file this worker analyses */
	pthread_t tid;
};

static void
analyse_bytes(struct worker *w, size_t i, struct mg_input *in)
{
	struct mg_analyzed *a = &w->job->out[i];

	if (w->parser == NULL)
		w->parser = mg_parser_new();
	a->model = mg_analyze_with(w->parser, w->job->paths[i], in->data, in->len, MG_ANALYZE_FULL);
	a->src = in->data;
	a->st = in->st;
	in->data = NULL;
	/* Encoded here, on the worker's core, while the model is hot. */
	if (w->job->enc != NULL)
		mg_model_encode(a->model, &w->job->enc[i]);
}

/*
 * With a cache: a file whose bytes are not needed costs one stat when its
 * model is cached; one that is needed is read, and its stat data comes
 * from the descriptor the bytes were read through.
 */
static void
one(struct worker *w, size_t i)
{
	struct job *j = w->job;
	struct mg_analyzed *a = &j->out[i];
	const char *path = j->paths[i], *why = NULL;
	int need = j->need_src == NULL || j->need_src[i];
	struct mg_input in;
	struct stat st;

	memset(&in, 0, sizeof(in));
	if (j->cache != NULL && !need) {
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			mg_statkey_from(&j->keys[i], &st);
			if ((a->model = mg_modelcache_get(j->cache, i, path, &j->keys[i])) !=
			    NULL) {
				a->cached = 1;
				return;
			}
		}
	}
	if (mg_input_read(path, &in, &why) != 0) {
		a->error = why;
		if (j->keys != NULL)
			memset(&j->keys[i], 0, sizeof(j->keys[i]));
		return;
	}
	if (j->cache != NULL) {
		mg_statkey_from(&j->keys[i], &in.st);
		a->model = mg_modelcache_get(j->cache, i, path, &j->keys[i]);
		/* The bytes read must be the ones the model was made from. */
		if (a->model != NULL && a->model->srclen == in.len) {
			a->model->src = in.data;
			a->src = in.data;
			a->st = in.st;
			a->cached = 1;
			/* Rules run on this one: their lookups. */
			mg_model_finish(a->model);
			return;
		}
		mg_model_free(a->model);
		a->model = NULL;
	}
	analyse_bytes(w, i, &in);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->job;
	size_t i, k;

	while ((i = atomic_fetch_add(&j->next, BATCH)) < j->n)
		for (k = i; k < i + BATCH && k < j->n; k++)
			one(w, k);
	return NULL;
}

int
mg_analyze_jobs(int jobs, size_t n)
{
	long k = jobs;

	if (k <= 0)
		k = sysconf(_SC_NPROCESSORS_ONLN);
	if (k < 1)
		k = 1;
	if (k > MAX_JOBS)
		k = MAX_JOBS;
	/* A thread costs about as much as a small file's analysis. */
	if ((size_t)k > (n + BATCH - 1) / BATCH)
		k = (long)((n + BATCH - 1) / BATCH);
	return k < 1 ? 1 : (int)k;
}

static int64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

struct mg_analysis *
mg_analysis_open(const struct mg_analyze_opts *o)
{
	struct mg_analysis *s = mg_xcalloc(1, sizeof(*s));

	if (o != NULL)
		s->o = *o;
	if (s->o.started_ns == 0)
		s->o.started_ns = now_ns();
	if (!s->o.no_cache && s->o.cache_scope != NULL)
		s->cache = mg_modelcache_open(s->o.cache_scope, s->o.started_ns);
	return s;
}

void
mg_analysis_run(struct mg_analysis *s, const char *const *paths, size_t n,
                const unsigned char *need_src, struct mg_analyzed *out)
{
	struct worker w[MAX_JOBS];
	struct job j;
	size_t i;
	int k, nw;

	if (n > 0)
		memset(out, 0, n * sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.paths = paths;
	j.n = n;
	j.need_src = need_src;
	j.out = out;
	j.cache = s->cache;
	atomic_init(&j.next, 0);
	if (s->cache != NULL) {
		j.keys = mg_xcalloc(n ? n : 1, sizeof(*j.keys));
		j.enc = mg_xcalloc(n ? n : 1, sizeof(*j.enc));
	}
	nw = mg_analyze_jobs(s->o.jobs, n);
	if (nw > 1)
		json_object_seed(0);
	memset(w, 0, sizeof(w));
	for (k = 0; k < nw; k++)
		w[k].job = &j;
	/* The calling thread is the first worker; a thread that cannot be
	 * started leaves its share to the others. */
	for (k = 1; k < nw; k++)
		if (pthread_create(&w[k].tid, NULL, work, &w[k]) != 0)
			break;
	nw = k;
	work(&w[0]);
	for (k = 1; k < nw; k++)
		pthread_join(w[k].tid, NULL);
	for (k = 0; k < nw; k++)
		mg_parser_free(w[k].parser);

	for (i = 0; i < n; i++) {
		if (out[i].model == NULL)
			s->st.failed++;
		else if (out[i].cached)
			s->st.hits++;
		else
			s->st.misses++;
		if (s->cache != NULL) {
			struct seen *e;
			mg_grow(&s->seen, &s->capseen, s->nseen + 1, sizeof(*s->seen));
			e = &s->seen[s->nseen++];
			e->path = mg_xstrdup(paths[i]);
			e->key = j.keys[i];
			e->enc = j.enc[i];
			e->hit = out[i].cached;
		}
	}
	free(j.keys);
	free(j.enc);
}

void
mg_analysis_keep(struct mg_analysis *s, const char *const *paths, size_t n)
{
	size_t i;

	for (i = 0; s->cache != NULL && i < n; i++) {
		struct seen *e;
		mg_grow(&s->seen, &s->capseen, s->nseen + 1, sizeof(*s->seen));
		e = &s->seen[s->nseen++];
		memset(e, 0, sizeof(*e));
		e->path = mg_xstrdup(paths[i]);
		e->hit = 1; /* the record as it is, if there is one */
		s->kept++;
	}
}

struct mg_model *
mg_analysis_cached(struct mg_analysis *s, const char *path)
{
	struct stat st;
	struct mg_statkey k;

	if (s == NULL || s->cache == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	mg_statkey_from(&k, &st);
	return mg_modelcache_get(s->cache, 0, path, &k);
}

void
mg_analysis_close(struct mg_analysis *s, struct mg_analyze_stats *st)
{
	size_t i;

	if (s == NULL)
		return;
	/* Rewritten when anything was analysed or a record is gone; a warm run
	 * with nothing new writes nothing. */
	if (s->cache != NULL &&
	    (s->st.misses > 0 || mg_modelcache_count(s->cache) != s->st.hits + s->kept)) {
		const char **paths = mg_xcalloc(s->nseen + 1, sizeof(*paths));
		struct mg_statkey *keys = mg_xcalloc(s->nseen + 1, sizeof(*keys));
		struct mg_buf *enc = mg_xcalloc(s->nseen + 1, sizeof(*enc));
		unsigned char *reuse = mg_xcalloc(s->nseen + 1, 1);
		for (i = 0; i < s->nseen; i++) {
			paths[i] = s->seen[i].path;
			keys[i] = s->seen[i].key;
			enc[i] = s->seen[i].enc;
			reuse[i] = (unsigned char)s->seen[i].hit;
		}
		mg_modelcache_save(s->cache, paths, keys, enc, reuse, s->nseen);
		free(paths);
		free(keys);
		free(enc);
		free(reuse);
	}
	for (i = 0; i < s->nseen; i++) {
		free(s->seen[i].path);
		mg_buf_free(&s->seen[i].enc);
	}
	free(s->seen);
	mg_modelcache_free(s->cache);
	if (st != NULL)
		*st = s->st;
	free(s);
}

void
mg_analyze_many(const char *const *paths, size_t n, const struct mg_analyze_opts *o,
                struct mg_analyzed *out, struct mg_analyze_stats *st)
{
	struct mg_analysis *s = mg_analysis_open(o);

	mg_analysis_run(s, paths, n, o != NULL ? o->need_src : NULL, out);
	mg_analysis_close(s, st);
}

void
mg_analyzed_free(struct mg_analyzed *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mg_model_free(a[i].model);
		free(a[i].src);
		memset(&a[i], 0, sizeof(a[i]));
	}
}
