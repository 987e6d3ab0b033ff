/*
 * The code migen prints for people to paste (and, later, writes itself):
 * index builds, batched backfills, online NOT NULL. Every function appends
 * Python source to a buffer, in a caller-given style, so that `enhance`, the
 * templates and `patterns` print the same proven code.
 *
 * Identifiers must have passed mg_ident_refusal(); SQL fragments (column
 * expressions, WHERE, default SQL) must have been checked by the caller
 * (mg_sql_check_expr()) and must not contain a triple quote or backslash.
 *
 * Names the printed code uses: `op` (from alembic import op) and `sa`
 * (import sqlalchemy as sa), nothing else; the backfill loop imports
 * `logging` itself, inside the function, so a migration needs no new import
 * line for it. A type given as type_python (e.g. "postgresql.JSONB()") may
 * need its own import; that is the caller's.
 *
 * Every snippet works offline too (`alembic upgrade --sql`): code that asks
 * the database something is guarded by `op.get_context().as_sql` (the flag
 * behind context.is_offline_mode(), reachable without importing `context`),
 * and offline prints plain SQL instead: the backfill becomes one UPDATE.
 *
 * Every step can be retried after a partial failure (a deploy that stopped
 * half way): IF NOT EXISTS / IF EXISTS, and guards where PostgreSQL has no
 * such clause (adding a column).
 *
 * Lines fit in MG_SNIPPET_WIDTH columns (black's and ruff's default) where a
 * line can be broken; SQL text and long names may run past it.
 */
#ifndef MIGEN_SNIPPET_H
#define MIGEN_SNIPPET_H

#include <stddef.h>

#include "migen/util.h"

#define MG_SNIPPET_WIDTH 88

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

/*
 * upgrade(): one autocommit block that drops the INVALID leftovers of failed
 * builds of these n indexes (one catalog query, online only) and then runs
 * CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS for each. Several index
 * builds in one function should share one block: pass them together.
 */
void mg_snippet_indexes_concurrently(struct mg_buf *out, const struct mg_index_spec *ix, size_t n,
                                     const struct mg_style *st);
/* downgrade(): DROP INDEX CONCURRENTLY IF EXISTS for each, in one autocommit block. */
void mg_snippet_drop_indexes_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                          size_t n, const struct mg_style *st);
/* The same for one index. */
void mg_snippet_index_concurrently(struct mg_buf *out, const struct mg_index_spec *ix,
                                   const struct mg_style *st);
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
	/* mg_snippet_backfill: set every row, not only those where column IS NULL
	 * (the batched form of an UPDATE without WHERE). */
	int every_row;
	/*
	 * Step numbering of the comments: the next snippet printed is step
	 * `step` of `steps`. 0: no number (one step alone, or the caller's own).
	 * mg_snippet_not_null() sets these itself.
	 */
	int step, steps;
};

/*
 * Step 1: op.add_column(... nullable=True), skipped when a failed earlier run
 * already added the column (asked online only; offline it is always added).
 */
void mg_snippet_add_nullable_column(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                    const struct mg_style *st);
/*
 * op.alter_column(..., server_default=sa.text(default_sql)): a default for
 * new rows only (existing rows keep their value, no rewrite). default_sql
 * must have passed mg_sql_check_expr().
 */
void mg_snippet_set_default_sql(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                const char *default_sql, const struct mg_style *st);
/*
 * Step 2: the batched backfill loop, each batch committed, walking bf->key
 * (any ordered type: integer, bigint, uuid, text), with a progress line
 * through Alembic's logger every ~50,000 rows and one when done. Offline:
 * one UPDATE of the whole table, with a comment saying so.
 */
void mg_snippet_backfill(struct mg_buf *out, const struct mg_backfill_spec *bf,
                         const struct mg_style *st);
/*
 * Step 3: NOT NULL, online (CHECK NOT VALID, VALIDATE, SET NOT NULL, drop the
 * CHECK) or plain (bf->small_table). Alone, this is the "validate only" form
 * for a column that is already filled.
 */
void mg_snippet_set_not_null(struct mg_buf *out, const struct mg_backfill_spec *bf,
                             const struct mg_style *st);
/*
 * The one-statement form for a constant value on PostgreSQL 11+:
 * op.add_column(..., server_default=VALUE, nullable=False). Existing rows
 * read the default from the catalog: no rewrite, no backfill. Needs
 * bf->value_python (a constant), not value_sql.
 */
void mg_snippet_add_column_server_default(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                          const struct mg_style *st);
/* downgrade(): undo step 3 (and step 1 when add_column). */
void mg_snippet_backfill_downgrade(struct mg_buf *out, const struct mg_backfill_spec *bf,
                                   int add_column, const struct mg_style *st);

/* The forms of NOT NULL advice, for mg_snippet_not_null(). */
enum mg_not_null_form {
	MG_NN_BACKFILL,       /* [add nullable,] batched backfill, NOT NULL: computed values */
	MG_NN_SERVER_DEFAULT, /* add with server_default and NOT NULL: a constant, PG 11+ */
	MG_NN_VALIDATE_ONLY,  /* CHECK NOT VALID, VALIDATE, SET NOT NULL: already filled */
};

/*
 * upgrade(): the whole form, its steps numbered "Step N of M" (add_column:
 * start by adding the column; MG_NN_SERVER_DEFAULT always adds it).
 */
void mg_snippet_not_null(struct mg_buf *out, const struct mg_backfill_spec *bf,
                         enum mg_not_null_form form, int add_column, const struct mg_style *st);

/*
 * The server_default= value for the Python literal v (a --default): True
 * and False as sa.true()/sa.false(), a string literal as it is (its text is
 * the SQL Alembic quotes), anything else (a number) as a string.
 */
void mg_snippet_server_default(struct mg_buf *out, const char *v, char q);

/* Appends s as a Python string literal in quote q (escaping as needed). */
void mg_snippet_pystr(struct mg_buf *out, const char *s, char q);

#endif
