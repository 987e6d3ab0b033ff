/*
 * Loading version folders (see revload.h). Two costs dominate on a big
 * project: opening thousands of files and parsing them. With the record
 * cache (revcache.h), a file whose stat data is unchanged is neither: one
 * fstatat, and its record; and when no folder changed, the folders are not
 * listed either (revlist.c lists them otherwise). Any other file is opened
 * once and only its first block is read: the revision variables sit in the
 * module header, and mg_analyze_header() reads them from there. Files whose
 * header it cannot settle are read whole and parsed by tree-sitter. Work is
 * shared among threads through one atomic counter; each thread owns its
 * parser and its arena, and writes only its own records, so nothing else
 * is shared.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migen/analyze.h"
#include "migen/input.h"
#include "migen/pystr.h"
#include "migen/revcache.h"
#include "migen/revlist.h"
#include "migen/revload.h"

/* Enough for any template's header; a longer one is read whole. */
#define HEAD_BLOCK 8192
#define MAX_JOBS 16
/* Files a thread takes at once (see work()). */
#define BATCH 32

struct job {
	struct mg_revset *set;
	const struct mg_revload_opts *o;
	dev_t *dev;
	ino_t *ino;
	unsigned char *regular;
	struct mg_revcache *cache; /* NULL: no cache */
	struct mg_statkey *keys;   /* with a cache: each file's stat data, for the next run */
	atomic_size_t next;
	atomic_size_t misses;
};

struct worker {
	struct job *job;
	struct mg_arena arena;
	pthread_t tid;
	/* The folder of the last file opened: most files share one, and
	 * openat() on it spares the kernel a path lookup per file. */
	int dirfd;
	char *dir;
};

static const char *
keep(struct mg_arena *a, const char *s)
{
	return s ? mg_arena_strdup(a, s) : NULL;
}

static void
keep_list(struct mg_arena *a, struct mg_strlist *dst, const struct mg_strlist *src)
{
	size_t i;

	*dst = *src;
	dst->v = mg_arena_alloc(a, (src->n ? src->n : 1) * sizeof(*dst->v));
	for (i = 0; i < src->n; i++)
		dst->v[i] = mg_arena_strdup(a, src->v[i]);
}

/* Copies what the graph needs out of the model, into the worker's arena. */
static void
take(struct mg_arena *a, struct mg_rev *r, const struct mg_model *m)
{
	r->revision = keep(a, m->rev.revision);
	r->has_revision = m->rev.has_revision;
	r->line = m->rev.has_revision ? m->rev.revision_span.line : 0;
	keep_list(a, &r->down, &m->rev.down_revision);
	keep_list(a, &r->labels, &m->rev.branch_labels);
	keep_list(a, &r->deps, &m->rev.depends_on);
	r->message = keep(a, m->rev.message);
	if (m->nerrors > 0) {
		r->error = mg_arena_printf(a, "Python syntax error: %s", m->errors[0].message);
		r->error_line = m->errors[0].line;
	}
}

/* Alembic's legacy rule: with no revision variable, a hex file name is the id. */
static void
legacy_id(struct mg_arena *a, struct mg_rev *r)
{
	const char *base = strrchr(r->path, '/'), *p;

	base = base ? base + 1 : r->path;
	for (p = base; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		;
	if (p > base && strcmp(p, ".py") == 0)
		r->revision = mg_arena_strndup(a, base, (size_t)(p - base));
}

/*
 * Where path is, for the *at() calls: the descriptor of its folder (kept
 * open across files) and the name in it; AT_FDCWD and path itself when the
 * folder cannot be opened.
 */
static int
dir_of(struct worker *w, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	*name = path;
	if (slash == NULL || slash == path)
		return AT_FDCWD;
	if (w->dir == NULL || strlen(w->dir) != n || memcmp(w->dir, path, n) != 0) {
		if (w->dirfd >= 0)
			close(w->dirfd);
		free(w->dir);
		w->dir = mg_xmalloc(n + 1);
		memcpy(w->dir, path, n);
		w->dir[n] = '\0';
		w->dirfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (w->dirfd < 0)
		return AT_FDCWD;
	*name = slash + 1;
	return w->dirfd;
}

/*
 * The first block of the file (all of it, when it is small).
 * Returns 0 or -1 with *why.
 */
static int
open_in(struct worker *w, const char *path)
{
	const char *name;
	int dfd = dir_of(w, path, &name);

	/* O_NONBLOCK: a FIFO named *.py must not stop the run (fstat refuses it). */
	return openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

static int
read_head(struct worker *w, const char *path, int regular, char *buf, size_t *len, dev_t *dev,
          ino_t *ino, const char **why)
{
	int fd = open_in(w, path);
	struct stat st;
	size_t n = 0;

	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (!regular) {
		/* A link or an unknown type: ask, and take its real identity. */
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			*why = "not a regular file";
			close(fd);
			return -1;
		}
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	/* A regular file returns less than asked only at its end. */
	while (n < HEAD_BLOCK) {
		ssize_t k = read(fd, buf + n, HEAD_BLOCK - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		n += (size_t)k;
		if (k == 0 || n < HEAD_BLOCK)
			break;
	}
	close(fd);
	*len = n;
	buf[n] = '\0';
	return 0;
}

/*
 * With a cache: one fstatat, and the cached record when the file is the
 * one it was. Returns 1 on a hit; on a miss the file is known regular.
 */
static int
cached(struct worker *w, size_t i)
{
	struct mg_rev *r = &w->job->set->revs[i];
	const char *name;
	int dfd = dir_of(w, r->path, &name);
	struct stat st;

	if (fstatat(dfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
		return 0;
	mg_statkey_from(&w->job->keys[i], &st);
	w->job->dev[i] = st.st_dev;
	w->job->ino[i] = st.st_ino;
	w->job->regular[i] = 1;
	return mg_revcache_get(w->job->cache, i, r->path, &w->job->keys[i], &w->arena, r);
}

static void
load_one(struct worker *w, struct mg_parser *p, size_t i, char *buf)
{
	struct mg_rev *r = &w->job->set->revs[i];
	struct mg_model *m = NULL;
	struct mg_input in;
	const char *why;
	size_t len;

	if (w->job->cache != NULL) {
		if (cached(w, i))
			return;
		atomic_fetch_add(&w->job->misses, 1);
	}
	if (read_head(w, r->path, w->job->regular[i], buf, &len, &w->job->dev[i], &w->job->ino[i],
	              &why) != 0) {
		r->error = why;
		return;
	}
	if (!w->job->o->full)
		m = mg_analyze_header(p, r->path, buf, len);
	if (m == NULL) {
		if (mg_input_read(r->path, &in, &why) != 0) {
			r->error = why;
			return;
		}
		m = mg_analyze_with(p, r->path, in.data, in.len, MG_ANALYZE_REVISION);
		take(&w->arena, r, m);
		mg_input_free(&in);
	} else {
		take(&w->arena, r, m);
	}
	mg_model_free(m);
	if (!r->has_revision && r->error == NULL)
		legacy_id(&w->arena, r);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct mg_parser *p = mg_parser_new();
	char *buf = mg_xmalloc(HEAD_BLOCK + 1);
	size_t i, n = w->job->set->n;

	w->dirfd = -1;
	/* Files are taken a batch at a time: one atomic step per file, and
	 * neighbouring records written by different threads, kept two cores
	 * fighting over cache lines for a third of the run. */
	while ((i = atomic_fetch_add(&w->job->next, BATCH)) < n) {
		size_t end = i + BATCH < n ? i + BATCH : n;
		for (; i < end; i++)
			load_one(w, p, i, buf);
	}
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->dir);
	free(buf);
	mg_parser_free(p);
	return NULL;
}

static int
jobs_for(const struct mg_revload_opts *o, size_t nfiles)
{
	long n = o->jobs;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MAX_JOBS)
		n = MAX_JOBS;
	/* Threads cost more than they save on a handful of files. */
	if (nfiles < 64)
		n = 1;
	return (int)n;
}

struct ident {
	dev_t dev;
	ino_t ino;
	size_t i;
};

static int
cmp_ident(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Drops files reached twice (the same inode through two folders), as Alembic warns. */
static void
drop_twice(struct mg_revset *set, const dev_t *dev, const ino_t *ino)
{
	struct ident *v = mg_xcalloc(set->n ? set->n : 1, sizeof(*v));
	unsigned char *drop = mg_xcalloc(set->n ? set->n : 1, 1);
	size_t i, k = 0, cap = 0;

	for (i = 0; i < set->n; i++) {
		v[i].dev = dev[i];
		v[i].ino = ino[i];
		v[i].i = i;
	}
	qsort(v, set->n, sizeof(*v), cmp_ident);
	for (i = 1; i < set->n; i++) {
		/* Unreadable files have no identity (0, 0): never merged. */
		if (v[i].ino == 0 && v[i].dev == 0)
			continue;
		if (v[i].dev == v[i - 1].dev && v[i].ino == v[i - 1].ino)
			drop[v[i].i] = 1;
	}
	for (i = 0; i < set->n; i++) {
		if (drop[i]) {
			mg_grow(&set->twice, &cap, set->ntwice + 1, sizeof(*set->twice));
			set->twice[set->ntwice++] = set->revs[i].path;
			continue;
		}
		if (set->keys != NULL)
			set->keys[k] = set->keys[i];
		set->revs[k++] = set->revs[i];
	}
	set->n = k;
	free(v);
	free(drop);
}

/*
 * The files to read, in path order: from the cache when no folder has
 * changed since it was written (no listing, no sort), else listed.
 * Returns 1 (from the cache), 0 (listed) or -1.
 */
static int
list_files(const char *const *dirs, size_t ndirs, const struct mg_revload_opts *o,
           struct mg_revcache *cache, struct mg_revlist *files, const char **why,
           const char **where)
{
	const char **paths;
	size_t i, n = mg_revcache_listing(cache, dirs, ndirs, &paths);

	if (n != MG_REVCACHE_NONE) {
		const struct mg_revfolder *f = mg_revcache_folders(cache, &files->nfolders);

		files->v = mg_xcalloc(n ? n : 1, sizeof(*files->v));
		for (i = 0; i < n; i++)
			files->v[i].path = (char *)paths[i];
		files->n = files->cap = n;
		/* Unchanged: the next cache keeps these stamps. */
		files->folders = mg_xcalloc(files->nfolders ? files->nfolders : 1, sizeof(*f));
		memcpy(files->folders, f, files->nfolders * sizeof(*f));
		files->capfolders = files->nfolders;
		return 1;
	}
	return mg_revlist_dirs(files, dirs, ndirs, o->recursive, why, where);
}

int
mg_revload(const char *const *dirs, size_t ndirs, const struct mg_revload_opts *o,
           struct mg_revset *out, const char **why, const char **where)
{
	struct mg_revlist files = {0};
	struct worker *workers;
	struct job job;
	struct timespec now;
	size_t i;
	int n, t, listed;

	/* Before any file is read: what changes after this, the cache must not trust. */
	clock_gettime(CLOCK_REALTIME, &now);
	memset(out, 0, sizeof(*out));
	memset(&job, 0, sizeof(job));
	files.arena = &out->arena;
	if (o->cache)
		job.cache = mg_revcache_open(dirs, ndirs, o->recursive, o->full,
		                             (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec);
	if ((listed = list_files(dirs, ndirs, o, job.cache, &files, why, where)) < 0) {
		mg_revlist_free(&files);
		mg_arena_free(&out->arena);
		mg_revcache_free(job.cache);
		return -1;
	}
	job.set = out;
	job.o = o;
	job.dev = mg_xcalloc(files.n ? files.n : 1, sizeof(*job.dev));
	job.ino = mg_xcalloc(files.n ? files.n : 1, sizeof(*job.ino));
	job.regular = mg_xcalloc(files.n ? files.n : 1, 1);
	if (job.cache != NULL)
		job.keys = mg_xcalloc(files.n ? files.n : 1, sizeof(*job.keys));
	atomic_init(&job.misses, 0);
	out->n = files.n;
	out->revs = mg_arena_alloc(&out->arena, (files.n ? files.n : 1) * sizeof(*out->revs));
	for (i = 0; i < files.n; i++) {
		out->revs[i].path = files.v[i].path;
		job.dev[i] = files.v[i].dev;
		job.ino[i] = files.v[i].ino;
		job.regular[i] = (unsigned char)files.v[i].regular;
	}
	free(files.v);
	files.v = NULL;

	atomic_init(&job.next, 0);
	n = jobs_for(o, out->n);
	workers = mg_xcalloc((size_t)n, sizeof(*workers));
	for (t = 0; t < n; t++)
		workers[t].job = &job;
	/* The calling thread is worker 0. */
	for (t = 1; t < n; t++)
		if (pthread_create(&workers[t].tid, NULL, work, &workers[t]) != 0)
			break;
	work(&workers[0]);
	n = t;
	for (t = 1; t < n; t++)
		pthread_join(workers[t].tid, NULL);
	/* The workers' strings, and the cache's, stay with the set, freed with it. */
	out->arenas = mg_xcalloc((size_t)n + 1, sizeof(*out->arenas));
	for (t = 0; t < n; t++)
		out->arenas[t] = workers[t].arena;
	out->narenas = (size_t)n;
	free(workers);
	if (job.cache != NULL) {
		/* Written only when something changed: a warm run writes nothing. */
		if (atomic_load(&job.misses) > 0 || mg_revcache_count(job.cache) != out->n ||
		    (!listed &&
		     mg_revcache_folders_stale(job.cache, files.folders, files.nfolders)))
			mg_revcache_save(job.cache, out->revs, job.keys, out->n, files.folders,
			                 files.nfolders);
		mg_revcache_take_arena(job.cache, &out->arenas[out->narenas++]);
	}
	mg_revcache_free(job.cache);
	out->keys = job.keys; /* the set's: who reads the files later can tell them unchanged */
	mg_revlist_free(&files);
	/* One folder, not recursive: no file can be reached twice. */
	if (ndirs > 1 || o->recursive)
		drop_twice(out, job.dev, job.ino);
	free(job.dev);
	free(job.ino);
	free(job.regular);
	return 0;
}

void
mg_revset_free(struct mg_revset *s)
{
	size_t i;

	for (i = 0; i < s->narenas; i++)
		mg_arena_free(&s->arenas[i]);
	free(s->arenas);
	free(s->twice);
	free(s->keys);
	mg_arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}
