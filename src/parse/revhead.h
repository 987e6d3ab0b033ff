/*
 * The fast path for the revision variables (see revhead.c). Private to the
 * analyzer: analyze.c calls it before falling back to tree-sitter.
 */
#ifndef MIGEN_REVHEAD_H
#define MIGEN_REVHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"

/*
 * The module header's length: the bytes before the first line that starts
 * (in column 1) a def, async def, class or decorator. (size_t)-1 when there
 * is no such line in text[0..len).
 */
size_t mg_revhead_end(const char *text, size_t len);

/*
 * Reads the revision variables and the docstring of a module header
 * text[0..len) into m->rev, when the header holds nothing but the forms
 * Alembic's templates write (docstring, imports, comments, the four
 * variables assigned a string, None, or a tuple/list of strings, with or
 * without an annotation). Returns 1 when it read everything; 0 when the
 * header holds anything else: m->rev is then meaningless and the caller
 * asks tree-sitter. base is the byte offset of text in the file (3 after a
 * BOM), for the revision span.
 */
int mg_revhead_scan(struct mg_model *m, const char *text, size_t len, uint32_t base);

/* The first line of a docstring's value, trimmed as the message is (in place). */
char *mg_revhead_first_line(char *s);

#endif
