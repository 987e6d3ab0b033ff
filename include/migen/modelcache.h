/*
 * A cache of analysed models, so that a warm `migen lint` parses only the
 * migrations that changed: each file's struct mg_model (model.h) is stored
 * with the file's stat data, as doctor's record cache stores revisions
 * (revcache.h), and comes back only for the same file (device, inode, size,
 * mtime, ctime) changed well before the run that wrote it (the racy rule).
 *
 * One file per project and working folder, $XDG_CACHE_HOME/migen/models-HASH
 * (else ~/.cache/migen), holding every model: opening one file costs less
 * than opening ten thousand, which is what keeps a warm run on 10,000
 * revisions within the stat calls (docs/performance.md). Opening reads its
 * head (the records' paths and places); a record is read, checked (its own
 * checksum) and decoded only when asked for, by the thread that asks, so a
 * run needing few models reads few, and the records are never all held.
 * MIGEN_NO_CACHE=1 turns it off; files not used for
 * MG_REVCACHE_MAX_AGE_DAYS are pruned.
 *
 * Nothing in a cache file is trusted: the format names migen's version, a
 * hash of the model's field list and the executable that wrote it (another
 * build's analyzer may make other models), every read is bounded, every count and
 * every index into another array is checked, and a record that fails any
 * check is a miss (the file is analysed again and the record rewritten).
 *
 * The records are models as modelcodec.h encodes them.
 *
 * Ownership: mg_modelcache_open() returns NULL (no cache) or a cache that
 * mg_modelcache_free() releases; models it gives out are the caller's
 * (mg_model_free()), with src NULL (the caller attaches the file's bytes)
 * and no lookup tables (mg_model_finish() before rules run on it).
 */
#ifndef MIGEN_MODELCACHE_H
#define MIGEN_MODELCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"
#include "migen/modelcodec.h"
#include "migen/revcache.h"
#include "migen/util.h"

struct mg_modelcache;

/*
 * The cache for scope (what the models belong to, e.g. the version folders
 * joined; the working folder is part of the key too), loaded if one
 * exists; NULL when caching is off or there is nowhere to keep one.
 * started_ns is the run's start (CLOCK_REALTIME).
 */
struct mg_modelcache *mg_modelcache_open(const char *scope, int64_t started_ns);
/*
 * The model stored for path when its key is k and the record is intact,
 * else NULL. hint is where the record probably is (records are sorted by
 * path). Safe to call from several threads at once.
 */
struct mg_model *mg_modelcache_get(const struct mg_modelcache *c, size_t hint, const char *path,
                                   const struct mg_statkey *k);
/* How many records the loaded cache holds. */
size_t mg_modelcache_count(const struct mg_modelcache *c);
/*
 * Writes a new cache holding n records: paths[i] with keys[i] and, when
 * reuse[i], the loaded record for that path copied as it is, else the
 * model encoded in enc[i] by mg_model_encode() (left out when enc[i].s is
 * NULL or the key's ino is 0). Atomic (a reader sees the old cache or the
 * new one); failures are silent: the cache is an optimisation, never a
 * reason to fail.
 */
void mg_modelcache_save(struct mg_modelcache *c, const char *const *paths,
                        const struct mg_statkey *keys, const struct mg_buf *enc,
                        const unsigned char *reuse, size_t n);
void mg_modelcache_free(struct mg_modelcache *c);
/* The file the cache for scope uses, or NULL; free() it. */
char *mg_modelcache_path(const char *scope);

#endif
