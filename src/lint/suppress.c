/*
 * Suppression comments, the way ruff's noqa and squawk's ignore work, but
 * with a reason:
 *
 *   op.create_index(...)  # migen: ignore[require-concurrent-index] table has 10 rows
 *   # migen: ignore[missing-fk-index] reason      (alone on the line above)
 *   # migen: ignore-file[missing-tenant-index] reason   (in the module header)
 *
 * Only comments count (the model's, collected by the parser), never text
 * inside a string. A suppression without a reason still suppresses, and is
 * reported (ignore-without-reason); one that names an unknown rule, is
 * malformed, is misplaced, or covers no finding is reported (unused-ignore).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "migen/lint.h"

struct ignore {
	const struct mg_comment *c;
	int file;          /* ignore-file */
	int own_line;      /* nothing but blanks before it on its line */
	const char *error; /* malformed or misplaced: why, else NULL */
	const char *reason;
	char **ids;
	size_t nids, capids;
	unsigned char *used; /* per id */
};

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Where "migen:" starts a directive in the comment (after a '#' and blanks), or NULL. */
static const char *
directive(const char *text)
{
	const char *p = text;

	while ((p = strchr(p, '#')) != NULL) {
		const char *q = skip_blanks(p + 1);
		if (strncmp(q, "migen:", 6) == 0)
			return skip_blanks(q + 6);
		p++;
	}
	return NULL;
}

static char *
trimmed(struct mg_arena *a, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return mg_arena_strndup(a, s, n);
}

/* Parses `ignore[a, b] reason` or `ignore-file[...] reason` at p into x. */
static void
parse(struct mg_arena *a, const char *p, struct ignore *x)
{
	const char *close, *q;

	if (strncmp(p, "ignore-file", 11) == 0) {
		x->file = 1;
		p += 11;
	} else {
		p += 6; /* "ignore" */
	}
	p = skip_blanks(p);
	if (*p != '[' || (close = strchr(p, ']')) == NULL) {
		x->error = "malformed suppression: write `# migen: ignore[rule-id] reason`";
		return;
	}
	for (q = p + 1; q < close;) {
		const char *comma = memchr(q, ',', (size_t)(close - q));
		const char *end = comma ? comma : close;
		char *id = trimmed(a, q, (size_t)(end - q));

		if (*id != '\0') {
			mg_grow(&x->ids, &x->capids, x->nids + 1, sizeof(*x->ids));
			x->ids[x->nids++] = id;
		}
		q = end + 1;
	}
	if (x->nids == 0) {
		x->error = "malformed suppression: no rule id between the brackets";
		return;
	}
	x->reason = trimmed(a, close + 1, strlen(close + 1));
	x->used = mg_arena_alloc(a, x->nids);
}

static int
own_line(const struct mg_model *m, const struct mg_comment *c)
{
	size_t i = c->start;

	if (m->src == NULL)
		return c->col == 1;
	while (i > 0 && m->src[i - 1] != '\n') {
		if (m->src[i - 1] != ' ' && m->src[i - 1] != '\t' && m->src[i - 1] != '\f')
			return 0;
		i--;
	}
	return 1;
}

/* The first line of the body of the first upgrade()/downgrade(): the header ends above it. */
static uint32_t
header_end(const struct mg_model *m)
{
	uint32_t end = UINT32_MAX;
	size_t i;

	for (i = 0; i < m->nfunctions; i++)
		if (m->functions[i].body_line > 0 && m->functions[i].body_line < end)
			end = m->functions[i].body_line;
	return end;
}

static int
covers(const struct ignore *x, const struct mg_finding *f)
{
	if (x->file)
		return 1;
	if (x->own_line)
		return f->line == x->c->line + 1;
	return f->line == x->c->line;
}

static struct mg_finding *
report(struct mg_lint_report *r, size_t file, const struct ignore *x, const char *rule,
       const char *message)
{
	struct mg_finding *f;

	mg_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = MG_WARNING;
	f->file = file;
	f->line = f->end_line = x->c->line;
	f->col = x->c->col;
	f->end_col = x->c->col + (uint32_t)strlen(x->c->text);
	f->message = message;
	return f;
}

static int
cmp(const void *a, const void *b)
{
	const struct mg_finding *x = a, *y = b;
	int c;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((c = strcmp(x->rule, y->rule)) != 0)
		return c;
	return strcmp(x->message, y->message);
}

/* The findings of file: r->v[first..r->n). */
static size_t
first_of(const struct mg_lint_report *r, size_t file)
{
	size_t i = r->n;

	while (i > 0 && r->v[i - 1].file == file)
		i--;
	return i;
}

void
mg_lint_suppress(const struct mg_lint_config *c, const struct mg_model *m, size_t file,
                 struct mg_lint_report *r)
{
	struct mg_arena *a = &r->arena;
	struct ignore *xs = NULL;
	size_t nx = 0, capx = 0, i, k, j, first = first_of(r, file), nfound = r->n;
	uint32_t hend = header_end(m);

	for (i = 0; i < m->ncomments; i++) {
		const struct mg_comment *cm = &m->comments[i];
		const char *p = directive(cm->text);
		struct ignore *x;

		if (p == NULL || strncmp(p, "ignore", 6) != 0)
			continue;
		mg_grow(&xs, &capx, nx + 1, sizeof(*xs));
		x = &xs[nx++];
		memset(x, 0, sizeof(*x));
		x->c = cm;
		x->own_line = own_line(m, cm);
		parse(a, p, x);
		if (x->error == NULL && x->file && (!x->own_line || cm->line >= hend))
			x->error = "ignore-file must stand alone on a line of the module header, "
			           "above the body of upgrade()";
	}
	/* The findings each suppression covers; the first that covers one wins. */
	for (k = first; k < nfound; k++) {
		struct mg_finding *f = &r->v[k];

		for (i = 0; i < nx && !f->suppressed; i++) {
			struct ignore *x = &xs[i];
			if (x->error != NULL || !covers(x, f))
				continue;
			for (j = 0; j < x->nids; j++)
				if (strcmp(x->ids[j], f->rule) == 0) {
					x->used[j] = 1;
					f->suppressed = 1;
					f->suppress_reason = *x->reason ? x->reason : NULL;
					f->suppress_line = x->c->line;
					break;
				}
		}
	}
	for (i = 0; i < nx; i++) {
		struct ignore *x = &xs[i];

		if (x->error != NULL) {
			if (mg_lint_wanted(c, MG_RULE_UNUSED_IGNORE))
				report(r, file, x, MG_RULE_UNUSED_IGNORE, x->error);
			free(x->ids);
			continue;
		}
		if (*x->reason == '\0' && mg_lint_wanted(c, MG_RULE_IGNORE_WITHOUT_REASON))
			report(r, file, x, MG_RULE_IGNORE_WITHOUT_REASON,
			       mg_arena_printf(a,
			                       "suppression of %s gives no reason: say why after "
			                       "the brackets",
			                       x->ids[0]));
		for (j = 0; j < x->nids; j++) {
			const char *id = x->ids[j];
			const char *msg = NULL;

			if (strcmp(id, MG_RULE_IGNORE_WITHOUT_REASON) == 0 ||
			    strcmp(id, MG_RULE_UNUSED_IGNORE) == 0)
				msg = mg_arena_printf(a,
				                      "'%s' cannot be suppressed by a comment "
				                      "(--ignore or [tool.migen] ignore can)",
				                      id);
			else if (!mg_lint_rule_known(id))
				msg = mg_arena_printf(a, "unknown rule '%s' in a suppression", id);
			else if (!x->used[j] && mg_lint_wanted(c, id))
				msg = mg_arena_printf(a,
				                      "%s[%s] suppresses nothing: no %s finding %s",
				                      x->file ? "ignore-file" : "ignore", id, id,
				                      x->file       ? "in this file"
				                      : x->own_line ? "on the line below"
				                                    : "on this line");
			if (msg != NULL && mg_lint_wanted(c, MG_RULE_UNUSED_IGNORE))
				report(r, file, x, MG_RULE_UNUSED_IGNORE, msg);
		}
		free(x->ids);
	}
	free(xs);
	if (r->n > first)
		qsort(r->v + first, r->n - first, sizeof(*r->v), cmp);
}
