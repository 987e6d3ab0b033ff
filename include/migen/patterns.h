/*
 * The pattern library behind `migen patterns`: migrations for the changes
 * that hurt on a busy PostgreSQL table, each with why, upgrade() and a
 * working downgrade(), each run on PostgreSQL 15 by the integration tests.
 * Patterns built from snippets print the same code as the templates.
 *
 * Each pattern is written against default names (users, tenants, email...);
 * the caller may fill in others (mg_pattern_names), which must have passed
 * mg_ident_refusal(): the pattern quotes them for SQL as PostgreSQL needs.
 */
#ifndef MIGEN_PATTERNS_H
#define MIGEN_PATTERNS_H

#include <stddef.h>

#include "migen/util.h"

#define MG_PATTERN_MAX_COLUMNS 8

/* The names a pattern is printed with; NULL / 0 takes the pattern's default. */
struct mg_pattern_names {
	const char *table;
	const char *columns[MG_PATTERN_MAX_COLUMNS];
	size_t ncolumns;
	const char *ref_table;
	const char *ref_column;
};

struct mg_pattern {
	const char *name;    /* stable: used on the command line and in tests */
	const char *title;   /* one line for the list */
	const char *assumes; /* the tables and columns it expects, one sentence ({table}...) */
	const char *why;     /* lines of prose, each ending in '\n' */
	/* The defaults, and which names the pattern takes: NULL ref_table: none. */
	const char *table;
	const char *columns; /* comma-separated */
	size_t min_columns, max_columns;
	const char *columns_help; /* what --column means here */
	const char *ref_table, *ref_column;
	/* Appends the bodies of upgrade() and downgrade() (indented one level). */
	void (*upgrade)(struct mg_buf *out, const struct mg_pattern_names *n);
	void (*downgrade)(struct mg_buf *out, const struct mg_pattern_names *n);
};

extern const struct mg_pattern mg_patterns[]; /* ends with a NULL name */

const struct mg_pattern *mg_pattern_find(const char *name);
/*
 * NULL when every name fits the pattern, else a static reason and *opt the
 * option it concerns. Names must already have passed mg_ident_refusal().
 */
const char *mg_pattern_names_refusal(const struct mg_pattern *p, const struct mg_pattern_names *n,
                                     const char **opt);
/* Appends the whole pattern: comment header, def upgrade(), def downgrade(). n may be NULL. */
void mg_pattern_render(struct mg_buf *out, const struct mg_pattern *p,
                       const struct mg_pattern_names *n);

#endif
