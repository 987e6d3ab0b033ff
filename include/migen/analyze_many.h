/*
 * Analysing many migration files at once, as `migen lint` does: every file
 * of a project becomes a model (analyze.h), on every core, with the
 * analysed-model cache (modelcache.h) so that a warm run parses only the
 * files that changed since the last one.
 *
 * Results are deterministic: out[i] is paths[i]'s, whatever the number of
 * threads and whichever thread did the work; each model carries its own
 * syntax errors and notes, and a file that cannot be read has its reason.
 *
 * Ownership: mg_analyze_many() and mg_analysis_run() fill out[0..n);
 * mg_analyzed_free() releases the models and the bytes they point into.
 * mg_analysis_open() returns a session that mg_analysis_close() frees.
 */
#ifndef MIGEN_ANALYZE_MANY_H
#define MIGEN_ANALYZE_MANY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "migen/model.h"

struct mg_analyzed {
	struct mg_model *model; /* NULL when the file could not be read: see error */
	const char *error;      /* why not (static text, as mg_input_read() gives), or NULL */
	/* The file's bytes, which model->src points to; NULL when a cached
	 * model was taken without reading the file (see need_src). */
	char *src;
	int cached;     /* the model came from the cache */
	struct stat st; /* the file's stat data as its bytes were read (src set), else zero */
};

struct mg_analyze_opts {
	int jobs;     /* threads; 0: one per online core, at most 16 */
	int no_cache; /* analyse every file, neither read nor write the cache (--no-cache) */
	/* What the cache belongs to (the version folders, joined): each scope
	 * and working folder has its own cache file. NULL: no cache. */
	const char *cache_scope;
	/* Per path, whether the caller needs the file's bytes (the files whose
	 * rules run or whose fixes are written; the replay needs only models).
	 * NULL: every file's. A file analysed now always keeps its bytes. */
	const unsigned char *need_src;
	int64_t started_ns; /* the run's start (CLOCK_REALTIME, ns); 0: now */
};

struct mg_analyze_stats {
	size_t hits;   /* models taken from the cache */
	size_t misses; /* files analysed */
	size_t failed; /* files that could not be read */
};

/*
 * Analyses paths[0..n) into out[0..n) (MG_ANALYZE_FULL), taking unchanged
 * files' models from the cache unless o->no_cache, and writes the cache
 * back when anything was analysed. o may be NULL (no cache, all cores);
 * st may be NULL. The same as mg_analysis_open(), one mg_analysis_run()
 * and mg_analysis_close().
 */
void mg_analyze_many(const char *const *paths, size_t n, const struct mg_analyze_opts *o,
                     struct mg_analyzed *out, struct mg_analyze_stats *st);
void mg_analyzed_free(struct mg_analyzed *a, size_t n);

/*
 * The same in windows, so that a caller walking the revision graph can
 * analyse (or load) a window of files, replay them, free them and go on:
 * memory stays that of a window, not of the whole history. The cache is
 * loaded by mg_analysis_open() and written once, by mg_analysis_close(),
 * from every window's files (a file not asked for in any window is
 * dropped from it). need_src is per path of this window (NULL: all);
 * o->need_src is not used here.
 */
struct mg_analysis;
struct mg_analysis *mg_analysis_open(const struct mg_analyze_opts *o);
void mg_analysis_run(struct mg_analysis *s, const char *const *paths, size_t n,
                     const unsigned char *need_src, struct mg_analyzed *out);
/*
 * Files this run does not need (a saved schema stands for them): their
 * cached records, whatever they hold, are kept as they are in the cache
 * the session writes, instead of being dropped.
 */
void mg_analysis_keep(struct mg_analysis *s, const char *const *paths, size_t n);
/*
 * A file's model from the cache the session loaded, when it holds a trusted
 * one (a file asked for again: a merge replays another branch), else NULL.
 * Nothing is recorded: the file's first run did that.
 */
struct mg_model *mg_analysis_cached(struct mg_analysis *s, const char *path);
void mg_analysis_close(struct mg_analysis *s, struct mg_analyze_stats *st);

/* The number of threads mg_analyze_many() uses for n files with jobs asked. */
int mg_analyze_jobs(int jobs, size_t n);

#endif
