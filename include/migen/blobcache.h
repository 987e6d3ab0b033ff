/*
 * The file of a cache that keeps one result per project: lint's schema
 * snapshot ("schema": the replayed schema where a run's first reported
 * migration starts, src/lint/snapshot.c) and git's answer to --since
 * ("since", src/lint/since.c). Those modules decide what goes in and when
 * it may be used; this one only keeps the bytes.
 *
 * One file per kind, project and working folder,
 * $XDG_CACHE_HOME/migen/KIND-HASH: a format line naming the kind and the
 * executable that wrote it (another build may work differently), the key
 * of what it was made from, the start of the run that wrote it (the racy
 * rule: files changed around then are not trusted), and a checksum of the
 * payload. Nothing in it is trusted: a file that fails any check is no
 * cache. Failures to write are silent: the cache is an optimisation, never
 * a reason to fail.
 */
#ifndef MIGEN_BLOBCACHE_H
#define MIGEN_BLOBCACHE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The result of kind ("schema", "since") saved for scope, when the file is
 * intact and this executable's: the key it was saved under, the start of
 * the run that saved it, and its payload (*payload, *len bytes, inside the
 * block returned: free() it). NULL when there is none.
 */
char *mg_blobcache_read(const char *kind, const char *scope, uint64_t key[2], int64_t *written_ns,
                        const char **payload, size_t *len);
/* Replaces scope's result of kind (atomic: a reader sees the old file or the new one). */
void mg_blobcache_save(const char *kind, const char *scope, const uint64_t key[2],
                       int64_t started_ns, const char *payload, size_t len);

#endif
