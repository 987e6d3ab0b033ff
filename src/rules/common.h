/*
 * What several rules share: building index specs from model data, checking
 * that names are safe to put into generated code, and where code goes.
 * Private to src/rules/.
 */
#ifndef MIGEN_RULES_COMMON_H
#define MIGEN_RULES_COMMON_H

#include "migen/model.h"
#include "migen/rules.h"
#include "migen/schema.h"
#include "migen/snippet.h"

/* Whether every name can go into generated code (see mg_ident_refusal). */
int mg_rc_safe(const char *const *names, size_t n);
/* An index name: prefix_table_parts..., shortened to 63 bytes; arena-allocated. */
const char *mg_rc_index_name(struct mg_diags *d, const char *table, const char *const *parts,
                             size_t n);
/* name as SQL: double-quoted when PostgreSQL needs it; arena-allocated. */
const char *mg_rc_sql_name(struct mg_diags *d, const char *name);
/*
 * Whether every part of ix may go into generated code: names pass
 * mg_ident_refusal, each column is one index element and the WHERE one
 * predicate to the PostgreSQL parser, with nothing that could end the Python
 * string around them. Names from the file or the command line are hostile.
 */
int mg_rc_spec_safe(const struct mg_index_spec *ix);
/*
 * The code of an index for g: g->code builds it (plain op.create_index for
 * a new table, else CONCURRENTLY), g->downgrade drops it. Returns 0, or -1
 * (and no code) when mg_rc_spec_safe() refuses the spec: it is checked once
 * for both.
 */
int mg_rc_index_code(struct mg_diags *d, const struct mg_model *m, const struct mg_index_spec *ix,
                     int concurrently, struct mg_diag *g);
/*
 * The SQL that follows an index's column list for its PostgreSQL options
 * (INCLUDE, NULLS NOT DISTINCT, WITH, TABLESPACE, in PostgreSQL's order), or
 * NULL when it has none; arena-allocated. *why is set (and NULL returned)
 * when a name in them is not safe to write.
 */
const char *mg_rc_index_options(struct mg_diags *d, const struct mg_index *x, const char **why);
/* "op.create_table('t')" style description of an op, for "where" texts. */
const char *mg_rc_describe(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op);

/* mg_rc_describe(), or for a statement of op.execute() "VACUUM FULL in op.execute()". */
const char *mg_rc_describe_stmt(struct mg_diags *d, const struct mg_model *m,
                                const struct mg_op *op);

/* The statement of op, moved into `with op.get_context().autocommit_block():`. */
const char *mg_rc_wrap_autocommit(struct mg_diags *d, const struct mg_model *m,
                                  const struct mg_op *op);

/* s on one line, white space runs as one space, cut after max bytes with "...". */
const char *mg_rc_shorten(struct mg_diags *d, const char *s, size_t max);
/* How a message names an index: its name, "EXPR (name not a literal)" or "(unnamed)". */
const char *mg_rc_index_label(struct mg_diags *d, const struct mg_index *x);
/*
 * Whether missing-tenant-index suggests, for table t, an index that leads with
 * the tenant column and has no WHERE clause (one a foreign key check can use).
 */
int mg_rc_tenant_index_full(const struct mg_model *m, const struct mg_options *o,
                            const struct mg_table *t);

/*
 * The table as the schema replayed before this migration has it (lint:
 * o->schema), or NULL: not in it, or no schema (enhance looks at one file).
 */
const struct mg_stable *mg_rc_schema_table(const struct mg_options *o, const char *schema,
                                           const char *table);
/*
 * Whether table holds no rows in production yet: this migration's upgrade()
 * creates it, or (lint --since) a migration of the same change does.
 * Everything else is an existing table that may be large and busy.
 */
int mg_rc_table_new(const struct mg_model *m, const struct mg_options *o, const char *table);
/*
 * Whether an earlier migration left an index (or primary key, unique
 * constraint) on table that leads with column; full_only: one a foreign
 * key check can use (no WHERE, valid, the plain column).
 */
int mg_rc_schema_index_leading(const struct mg_options *o, const char *schema, const char *table,
                               const char *column, int full_only);

/*
 * Rolling-deploy rules: whether op runs in upgrade() on a table that already
 * holds rows in production (known by name, not new: mg_rc_table_new).
 */
int mg_rc_existing(const struct mg_model *m, const struct mg_options *o, const struct mg_op *op);
/* Whether upgrade() adds table.column in an operation before op number before. */
int mg_rc_column_added(const struct mg_model *m, const char *table, const char *column,
                       size_t before);
/* A finding about op number i: table, position and op filled in. */
struct mg_diag *mg_rc_op_diag(struct mg_diags *d, const char *rule, enum mg_severity sev,
                              const struct mg_model *m, size_t i);
/*
 * The same, pointing at the call that holds op number i: for a statement of
 * an op.execute()'s SQL, that op.execute() (the place a fix or a
 * suppression goes); else op i itself.
 */
struct mg_diag *mg_rc_stmt_diag(struct mg_diags *d, const char *rule, enum mg_severity sev,
                                const struct mg_model *m, size_t i);

/* A column upgrade() creates (create_table, add_column) or gives a new type (alter_column). */
struct mg_rc_tcol {
	const char *table, *schema, *name;
	const char *pg;              /* PostgreSQL's type name, or NULL: not known */
	const struct mg_column *def; /* its definition, or NULL (alter_column) */
	size_t op;                   /* the operation */
	uint32_t line, col;          /* where the column (or the call) is */
};
/* The columns upgrade() creates or retypes, in source order; arena-allocated in d. */
size_t mg_rc_typed_columns(const struct mg_model *m, struct mg_diags *d,
                           const struct mg_rc_tcol **out);
/*
 * Whether c is the whole primary key of the table its create_table makes:
 * primary_key=True on it alone, or a one-column PrimaryKeyConstraint / SQL
 * PRIMARY KEY naming it (the parser marks the constraint's columns).
 */
int mg_rc_single_pk(const struct mg_model *m, const struct mg_rc_tcol *c);
/*
 * Whether PostgreSQL fills c from a sequence default, as serial does: SQL
 * serial, or an integer primary key SQLAlchemy makes autoincrement (SERIAL,
 * BIGSERIAL), with no identity, server default or sa.Sequence.
 */
int mg_rc_serial(const struct mg_model *m, const struct mg_rc_tcol *c);
/* A finding at column c, with table, column and op filled in. */
struct mg_diag *mg_rc_col_diag(struct mg_diags *d, const char *rule, enum mg_severity sev,
                               const struct mg_rc_tcol *c);

/* PostgreSQL's table lock modes, weakest first (as LOCK TABLE numbers them). */
enum mg_rc_lock {
	MG_LOCK_NONE = 0,
	MG_LOCK_ACCESS_SHARE = 1,
	MG_LOCK_ROW_SHARE,
	MG_LOCK_ROW_EXCLUSIVE,
	MG_LOCK_SHARE_UPDATE_EXCLUSIVE,
	MG_LOCK_SHARE,
	MG_LOCK_SHARE_ROW_EXCLUSIVE,
	MG_LOCK_EXCLUSIVE,
	MG_LOCK_ACCESS_EXCLUSIVE,
};
/* "ACCESS EXCLUSIVE", ... */
const char *mg_rc_lock_name(enum mg_rc_lock l);
/*
 * The lock op takes on op->table as PostgreSQL documents it for the
 * statement (ALTER TABLE forms, DROP, TRUNCATE, LOCK, REFRESH, CLUSTER,
 * VACUUM FULL; a foreign key: SHARE ROW EXCLUSIVE, on its ref_table too).
 * MG_LOCK_NONE for what takes no lock that blocks writers, or what migen
 * does not classify. Row-level data changes are not table locks here.
 */
enum mg_rc_lock mg_rc_op_lock(const struct mg_op *op);

/* The PostgreSQL major version deployed to: o->pg_version, or MG_PG_VERSION_DEFAULT. */
int mg_rc_pg_version(const struct mg_options *o);

/*
 * Whether op works on a table that may hold rows in production, so that a
 * lock or a scan there matters: the table is named, is not new
 * (mg_rc_table_new), is not created earlier in op's own function (a
 * downgrade re-creating it) nor dropped later in it (dropping the table
 * takes the stronger lock anyway), and under lint the replayed schema has
 * it (a table migen could not follow is left alone).
 */
int mg_rc_table_existing(const struct mg_model *m, const struct mg_options *o, size_t op,
                         const char *schema, const char *table);
/* The function op is in, for messages: "upgrade", "downgrade", ... */
const char *mg_rc_function(const struct mg_model *m, const struct mg_op *op);
/*
 * Code that validates constraint name on table in its own transaction:
 * `with op.get_context().autocommit_block():` + op.execute("ALTER TABLE
 * ... VALIDATE CONSTRAINT ..."), in the file's style; NULL when a name is
 * not safe to write into code.
 */
/*
 * `op.execute(<sql>)` at the file's indentation, the SQL a Python string in
 * the file's quote style; autocommit: inside `with
 * op.get_context().autocommit_block():`. prefix (NULL: none) comes first.
 */
const char *mg_rc_execute_code(struct mg_diags *d, const struct mg_model *m, const char *prefix,
                               const char *sql, int autocommit);
const char *mg_rc_validate_code(struct mg_diags *d, const struct mg_model *m, const char *schema,
                                const char *table, const char *name);
/*
 * The call of op (an op.* call) with `postgresql_not_valid=True` added as
 * its last argument, one statement for the file; NULL when the call cannot
 * be edited safely (a comment inside it, no source).
 */
const char *mg_rc_call_not_valid(struct mg_diags *d, const struct mg_model *m,
                                 const struct mg_op *op);
/*
 * Whether the CHECK condition expr is `column IS NOT NULL`, with the
 * parentheses, quoting and case PostgreSQL accepts for it.
 */
int mg_rc_is_not_null_expr(const char *expr, const char *column);
/*
 * Whether a validated CHECK (column IS NOT NULL) on table stands before op
 * upto: in the replayed schema, or added earlier in upgrade() (without NOT
 * VALID, or NOT VALID and then VALIDATE CONSTRAINT). The column then holds
 * no NULL, and SET NOT NULL (PostgreSQL 12+) trusts it instead of scanning.
 */
int mg_rc_not_null_proven(const struct mg_model *m, const struct mg_options *o, size_t upto,
                          const char *schema, const char *table, const char *column);
/*
 * Where word=... is in s[0..n) as a keyword argument: the offset after the
 * `=` and its spaces, or (size_t)-1. Counts the matches in *count.
 */
size_t mg_rc_kwarg_at(const char *s, size_t n, const char *word, int *count);
/* What else an alter_column changes besides nullable ("type_", ...): replacing it would lose that.
 */
const char *mg_rc_alter_changes_more(const struct mg_model *m, const struct mg_op *op);
/*
 * g's code replaces the alter_column op: applied by --fix (MG_FIX_REPLACE)
 * when the op is a plain op.alter_column that changes only nullable, else
 * g->not_applied says why not.
 */
void mg_rc_alter_replace(struct mg_diags *d, const struct mg_model *m, struct mg_diag *g,
                         const struct mg_op *op);
/*
 * The code of a constraint added by an op.* call (not in a batch block):
 * the call with postgresql_not_valid=True, then validate (its VALIDATE in
 * an autocommit block), replacing the call (--fix) when nothing stops it;
 * when the call cannot be edited, validate alone, after it.
 */
void mg_rc_not_valid_code(struct mg_diags *d, const struct mg_model *m, struct mg_diag *g,
                          const struct mg_op *op, const char *fn, const char *validate);
/* Whether the op.execute() at parent has readable SQL that runs only statement self. */
int mg_rc_sql_alone(const struct mg_model *m, size_t parent, size_t self);
/*
 * The single-column key a batched walk of op's table follows: --key, else
 * the table's primary key as this file describes it, the replayed schema
 * has it, or the migration that created it; NULL when none or composite.
 */
const char *mg_rc_walk_key(const struct mg_model *m, const struct mg_options *o,
                           const struct mg_op *op);

#endif
