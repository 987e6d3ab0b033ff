/*
 * Unified diffs of planned edits (see fix.h). The edits are whole lines
 * and known, so no diff algorithm is needed: each edit is a hunk of removed
 * and added lines, and hunks whose context touches are merged, as diff -u
 * does.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/fix.h"

#define CONTEXT 3

struct lines {
	size_t *at; /* start of each line; at[n] = len */
	size_t n;
};

static void
split(struct lines *l, const char *s, size_t len)
{
	size_t i, cap = 0;

	l->at = NULL;
	l->n = 0;
	for (i = 0; i < len; i++) {
		if (i == 0 || s[i - 1] == '\n') {
			mg_grow(&l->at, &cap, l->n + 2, sizeof(*l->at));
			l->at[l->n++] = i;
		}
	}
	mg_grow(&l->at, &cap, l->n + 1, sizeof(*l->at));
	l->at[l->n] = len;
}

/* The line that starts at byte pos (pos is always a line start or len). */
static size_t
line_of(const struct lines *l, size_t pos)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->at[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
emit_line(struct mg_buf *out, char mark, const char *s, size_t n)
{
	mg_buf_putc(out, mark);
	mg_buf_add(out, s, n);
	if (n == 0 || s[n - 1] != '\n')
		mg_buf_puts(out, "\n\\ No newline at end of file\n");
}

static size_t
count_lines(const char *t)
{
	size_t n = 0;

	for (; *t; t++)
		if (*t == '\n' || t[1] == '\0')
			n++;
	return n;
}

static void
emit_text(struct mg_buf *out, const char *t)
{
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) + 1 : strlen(t);
		emit_line(out, '+', t, n);
		t += n;
	}
}

void
mg_diff_edits(struct mg_buf *out, const char *path, const char *src, size_t len,
              const struct mg_edits *e)
{
	struct mg_edit *v;
	struct lines l;
	size_t i = 0;
	long delta = 0; /* new line numbers minus old, before the current hunk */

	if (e->n == 0)
		return;
	v = mg_edits_in_order(e);
	split(&l, src, len);
	/* a/ and b/ prefixes as git writes them, on a relative path. */
	while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
		path += path[0] == '/' ? 1 : 2;
	mg_buf_printf(out, "--- a/%s\n+++ b/%s\n", path, path);
	while (i < e->n) {
		size_t j = i, first, last, a, b, k, oldn, newn = 0;
		struct mg_buf body = {0};

		/* Edits whose contexts meet share a hunk. */
		while (j + 1 < e->n &&
		       line_of(&l, v[j + 1].start) <= line_of(&l, v[j].end) + 2 * CONTEXT)
			j++;
		first = line_of(&l, v[i].start);
		last = line_of(&l, v[j].end);
		a = first > CONTEXT ? first - CONTEXT : 0;
		b = last + CONTEXT < l.n ? last + CONTEXT : l.n;
		k = a;
		for (; i <= j; i++) {
			size_t s = line_of(&l, v[i].start), t = line_of(&l, v[i].end);
			for (; k < s; k++)
				emit_line(&body, ' ', src + l.at[k], l.at[k + 1] - l.at[k]);
			for (; k < t; k++)
				emit_line(&body, '-', src + l.at[k], l.at[k + 1] - l.at[k]);
			emit_text(&body, v[i].text);
			newn += count_lines(v[i].text);
			newn -= t - s;
		}
		for (; k < b; k++)
			emit_line(&body, ' ', src + l.at[k], l.at[k + 1] - l.at[k]);
		oldn = b - a;
		newn += oldn;
		/* A hunk of zero lines is numbered by the line before it. */
		mg_buf_printf(out, "@@ -%zu,%zu +%ld,%zu @@\n", oldn ? a + 1 : a, oldn,
		              (long)(newn ? a + 1 : a) + delta, newn);
		mg_buf_add(out, body.s ? body.s : "", body.len);
		delta += (long)newn - (long)oldn;
		mg_buf_free(&body);
	}
	free(l.at);
	free(v);
}
