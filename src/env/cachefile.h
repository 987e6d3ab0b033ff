/*
 * What doctor's revision cache (revcache.c) and lint's model cache
 * (modelcache.c) share: the checksum of their bodies, and the housekeeping
 * of the cache folder.
 */
#ifndef MIGEN_ENV_CACHEFILE_H
#define MIGEN_ENV_CACHEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "migen/util.h"

/* FNV-1a over p[0..n), continuing from h (start: 14695981039346656037). */
uint64_t mg_cache_fnv64(uint64_t h, const void *p, size_t n);
/*
 * A checksum of p[0..n), so that a damaged byte anywhere makes a record
 * (or the cache) untrusted, as git's index trailer does. Not cryptographic:
 * it guards against accidents. Four lanes of 64-bit words, about 7 GB/s.
 */
uint64_t mg_cache_checksum(const char *p, size_t n);
/*
 * "Used" is the file's mtime: a run that reads a cache without rewriting it
 * sets it to now, at most once a day (a read-only run costs no write);
 * atime cannot be trusted (noatime, relatime). 1 when it was renewed.
 */
int mg_cache_mark_used(const char *file);
/*
 * Removes the files of file's folder named prefix... (a cache's own, and
 * their temporary copies left by a crash) not used for
 * MG_REVCACHE_MAX_AGE_DAYS: moved and deleted projects would otherwise
 * leave theirs behind for ever.
 */
void mg_cache_prune(const char *file, const char *prefix);
/* mkdir -p (mode 0700) for the folders above file. */
int mg_cache_make_dirs(const char *file);
/*
 * The file of a cache: $XDG_CACHE_HOME/migen/PREFIXHASH (else
 * ~/.cache/migen), the hash of the working folder and scope (what the
 * cache belongs to); NULL when MIGEN_NO_CACHE is set or there is no home.
 * free() it.
 */
char *mg_cache_file(const char *prefix, const char *scope);
/*
 * The whole of a regular file of at most max bytes, NUL-terminated,
 * 8-aligned: in arena a (the cache's strings then stay where they lie), or
 * malloc'd when a is NULL. NULL if there is none.
 */
char *mg_cache_slurp(const char *path, size_t max, struct mg_arena *a, size_t *len);
/* 16 lower-case hex digits at p as a number; 0, or -1 when they are not. */
int mg_cache_hex64(const char *p, uint64_t *out);
/*
 * A "NAME DECIMAL\n" line at *p (before end) whose value is at most max:
 * *out, *p past the line; 0, or -1 when the line is not that.
 */
int mg_cache_line_num(const char **p, const char *end, const char *name, long long max,
                      long long *out);
/* Writes parts[0..n) to file atomically (a temporary file renamed): 0, or -1. */
int mg_cache_write(const char *file, const struct mg_buf *parts, size_t n);
/* Appends " exe DEV:INO:SIZE:MTIME" of the running executable: what one build wrote,
 * another must not read (its analyzer or replay may differ). */
void mg_cache_exe_id(struct mg_buf *b);

#endif
