/*
 * The streaming JSON writer (see jsonw.h). The layout is jansson's
 * JSON_INDENT(2): one member or element a line, `[]` and `{}` when empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/jsonw.h"
#include "migen/pystr.h"

static void
newline(struct mg_jw *w)
{
	/* A newline and the indentation of the deepest level, cut to the depth. */
	static const char lead[] = "\n                                                    "
	                           "            ";

	_Static_assert(sizeof(lead) >= 2 + 2 * MG_JW_MAX_DEPTH, "indentation for every level");
	mg_buf_add(&w->out, lead, 1 + 2 * (size_t)w->depth);
}

/* 1 for the bytes a string cannot hold as they are: controls, '"', '\\', and past ASCII. */
static const unsigned char special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static void
quoted(struct mg_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	int valid = -1; /* the whole string's, asked at its first byte past ASCII */

	mg_buf_putc(b, '"');
	for (; *p; p++) {
		unsigned char c = *p;
		const char *esc;
		char u[8];

		if (!special[c])
			continue; /* most bytes: copied in runs */
		if (c >= 0x80) {
			if (valid < 0)
				valid = mg_utf8_valid(s, strlen(s));
			if (valid)
				continue;
			esc = "\xEF\xBF\xBD";
		} else if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c == '\t') {
			esc = "\\t";
		} else if (c == '\r') {
			esc = "\\r";
		} else if (c == '\b') {
			esc = "\\b";
		} else if (c == '\f') {
			esc = "\\f";
		} else {
			snprintf(u, sizeof(u), "\\u%04X", c);
			esc = u;
		}
		mg_buf_add(b, (const char *)run, (size_t)(p - run));
		mg_buf_puts(b, esc);
		run = p + 1;
	}
	mg_buf_add(b, (const char *)run, (size_t)(p - run));
	mg_buf_putc(b, '"');
}

/* Separator, indentation and key before a value. */
static void
member(struct mg_jw *w, const char *key)
{
	if (w->depth > 0) {
		if (w->count[w->depth - 1]++ > 0)
			mg_buf_putc(&w->out, ',');
		newline(w);
	}
	if (key != NULL) {
		quoted(&w->out, key);
		mg_buf_add(&w->out, ": ", 2);
	}
}

static void
begin(struct mg_jw *w, const char *key, char open, char close)
{
	member(w, key);
	mg_buf_putc(&w->out, open);
	if (w->depth >= MG_JW_MAX_DEPTH) {
		/* Emitters nest a few levels: deeper is a bug, not input. */
		fputs("migen: JSON nested too deep\n", stderr);
		abort();
	}
	w->close[w->depth] = close;
	w->count[w->depth++] = 0;
}

void
mg_jw_begin_object(struct mg_jw *w, const char *key)
{
	begin(w, key, '{', '}');
}

void
mg_jw_begin_array(struct mg_jw *w, const char *key)
{
	begin(w, key, '[', ']');
}

void
mg_jw_end(struct mg_jw *w)
{
	int had = w->count[--w->depth];

	if (had > 0)
		newline(w);
	mg_buf_putc(&w->out, w->close[w->depth]);
}

void
mg_jw_str(struct mg_jw *w, const char *key, const char *s)
{
	member(w, key);
	if (s == NULL)
		mg_buf_add(&w->out, "null", 4);
	else
		quoted(&w->out, s);
}

void
mg_jw_int(struct mg_jw *w, const char *key, long long v)
{
	/* By hand: mg_buf_printf formats twice (to size, then to write). */
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	member(w, key);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	mg_buf_add(&w->out, p, (size_t)(d + sizeof(d) - p));
}

void
mg_jw_fixed3(struct mg_jw *w, const char *key, double v)
{
	member(w, key);
	/* JSON has no NaN or infinity. */
	if (!(v >= 0 && v < 1e12))
		v = 0;
	mg_buf_printf(&w->out, "%.3f", v);
}

void
mg_jw_bool(struct mg_jw *w, const char *key, int v)
{
	member(w, key);
	mg_buf_puts(&w->out, v ? "true" : "false");
}

void
mg_jw_null(struct mg_jw *w, const char *key)
{
	member(w, key);
	mg_buf_add(&w->out, "null", 4);
}

void
mg_jw_strs(struct mg_jw *w, const char *key, const char *const *v, size_t n)
{
	size_t i;

	mg_jw_begin_array(w, key);
	for (i = 0; i < n; i++)
		mg_jw_str(w, NULL, v[i]);
	mg_jw_end(w);
}

void
mg_jw_tri(struct mg_jw *w, const char *key, int v)
{
	if (v < 0)
		mg_jw_null(w, key);
	else
		mg_jw_bool(w, key, v);
}
