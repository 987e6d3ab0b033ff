/*
 * What the lint emitters (emit_lint_*.c) share: source lines, columns in
 * code points, the span's last line, stable fingerprints and severity words.
 * Private to src/emit/.
 */
#ifndef MIGEN_EMIT_LINT_H
#define MIGEN_EMIT_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "migen/finding.h"

/* Line `line` (1-based) of the file without its line ending, *len its bytes;
 * NULL when the file's bytes are not there or it has no such line. */
const char *mg_lint_line(const struct mg_lint_file *fl, uint32_t line, size_t *len);

/* A byte column (1-based) of that line as a column in code points, for the
 * formats whose readers count characters (SARIF, GitHub); the byte column
 * when the line is not known. */
uint32_t mg_lint_cpcol(const struct mg_lint_file *fl, uint32_t line, uint32_t col);

/* The last line the finding's span covers: an end at column 1 of a later
 * line stops at the end of the line before. */
uint32_t mg_lint_last_line(const struct mg_finding *fd);

/* The span's end in code points, on its last line (mg_lint_last_line): an end
 * at column 1 of the next line becomes the end of the line before. */
void mg_lint_end_cp(const struct mg_lint_file *fl, const struct mg_finding *fd, uint32_t *line,
                    uint32_t *col);

/* The file of finding i, or a placeholder with path "?" if its index is bad. */
const struct mg_lint_file *mg_lint_file_of(const struct mg_lint_report *r,
                                           const struct mg_finding *fd);

/*
 * A stable fingerprint per finding, 32 hex digits: a 128-bit hash of the rule,
 * the path, the finding's first source line with blanks collapsed and its
 * occurrence among the findings with those same three — not of the line
 * number, so it survives lines added above. Returns n * 33 bytes (each
 * NUL-terminated), free() it; NULL when the report is empty.
 */
char *mg_lint_fingerprints(const struct mg_lint_report *r);

/* "error", "warning", "note"; an unknown value counts as a warning. */
const char *mg_lint_severity(enum mg_severity s);

/* The meta-rules' one-line summaries, for SARIF's rule metadata. */
extern const char *const mg_lint_meta_rules[2][2]; /* {id, summary} */

#endif
