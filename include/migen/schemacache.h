/*
 * The file of lint's schema snapshot: the replayed schema where a run's
 * first reported migration starts, saved so that the next `migen lint
 * --since REF` on the same history loads it instead of loading and
 * replaying every migration before (src/lint/snapshot.c decides what goes
 * in and when it may be used; this module only keeps the bytes).
 *
 * One file per project and working folder, $XDG_CACHE_HOME/migen/schema-HASH:
 * a format line naming the executable that wrote it (another build may
 * replay differently), the key of what it was made from, the start of the
 * run that wrote it (the racy rule: files changed around then are not
 * trusted), and a checksum of the payload. Nothing in it is trusted: a
 * file that fails any check is no snapshot. Failures to write are silent:
 * the cache is an optimisation, never a reason to fail.
 */
#ifndef MIGEN_SCHEMACACHE_H
#define MIGEN_SCHEMACACHE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The snapshot saved for scope, when the file is intact and this
 * executable's: the key it was saved under, the start of the run that
 * saved it, and its payload (*payload, *len bytes, inside the block
 * returned: free() it). NULL when there is none.
 */
char *mg_schemacache_read(const char *scope, uint64_t key[2], int64_t *written_ns,
                          const char **payload, size_t *len);
/* Replaces scope's snapshot (atomic: a reader sees the old file or the new one). */
void mg_schemacache_save(const char *scope, const uint64_t key[2], int64_t started_ns,
                         const char *payload, size_t len);

#endif
