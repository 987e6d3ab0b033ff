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

#endif
