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
struct mg_typemap;

/*
 * The database the migrations run on (alembic.ini's sqlalchemy.url, env.py,
 * or `dialect` in [tool.migen]). MG_DIALECT_UNKNOWN: not found, the rules
 * assume PostgreSQL. A PostgreSQL-only rule carries MG_RULE_POSTGRESQL and
 * mg_rules_run skips it elsewhere; a rule with a PostgreSQL-only part asks
 * mg_dialect_postgresql() itself.
 */
enum mg_dialect {
	MG_DIALECT_UNKNOWN,
	MG_DIALECT_POSTGRESQL,
	MG_DIALECT_SQLITE,
	MG_DIALECT_MYSQL, /* MySQL and MariaDB */
	MG_DIALECT_MSSQL,
	MG_DIALECT_ORACLE,
	MG_DIALECT_OTHER,
};

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
	/* The PostgreSQL major version deployed to (--pg-version, pg-version); 0 means
	 * MG_PG_VERSION_DEFAULT. Read it through mg_rc_pg_version(). */
	int pg_version;
	/* lint: the environment's env.py (NULL under enhance: not known) and whether it or
	 * alembic.ini sets lock_timeout (1), does not (0), or cannot be read (-1). */
	const char *env_py;
	int env_lock_timeout;
	/* Primary keys of tables created by the project's other migrations, or NULL. */
	const struct mg_table_keys *history_keys;
	/*
	 * Set by the lint engine for each migration (src/lint/check.c); NULL/0
	 * under enhance. schema: the schema as it stands just before this
	 * migration, or NULL while no replay is wired in. new_tables: tables that
	 * do not exist in production yet because a migration added since
	 * --since REF created them (tables this migration creates are new too:
	 * mg_model_created_table). Rules do not read either yet.
	 */
	const struct mg_schema *schema;
	const char *const *new_tables;
	size_t nnew_tables;
	/* The project's own types, for replaying a migration (lint), or NULL. */
	const struct mg_typemap *types;
	/* `downgrades = false` in [tool.migen]: the team never downgrades. */
	int no_downgrades;
	enum mg_dialect dialect;
	/* --stairway: downgrade-mismatch also runs upgrade() again after downgrade(). */
	int stairway;
	int run_optin; /* run the opt-in rules too (lint filters them itself) */
};

/* Whether PostgreSQL's rules apply: the dialect is PostgreSQL or not known. */
int mg_dialect_postgresql(const struct mg_options *o);
/* "postgresql", "sqlite", "mysql", "mssql", "oracle", "other", "unknown". */
const char *mg_dialect_name(enum mg_dialect d);
/*
 * The dialect a SQLAlchemy URL or a dialect name names: "postgresql+psycopg2://...",
 * "sqlite:///x.db", "mysql", "mariadb", "mssql", "postgres"; MG_DIALECT_UNKNOWN
 * when it names none (a %(here)s placeholder, an empty string).
 */
enum mg_dialect mg_dialect_parse(const char *url);
/*
 * The oldest PostgreSQL major version the PostgreSQL project still supports
 * on this release's date: what version-dependent rules assume when no
 * --pg-version is given (docs/lint.md).
 */
#define MG_PG_VERSION_DEFAULT 14

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
	/* What several rules ask of one model, worked out once per mg_rules_run
	 * (src/rules/common.c; in the arena): the model it was made for, or NULL. */
	const struct mg_model *memo_model;
	const void *memo_typed;
	size_t memo_ntyped;
};

struct mg_diag *mg_diags_add(struct mg_diags *d, const char *rule, enum mg_severity sev);
void mg_diags_free(struct mg_diags *d);

/* What a rule is about, for mg_rules_run to decide whether it runs. */
enum {
	/* PostgreSQL's locks, types or behaviour: run only when the project's
	 * dialect is PostgreSQL (mg_dialect_postgresql). */
	MG_RULE_POSTGRESQL = 1,
};

struct mg_rule {
	const char *id;
	const char *summary;
	enum mg_severity severity; /* its usual level; a rule may report others */
	void (*check)(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d);
	unsigned flags; /* MG_RULE_* */
};

extern const struct mg_rule *const mg_rules[];

/*
 * Whether rule runs only when asked for (lint: --select, `select`, or a
 * level in [tool.migen.severity]): mg_rules_run skips it unless
 * o->run_optin. The list is in rules.c.
 */
int mg_rule_optin(const struct mg_rule *rule);

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
extern const struct mg_rule mg_rule_set_not_null_scans;
extern const struct mg_rule mg_rule_invalid_sql;
extern const struct mg_rule mg_rule_drop_unnamed_constraint;
extern const struct mg_rule mg_rule_irreversible_downgrade;
extern const struct mg_rule mg_rule_downgrade_mismatch;
extern const struct mg_rule mg_rule_sqlite_alter_needs_batch;
extern const struct mg_rule mg_rule_non_idempotent_autocommit;
extern const struct mg_rule mg_rule_drop_column;
extern const struct mg_rule mg_rule_drop_table;
extern const struct mg_rule mg_rule_rename_column;
extern const struct mg_rule mg_rule_rename_table;
extern const struct mg_rule mg_rule_truncate;
extern const struct mg_rule mg_rule_narrowing_change;
extern const struct mg_rule mg_rule_drops_needed_index;
extern const struct mg_rule mg_rule_prefer_text_over_varchar;
extern const struct mg_rule mg_rule_prefer_timestamptz;
extern const struct mg_rule mg_rule_prefer_bigint_keys;
extern const struct mg_rule mg_rule_prefer_identity;
extern const struct mg_rule mg_rule_prefer_jsonb;
extern const struct mg_rule mg_rule_ban_char;
extern const struct mg_rule mg_rule_identifier_too_long;
extern const struct mg_rule mg_rule_add_foreign_key_validates;
extern const struct mg_rule mg_rule_add_check_validates;
extern const struct mg_rule mg_rule_drop_index_locks;
extern const struct mg_rule mg_rule_column_type_rewrites;
extern const struct mg_rule mg_rule_unbatched_backfill;
extern const struct mg_rule mg_rule_volatile_default_rewrites;
extern const struct mg_rule mg_rule_enum_add_value;
extern const struct mg_rule mg_rule_missing_lock_timeout;
extern const struct mg_rule mg_rule_maintenance_in_transaction;
extern const struct mg_rule mg_rule_lock_held_across_slow_step;
extern const struct mg_rule mg_rule_transaction_control;
extern const struct mg_rule mg_rule_unique_constraint_locks;
extern const struct mg_rule mg_rule_truncate_cascade;
extern const struct mg_rule mg_rule_drop_schema;
extern const struct mg_rule mg_rule_domain_constraint_validates;
extern const struct mg_rule mg_rule_duplicate_column_assignment;
extern const struct mg_rule mg_rule_lock_table;
extern const struct mg_rule mg_rule_refresh_materialized_view_locks;
extern const struct mg_rule mg_rule_detach_partition_locks;
extern const struct mg_rule mg_rule_exclusion_constraint_locks;

#endif
