/*
 * Rules: pure functions from a model (and the options) to diagnostics, one
 * rule per file under src/rules/, all listed in one registry (rules.c).
 * Rule ids are stable once released: tests, docs and users' scripts name them.
 */
#ifndef MIGEN_RULES_H
#define MIGEN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "migen/model.h"

/* The schema replayed from the history (the schema helper's schema.h); opaque here. */
struct mg_schema;

struct mg_options {
	int add_tenant_indexes;         /* --add-tenant-indexes */
	int use_concurrently;           /* --use-concurrently */
	const char *tenant_column;      /* tenant_id */
	const char *space_column;       /* space_id */
	const char *soft_delete_column; /* deleted_at */
	const char *backfill_python; /* --default: a Python literal bound as a parameter, or NULL */
	const char *backfill_sql;    /* --default-sql: an SQL expression, or NULL */
	const char *backfill_key; /* --key: the column backfills walk, or NULL (the primary key) */
	long batch_size;          /* --batch-size; 0: 5000 */
	const char *sleep;        /* --sleep, seconds as given; NULL: "0.01" */
	/* Primary keys of tables created by the project's other migrations, or NULL. */
	const struct mg_table_keys *history_keys;
	/*
	 * Set by the lint engine for each migration (src/lint/engine.c); NULL/0
	 * under enhance. schema: the schema as it stands just before this
	 * migration, or NULL while no replay is wired in. new_tables: tables that
	 * do not exist in production yet because a migration added since
	 * --since REF created them (tables this migration creates are new too:
	 * mg_model_created_table). Rules do not read either yet.
	 */
	const struct mg_schema *schema;
	const char *const *new_tables;
	size_t nnew_tables;
};

/* A table's primary key columns, as another migration created it. */
struct mg_table_key {
	const char *table;
	const char *schema;
	const char **columns;
	size_t ncolumns;
};

struct mg_table_keys {
	struct mg_table_key *v;
	size_t n, cap;
};

/* What a fix would do to the file, for --write and --diff. */
enum mg_fix_kind {
	MG_FIX_NONE,         /* a suggestion only */
	MG_FIX_INSERT_AFTER, /* insert code after the statement of op */
	MG_FIX_REPLACE,      /* replace the statement of op with code */
};

struct mg_diag {
	const char *rule;
	enum mg_severity severity;
	const char *table;  /* NULL when none */
	const char *column; /* the database column concerned, or NULL */
	uint32_t line, col;
	const char *message; /* one line */
	const char *where;   /* where the code goes, e.g. "upgrade(), after op.create_table('t')" */
	const char *code;    /* Python to paste, or NULL */
	const char *downgrade;       /* Python for downgrade(), or NULL */
	const char *downgrade_where; /* where that goes, e.g. "downgrade(), at the start" */
	const char *note;            /* a remark shown with the finding (why no code is given,
	                                that a fix makes the migration non-atomic), or NULL */
	size_t op;                   /* the operation concerned, or (size_t)-1 */
	enum mg_fix_kind fix;
	/* Filled by the fix planner (fix.h): */
	int applied;
	const char *not_applied; /* why a fix with code was not applied, or NULL */
};

/* Diagnostics and the arena their strings live in; mg_diags_free releases both. */
struct mg_diags {
	struct mg_arena arena;
	struct mg_diag *v;
	size_t n, cap;
};

struct mg_diag *mg_diags_add(struct mg_diags *d, const char *rule, enum mg_severity sev);
void mg_diags_free(struct mg_diags *d);

struct mg_rule {
	const char *id;
	const char *summary;
	enum mg_severity severity; /* its usual level; a rule may report others */
	void (*check)(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d);
};

extern const struct mg_rule *const mg_rules[];

/* Runs every rule and sorts the diagnostics by line, column, rule. */
void mg_rules_run(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d);

/* The style of the file being enhanced, for generated code. */
struct mg_style;
void mg_rules_style(const struct mg_model *m, struct mg_style *st);

extern const struct mg_rule mg_rule_missing_tenant_index;
extern const struct mg_rule mg_rule_missing_fk_index;
extern const struct mg_rule mg_rule_require_concurrent_index;
extern const struct mg_rule mg_rule_concurrent_index_in_transaction;
extern const struct mg_rule mg_rule_not_null_without_backfill;
extern const struct mg_rule mg_rule_invalid_sql;
extern const struct mg_rule mg_rule_drop_unnamed_constraint;
extern const struct mg_rule mg_rule_add_foreign_key_validates;
extern const struct mg_rule mg_rule_add_check_validates;
extern const struct mg_rule mg_rule_drop_index_locks;
extern const struct mg_rule mg_rule_column_type_rewrites;
extern const struct mg_rule mg_rule_unique_constraint_locks;

#endif
