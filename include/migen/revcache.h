/*
 * The doctor's cache of revision records, as git's index caches stat data:
 * a file whose device, inode, size, mtime and ctime are unchanged since its
 * record was written is not opened again. That turns three system calls a
 * migration (open, read, close) into one (fstatat): at 10,000 revisions the
 * kernel's file work is most of doctor's time.
 *
 * Only records whose file was last modified well before the run that wrote
 * them are trusted (git's "racily clean" rule, with a one-second margin for
 * the kernel's coarse file clock): a file changed twice within one clock
 * tick, size kept, is read again. Any doubt — another migen version, a
 * damaged cache, another set of folders — means no cache.
 *
 * The cache lives in $XDG_CACHE_HOME/migen (else ~/.cache/migen), one file a
 * set of version folders; MIGEN_NO_CACHE=1 or `doctor --no-cache` turns it off.
 * Opening a cache removes the cache files of that folder not used for
 * MG_REVCACHE_MAX_AGE_DAYS.
 *
 * Ownership: mg_revcache_open() returns NULL (no cache) or a cache that
 * mg_revcache_free() releases, with the strings of the records it gave out
 * unless mg_revcache_take_arena() moved them first.
 */
#ifndef MIGEN_REVCACHE_H
#define MIGEN_REVCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "migen/revgraph.h"
#include "migen/util.h"

#define MG_REVCACHE_MAX_AGE_DAYS 30

struct mg_statkey {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

/* A folder as it was listed: a change to its entries changes its mtime. */
struct mg_revfolder {
	const char *path;
	struct mg_statkey key;
};

struct mg_revcache;

#define MG_REVCACHE_NONE ((size_t)-1)

void mg_statkey_from(struct mg_statkey *k, const struct stat *st);

/*
 * A file whose stat data is within this of the start of the run that
 * recorded it may change again without its key changing (the kernel's file
 * clock is coarse): git's "racily clean" rule, with a one-second margin.
 */
#define MG_RACY_MARGIN_NS 1000000000LL

/* Whether k was changed within the racy margin of a run that started at ns. */
int mg_statkey_racy(const struct mg_statkey *k, int64_t ns);

/*
 * The cache for these folders (as given; full: whole-file parsing, which
 * records differently), loaded if one exists; NULL when caching is off or
 * there is nowhere to keep one. started_ns is the run's start (realtime).
 */
struct mg_revcache *mg_revcache_open(const char *const *dirs, size_t ndirs, int recursive, int full,
                                     int64_t started_ns);
/*
 * The listing of the folders, straight from the cache, as git's untracked
 * cache does it: when every folder asked for was listed by the run that
 * wrote the cache and none of the folders it listed has changed since (same
 * stat key, not racy), the files are the cached records' paths, already
 * sorted. Sets *paths (in the cache's arena) and returns their number, or
 * MG_REVCACHE_NONE: list the folders.
 */
size_t mg_revcache_listing(struct mg_revcache *c, const char *const *dirs, size_t ndirs,
                           const char ***paths);
/*
 * Fills out from a trusted record for path with this key; 1 on a hit.
 * hint is where the record probably is: files and records are both sorted
 * by path, so the i-th file is usually the i-th record. Threads may ask at
 * once for different paths; each passes its own arena a (for list arrays).
 * The strings stay in the cache's arena: take it with
 * mg_revcache_take_arena() before freeing the cache if the records outlive it.
 */
int mg_revcache_get(const struct mg_revcache *c, size_t hint, const char *path,
                    const struct mg_statkey *k, struct mg_arena *a, struct mg_rev *out);
/* Moves the cache's string arena to *to (which must be empty). */
void mg_revcache_take_arena(struct mg_revcache *c, struct mg_arena *to);
/*
 * Writes the records (keys[i] for revs[i], every file listed; a key with
 * ino 0 is never trusted) and the folders listed, atomically, for the next
 * run. Failures are silent: the cache is an optimisation, never a reason to
 * fail.
 */
void mg_revcache_save(struct mg_revcache *c, const struct mg_rev *revs,
                      const struct mg_statkey *keys, size_t n, const struct mg_revfolder *folders,
                      size_t nfolders);
void mg_revcache_free(struct mg_revcache *c);
/* How many records the loaded cache held. */
size_t mg_revcache_count(const struct mg_revcache *c);
/* The folders the loaded cache holds (in its arena). */
const struct mg_revfolder *mg_revcache_folders(const struct mg_revcache *c, size_t *n);
/*
 * Whether the folders as listed now differ from those the cache holds, or
 * the cache's stamps are too recent to trust: then it needs rewriting.
 */
int mg_revcache_folders_stale(const struct mg_revcache *c, const struct mg_revfolder *folders,
                              size_t n);

/* The file the cache uses (for tests and docs), or NULL; free() it. */
char *mg_revcache_path(const char *const *dirs, size_t ndirs, int recursive, int full);

#endif
