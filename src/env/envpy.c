/*
 * env.py read as text (see envpy.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/envpy.h"
#include "migen/util.h"

/* The file's bytes, NUL-terminated, or NULL; at most 1 MiB is read. */
static char *
slurp(const char *path)
{
	FILE *f;
	char *s;
	size_t n;

	if (path == NULL || (f = fopen(path, "rb")) == NULL)
		return NULL;
	s = mg_xmalloc((1u << 20) + 1);
	n = fread(s, 1, 1u << 20, f);
	fclose(f);
	s[n] = '\0';
	return s;
}

/* Whether lock_timeout appears in s outside a comment (# in Python and ini, ; in ini). */
static int
mentions(const char *s, int ini)
{
	const char *line = s;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n'), *p = line, *hit;
		size_t n = end ? (size_t)(end - line) : strlen(line);
		while (p < line + n && (*p == ' ' || *p == '\t'))
			p++;
		if (*p != '#' && !(ini && *p == ';')) {
			char *l = mg_xmalloc(n + 1);
			memcpy(l, line, n);
			l[n] = '\0';
			hit = strstr(l, "lock_timeout");
			/* A trailing Python comment: only what comes before its '#'. */
			if (hit != NULL && !ini) {
				const char *h = strchr(l, '#');
				if (h != NULL && h < hit && strchr(l, '\'') == NULL &&
				    strchr(l, '"') == NULL)
					hit = NULL;
			}
			free(l);
			if (hit != NULL)
				return 1;
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

int
mg_envpy_sets_lock_timeout(const char *env_py, const char *ini)
{
	char *s = slurp(env_py), *t;
	int r;

	if (s == NULL)
		return -1;
	r = mentions(s, 0);
	free(s);
	if (r == 0 && (t = slurp(ini)) != NULL) {
		r = mentions(t, 1);
		free(t);
	}
	return r;
}
