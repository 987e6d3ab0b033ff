/*
 * `--format gitlab`: a GitLab Code Quality report, the JSON array of issues
 * GitLab reads from a job's `artifacts:reports:codequality`. GitLab needs
 * description, check_name, fingerprint, severity and location.path with
 * location.lines.begin; suppressed findings are left out. Severities:
 * error -> critical, warning -> major, note -> info (docs/lint-formats.md).
 */
#include <stdlib.h>

#include "emit_lint.h"
#include "migen/jsonw.h"

static const char *
severity(enum mg_severity s)
{
	return s == MG_ERROR ? "critical" : s == MG_NOTE ? "info" : "major";
}

void
mg_emit_lint_gitlab(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	struct mg_jw w = {0};
	char *fps = mg_lint_fingerprints(r);
	size_t i;

	(void)o;
	mg_jw_begin_array(&w, NULL);
	for (i = 0; i < r->n; i++) {
		const struct mg_finding *fd = &r->v[i];

		if (fd->suppressed)
			continue;
		mg_jw_begin_object(&w, NULL);
		mg_jw_str(&w, "type", "issue");
		mg_jw_str(&w, "check_name", fd->rule);
		mg_jw_str(&w, "description", fd->message);
		if (fd->help != NULL && fd->help[0] != '\0') {
			mg_jw_begin_object(&w, "content");
			mg_jw_str(&w, "body", fd->help);
			mg_jw_end(&w);
		}
		mg_jw_strs(&w, "categories", (const char *const[]){"Bug Risk"}, 1);
		mg_jw_str(&w, "fingerprint", fps + 33 * i);
		mg_jw_str(&w, "severity", severity(fd->severity));
		mg_jw_begin_object(&w, "location");
		mg_jw_str(&w, "path", mg_lint_file_of(r, fd)->path);
		mg_jw_begin_object(&w, "lines");
		mg_jw_int(&w, "begin", fd->line);
		mg_jw_int(&w, "end", mg_lint_last_line(fd));
		mg_jw_end(&w);
		mg_jw_end(&w);
		mg_jw_end(&w);
	}
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	fwrite(w.out.s, 1, w.out.len, f);
	mg_buf_free(&w.out);
	free(fps);
}
