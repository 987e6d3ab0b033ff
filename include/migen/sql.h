/*
 * SQL found in op.execute(): parsed with libpg_query (the real PostgreSQL
 * parser) and added to the model as operations, indexes and foreign keys of
 * source MG_SRC_SQL, so rules see them exactly as their op.* twins.
 */
#ifndef MIGEN_SQL_H
#define MIGEN_SQL_H

#include <stddef.h>

#include "migen/model.h"

/*
 * Adds what the SQL of m->ops[exec_op] says to m. Returns 0 when the SQL
 * parsed, -1 when it did not (the execute op is then marked sql_error).
 */
int mg_sql_analyze(struct mg_model *m, size_t exec_op);

/*
 * The column a CHECK condition (SQL text) names when it names exactly one,
 * as PostgreSQL picks the name `<table>_<column>_check`; NULL otherwise or
 * when the text does not parse.
 */
const char *mg_sql_check_column(struct mg_arena *a, const char *expr);

#endif
