/*
 * libFuzzer target for the lint emitters (finding.h): the bytes are read as
 * a lint report — paths, revisions, source bytes, messages, fixes,
 * suppressions, spans and file indexes as arbitrary as the struct allows
 * (huge, zero, reversed, out of range) — and every format is written, with
 * and without colour. Sanitizers do the checking; the JSON formats must also
 * parse back (jansson), or the target aborts.
 *
 *   CC=clang cmake -S . -B build-fuzz -DMIGEN_FUZZ=ON -DMIGEN_SANITIZE=ON -DMIGEN_TESTS=OFF
 *   cmake --build build-fuzz --target migen-fuzz-emit
 *   build-fuzz/migen-fuzz-emit -max_total_time=60
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/finding.h"
#include "migen/rules.h"
#include "migen/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cur {
	const uint8_t *p;
	size_t n;
};

static unsigned
byte(struct cur *c)
{
	if (c->n == 0)
		return 0;
	c->n--;
	return *c->p++;
}

/* Mostly small numbers, sometimes 0 or the largest. */
static uint32_t
num(struct cur *c)
{
	unsigned b = byte(c);

	if (b == 0xff)
		return UINT32_MAX;
	if (b >= 0xf0)
		return (uint32_t)(byte(c) << 8 | byte(c));
	return b % 24;
}

/* A string of up to 127 bytes (no NUL: they are C strings), or NULL. */
static const char *
str(struct cur *c, struct mg_arena *a)
{
	unsigned len = byte(c);
	char *s;
	size_t i;

	if (len == 0xff)
		return NULL;
	len &= 0x7f;
	if (len > c->n)
		len = (unsigned)c->n;
	s = mg_arena_alloc(a, len + 1);
	for (i = 0; i < len; i++)
		s[i] = (char)(c->p[i] != 0 ? c->p[i] : '\n');
	c->p += len;
	c->n -= len;
	return s;
}

static const char *
rule(struct cur *c, struct mg_arena *a)
{
	unsigned b = byte(c) % 12;

	if (b < 7)
		return mg_rules[b % 7] != NULL ? mg_rules[b % 7]->id : "x";
	if (b == 7)
		return MG_RULE_IGNORE_WITHOUT_REASON;
	if (b == 8)
		return MG_RULE_UNUSED_IGNORE;
	return str(c, a);
}

static void
check_json(const char *what, const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);

	if (j == NULL) {
		fprintf(stderr, "%s: not JSON: %s\n%s\n", what, err.text, s);
		abort();
	}
	json_decref(j);
}

static void
emit_all(const struct mg_lint_report *r, const struct mg_lint_emit_opts *o)
{
	static const enum mg_lint_format fmts[] = {MG_LINT_TEXT,  MG_LINT_CONCISE, MG_LINT_JSON,
	                                           MG_LINT_SARIF, MG_LINT_GITHUB,  MG_LINT_GITLAB};
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		if (f == NULL)
			abort();
		mg_emit_lint(f, fmts[i], r, o);
		mg_emit_lint_summary(f, r, o);
		fclose(f);
		if (fmts[i] == MG_LINT_JSON || fmts[i] == MG_LINT_SARIF ||
		    fmts[i] == MG_LINT_GITLAB) {
			/* The summary line follows the document: cut it off. */
			char *nl = strstr(out, "\nmigen: ");

			if (nl != NULL)
				nl[1] = '\0';
			check_json("lint emitter", out);
		}
		free(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur c = {data, size};
	struct mg_lint_report r;
	struct mg_lint_emit_opts plain = {MG_COLOR_NEVER, 0}, color = {MG_COLOR_ALWAYS, 1};
	size_t i, j, nfiles, nfind;

	memset(&r, 0, sizeof(r));
	nfiles = byte(&c) % 4;
	for (i = 0; i < nfiles; i++) {
		struct mg_lint_file *fl;

		mg_grow(&r.files, &r.capfiles, r.nfiles + 1, sizeof(*r.files));
		fl = &r.files[r.nfiles++];
		fl->path = str(&c, &r.arena);
		if (fl->path == NULL)
			fl->path = "";
		fl->revision = str(&c, &r.arena);
		fl->src = str(&c, &r.arena);
		fl->len = fl->src != NULL ? strlen(fl->src) : 0;
	}
	nfind = byte(&c) % 9;
	for (i = 0; i < nfind; i++) {
		struct mg_finding *fd;

		mg_grow(&r.v, &r.cap, r.n + 1, sizeof(*r.v));
		fd = &r.v[r.n++];
		memset(fd, 0, sizeof(*fd));
		fd->rule = rule(&c, &r.arena);
		if (fd->rule == NULL)
			fd->rule = "";
		fd->severity = (enum mg_severity)(byte(&c) % 3);
		fd->file = byte(&c) % (nfiles + 2); /* sometimes out of range */
		fd->line = num(&c);
		fd->col = num(&c);
		fd->end_line = num(&c);
		fd->end_col = num(&c);
		fd->message = str(&c, &r.arena);
		if (fd->message == NULL)
			fd->message = "";
		fd->help = str(&c, &r.arena);
		fd->where = str(&c, &r.arena);
		fd->code = str(&c, &r.arena);
		fd->nedits = byte(&c) % 3;
		fd->edits =
		    fd->nedits ? mg_arena_alloc(&r.arena, fd->nedits * sizeof(*fd->edits)) : NULL;
		for (j = 0; j < fd->nedits; j++) {
			struct mg_finding_edit *e = &fd->edits[j];

			e->start = num(&c);
			e->end = num(&c);
			e->start_line = num(&c);
			e->start_col = num(&c);
			e->end_line = num(&c);
			e->end_col = num(&c);
			e->text = str(&c, &r.arena);
			if (e->text == NULL)
				e->text = "";
		}
		fd->suppressed = byte(&c) & 1;
		if (fd->suppressed) {
			fd->suppress_reason = str(&c, &r.arena);
			fd->suppress_line = num(&c);
			r.suppressed++;
		} else {
			r.by_severity[fd->severity]++;
		}
	}
	r.seconds = byte(&c) / 7.0;
	emit_all(&r, &plain);
	emit_all(&r, &color);
	free(r.v);
	free(r.files);
	mg_arena_free(&r.arena);
	return 0;
}
