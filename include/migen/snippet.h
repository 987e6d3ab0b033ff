/*
 * The code migen prints for people to paste (and, later, writes itself):
 * index builds, batched backfills, online NOT NULL. Every function appends
 * Python source to a buffer, in a caller-given style, so that `enhance`, the
 * templates and `patterns` print the same proven code.
 *
 * Identifiers must have passed mg_ident_refusal(); SQL fragments (column
 * expressions, WHERE, default SQL) must have been checked by the caller
 * (mg_sql_check_expr()) and must not contain a triple quote or backslash.
 */
#ifndef MIGEN_SNIPPET_H
#define MIGEN_SNIPPET_H

#include <stddef.h>

#include "migen/util.h"

struct mg_style {
	const char *indent; /* one level: "    ", "\t", ... */
	int depth;          /* levels already open where the code goes (1 = function body) */
	char quote;         /* the file's string quote: '"' or '\'' */
};

extern const struct mg_style mg_style_default; /* four spaces, depth 1, '"' */

struct mg_index_spec {
	const char *name;
	const char *table;
	const char *schema;         /* NULL: none */
	const char *const *columns; /* SQL text of each element: a name or an expression */
	size_t ncolumns;
	int unique;
	const char *using_method; /* NULL: btree */
	const char *where;        /* NULL: not partial */
	const char *comment;      /* NULL, or a line put above the code as a comment */
	const char *options;      /* SQL after the column list (INCLUDE, WITH, ...), or NULL */
};

/* upgrade(): CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS in an autocommit block. */
void mg_snippet_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                   const struct mg_style *st);
/* downgrade(): DROP INDEX CONCURRENTLY IF EXISTS in an autocommit block. */
void mg_snippet_drop_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                        const struct mg_style *st);
/* upgrade(): op.create_index(...) in the migration's transaction (new, empty tables). */
void mg_snippet_index_op(struct mg_buf *out, const struct mg_index_spec *ix,
                         const struct mg_style *st);
/* downgrade(): op.drop_index(...). */
void mg_snippet_drop_index_op(struct mg_buf *out, const struct mg_index_spec *ix,
                              const struct mg_style *st);

struct mg_backfill_spec {
	const char *table;
	const char *schema; /* NULL: none */
	const char *column;
	const char *key;          /* primary key column used to batch, e.g. "id" */
	const char *value_python; /* a Python literal bound as a parameter, or NULL */
	const char *value_sql;    /* an SQL expression, when value_python is NULL */
	const char *type_python;  /* sa type source for --add-column, e.g. "sa.String()" */
	long batch_size;
	const char *sleep; /* seconds, as given, e.g. "0.01" */
	int small_table;   /* plain alter_column instead of the online NOT NULL */
};

/* upgrade(): op.add_column(... nullable=True) (step 1 of 3). */
void mg_snippet_add_nullable_column(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                    const struct mg_style *st);
/* upgrade(): the batched backfill loop, each batch committed (step 2). */
void mg_snippet_backfill(struct mg_buf *out, const struct mg_backfill_spec *bf,
                         const struct mg_style *st);
/* upgrade(): NOT NULL, online (CHECK NOT VALID, VALIDATE, SET NOT NULL) or plain (step 3). */
void mg_snippet_set_not_null(struct mg_buf *out, const struct mg_backfill_spec *bf,
                             const struct mg_style *st);
/* downgrade(): undo step 3 (and step 1 when add_column). */
void mg_snippet_backfill_downgrade(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                   int add_column, const struct mg_style *st);

/* Appends s as a Python string literal in quote q (escaping as needed). */
void mg_snippet_pystr(struct mg_buf *out, const char *s, char q);

#endif
