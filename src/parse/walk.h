/*
 * The walk over upgrade()/downgrade() bodies and the recording of op.*
 * calls into the model. Private to the analyzer (analyze.c, walk.c, ops.c,
 * table.c).
 */
#ifndef MIGEN_WALK_H
#define MIGEN_WALK_H

#include <tree_sitter/api.h>

#include "migen/model.h"
#include "pytree.h"

/* What changes the meaning of an op call: where it sits. */
struct mg_ctx {
	enum mg_direction dir;
	const char *function;
	int autocommit;
	int in_loop;
	const char *batch_alias; /* `as` name of op.batch_alter_table(), or NULL */
	const char *batch_table; /* its table (NULL if not a literal) */
	const char *batch_schema;
	TSNode stmt;       /* the statement holding the current node */
	const char *guard; /* the `if` conditions it runs under, as source text; NULL: always */
	int dead;          /* what follows never runs on PostgreSQL (after an early return) */
};

/* What a name is bound to: a module constant, a local, a loop variable being unrolled. */
enum mg_bind_kind {
	MG_BIND_UNKNOWN, /* assigned something migen cannot read: hides older bindings */
	MG_BIND_VALUE,   /* an expression node read in its place (a literal, a tuple, a call) */
	MG_BIND_DIALECT, /* holds the dialect's name (`bind.dialect.name`) */
	MG_BIND_PG,      /* a condition whose value on PostgreSQL is known: pg says which */
	MG_BIND_CALL,    /* a call (`status_enum = sa.Enum(...)`): only mg_walk_resolve_call
	                    reads it in its place */
};

struct mg_bind {
	const char *name;
	TSNode value;
	enum mg_bind_kind kind;
	int pg;
};

struct mg_walk {
	struct mg_model *m;
	const struct mg_pysrc *s;
	const char **helpers; /* module-level functions other than upgrade/downgrade */
	size_t nhelpers, caphelpers;
	struct mg_data *data;  /* names for data changes (dataops.c), or NULL */
	struct mg_bind *binds; /* searched from the end: the latest binding wins */
	size_t nbinds, capbinds;
	size_t nmodule_binds;  /* the module's own; a function's start from there */
	int binds_full;        /* too many to search: no name is resolved any more */
	unsigned unroll_depth; /* loops being unrolled, one inside the other */
	size_t unrolled;       /* loop items walked so far: bounded per file */
};

void mg_walk_block(struct mg_walk *w, TSNode body, const struct mg_ctx *ctx);
/*
 * An expression statement at module level or in a function: `NAME = value`
 * binds NAME for what follows; `NAME += ...`, `NAME[i] = ...` and
 * `NAME.append(...)` make what NAME holds unknown.
 */
void mg_walk_statement(struct mg_walk *w, TSNode expr);
/* n, or the expression an identifier is bound to (a constant, a loop variable). */
TSNode mg_walk_resolve(const struct mg_walk *w, TSNode n);
/* The same, also through a name bound to a call: what a type variable holds. */
TSNode mg_walk_resolve_call(const struct mg_walk *w, TSNode n);
/*
 * The string n stands for: a literal (or op.f()/sa.text() around one), also
 * through bound names, or an f-string whose every {name} is bound to a
 * literal string; NULL when not known. Arena-allocated.
 */
char *mg_walk_string(struct mg_walk *w, TSNode n);
/* The same for SQL text, without f-strings: SQL built by one is left opaque. */
char *mg_walk_sql(struct mg_walk *w, TSNode n);
void mg_walk_add_helper(struct mg_walk *w, const char *name);
struct mg_span mg_walk_span(const struct mg_walk *w, TSNode n);

/*
 * Records the call as an operation if it is an Alembic op (method is the
 * attribute called on `op` or on the batch alias). Returns 1 if recorded.
 */
int mg_ops_record(struct mg_walk *w, TSNode call, const char *method, int on_batch,
                  const struct mg_ctx *ctx);

/* sa.Column(...) into col; 0 if the call is not a Column. */
int mg_table_column_parse(struct mg_walk *w, TSNode call, struct mg_column *col);
/* "schema.table.column" or "table.column" (a ForeignKey target) -> the table, or NULL. */
const char *mg_table_ref_table(struct mg_arena *a, const char *target);
/* ondelete= of a ForeignKey call: the action, "?" when not a literal, NULL when not given. */
const char *mg_table_ondelete(struct mg_walk *w, TSNode call);
/* The source text of a type expression, a module-level variable resolved. */
const char *mg_table_type_expr(struct mg_walk *w, TSNode n);
/* A foreign key's referenced columns (and schema) from its "t.c" / "s.t.c" targets. */
void mg_table_fk_refs(struct mg_arena *a, struct mg_fkey *fk, const char *const *targets, size_t n);
/* op.create_table(...) into the model; fills op->table, table_index. */
void mg_table_create(struct mg_walk *w, TSNode call, size_t op);
/* The list of columns of an index argument (a list/tuple of names or expressions). */
void mg_index_columns(struct mg_walk *w, TSNode list, struct mg_index *ix);

/*
 * Data changes (dataops.c). mg_data_scan learns the file's table
 * variables, mapped classes and sessions before the walk (string constants
 * are the walker's bound names: mg_walk_sql);
 * mg_data_free releases them.
 */
void mg_data_scan(struct mg_walk *w, TSNode root);
void mg_data_free(struct mg_walk *w);
/* Whether arg is SQL (literal or constant) or a Core UPDATE/DELETE. */
int mg_data_is_statement(struct mg_walk *w, TSNode arg);
/* A Core UPDATE/DELETE run by execute op exec_op: adds its op; 0 when arg is none. */
int mg_data_core(struct mg_walk *w, TSNode arg, size_t exec_op);
/* A call of a helper function that runs SQL or ORM work: recorded in m->helper_calls. */
void mg_data_helper_call(struct mg_walk *w, TSNode call, const struct mg_ctx *ctx);
/* A call on an ORM session bound to the connection: records it; 1 if so. */
int mg_data_session_call(struct mg_walk *w, TSNode call, const struct mg_ctx *ctx);

#endif
