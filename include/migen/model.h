/*
 * The plain C model of one migration file: what the analyzer fills in and
 * what rules, emitters and commands read. Nothing here refers to tree-sitter
 * or libpg_query, so rules can be unit-tested on hand-built models.
 *
 * Ownership: every pointer in a model points into the model's arena and is
 * released by mg_model_free(). Strings are decoded UTF-8 (no quotes). NULL
 * means "unknown" (not a literal) unless a field says otherwise.
 */
#ifndef MIGEN_MODEL_H
#define MIGEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "migen/util.h"

enum mg_tri { MG_UNKNOWN = -1, MG_NO = 0, MG_YES = 1 };

/* Where something is in the source: byte range, 1-based line and column (bytes). */
struct mg_span {
	uint32_t start, end;
	uint32_t line, col;
};

/* A string list that may be None, a literal list, or not a literal at all. */
struct mg_strlist {
	const char **v;
	size_t n;
	int present; /* the variable was assigned at all */
	int known;   /* every element is a literal (None counts as known, n = 0) */
};

struct mg_revinfo {
	const char *revision; /* NULL: missing or not a literal */
	struct mg_span revision_span;
	int has_revision; /* a `revision` assignment exists */
	struct mg_strlist down_revision;
	struct mg_strlist branch_labels;
	struct mg_strlist depends_on;
	const char *message; /* first line of the module docstring, or NULL */
};

enum mg_direction { MG_UPGRADE, MG_DOWNGRADE };

enum mg_source { MG_SRC_OP, MG_SRC_SQL, MG_SRC_TABLE };

struct mg_column {
	const char *name;
	const char *type;           /* source text, e.g. "sa.String(length=50)" */
	int nullable;               /* mg_tri */
	int nullable_given;         /* nullable= was written (else SQLAlchemy's default) */
	int primary_key;            /* mg_tri */
	const char *server_default; /* source text, NULL when none */
	int has_server_default;     /* mg_tri */
	const char *foreign_key;    /* "table.column" target of sa.ForeignKey, or NULL */
	int index;                  /* index=True */
	int unique;                 /* unique=True */
	/* PostgreSQL fills existing rows itself: serial, identity, sa.Identity(),
	 * sa.Computed, an autoincrementing integer primary key (SERIAL). */
	int generated;
	uint32_t line;
	const char *foreign_key_name; /* the ForeignKey's name= when a literal, else NULL */
	/* Facts the schema replay needs (schema.h): */
	const char *type_expr; /* the type's source text, a module-level variable replaced by
	                          the expression it holds; NULL when none */
	const char *pg_type;   /* PostgreSQL's type name (format_type) when SQL gives it */
	int identity;          /* sa.Identity() or GENERATED ... AS IDENTITY */
	int computed;          /* sa.Computed() or GENERATED ALWAYS AS (...) STORED */
	const char *foreign_key_ondelete; /* the ForeignKey's ondelete= ("CASCADE"), or NULL */
	const char *check;                /* SQL: the column's CHECK expression, or NULL */
	const char *check_name;           /* its CONSTRAINT name, or NULL */
	int autoincrement; /* autoincrement=: mg_tri, MG_UNKNOWN when not given ("auto") */
	int has_sequence;  /* an sa.Sequence() argument */
	int flags_unknown; /* index= or unique= given but not a literal */
};

enum mg_index_kind {
	MG_IX_INDEX,       /* CREATE INDEX, op.create_index, sa.Index, index=True */
	MG_IX_PRIMARY_KEY, /* primary key: implies a unique index */
	MG_IX_UNIQUE,      /* unique constraint: implies a unique index */
};

struct mg_index {
	const char *name;  /* NULL: not given (PostgreSQL names it) or not a literal */
	const char *table; /* NULL: unknown */
	const char *schema;
	const char **columns; /* a name, or an expression's source text */
	int *is_expr;         /* per column: 1 when an expression */
	const char *
	    *elements; /* from SQL: each element as written (`a DESC`, `lower(b)`), else NULL */
	size_t ncolumns;
	int columns_known; /* the column list was a literal */
	enum mg_index_kind kind;
	int unique;
	int concurrently;
	int if_not_exists;
	const char *where; /* partial index predicate, source text */
	const char *using_method;
	/* PostgreSQL options of op.create_index (postgresql_*), each NULL/0 when not given: */
	const char **opclass; /* per column: postgresql_ops operator class, or NULL */
	const char **include; /* postgresql_include columns */
	size_t ninclude;
	const char *with_sql;   /* postgresql_with as SQL: "fillfactor = 70, ..." */
	const char *tablespace; /* postgresql_tablespace */
	int nulls_not_distinct; /* postgresql_nulls_not_distinct=True */
	const char *no_code;    /* why its SQL cannot be written (a Python expression, an option
	                           migen cannot carry), or NULL */
	enum mg_direction dir;
	enum mg_source source;
	int autocommit; /* built inside an autocommit block */
	size_t op;      /* index of the operation that made it in mg_model.ops */
	uint32_t line, col;
	const char *name_expr; /* the name's source text when it is not a literal, else NULL */
};

struct mg_fkey {
	const char *table;
	const char **columns;
	size_t ncolumns;
	const char *ref_table;
	enum mg_direction dir;
	enum mg_source source;
	size_t op;
	uint32_t line, col;
	const char *name;         /* the constraint's name, NULL when unnamed or not a literal */
	const char *schema;       /* the table's schema */
	const char *ref_schema;   /* the referenced table's schema, or NULL */
	const char **ref_columns; /* the referenced columns (NULL: not known) */
	size_t nref_columns;
	const char *ondelete; /* ON DELETE as written ("CASCADE"); NULL: none; "?": not a literal */
	int not_valid;        /* added NOT VALID (postgresql_not_valid=True) */
	const char *name_expr; /* the name's source text when it is not a literal */
};

/* A CHECK constraint: sa.CheckConstraint in create_table, op.create_check_constraint, SQL. */
struct mg_check {
	const char *table;
	const char *schema;
	const char *name;      /* NULL: unnamed (PostgreSQL names it) or not a literal */
	const char *name_expr; /* the name's source text when it is not a literal */
	const char *expr;      /* the condition as SQL or source text; NULL: not known */
	const char *column;    /* the first column the condition names (PostgreSQL's name
	                          for an unnamed one uses it), or NULL */
	int not_valid;
	enum mg_direction dir;
	enum mg_source source;
	size_t op;
	uint32_t line;
};

enum mg_op_kind {
	MG_OP_OTHER,
	MG_OP_CREATE_TABLE,
	MG_OP_DROP_TABLE,
	MG_OP_RENAME_TABLE,
	MG_OP_CREATE_INDEX,
	MG_OP_DROP_INDEX,
	MG_OP_ADD_COLUMN,
	MG_OP_DROP_COLUMN,
	MG_OP_ALTER_COLUMN,
	MG_OP_CREATE_FOREIGN_KEY,
	MG_OP_CREATE_UNIQUE_CONSTRAINT,
	MG_OP_CREATE_CHECK_CONSTRAINT,
	MG_OP_DROP_CONSTRAINT,
	MG_OP_EXECUTE,
	MG_OP_BULK_INSERT,
	MG_OP_UPDATE,      /* an UPDATE (SQL, SQLAlchemy Core or an ORM session): a backfill */
	MG_OP_EMPTY_TABLE, /* DELETE without WHERE, TRUNCATE: no rows are left after it */
	/* From SQL (ALTER ... RENAME, CREATE TYPE, ...): */
	MG_OP_RENAME_COLUMN,       /* column -> new_name */
	MG_OP_RENAME_INDEX,        /* object -> new_name */
	MG_OP_RENAME_CONSTRAINT,   /* object -> new_name */
	MG_OP_VALIDATE_CONSTRAINT, /* object */
	MG_OP_CREATE_ENUM,         /* object (schema) with labels */
	MG_OP_ADD_ENUM_VALUE,      /* object gets labels[0] */
	MG_OP_DROP_ENUM,           /* object */
	MG_OP_CREATE_SEQUENCE,     /* object */
	MG_OP_DROP_SEQUENCE,       /* object */
	MG_OP_RENAME_SEQUENCE,     /* object -> new_name */
	MG_OP_RENAME_ENUM,         /* object -> new_name */
	MG_OP_RENAME_ENUM_VALUE,   /* object: labels[0] -> labels[1] */
};

/* What alter_column (or ALTER COLUMN SET/DROP DEFAULT) does to the server default. */
enum mg_default_change { MG_DEFAULT_KEEP, MG_DEFAULT_SET, MG_DEFAULT_DROP };

/*
 * One operation: an op.* (or batch_op.*) call, or a statement found in the
 * SQL of an op.execute() (source MG_SRC_SQL, parent = the execute op).
 */
struct mg_op {
	enum mg_op_kind kind;
	const char *name; /* the method as written: "create_index", "execute", ... */
	enum mg_direction dir;
	const char *function; /* "upgrade", "downgrade_engine1", ... */
	enum mg_source source;
	size_t parent;       /* for SQL statements: the execute op; else its own index */
	struct mg_span span; /* the call expression */
	struct mg_span stmt; /* the whole statement (line start to line end) holding the call */
	int autocommit;      /* inside `with op.get_context().autocommit_block():` */
	int batch;           /* a batch_op call inside op.batch_alter_table() */
	int in_loop;         /* inside a for/while: may run any number of times */
	const char *table;   /* NULL: unknown */
	const char *schema;
	const char *column;       /* add/drop/alter column */
	const char *new_name;     /* rename_table: the new name */
	const char *object;       /* drop_index, constraints: the index or constraint name */
	struct mg_column *coldef; /* add_column: the sa.Column, else NULL */
	int nullable;             /* alter_column nullable=; mg_tri */
	int has_server_default;   /* alter_column/add_column server_default given; mg_tri */
	int concurrently;         /* create/drop index built CONCURRENTLY */
	const char **set_columns; /* update: the columns it SETs */
	size_t nset;
	int whole_table;    /* update: no WHERE, or only `col IS NULL`; mg_tri */
	const char *sql;    /* execute: the decoded SQL text, NULL when opaque */
	uint32_t sql_line;  /* execute: line where the SQL literal starts */
	int sql_error;      /* execute: the literal SQL did not parse */
	size_t index;       /* create/drop index: its mg_index, or (size_t)-1 */
	size_t table_index; /* create_table: its mg_table, or (size_t)-1 */

	const char *sql_error_message; /* execute: the PostgreSQL parser's message, or NULL */
	const char *guard; /* the `if` conditions it runs under (source text), NULL: always */
	/* Facts the schema replay needs (schema.h): */
	const char *type_expr; /* alter_column type_= as source text (variables resolved);
	                          create_enum/drop_enum of `an_enum.create(bind)`: the type */
	const char *pg_type;   /* SQL ALTER COLUMN TYPE: PostgreSQL's type name */
	enum mg_default_change default_change; /* alter_column server_default= / SET DEFAULT */
	const char *server_default;            /* the new default's source text */
	const char *object_type; /* drop_constraint type_= ("foreignkey", "unique", "primary",
	                            "check"); ADD VALUE: "before"/"after" new_name, or NULL */
	int if_exists;           /* DROP ... IF EXISTS, if_exists=True; CREATE ... IF NOT EXISTS */
	int not_valid;           /* ADD CONSTRAINT ... NOT VALID */
	int opaque; /* SQL whose effect on the schema migen does not read; alter_column: nullable=
	                 not a literal */
	const char **labels; /* CREATE TYPE AS ENUM: its labels; ADD VALUE: the one added */
	size_t nlabels;
	const char *name_expr;   /* a table/object name's source text when not a literal */
	const char *using_index; /* ADD CONSTRAINT ... USING INDEX: the index it takes over */
	int identity_change;     /* ALTER COLUMN ADD (1) / DROP (-1) IDENTITY, else 0 */
	/* UPDATE/DELETE/INSERT ... SELECT: which rows it touches (enum mg_rows). */
	int rows;
	/* SQL UPDATE of one column, no FROM/RETURNING/WITH: its new value as written, else NULL.
	 * Its column is set_columns[0]; `column` is the one its WHERE tests IS NULL, if any. */
	const char *set_sql;
	/* TRUNCATE ... CASCADE, DROP SCHEMA ... CASCADE: also what depends on it elsewhere */
	int cascade;
};

/*
 * Which rows a data change touches, as far as its SQL shows. SQL statements
 * that change no schema but matter to the rules are MG_OP_OTHER operations
 * of source MG_SRC_SQL named after the statement: "delete" (with a WHERE),
 * "insert_select", "vacuum", "vacuum_full", "analyze", "reindex", "cluster",
 * "create_database", "drop_database", "lock", "refresh_matview", "transaction"
 * (object: "BEGIN", "COMMIT", ...), "set" (object: the setting, new_name: its
 * value as written, or NULL). concurrently is set for REINDEX and REFRESH.
 * "refresh_matview" has object_type "no_data" for WITH NO DATA;
 * "detach_partition" (ALTER TABLE ... DETACH PARTITION; table: the
 * partitioned table) has object: the partition, new_name: its schema or
 * NULL, concurrently. ADD CONSTRAINT ... EXCLUDE (SQL, and
 * op.create_exclude_constraint) is an MG_OP_OTHER with object_type
 * "exclude"; a "ddl" op for CREATE MATERIALIZED VIEW has object: the view.
 */
enum mg_rows {
	MG_ROWS_UNKNOWN = 0, /* not an SQL data change, or a WHERE migen does not read */
	MG_ROWS_ALL,         /* no WHERE, or only `col IS NULL`: every row */
	MG_ROWS_NAMED,       /* WHERE col = constant / col IN (constants), ANDed: a few rows */
	MG_ROWS_BATCH,       /* WHERE with a bound parameter or a LIMIT: one batch of a loop */
	MG_ROWS_SOME,        /* any other WHERE: as many rows as match */
};

struct mg_table {
	const char *name;
	const char *schema;
	struct mg_column *columns;
	size_t ncolumns;
	int columns_known; /* every argument was understood */
	size_t op;
	uint32_t line, col;
};

/* upgrade()/downgrade() (and their _<name> variants): where code can be added. */
struct mg_function {
	const char *name;
	enum mg_direction dir;
	uint32_t body_start; /* byte offset of the body's first statement (or comment) */
	uint32_t body_line;
};

/* A call of a module-level helper that runs SQL or ORM work: it may be a backfill. */
struct mg_helper_call {
	const char *name;
	enum mg_direction dir;
	struct mg_span span;
};

enum mg_severity { MG_NOTE, MG_WARNING, MG_ERROR };

/* A comment as the parser saw it (`# ...`): never text inside a string. */
struct mg_comment {
	uint32_t start; /* byte offset of its '#' in the file */
	uint32_t line, col;
	const char *text; /* from '#' to the end of its line, without the line break */
};

/* A problem with the input itself (syntax error, unreadable construct). */
struct mg_error {
	uint32_t line, col;
	const char *message;
};

struct mg_model {
	struct mg_arena arena;
	const char *path;
	struct mg_revinfo rev;
	struct mg_op *ops;
	size_t nops, capops;
	struct mg_table *tables;
	size_t ntables, captables;
	/* Tables the file describes without creating them (sa.Table, sa.table,
	 * ORM classes with __tablename__): their key columns, for backfills. */
	struct mg_table *defined;
	size_t ndefined, capdefined;
	struct mg_helper_call *helper_calls;
	size_t nhelper_calls, caphelper_calls;
	struct mg_index *indexes;
	size_t nindexes, capindexes;
	struct mg_fkey *fkeys;
	size_t nfkeys, capfkeys;
	struct mg_function *functions;
	size_t nfunctions, capfunctions;
	struct mg_error *errors; /* syntax errors */
	size_t nerrors, caperrors;
	struct mg_check *checks;
	size_t nchecks, capchecks;
	struct mg_error *notes; /* what the analysis could not see (helpers, opaque SQL) */
	size_t nnotes, capnotes;
	int has_upgrade, has_downgrade;
	int syntax_errors;          /* tree-sitter found ERROR or MISSING nodes */
	uint32_t nested_autocommit; /* line of an autocommit block inside another, or 0 */
	char quote;                 /* the quote most string literals use: '"' or '\'' */
	const char *indent;         /* one indentation level as the file writes it */
	const char *eol;            /* "\n" or "\r\n" */
	const char *src;            /* the file's bytes, borrowed from the caller (may be NULL) */
	size_t srclen;
	/* Names bound by module-level imports ("sa", "op", "Column"; "*" for a star import). */
	const char **imports;
	size_t nimports, capimports;
	/* Per import name, what it binds as a dotted path ("sqlalchemy.dialects.postgresql.JSONB",
	 * "sqlalchemy" for `import sqlalchemy as sa`), or NULL (relative, star). */
	const char **import_targets;
	uint32_t imports_end;     /* byte just past the last module-level import's line, or 0 */
	uint32_t first_stmt;      /* byte where the first statement after the docstring starts */
	struct mg_lookup *lookup; /* built by mg_model_finish(); NULL until then */
	/* Every comment in source order (MG_ANALYZE_FULL): suppressions read them. */
	struct mg_comment *comments;
	size_t ncomments, capcomments;
};

struct mg_model *mg_model_new(const char *path);
/*
 * Builds the lookup tables that make the queries below O(log n). Call once
 * the model is complete (mg_analyze does); a model without them (built by
 * hand in a test) is queried by linear scans, with the same answers.
 */
void mg_model_finish(struct mg_model *m);
void mg_model_free(struct mg_model *m);

struct mg_op *mg_model_add_op(struct mg_model *m);
struct mg_table *mg_model_add_table(struct mg_model *m);
struct mg_index *mg_model_add_index(struct mg_model *m);
struct mg_fkey *mg_model_add_fkey(struct mg_model *m);
/* A check constraint made by operation op (table, schema, direction from it). */
struct mg_check *mg_model_add_op_check(struct mg_model *m, size_t op, enum mg_source source);
/*
 * An index or a foreign key made by operation op: table, schema, direction,
 * autocommit, op and position come from it (the caller may refine them).
 * An index is unique unless kind is MG_IX_INDEX.
 */
struct mg_index *mg_model_add_op_index(struct mg_model *m, size_t op, enum mg_index_kind kind,
                                       enum mg_source source);
struct mg_fkey *mg_model_add_op_fkey(struct mg_model *m, size_t op, enum mg_source source);
void mg_model_add_error(struct mg_model *m, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The table created in this migration's upgrade() with that name, or NULL. */
void mg_model_add_note(struct mg_model *m, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const struct mg_table *mg_model_created_table(const struct mg_model *m, const char *name);
/* The last table described in the file (mg_model.defined) with that name, or NULL. */
const struct mg_table *mg_model_defined_table(const struct mg_model *m, const char *name);
/* A column of a created table by name, or NULL. */
const struct mg_column *mg_table_column(const struct mg_table *t, const char *name);
/* Whether an index (any kind, any source, upgrade direction) on table leads with column. */
/*
 * The position of the first upgrade() index on table at or after from, or
 * m->nindexes: `for (i = mg_model_table_index(m, t, 0); i < m->nindexes;
 * i = mg_model_table_index(m, t, i + 1))` walks them in source order.
 */
size_t mg_model_table_index(const struct mg_model *m, const char *table, size_t from);
/*
 * The position of the first create_table or drop_table op on table at or
 * after from, or m->nops; walked like mg_model_table_index.
 */
size_t mg_model_table_op(const struct mg_model *m, const char *table, size_t from);
int mg_model_has_index_leading(const struct mg_model *m, const char *table, const char *column);
/* The same, counting only indexes without a WHERE clause: what a foreign key check can use. */
int mg_model_has_full_index_leading(const struct mg_model *m, const char *table,
                                    const char *column);

/*
 * Whether two revision headers carry the same values: revision,
 * down_revision, branch_labels, depends_on (present, known and every
 * string) and the message; spans are not compared. NULL equals only NULL.
 */
int mg_revinfo_same(const struct mg_revinfo *a, const struct mg_revinfo *b);
int mg_strlist_same(const struct mg_strlist *a, const struct mg_strlist *b);
int mg_str_same(const char *a, const char *b);

const char *mg_op_kind_name(enum mg_op_kind k);
const char *mg_severity_name(enum mg_severity s); /* "note", "warning", "error" */
const char *mg_source_name(enum mg_source s);

#endif
