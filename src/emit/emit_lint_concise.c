/*
 * `--format concise`: one line per unsuppressed finding,
 * "path:line:col: severity: message [rule-id]", the form editors' error
 * formats, grep and scripts read. Line breaks and control characters from the
 * input are escaped (\ooo) so a finding stays one line.
 */
#include "emit_lint.h"
#include "migen/emit.h"

void
mg_emit_lint_concise(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	size_t i;

	(void)o;
	for (i = 0; i < r->n; i++) {
		const struct mg_finding *fd = &r->v[i];

		if (fd->suppressed)
			continue;
		mg_emit_escaped(f, mg_lint_file_of(r, fd)->path, 0);
		fprintf(f, ":%u:%u: %s: ", (unsigned)fd->line, (unsigned)fd->col,
		        mg_lint_severity(fd->severity));
		mg_emit_escaped(f, fd->message, 0);
		fputs(" [", f);
		mg_emit_escaped(f, fd->rule, 0);
		fputs("]\n", f);
	}
}
