/*
 * Indentation as Python's tokenizer checks it. tree-sitter's grammar is
 * forgiving about indentation that CPython refuses (tabs and spaces mixed
 * inconsistently, a dedent to a column no enclosing block started at), so
 * a file can parse here and still fail with TabError or IndentationError
 * when Alembic imports it. Private to the analyzer.
 */
#ifndef MIGEN_PYINDENT_H
#define MIGEN_PYINDENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The first indentation error in src (UTF-8, no BOM): its message (static,
 * worded as Python's) and 1-based line and column; NULL when there is none.
 */
const char *mg_pyindent_check(const char *src, size_t len, uint32_t *line, uint32_t *col);

#endif
