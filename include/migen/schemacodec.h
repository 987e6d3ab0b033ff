/*
 * A replayed schema (schema.h) as bytes and back: what a cache of the
 * schema at a revision stores, so that a later run starts from it instead
 * of replaying every migration again.
 *
 * Everything a rule, the schema printer or a later replay reads survives
 * the round trip: the lists in order with every field (NULL strings stay
 * NULL, distinct from ""), the revisions, and the hashes of every
 * identifier the schema has seen, so that mg_schema_default_name() picks
 * the same names after a decode as after the replay. Flags are stored as
 * what they mean: a boolean field as 0 or 1, nullable as an mg_tri.
 *
 * The format (little-endian, fixed width; the version changes with it):
 *
 *   "MGSC" u32 version
 *   u32 nstrings, u32 nbytes, the strings: each distinct string once,
 *       NUL-terminated, nbytes in all
 *   the schema, where a string is a u32 reference: 0 NULL, k the k-th
 *   string; a list is a u32 count then its elements; a list of strings
 *   that may itself be NULL has the count 0xFFFFFFFF when it is.
 *   u32 count, u64 hashes of the identifiers seen, ascending;
 *   u32 count, u64 hashes of what foreign keys ever pointed at, ascending.
 *
 * The bytes are input: the decoder checks every count against the bytes
 * left, every reference and flag, and that nothing follows the end.
 */
#ifndef MIGEN_SCHEMACODEC_H
#define MIGEN_SCHEMACODEC_H

#include <stddef.h>

#include "migen/schema.h"
#include "migen/util.h"

/* Appends s, whole, to out. s may be an overlay or a copy: what it holds is written. */
void mg_schema_encode(const struct mg_schema *s, struct mg_buf *out);

/*
 * A new schema (mg_schema_free() it) from bytes mg_schema_encode() wrote;
 * NULL, with *why set to a static reason, on anything else (truncated, a
 * count larger than the bytes left, a bad flag or reference, bytes after
 * the end, another version). Never reads past len.
 */
struct mg_schema *mg_schema_decode(const void *data, size_t len, const char **why);

#endif
