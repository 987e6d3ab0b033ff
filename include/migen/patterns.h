/*
 * The pattern library behind `migen patterns`: migrations for the changes
 * that hurt on a busy PostgreSQL table, each with why, upgrade() and a
 * working downgrade(), each run on PostgreSQL 15 by the integration tests.
 * Patterns built from snippets print the same code as the templates.
 */
#ifndef MIGEN_PATTERNS_H
#define MIGEN_PATTERNS_H

#include "migen/util.h"

struct mg_pattern {
	const char *name;    /* stable: used on the command line and in tests */
	const char *title;   /* one line for the list */
	const char *assumes; /* the tables and columns it expects, one sentence */
	const char *why;     /* lines of prose, each ending in '\n' */
	/* Appends the bodies of upgrade() and downgrade() (indented one level). */
	void (*upgrade)(struct mg_buf *out);
	void (*downgrade)(struct mg_buf *out);
};

extern const struct mg_pattern mg_patterns[]; /* ends with a NULL name */

const struct mg_pattern *mg_pattern_find(const char *name);
/* Appends the whole pattern: comment header, def upgrade(), def downgrade(). */
void mg_pattern_render(struct mg_buf *out, const struct mg_pattern *p);

#endif
