/*
 * `--format json`: the lint report as one versioned document
 * (docs/json-lint.md), written with the streaming writer so keys come in a
 * fixed order and the output is byte-stable. Every finding is there,
 * suppressed ones marked, each with its fix as byte edits.
 */
#include <stdlib.h>

#include "emit_lint.h"
#include "migen/jsonw.h"

static void
edit(struct mg_jw *w, const struct mg_finding_edit *e)
{
	mg_jw_begin_object(w, NULL);
	mg_jw_int(w, "start", (long long)e->start);
	mg_jw_int(w, "end", (long long)e->end);
	mg_jw_int(w, "line", e->start_line);
	mg_jw_int(w, "column", e->start_col);
	mg_jw_int(w, "end_line", e->end_line);
	mg_jw_int(w, "end_column", e->end_col);
	mg_jw_str(w, "text", e->text != NULL ? e->text : "");
	mg_jw_end(w);
}

static void
finding(struct mg_jw *w, const struct mg_lint_report *r, const struct mg_finding *fd)
{
	const struct mg_lint_file *fl = mg_lint_file_of(r, fd);
	size_t i;

	mg_jw_begin_object(w, NULL);
	mg_jw_str(w, "rule", fd->rule);
	mg_jw_str(w, "severity", mg_lint_severity(fd->severity));
	mg_jw_str(w, "path", fl->path);
	mg_jw_str(w, "revision", fl->revision);
	mg_jw_int(w, "line", fd->line);
	mg_jw_int(w, "column", fd->col);
	mg_jw_int(w, "end_line", fd->end_line);
	mg_jw_int(w, "end_column", fd->end_col);
	mg_jw_str(w, "message", fd->message);
	mg_jw_str(w, "help", fd->help);
	mg_jw_str(w, "where", fd->where);
	mg_jw_str(w, "code", fd->code);
	if (fd->nedits == 0 || fd->edits == NULL) {
		mg_jw_null(w, "fix");
	} else {
		mg_jw_begin_object(w, "fix");
		mg_jw_begin_array(w, "edits");
		for (i = 0; i < fd->nedits; i++)
			edit(w, &fd->edits[i]);
		mg_jw_end(w);
		mg_jw_end(w);
	}
	mg_jw_bool(w, "suppressed", fd->suppressed);
	if (!fd->suppressed) {
		mg_jw_null(w, "suppression");
	} else {
		mg_jw_begin_object(w, "suppression");
		mg_jw_str(w, "reason", fd->suppress_reason);
		mg_jw_int(w, "line", fd->suppress_line);
		mg_jw_end(w);
	}
	mg_jw_end(w);
}

void
mg_emit_lint_json(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	struct mg_jw w = {0};
	size_t i;

	mg_jw_begin_object(&w, NULL);
	mg_jw_int(&w, "migen", 1);
	mg_jw_begin_array(&w, "findings");
	for (i = 0; i < r->n; i++) {
		finding(&w, r, &r->v[i]);
		/* Written as it goes: a big report is not held (and grown) whole. */
		if (w.out.len >= 1 << 16) {
			fwrite(w.out.s, 1, w.out.len, f);
			w.out.len = 0;
			w.out.s[0] = '\0';
		}
	}
	mg_jw_end(&w);
	mg_jw_begin_array(&w, "files");
	for (i = 0; i < r->nfiles; i++) {
		mg_jw_begin_object(&w, NULL);
		mg_jw_str(&w, "path", r->files[i].path);
		mg_jw_str(&w, "revision", r->files[i].revision);
		mg_jw_end(&w);
	}
	mg_jw_end(&w);
	mg_jw_begin_object(&w, "summary");
	mg_jw_int(&w, "files", (long long)r->nfiles);
	mg_jw_int(&w, "errors", (long long)r->by_severity[MG_ERROR]);
	mg_jw_int(&w, "warnings", (long long)r->by_severity[MG_WARNING]);
	mg_jw_int(&w, "notes", (long long)r->by_severity[MG_NOTE]);
	mg_jw_int(&w, "suppressed", (long long)r->suppressed);
	if (o == NULL || !o->omit_seconds)
		mg_jw_fixed3(&w, "seconds", r->seconds);
	mg_jw_end(&w);
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	fwrite(w.out.s, 1, w.out.len, f);
	mg_buf_free(&w.out);
}
