/*
 * Checks for the SQL fragments people type on the command line (index
 * elements, partial-index predicates, default expressions). Each fragment is
 * pasted into SQL that sits inside a Python triple-quoted string handed to
 * sqlalchemy.text(), so it must be exactly one piece of SQL of the expected
 * shape (asked of the real PostgreSQL parser, libpg_query) and must hold
 * nothing that Python or SQLAlchemy would read differently from PostgreSQL.
 *
 * Every check returns 0 when the fragment is acceptable and -1 when it is
 * refused, with *why set to a reason that lives until the next call.
 */
#ifndef MIGEN_SQLCHECK_H
#define MIGEN_SQLCHECK_H

#include <stddef.h>

/* One scalar expression, as in `SELECT <expr>`: a default value, a predicate. */
int mg_sql_check_expr(const char *expr, const char **why);
/*
 * One index element, as in `CREATE INDEX i ON t (<elem>)`: a column or an
 * expression, optionally with COLLATE, an operator class, ASC/DESC and
 * NULLS FIRST/LAST.
 */
int mg_sql_check_index_elem(const char *elem, const char **why);
/* One partial-index predicate, as in `CREATE INDEX i ON t (x) WHERE <pred>`. */
int mg_sql_check_predicate(const char *pred, const char **why);
/*
 * The lexical part of the checks above, for text that will sit in a Python
 * triple-quoted string passed to sqlalchemy.text(): NULL when safe, else why
 * not. Refuses control characters, backslashes, three quotes in a row,
 * invalid UTF-8, `;`, comments and `$` outside quotes, and anything that
 * SQLAlchemy would take for a bound parameter (`:name`).
 */
const char *mg_sql_text_refusal(const char *s);
/*
 * Calls fn for every function the expression calls (schema NULL when not
 * qualified), in no particular order. Returns 0, or -1 when expr is not one
 * expression. Only reads: the text need not pass the checks above.
 */
int mg_sql_expr_calls(const char *expr, void (*fn)(void *ctx, const char *schema, const char *name),
                      void *ctx);
/* Whether expr (already checked) is the bare constant NULL. */
int mg_sql_is_null(const char *expr);
/*
 * Splits a comma-separated list at the commas outside parentheses and quotes,
 * trimming spaces around each item. Returns a malloc'd array of malloc'd
 * strings (free with mg_sql_list_free()), or NULL with *why set when the list
 * is empty, has an empty item or unbalanced parentheses or quotes.
 */
char **mg_sql_split_list(const char *s, size_t *n, const char **why);
void mg_sql_list_free(char **v, size_t n);

#endif
