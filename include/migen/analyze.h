/*
 * The analyzer: one migration file's bytes in, one plain model out
 * (model.h). Python goes through tree-sitter, the SQL of op.execute()
 * through libpg_query (sql.h). Nothing is guessed: what is not a literal is
 * left NULL / MG_UNKNOWN in the model.
 */
#ifndef MIGEN_ANALYZE_H
#define MIGEN_ANALYZE_H

#include <stddef.h>

#include "migen/model.h"

enum mg_analyze_mode {
	MG_ANALYZE_FULL,     /* everything */
	MG_ANALYZE_REVISION, /* only the revision variables and the message (doctor) */
};

/*
 * Analyses src[0..len) (which may start with a UTF-8 BOM) read from path.
 * Returns a new model; the caller frees it with mg_model_free(). Syntax
 * errors are recorded in the model (m->errors), never fatal.
 */
struct mg_model *mg_analyze(const char *path, const char *src, size_t len,
                            enum mg_analyze_mode mode);

/*
 * A parser that mg_analyze_with() reuses across files: creating one per file
 * costs more than parsing a small migration. Not thread-safe: one per
 * thread. mg_parser_free() releases it.
 */
struct mg_parser;
struct mg_parser *mg_parser_new(void);
void mg_parser_free(struct mg_parser *p);
struct mg_model *mg_analyze_with(struct mg_parser *p, const char *path, const char *src, size_t len,
                                 enum mg_analyze_mode mode);

/*
 * The revision variables from the module header alone: the bytes before the
 * first top-level def/class/decorator line, which is where Alembic's
 * templates put them. src may be only the start of the file. Returns the
 * model (m->rev filled, as MG_ANALYZE_REVISION would fill it) when the
 * header parses and assigns all four of revision, down_revision,
 * branch_labels and depends_on; NULL otherwise, and the caller analyses the
 * whole file with MG_ANALYZE_REVISION. Syntax errors after the header are
 * not seen. The caller frees the model with mg_model_free().
 */
struct mg_model *mg_analyze_header(struct mg_parser *p, const char *path, const char *src,
                                   size_t len);

#endif
