/*
 * Emitters: one file per output format, each fed the same model and
 * diagnostics (as curl's tool_writeout.c / tool_writeout_json.c).
 */
#ifndef MIGEN_EMIT_H
#define MIGEN_EMIT_H

#include <stdio.h>

#include "migen/model.h"
#include "migen/rules.h"

/* The human report: migration info, tables, suggestions with code. */
void mg_emit_text(FILE *f, const struct mg_model *m, const struct mg_diags *d,
                  const struct mg_options *o);
/*
 * The "Suggestions:" part of the text report alone, then the notes that need
 * no action, listed compactly; with reasons, why each suggestion was not applied.
 */
void mg_emit_suggestions(FILE *f, const struct mg_model *m, const struct mg_diags *d, int reasons);
/* --quiet: each finding and each "not analysed" note as one compiler-style line. */
void mg_emit_findings(FILE *f, const struct mg_model *m, const struct mg_diags *d);
/* Syntax errors, "path:line:col: error: message", one a line. */
void mg_emit_errors(FILE *f, const struct mg_model *m);
/* The JSON document of docs/json.md, with a final newline; free() it. */
char *mg_emit_json(const struct mg_model *m, const struct mg_diags *d, const struct mg_options *o);

/* Writes untrusted text with control characters escaped (\ooo), UTF-8 kept. */
void mg_emit_safe(FILE *f, const char *s);
/* The same, newline and tab escaped too unless keep_layout: mg_emit_safe()
 * keeps them, doctor's one-line output does not. NULL prints "?". */
void mg_emit_escaped(FILE *f, const char *s, int keep_layout);

#endif
