/*
 * `migen schema`'s answer, kept: the schema replayed from the whole
 * history (at --at, or at the heads), saved by one run and decoded by the
 * next instead of loading and replaying every migration again — at 10,000
 * revisions, 1.2 s and 150 MB against a few tens of milliseconds
 * (docs/performance.md).
 *
 * It stands for the history when everything it was made from is the same:
 * the key hashes every migration file's path and stat data (as the
 * project's load read them: a file's revision, parents and operations are
 * in its bytes), --at and [tool.migen.types]; the file names the executable
 * that wrote it (blobcache.h, kind "replayed"). A file changed within the
 * racy margin of the run that saved it is not trusted, and a run with such
 * a file saves nothing.
 */
#ifndef MIGEN_REPLAYED_H
#define MIGEN_REPLAYED_H

#include <stdint.h>

#include "migen/revload.h"
#include "migen/schema.h"

/*
 * The key of the schema replayed from set's files at `at` (NULL: the
 * heads) with types; 0, or -1 when it can have none (a file without stat
 * data: the cache is off).
 */
int mg_replayed_key(const struct mg_revset *set, const char *at, const struct mg_typemap *types,
                    uint64_t key[2]);
/* The schema kept for scope under key, when no file of set is racy against the run that kept
 * it; NULL when there is none (mg_schema_free() it). */
struct mg_schema *mg_replayed_read(const char *scope, const uint64_t key[2],
                                   const struct mg_revset *set);
/* Keeps s for scope under key, unless a file of set changed within the racy margin of the run
 * (started_ns, realtime). */
void mg_replayed_save(const char *scope, const uint64_t key[2], int64_t started_ns,
                      const struct mg_revset *set, const struct mg_schema *s);

#endif
