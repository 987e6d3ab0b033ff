/*
 * `--format github`: GitHub Actions workflow commands, one per unsuppressed
 * finding, which the runner turns into annotations on the pull request:
 * "::warning file=P,line=L,col=C,endLine=L,endColumn=C,title=RULE::MESSAGE".
 * Escaping is the Actions toolkit's (@actions/core, command.ts): in the
 * message % CR LF; in properties also : and , — nothing else, so that what
 * the runner unescapes is the text itself. Columns count code points.
 */
#include <string.h>

#include "emit_lint.h"

static void
escaped(FILE *f, const char *s, int property)
{
	for (; s != NULL && *s; s++) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (property && *s == ':')
			fputs("%3A", f);
		else if (property && *s == ',')
			fputs("%2C", f);
		else
			fputc(*s, f);
	}
}

static const char *
command(enum mg_severity s)
{
	return s == MG_ERROR ? "error" : s == MG_NOTE ? "notice" : "warning";
}

void
mg_emit_lint_github(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	size_t i;

	(void)o;
	for (i = 0; i < r->n; i++) {
		const struct mg_finding *fd = &r->v[i];
		const struct mg_lint_file *fl = mg_lint_file_of(r, fd);
		uint32_t el, ec;

		if (fd->suppressed)
			continue;
		mg_lint_end_cp(fl, fd, &el, &ec);
		fprintf(f, "::%s file=", command(fd->severity));
		escaped(f, fl->path, 1);
		fprintf(f, ",line=%u,col=%u,endLine=%u,endColumn=%u,title=", (unsigned)fd->line,
		        (unsigned)mg_lint_cpcol(fl, fd->line, fd->col), (unsigned)el, (unsigned)ec);
		escaped(f, fd->rule, 1);
		fputs("::", f);
		escaped(f, fd->message, 0);
		if (fd->help != NULL && fd->help[0] != '\0') {
			escaped(f, "\nhelp: ", 0);
			escaped(f, fd->help, 0);
		}
		fputc('\n', f);
	}
}
