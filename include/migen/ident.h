/*
 * SQL identifiers in generated code. Names come from hostile input (a
 * migration file, the command line) and end up inside SQL that sits inside a
 * Python string, so anything that could break out of either is refused, and
 * the rest is quoted exactly when PostgreSQL needs it.
 */
#ifndef MIGEN_IDENT_H
#define MIGEN_IDENT_H

#include <stddef.h>

#include "migen/util.h"

/* PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
#define MG_IDENT_MAX 63

/* NULL when s may be used as an identifier, else a static reason. */
const char *mg_ident_refusal(const char *s);
/* Whether s can be written without double quotes (lowercase, not reserved); 0 for NULL. */
int mg_ident_is_plain(const char *s);
/* Appends s, double-quoted when needed. s must have passed mg_ident_refusal. */
void mg_ident_sql(struct mg_buf *b, const char *s);
/* Appends schema.name (schema may be NULL). */
void mg_ident_sql_qualified(struct mg_buf *b, const char *schema, const char *name);
/*
 * Writes an index name made of prefix and parts joined by '_' into a new
 * malloc'd string. Over MG_IDENT_MAX bytes, it is cut and ends in '_' plus 8
 * hex digits of a hash of the full name, so different long names stay
 * different; *shortened says whether that happened.
 */
char *mg_ident_index_name(const char *prefix, const char *const *parts, size_t nparts,
                          int *shortened);

#endif
