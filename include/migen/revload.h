/*
 * Loading the migrations of version folders into struct mg_rev records
 * (revgraph.h): listing the files the way Alembic does and reading each
 * one's revision variables, on every core.
 *
 * Ownership: mg_revload() fills a struct mg_revset; everything in it
 * (records, paths, strings) is released by mg_revset_free().
 */
#ifndef MIGEN_REVLOAD_H
#define MIGEN_REVLOAD_H

#include <stddef.h>

#include "migen/revcache.h"
#include "migen/revgraph.h"
#include "migen/util.h"

struct mg_revset {
	struct mg_rev *revs; /* sorted by path */
	size_t n;
	/* With the cache on: each file's stat data as this run read it (ino 0:
	 * not a regular file, not read), indexed like revs; else NULL. */
	struct mg_statkey *keys;
	const char **twice; /* files reached twice through overlapping folders (skipped) */
	size_t ntwice;
	struct mg_arena arena;
	struct mg_arena *arenas; /* the loading threads' strings */
	size_t narenas;
};

struct mg_revload_opts {
	int recursive; /* descend into sub-folders (recursive_version_locations) */
	int full;      /* parse whole files: syntax errors anywhere are reported */
	int jobs;      /* threads; 0: one per online core */
	int cache;     /* use and refresh the record cache (revcache.h) */
};

/*
 * Lists and reads the migrations of dirs[0..ndirs) (folders that do not
 * exist are skipped: the caller reports them). Returns 0, or -1 with *why
 * set (static text) and *where (the folder) when a folder cannot be listed.
 */
int mg_revload(const char *const *dirs, size_t ndirs, const struct mg_revload_opts *o,
               struct mg_revset *out, const char **why, const char **where);
void mg_revset_free(struct mg_revset *s);

#endif
