/*
 * Findings whose fix is one place for the whole project, reported once per
 * run. missing-lock-timeout is the one such rule: its fix is a line in
 * env.py, and an audit of a history that never set lock_timeout would
 * otherwise repeat it on most migrations. The first unsuppressed finding
 * keeps its place and names the others; suppressed ones stay as they are
 * (JSON and SARIF show them, marked).
 */
#include <string.h>

#include "migen/lint.h"

static const char *const once[] = {"missing-lock-timeout", NULL};

/* Up to this many other files are named in the kept finding's message. */
#define NAMED 3

static void
collapse(struct mg_lint_report *r, const char *rule)
{
	struct mg_finding *first = NULL;
	struct mg_buf b = {0};
	size_t i, n, others = 0, last = (size_t)-1;

	for (i = n = 0; i < r->n; i++) {
		struct mg_finding *x = &r->v[i];

		if (x->suppressed || strcmp(x->rule, rule) != 0) {
			r->v[n++] = *x;
			continue;
		}
		if (first == NULL) {
			r->v[n] = *x;
			first = &r->v[n++];
			continue;
		}
		/* A file's findings are together in the report: each file is counted once. */
		if (x->file == first->file || x->file == last)
			continue;
		last = x->file;
		if (others++ < NAMED)
			mg_buf_printf(&b, "%s%s", others > 1 ? ", " : "", r->files[x->file].path);
	}
	r->n = n;
	if (first != NULL && others > 0)
		first->message = mg_arena_printf(
		    &r->arena,
		    "%s; the same in %zu more migration%s of this run (%s%s): one setting "
		    "in env.py covers them all",
		    first->message, others, others == 1 ? "" : "s", b.s,
		    others > NAMED ? ", ..." : "");
	mg_buf_free(&b);
}

void
mg_lint_once(struct mg_lint_report *r)
{
	size_t i;

	for (i = 0; once[i] != NULL; i++)
		collapse(r, once[i]);
}
