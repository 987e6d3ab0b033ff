/*
 * The analysed model (model.h) as bytes and back, for the model cache
 * (modelcache.h): every field of every struct, listed once in
 * modelcodec.c, which the encoder, the decoder and the comparator walk;
 * mg_model_layout_check() fails when model.h gains a field the list
 * does not have. The decoder trusts nothing: reads are bounded, counts
 * checked against the bytes left, enums against their range, indexes into
 * other arrays and spans against the model, and strings that readers use
 * without checking against NULL.
 *
 * Ownership: mg_model_decode() returns a model that mg_model_free()
 * releases; mg_model_encode() appends to the caller's buffer.
 */
#ifndef MIGEN_MODELCODEC_H
#define MIGEN_MODELCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"
#include "migen/util.h"

/*
 * A model as bytes, and back: what a record holds. mg_model_decode()
 * returns NULL for anything that is not exactly an encoding of a valid
 * model (src and lookup are NULL, srclen as stored; path is the one given).
 */
void mg_model_encode(const struct mg_model *m, struct mg_buf *out);
struct mg_model *mg_model_decode(const char *p, size_t n, const char *path);

/*
 * Whether a and b hold the same values in every stored field (strings by
 * content, arrays element by element). On a difference, where (if not
 * NULL) receives the field's path, e.g. "ops[3].coldef.nullable".
 */
int mg_model_same_deep(const struct mg_model *a, const struct mg_model *b, char *where,
                       size_t wherelen);
/*
 * 0 when the field list covers every byte of every model struct (each
 * field where C puts it after the one before, nothing left at the end);
 * else -1 with why: a field was added to model.h and not to the list.
 */
int mg_model_layout_check(char *why, size_t whylen);

/* A hash of the field list: a cache written with another list is not read. */
uint64_t mg_model_layout_hash(void);

#endif
