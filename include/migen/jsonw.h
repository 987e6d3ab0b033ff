/*
 * A streaming JSON writer for the emitters: values are written as they come,
 * keys in the caller's order, two-space indentation, so the output is
 * byte-stable without building a tree first (which cost enhance a fifth of
 * its time). Strings that are not valid UTF-8 (a decoded b"\xff" literal)
 * get U+FFFD for each bad byte.
 *
 * Usage: mg_jw_begin_object(w, NULL); mg_jw_str(w, "key", "v"); ...
 * mg_jw_end(w); the text is in w->out (an mg_buf the caller frees).
 */
#ifndef MIGEN_JSONW_H
#define MIGEN_JSONW_H

#include <stddef.h>

#include "migen/util.h"

#define MG_JW_MAX_DEPTH 32

struct mg_jw {
	struct mg_buf out;
	int depth;
	int count[MG_JW_MAX_DEPTH]; /* values written so far at each level */
	char close[MG_JW_MAX_DEPTH];
};

/* key is the member name inside an object, NULL inside an array or at the top. */
void mg_jw_begin_object(struct mg_jw *w, const char *key);
void mg_jw_begin_array(struct mg_jw *w, const char *key);
void mg_jw_end(struct mg_jw *w);
void mg_jw_str(struct mg_jw *w, const char *key, const char *s); /* NULL: null */
void mg_jw_int(struct mg_jw *w, const char *key, long long v);
/* A number with three decimals (a duration in seconds). */
void mg_jw_fixed3(struct mg_jw *w, const char *key, double v);
void mg_jw_bool(struct mg_jw *w, const char *key, int v);
void mg_jw_null(struct mg_jw *w, const char *key);
/* An array of n strings (each NULL: null). */
void mg_jw_strs(struct mg_jw *w, const char *key, const char *const *v, size_t n);
/* MG_UNKNOWN (-1): null; else a boolean. */
void mg_jw_tri(struct mg_jw *w, const char *key, int v);

#endif
