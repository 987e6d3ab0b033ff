/*
 * The replayed schema for people (text) and tools (JSON: docs/json-schema.md).
 * tables/ntables: the table keys ("public.users") to print, NULL: all.
 */
#ifndef MIGEN_EMIT_SCHEMA_H
#define MIGEN_EMIT_SCHEMA_H

#include <stdio.h>

#include "migen/schema.h"

/* The tables to print, sorted by "schema.name"; free() the result. */
const struct mg_stable **mg_schema_sorted_tables(const struct mg_schema *s, size_t *n);

/* A copy of uncertain facts sorted by path, line and reason; free() it. */
struct mg_uncertain *mg_schema_sorted_uncertain(const struct mg_uncertain *v, size_t n);

char *mg_emit_schema_json(const struct mg_schema *s, const struct mg_stable *const *tables,
                          size_t ntables);
void mg_emit_schema_text(FILE *f, const struct mg_schema *s, const struct mg_stable *const *tables,
                         size_t ntables);

#endif
