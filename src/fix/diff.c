/*
 * Unified diffs of planned edits (see fix.h). The edits are whole lines
 * and known, so no diff algorithm is needed: each edit is a hunk of removed
 * and added lines, and hunks whose context touches are merged, as diff -u
 * does.
 */
/* realpath() */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Whether path names a ".." component: such a path cannot go in a patch header. */
static int
has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
		p += 2;
	}
	return 0;
}

/*
 * The path for the diff's "--- a/PATH" lines: relative to the current folder
 * when the file is under it (git apply, patch -p1 run here); else relative
 * to the root of the git work tree that holds it, else absolute, and *root
 * says where to apply the patch then (free() both).
 */
char *
mg_diff_patch_path(const char *path, char **root)
{
	char *abs, *cwd, *dir, *slash;
	size_t n;

	*root = NULL;
	if (path[0] != '/' && !has_dotdot(path))
		return mg_xstrdup(path);
	if ((abs = realpath(path, NULL)) == NULL)
		return mg_xstrdup(path);
	if ((cwd = realpath(".", NULL)) != NULL) {
		n = strlen(cwd);
		if (strncmp(abs, cwd, n) == 0 && abs[n] == '/' && n > 1) {
			char *rel = mg_xstrdup(abs + n + 1);
			free(cwd);
			free(abs);
			return rel;
		}
		free(cwd);
	}
	/* The nearest folder above the file that holds .git is the work tree's root. */
	dir = mg_xstrdup(abs);
	while ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		struct mg_buf b = {0};
		struct stat st;
		int found;

		*slash = '\0';
		mg_buf_printf(&b, "%s/.git", dir);
		found = stat(b.s, &st) == 0;
		mg_buf_free(&b);
		if (found) {
			char *rel = mg_xstrdup(abs + strlen(dir) + 1);
			*root = dir;
			free(abs);
			return rel;
		}
	}
	free(dir);
	*root = mg_xstrdup("/");
	return abs;
}
