/*
 * The lint engine (src/lint/): a project's migrations in graph order →
 * models → rules, each migration checked against the schema as it stands
 * just before it → findings (finding.h) with their fixes as byte edits →
 * suppressions → one report.
 *
 * No I/O policy: the command (cmd_lint.c) chooses the files and their order
 * and prints the report; the walk (mg_lint_walk) is the one place that
 * reads files, a window at a time, on every core, through the model cache.
 *
 * Ownership: units own their bytes and models (mg_lint_units_free); the
 * report owns its findings (mg_lint_report_free) and borrows nothing.
 */
#ifndef MIGEN_LINT_H
#define MIGEN_LINT_H

#include <stddef.h>

#include "migen/finding.h"
#include "migen/input.h"
#include "migen/model.h"
#include "migen/rules.h"
#include "migen/schema.h"

/* One migration of the run, in graph order (parents first). */
struct mg_statkey;

struct mg_lint_unit {
	/* Filled by the caller: */
	const char *path;      /* the file to read */
	const char *shown;     /* the path as reported; NULL: path */
	const char *revision;  /* its revision id from the graph, or NULL */
	int report;            /* 1: its findings are reported; 0: replayed only (before
	                          start-after, or not changed under --since) */
	int added;             /* under --since: added since REF, so the tables it
	                          creates do not exist in production yet */
	const size_t *parents; /* the units it comes after (earlier in the array): its
	                          schema before is theirs, merged; none: the empty schema */
	size_t nparents;
	const struct mg_statkey *key; /* its stat data as the project's load read it, or NULL */
	int skip; /* neither analysed nor replayed: a saved schema stands for it (snapshot.h) */
	/* Filled by mg_lint_walk() (and released after the unit's last use): */
	struct mg_input in;
	struct mg_model *model; /* NULL when the file cannot be read */
	const char *error;      /* why not (static text), else NULL */
};

void mg_lint_units_free(struct mg_lint_unit *u, size_t n);

/* A rule's severity as configured ([tool.migen.severity]). */
struct mg_lint_severity {
	const char *rule;
	enum mg_severity severity;
};

struct mg_lint_config {
	struct mg_options o; /* the rules' options; o.schema and o.new_tables are the engine's */
	const char *const *select; /* rule ids to run; NULL: every rule */
	size_t nselect;
	const char *const *ignore; /* rule ids never reported */
	size_t nignore;
	const struct mg_lint_severity *severity;
	size_t nseverity;
	const struct mg_typemap *types; /* the project's own types, or NULL */
	/* The report keeps what one line a finding prints (--format concise): no help,
	 * code or edits, and a reported file's bytes are not kept after its check. */
	int lean;
};

/*
 * Runs the rules over u[0..n) (analysed, in graph order: tests and tools
 * that analysed the units themselves) and fills r: one
 * mg_lint_file per unit with report set and a model, its findings sorted by
 * line, column, rule, with suppressions applied. r starts zeroed; its
 * files' src borrows the units' bytes (free the units after printing).
 * fixes: NULL, or n edit lists that receive each reported unit's whole-file
 * fix (every unsuppressed finding's, planned together as enhance --write
 * plans them; mg_edits_free each).
 */
struct mg_edits;
void mg_lint_run(const struct mg_lint_config *c, const struct mg_lint_unit *u, size_t n,
                 struct mg_lint_report *r, struct mg_edits *fixes);

/*
 * Where a run may start: the units before at are not checked, and the
 * schemas the later units start from are given (a saved snapshot), or are
 * handed to made() when the run reaches at (to be saved).
 */
struct mg_lint_start {
	size_t at;
	/* [at]: the schema after unit k for each k the units from at on start
	 * from (mg_lint_prefix_needs' live), taken over by the run; NULL: the run
	 * replays the units before at itself. */
	struct mg_schema **after;
	/* Called once, when the run that replays the prefix itself reaches at,
	 * with the schemas after each unit before at (NULL where not kept). */
	void (*made)(void *arg, struct mg_schema *const *after, size_t at);
	void *arg;
};

/* The position of the first unit to report, or n. */
size_t mg_lint_first_reported(const struct mg_lint_unit *u, size_t n);
/*
 * What the units from at on need of the ones before: live[k] (k < at), the
 * schema after unit k is where one of them starts; replayed[k], a merge
 * from at on replays unit k's model onto its base parent's schema, so its
 * model must be loaded. Both zeroed first, [at] each.
 */
void mg_lint_prefix_needs(const struct mg_lint_unit *u, size_t n, size_t at, unsigned char *live,
                          unsigned char *replayed);
/*
 * How mg_lint_walk() gets the units' models: analysed (MG_ANALYZE_FULL) a
 * window at a time as the walk reaches them, on every core (analyze_many.h),
 * only those the walk uses; cache_scope: what the model cache belongs to
 * (the alembic.ini, or a name for files linted without one), NULL: no
 * cache (--no-cache). A reported unit is read (its rules run and its fixes
 * may be written: in holds its bytes); a unit only replayed may take its
 * model from the cache without its file being read. loaded() is
 * called on each once analysed, before it is checked; each unit is
 * released (model, and bytes unless reported) after its last use, unless
 * keep and it is reported (--fix plans and verifies with them).
 */
struct mg_lint_loader {
	const char *cache_scope;
	int keep;
	void (*loaded)(void *arg, struct mg_lint_unit *u);
	void *arg;
};
/*
 * mg_lint_run() from start (NULL: the first unit) on units not analysed yet
 * (skip honoured), loading them as it goes.
 */
void mg_lint_walk(const struct mg_lint_config *c, struct mg_lint_unit *u, size_t n,
                  const struct mg_lint_loader *ld, struct mg_lint_start *start,
                  struct mg_lint_report *r, struct mg_edits *fixes);
/*
 * The one place each migration is checked: m against schema (the schema
 * just before it; NULL while no replay is wired in) and new_tables (tables
 * created since --since REF), its findings appended to r as file index
 * file, and, when fix is not NULL, its whole-file fix planned into fix.
 */
void mg_lint_check(const struct mg_lint_config *c, const struct mg_model *m,
                   const struct mg_schema *schema, const char *const *new_tables,
                   size_t nnew_tables, size_t file, struct mg_lint_report *r, struct mg_edits *fix);

/*
 * Keeps one unsuppressed finding a run of the rules whose fix is one place
 * for the whole project (missing-lock-timeout), naming the other files in
 * its message. mg_lint_run calls it before counting.
 */
void mg_lint_once(struct mg_lint_report *r);

void mg_lint_report_free(struct mg_lint_report *r);

/* Whether id names a rule of the registry (mg_rules[]) or lint's own checks. */
int mg_lint_rule_known(const char *id);

/*
 * Suppressions (suppress.c): `# migen: ignore[rule-id,...] reason` at the
 * end of the finding's first line, or alone on the line above it;
 * `# migen: ignore-file[rule-id,...] reason` alone on a line of the
 * module header (above the body of the first upgrade()/downgrade()
 * function). Marks the findings of file that they cover, and adds
 * ignore-without-reason and unused-ignore findings (for rules that c
 * runs). Call once per file, after its findings are in; keeps them sorted.
 */
void mg_lint_suppress(const struct mg_lint_config *c, const struct mg_model *m, size_t file,
                      struct mg_lint_report *r);
/* Whether findings of rule id are reported under c (select, ignore). */
int mg_lint_wanted(const struct mg_lint_config *c, const char *id);

#endif
