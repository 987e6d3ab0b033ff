/*
 * Findings of `migen lint`: a diagnostic placed in a project (path,
 * revision, span), with its fix as byte edits and its suppression. The
 * lint engine (src/lint/) fills a report; each output format is one
 * emitter (src/emit/emit_lint_*.c) that only reads it.
 *
 * Ownership: the report owns everything it points to (mg_lint_report_free).
 */
#ifndef MIGEN_FINDING_H
#define MIGEN_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "migen/model.h"

/* The two rules about suppression comments themselves (not in mg_rules[]). */
#define MG_RULE_IGNORE_WITHOUT_REASON "ignore-without-reason"
#define MG_RULE_UNUSED_IGNORE "unused-ignore"

/* One replacement of bytes [start, end) of the file by text (start == end: insertion). */
struct mg_finding_edit {
	size_t start, end;
	uint32_t start_line, start_col, end_line, end_col; /* the same range, 1-based */
	const char *text;
};

struct mg_finding {
	const char *rule; /* a rule id of mg_rules[], or MG_RULE_IGNORE_WITHOUT_REASON,
	                     MG_RULE_UNUSED_IGNORE */
	enum mg_severity severity;
	size_t file; /* index into mg_lint_report.files */
	/* 1-based; the span of the operation concerned, end exclusive (columns in bytes). */
	uint32_t line, col, end_line, end_col;
	const char *message;           /* one line */
	const char *help;              /* one line: what to do, or NULL */
	const char *where;             /* where the code goes, or NULL */
	const char *code;              /* code to paste there, or NULL */
	struct mg_finding_edit *edits; /* the fix, or NULL */
	size_t nedits;
	int suppressed;              /* an ignore comment covers it */
	const char *suppress_reason; /* that comment's reason */
	uint32_t suppress_line;      /* that comment's line */
};

struct mg_lint_file {
	const char *path;     /* as reported: relative to the working folder when below it */
	const char *revision; /* NULL when unknown */
	const char *src;      /* the bytes, for showing source lines; may be NULL */
	size_t len;
};

struct mg_lint_report {
	struct mg_finding *v;
	size_t n, cap;
	struct mg_lint_file *files;
	size_t nfiles, capfiles;
	size_t by_severity[3]; /* unsuppressed findings per enum mg_severity */
	size_t suppressed;
	double seconds;
	struct mg_arena arena; /* every string above */
};

enum mg_color { MG_COLOR_NEVER, MG_COLOR_ALWAYS };

/* A zeroed struct is the default: no colour, the time included. */
struct mg_lint_emit_opts {
	enum mg_color color; /* text and the summary: ANSI colours (the command decides) */
	int omit_seconds;    /* leave the time out of the JSON summary and the summary line
	                        (golden tests: byte-stable output) */
};

enum mg_lint_format {
	MG_LINT_TEXT,
	MG_LINT_CONCISE,
	MG_LINT_JSON,
	MG_LINT_SARIF,
	MG_LINT_GITHUB,
	MG_LINT_GITLAB,
};

/* "text", "concise", "json", "sarif", "github", "gitlab" to *out; -1 if unknown. */
int mg_lint_format_parse(const char *name, enum mg_lint_format *out);
/* The names above, comma-separated, for usage messages. */
extern const char mg_lint_format_names[];
/* Calls the format's emitter. */
void mg_emit_lint(FILE *f, enum mg_lint_format fmt, const struct mg_lint_report *r,
                  const struct mg_lint_emit_opts *o);

/*
 * The run's summary line, ending in a newline (the command decides where it
 * goes: stderr for the machine formats):
 * "migen: 2 files, 1 error, 2 warnings, 0 notes, 1 suppressed in 0.012 s".
 */
void mg_emit_lint_summary(FILE *f, const struct mg_lint_report *r,
                          const struct mg_lint_emit_opts *o);

/*
 * Output formats, one emitter each (docs/lint-formats.md). Each reads the
 * report only, writes the findings in the report's order (the engine sorts
 * them), and ends its output with a newline when it writes any. text,
 * concise, github and gitlab leave suppressed findings out; json and sarif
 * keep them, marked.
 */
void mg_emit_lint_text(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o);
void mg_emit_lint_concise(FILE *f, const struct mg_lint_report *r,
                          const struct mg_lint_emit_opts *o);
void mg_emit_lint_json(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o);
void mg_emit_lint_sarif(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o);
void mg_emit_lint_github(FILE *f, const struct mg_lint_report *r,
                         const struct mg_lint_emit_opts *o);
void mg_emit_lint_gitlab(FILE *f, const struct mg_lint_report *r,
                         const struct mg_lint_emit_opts *o);

#endif
