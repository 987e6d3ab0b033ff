/*
 * `--format sarif`: SARIF 2.1.0 (OASIS), the format GitHub code scanning and
 * other code-review tools read. One run: the tool with the metadata of every
 * rule (mg_rules[] then the two meta-rules), and one result per finding,
 * suppressed ones included with their reason (suppressions, kind inSource).
 *
 * Choices the format leaves open:
 * - columns count Unicode code points (run.columnKind), converted from the
 *   report's byte columns with the file's bytes;
 * - fixes delete and insert by byte range (deletedRegion.byteOffset and
 *   byteLength), exactly the engine's edits;
 * - partialFingerprints hold migen's own stable fingerprint (emit_lint.h),
 *   which does not move with the line number;
 * - artifact URIs are the report's paths, percent-encoded: relative to the
 *   working folder (uriBaseId %SRCROOT%), or file:// for an absolute path;
 * - help links go to docs/rules.md#<rule> under MIGEN_DOCS_URL, a build
 *   setting (CMake cache variable) for where the documentation is published.
 */
#include <stdlib.h>
#include <string.h>

#include "emit_lint.h"
#include "migen/jsonw.h"
#include "migen/rules.h"

#ifndef MIGEN_DOCS_URL
#define MIGEN_DOCS_URL "file:///usr/local/share/doc/migen"
#endif

static size_t
nrules(void)
{
	size_t n = 0;

	while (mg_rules[n] != NULL)
		n++;
	return n;
}

/* Index of rule id in the driver's rules, or -1. */
static long
rule_index(const char *id)
{
	size_t i, n = nrules();

	if (id == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(mg_rules[i]->id, id) == 0)
			return (long)i;
	for (i = 0; i < 2; i++)
		if (strcmp(mg_lint_meta_rules[i][0], id) == 0)
			return (long)(n + i);
	return -1;
}

/* RFC 3986: everything but unreserved characters and '/' percent-encoded. */
static void
uri_path(struct mg_buf *b, const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
		    *p == '/')
			mg_buf_putc(b, (char)*p);
		else
			mg_buf_printf(b, "%%%02X", *p);
	}
}

static void
artifact(struct mg_jw *w, const char *path)
{
	struct mg_buf b = {0};

	mg_jw_begin_object(w, "artifactLocation");
	if (path[0] == '/') {
		mg_buf_puts(&b, "file://");
		uri_path(&b, path);
		mg_jw_str(w, "uri", b.s);
	} else {
		uri_path(&b, path);
		mg_jw_str(w, "uri", b.len > 0 ? b.s : "%3F");
		mg_jw_str(w, "uriBaseId", "%SRCROOT%");
	}
	mg_jw_end(w);
	mg_buf_free(&b);
}

static void
text(struct mg_jw *w, const char *key, const char *s)
{
	mg_jw_begin_object(w, key);
	mg_jw_str(w, "text", s != NULL ? s : "");
	mg_jw_end(w);
}

static void
rule(struct mg_jw *w, const char *id, const char *summary, enum mg_severity sev)
{
	struct mg_buf b = {0}, t = {0}, m = {0};

	mg_jw_begin_object(w, NULL);
	mg_jw_str(w, "id", id);
	text(w, "shortDescription", summary);
	text(w, "fullDescription", summary);
	mg_buf_printf(&b, "%s/rules.md#%s", MIGEN_DOCS_URL, id);
	mg_buf_printf(&t, "%s. Documentation: %s", summary, b.s);
	mg_buf_printf(&m, "%s. [Documentation](%s)", summary, b.s);
	mg_jw_begin_object(w, "help");
	mg_jw_str(w, "text", t.s);
	mg_jw_str(w, "markdown", m.s);
	mg_jw_end(w);
	mg_jw_str(w, "helpUri", b.s);
	mg_buf_free(&t);
	mg_buf_free(&m);
	mg_jw_begin_object(w, "defaultConfiguration");
	mg_jw_str(w, "level", mg_lint_severity(sev));
	mg_jw_end(w);
	mg_jw_end(w);
	mg_buf_free(&b);
}

static void
driver(struct mg_jw *w)
{
	size_t i, n = nrules();

	mg_jw_begin_object(w, "tool");
	mg_jw_begin_object(w, "driver");
	mg_jw_str(w, "name", "migen");
	mg_jw_str(w, "version", MIGEN_VERSION);
	mg_jw_str(w, "semanticVersion", MIGEN_VERSION);
	mg_jw_str(w, "informationUri", MIGEN_DOCS_URL "/lint.md");
	mg_jw_begin_array(w, "rules");
	for (i = 0; i < n; i++)
		rule(w, mg_rules[i]->id, mg_rules[i]->summary, mg_rules[i]->severity);
	for (i = 0; i < 2; i++)
		rule(w, mg_lint_meta_rules[i][0], mg_lint_meta_rules[i][1], MG_WARNING);
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
}

static uint32_t
atleast1(uint32_t v)
{
	return v > 0 ? v : 1;
}

static void
location(struct mg_jw *w, const struct mg_lint_file *fl, const struct mg_finding *fd)
{
	uint32_t line = atleast1(fd->line), col = atleast1(mg_lint_cpcol(fl, line, fd->col)), el,
	         ec;

	mg_lint_end_cp(fl, fd, &el, &ec);
	el = atleast1(el);
	ec = atleast1(ec);
	if (el < line) {
		el = line;
		ec = col;
	}
	if (el == line && ec < col)
		ec = col;
	mg_jw_begin_array(w, "locations");
	mg_jw_begin_object(w, NULL);
	mg_jw_begin_object(w, "physicalLocation");
	artifact(w, fl->path);
	mg_jw_begin_object(w, "region");
	mg_jw_int(w, "startLine", line);
	mg_jw_int(w, "startColumn", col);
	mg_jw_int(w, "endLine", el);
	mg_jw_int(w, "endColumn", ec);
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
}

static void
fixes(struct mg_jw *w, const struct mg_lint_file *fl, const struct mg_finding *fd)
{
	size_t i;

	mg_jw_begin_array(w, "fixes");
	mg_jw_begin_object(w, NULL);
	text(w, "description", fd->help != NULL ? fd->help : "apply migen's fix");
	mg_jw_begin_array(w, "artifactChanges");
	mg_jw_begin_object(w, NULL);
	artifact(w, fl->path);
	mg_jw_begin_array(w, "replacements");
	for (i = 0; i < fd->nedits; i++) {
		const struct mg_finding_edit *e = &fd->edits[i];

		mg_jw_begin_object(w, NULL);
		mg_jw_begin_object(w, "deletedRegion");
		mg_jw_int(w, "byteOffset", (long long)e->start);
		mg_jw_int(w, "byteLength", (long long)(e->end > e->start ? e->end - e->start : 0));
		mg_jw_end(w);
		text(w, "insertedContent", e->text);
		mg_jw_end(w);
	}
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
	mg_jw_end(w);
}

static void
result(struct mg_jw *w, const struct mg_lint_report *r, const struct mg_finding *fd,
       const char *fingerprint)
{
	const struct mg_lint_file *fl = mg_lint_file_of(r, fd);
	long ix = rule_index(fd->rule);

	mg_jw_begin_object(w, NULL);
	mg_jw_str(w, "ruleId", fd->rule != NULL ? fd->rule : "?");
	if (ix >= 0)
		mg_jw_int(w, "ruleIndex", ix);
	mg_jw_str(w, "level", mg_lint_severity(fd->severity));
	text(w, "message", fd->message);
	location(w, fl, fd);
	mg_jw_begin_object(w, "partialFingerprints");
	mg_jw_str(w, "migenFingerprint/v1", fingerprint);
	mg_jw_end(w);
	if (fd->nedits > 0 && fd->edits != NULL)
		fixes(w, fl, fd);
	if (fd->suppressed) {
		mg_jw_begin_array(w, "suppressions");
		mg_jw_begin_object(w, NULL);
		mg_jw_str(w, "kind", "inSource");
		if (fd->suppress_reason != NULL)
			mg_jw_str(w, "justification", fd->suppress_reason);
		mg_jw_end(w);
		mg_jw_end(w);
	}
	mg_jw_end(w);
}

void
mg_emit_lint_sarif(FILE *f, const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	struct mg_jw w = {0};
	char *fps = mg_lint_fingerprints(r);
	size_t i;

	(void)o;
	mg_jw_begin_object(&w, NULL);
	mg_jw_str(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	mg_jw_str(&w, "version", "2.1.0");
	mg_jw_begin_array(&w, "runs");
	mg_jw_begin_object(&w, NULL);
	driver(&w);
	mg_jw_str(&w, "columnKind", "unicodeCodePoints");
	mg_jw_begin_array(&w, "results");
	for (i = 0; i < r->n; i++)
		result(&w, r, &r->v[i], fps + 33 * i);
	mg_jw_end(&w);
	mg_jw_end(&w);
	mg_jw_end(&w);
	mg_jw_end(&w);
	mg_buf_putc(&w.out, '\n');
	fwrite(w.out.s, 1, w.out.len, f);
	mg_buf_free(&w.out);
	free(fps);
}
