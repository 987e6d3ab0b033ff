/*
 * Hand-built lint reports for the emitter tests (tests/unit/test_emit_lint.c)
 * and the dump program (tests/lint/lint_dump.c): one realistic report (the
 * examples of docs/lint-formats.md) and one hostile.
 */
#ifndef MIGEN_LINT_SAMPLE_H
#define MIGEN_LINT_SAMPLE_H

#include "migen/finding.h"

/* A small project: two files, an error, warnings, a note, a suppressed
 * finding, a fix with an edit. */
void lint_sample_example(struct mg_lint_report *r);
/* Every hostile string the emitters must survive: quotes, backslashes,
 * newlines, %, ::, commas, colons, non-ASCII, control bytes, invalid UTF-8,
 * a path with spaces, a file without its bytes, a bad span, two findings on
 * identical lines. */
void lint_sample_hostile(struct mg_lint_report *r);
/* The example repeated in `copies` folders (v0/, v1/, ...): for timing. */
void lint_sample_big(struct mg_lint_report *r, size_t copies);
/* Moves every finding down by `lines` lines, as if that many blank lines were
 * added at the top of every file (fingerprints must not change). */
void lint_sample_shift(struct mg_lint_report *r, uint32_t lines);
/* Releases what either filled (the report itself is the caller's). */
void lint_sample_free(struct mg_lint_report *r);

#endif
