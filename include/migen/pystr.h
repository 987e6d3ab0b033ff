/*
 * Python string literals: decoding one literal's source text (prefix, quotes,
 * escapes) into the bytes Python would give. Pure functions over bytes, so the
 * analyzer and the unit tests share them.
 */
#ifndef MIGEN_PYSTR_H
#define MIGEN_PYSTR_H

#include <stddef.h>

#include "migen/util.h"

enum mg_pystr_result {
	MG_PYSTR_OK = 0,
	MG_PYSTR_FSTRING = 1, /* an f-string: its value is not known */
	MG_PYSTR_MALFORMED =
	    2, /* not a complete literal (syntax error) or an escape migen cannot decode */
};

/*
 * Appends the value of the literal raw[0..n) (e.g. `rb'\n'`, `"""x"""`) to out.
 * *quote, if not NULL, receives the quote character used.
 */
enum mg_pystr_result mg_pystr_decode(const char *raw, size_t n, struct mg_buf *out, char *quote);

/* Whether s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int mg_utf8_valid(const char *s, size_t n);

#endif
