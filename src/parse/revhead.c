/*
 * A hand-written reader for the module header of a migration: the part
 * above `def upgrade()`, where Alembic's templates put the docstring and
 * the revision variables. `migen doctor` reads thousands of files and needs
 * only those variables; tree-sitter costs about 150 microseconds per file
 * even on the header alone, this reader a few. It is deliberately narrow:
 * it accepts only what the templates write, and on anything else it gives
 * up and the analyzer asks tree-sitter, so the two never disagree (the unit
 * test test_revhead.c checks that on every fixture, the fuzz target on any
 * bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "migen/pystr.h"
#include "revhead.h"

/* Whether a column-1 line at p (len bytes left) starts a def/class/decorator. */
static int
starts_definition(const char *p, size_t left)
{
	static const char *const words[] = {"def", "class", "async"};
	size_t i;

	if (left >= 1 && p[0] == '@')
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (left > n && memcmp(p, words[i], n) == 0 &&
		    (p[n] == ' ' || p[n] == '\t' || p[n] == '(' || p[n] == ':' || p[n] == '\\'))
			return 1;
	}
	return 0;
}

size_t
mg_revhead_end(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl;

		if (starts_definition(p, (size_t)(end - p)))
			return (size_t)(p - text);
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return (size_t)-1;
}

char *
mg_revhead_first_line(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if ((e = strchr(s, '\n')) != NULL)
		*e = '\0';
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

struct scan {
	struct mg_model *m;
	const char *text, *p, *end;
};

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static void
skip_blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

/* Blanks, then an optional comment; 1 if the line ends there (newline consumed). */
static int
end_of_line(struct scan *s)
{
	skip_blanks(s);
	if (s->p < s->end && *s->p == '#')
		while (s->p < s->end && *s->p != '\n')
			s->p++;
	if (s->p == s->end)
		return 1;
	if (*s->p == '\n') {
		s->p++;
		return 1;
	}
	return 0;
}

/*
 * A string literal at s->p: only the r/u prefixes (f-strings and bytes go
 * to tree-sitter). Returns the decoded value in the model's arena, or NULL
 * if the literal is anything this reader does not vouch for.
 */
static char *
string(struct scan *s)
{
	const char *start = s->p, *p = s->p;
	struct mg_buf b = {0};
	char q, *r = NULL;
	int triple;

	while (p < s->end && p - start < 1 && (*p == 'r' || *p == 'R' || *p == 'u' || *p == 'U'))
		p++;
	if (p >= s->end || (*p != '"' && *p != '\''))
		return NULL;
	q = *p;
	triple = s->end - p >= 3 && p[1] == q && p[2] == q;
	p += triple ? 3 : 1;
	/* memchr hops from quote to quote: docstrings are most of a header. */
	for (;;) {
		const char *hit, *stop, *bs;

		if (p >= s->end)
			return NULL;
		hit = memchr(p, q, (size_t)(s->end - p));
		stop = hit ? hit : s->end;
		bs = memchr(p, '\\', (size_t)(stop - p));
		if (!triple && memchr(p, '\n', (size_t)((bs ? bs : stop) - p)) != NULL)
			return NULL;
		if (bs != NULL) {
			p = bs + 2;
			continue;
		}
		if (hit == NULL)
			return NULL;
		p = hit;
		if (!triple) {
			p++;
			break;
		}
		if (s->end - p >= 3 && p[1] == q && p[2] == q) {
			p += 3;
			break;
		}
		p++;
	}
	if (p > s->end)
		return NULL;
	/* Without a backslash the value is the body as written (\r was refused
	 * up front): most docstrings and every revision id take this path. */
	{
		size_t ql = triple ? 3 : 1;
		const char *body = start + (*start == q ? 0 : 1) + ql, *bend = p - ql;
		if (memchr(body, '\\', (size_t)(bend - body)) == NULL) {
			s->p = p;
			return mg_arena_strndup(&s->m->arena, body, (size_t)(bend - body));
		}
	}
	if (mg_pystr_decode(start, (size_t)(p - start), &b, NULL) == MG_PYSTR_OK)
		r = mg_arena_strndup(&s->m->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	s->p = p;
	return r;
}

/* Blanks, newlines and comments inside brackets. */
static void
skip_space(struct scan *s)
{
	while (s->p < s->end) {
		if (*s->p == ' ' || *s->p == '\t' || *s->p == '\n')
			s->p++;
		else if (*s->p == '#')
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		else
			break;
	}
}

static int
word_is(struct scan *s, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(s->end - s->p) >= n && memcmp(s->p, w, n) == 0 &&
	       ((size_t)(s->end - s->p) == n || !is_ident((unsigned char)s->p[n]));
}

/* Python's keywords: never a name in an import. */
static int
is_keyword(const char *p, size_t n)
{
	static const char *const kw[] = {
	    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
	    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
	    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
	    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], p, n) == 0)
			return 1;
	return 0;
}

/* An identifier (ASCII; anything else goes to tree-sitter) that is not a keyword. */
static int
name(struct scan *s)
{
	const char *start = s->p;

	if (s->p >= s->end || !is_ident_start((unsigned char)*s->p))
		return 0;
	while (s->p < s->end && is_ident((unsigned char)*s->p))
		s->p++;
	return !is_keyword(start, (size_t)(s->p - start));
}

/* Space between tokens: blanks, and inside parentheses newlines and comments too. */
static void
gap(struct scan *s, int paren)
{
	if (paren)
		skip_space(s);
	else
		skip_blanks(s);
}

static int
at(struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

/* Consumes c if it is next. */
static int
eat(struct scan *s, char c)
{
	if (!at(s, c))
		return 0;
	s->p++;
	return 1;
}

/* NAME ('.' NAME)*, with blanks (and inside parentheses, newlines) around the dots. */
static int
dotted(struct scan *s, int paren)
{
	if (!name(s))
		return 0;
	gap(s, paren);
	while (eat(s, '.')) {
		gap(s, paren);
		if (!name(s))
			return 0;
		gap(s, paren);
	}
	return 1;
}

/* A dotted name (or a plain one), then an optional `as NAME`. */
static int
dotted_as(struct scan *s, int dots, int paren)
{
	if (dots ? !dotted(s, paren) : !name(s))
		return 0;
	gap(s, paren);
	if (word_is(s, "as")) {
		s->p += 2;
		gap(s, paren);
		if (!name(s))
			return 0;
		gap(s, paren);
	}
	return 1;
}

/*
 * An import statement, as Python's grammar has it (s->p after `import` or
 * `from`): the reader must refuse what Python refuses, or doctor would vouch
 * for a file Alembic cannot load. A backslash continuation or anything
 * unusual goes to tree-sitter.
 */
static int
import(struct scan *s, int from)
{
	int dots = 0, names = 0;

	skip_blanks(s);
	if (!from) {
		do {
			skip_blanks(s);
			if (!dotted_as(s, 1, 0))
				return 0;
		} while (eat(s, ','));
		return end_of_line(s);
	}
	while (at(s, '.')) {
		s->p++;
		dots++;
		skip_blanks(s);
	}
	/* `from . import x` names no module; `from .a import x` does. */
	if ((!word_is(s, "import") || dots == 0) && !dotted(s, 0))
		return 0;
	if (!word_is(s, "import"))
		return 0;
	s->p += 6;
	skip_blanks(s);
	if (at(s, '*')) {
		s->p++;
		return end_of_line(s);
	}
	if (at(s, '(')) {
		s->p++;
		skip_space(s);
		do {
			skip_space(s);
			if (at(s, ')') && names > 0)
				break; /* a trailing comma */
			if (!dotted_as(s, 0, 1))
				return 0;
			names++;
		} while (eat(s, ','));
		if (!at(s, ')'))
			return 0;
		s->p++;
		return end_of_line(s);
	}
	do {
		skip_blanks(s);
		if (!dotted_as(s, 0, 0))
			return 0;
	} while (eat(s, ','));
	return end_of_line(s);
}

/*
 * The value of a list variable: a string, None, or a tuple/list of strings
 * (a parenthesised single string counts as one, as the analyzer reads it).
 */
static int
strlist(struct scan *s, struct mg_strlist *out)
{
	const char **items = NULL;
	size_t n = 0, cap = 0;
	char close;
	char *v;

	memset(out, 0, sizeof(*out));
	out->present = 1;
	out->known = 1;
	if (word_is(s, "None")) {
		s->p += 4;
		return 1;
	}
	if (*s->p != '(' && *s->p != '[') {
		if ((v = string(s)) == NULL)
			return 0;
		out->v = mg_arena_alloc(&s->m->arena, sizeof(*out->v));
		out->v[0] = v;
		out->n = 1;
		return 1;
	}
	close = *s->p == '(' ? ')' : ']';
	s->p++;
	for (;;) {
		skip_space(s);
		if (s->p >= s->end)
			break;
		if (*s->p == close) {
			s->p++;
			out->v = mg_arena_alloc(&s->m->arena, (n ? n : 1) * sizeof(*out->v));
			if (n)
				memcpy(out->v, items, n * sizeof(*items));
			out->n = n;
			free(items);
			return 1;
		}
		if ((v = string(s)) == NULL)
			break;
		mg_grow(&items, &cap, n + 1, sizeof(*items));
		items[n++] = v;
		skip_space(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
		else if (s->p >= s->end || *s->p != close)
			break;
	}
	free(items);
	return 0;
}

static int ann_expr(struct scan *s, int depth);

/* NAME(.NAME)*[subscript], None or `...`, as annotations write them. */
static int
ann_term(struct scan *s, int depth)
{
	int n = 0;

	skip_blanks(s);
	if (word_is(s, "None")) {
		s->p += 4;
	} else if (s->end - s->p >= 3 && memcmp(s->p, "...", 3) == 0) {
		s->p += 3;
	} else {
		if (!dotted(s, 0))
			return 0;
		if (eat(s, '[')) {
			/* Deeper than any template's Union[str, Sequence[str], None]. */
			if (depth >= 8)
				return 0;
			do {
				skip_blanks(s);
				if (at(s, ']') && n > 0)
					break; /* a trailing comma */
				if (!ann_expr(s, depth + 1))
					return 0;
				n++;
			} while (eat(s, ','));
			if (!eat(s, ']'))
				return 0;
		}
	}
	skip_blanks(s);
	return 1;
}

static int
ann_expr(struct scan *s, int depth)
{
	do
		if (!ann_term(s, depth))
			return 0;
	while (eat(s, '|'));
	return 1;
}

/*
 * An annotation such as `str`, `Union[str, Sequence[str], None]` or
 * `str | None`, up to its `=`: names, subscripts and `|` only, by Python's
 * grammar (an unbalanced bracket or two names in a row is a syntax error
 * there, so it must not pass here).
 */
static int
annotation(struct scan *s)
{
	s->p++; /* ':' */
	return ann_expr(s, 0) && at(s, '=');
}

static uint32_t
line_of(const char *text, const char *p)
{
	uint32_t line = 1;
	const char *q = text;

	while ((q = memchr(q, '\n', (size_t)(p - q))) != NULL) {
		line++;
		q++;
	}
	return line;
}

/* `NAME [: annotation] = value` for one of the four variables. */
static int
assignment(struct scan *s, const char *name, uint32_t base)
{
	struct mg_revinfo *r = &s->m->rev;
	const char *start = s->p;

	s->p += strlen(name);
	skip_blanks(s);
	if (s->p < s->end && *s->p == ':' && !annotation(s))
		return 0;
	if (s->p >= s->end || *s->p != '=' || (s->end - s->p > 1 && s->p[1] == '='))
		return 0;
	s->p++;
	skip_blanks(s);
	if (s->p >= s->end)
		return 0;
	if (strcmp(name, "revision") == 0) {
		const char *v = NULL;

		if (word_is(s, "None"))
			s->p += 4;
		else if ((v = string(s)) == NULL)
			return 0;
		r->has_revision = 1;
		r->revision = v;
		r->revision_span.start = (uint32_t)(start - s->text) + base;
		r->revision_span.end = (uint32_t)(s->p - s->text) + base;
		r->revision_span.line = line_of(s->text, start);
		r->revision_span.col = 1;
	} else if (!strlist(s, strcmp(name, "down_revision") == 0   ? &r->down_revision
	                       : strcmp(name, "branch_labels") == 0 ? &r->branch_labels
	                                                            : &r->depends_on)) {
		return 0;
	}
	return end_of_line(s);
}

int
mg_revhead_scan(struct mg_model *m, const char *text, size_t len, uint32_t base)
{
	static const char *const vars[] = {"revision", "down_revision", "branch_labels",
	                                   "depends_on"};
	struct scan s = {m, text, text, text + len};
	int first = 1;
	size_t i;

	/* Python reads \r\n as \n; tree-sitter's positions count them apart. */
	if (memchr(text, '\r', len) != NULL)
		return 0;
	while (s.p < s.end) {
		char c = *s.p;

		if (c == '\n') {
			s.p++;
			continue;
		}
		if (c == '#' || c == ' ' || c == '\t') {
			/* Blank and comment lines; an indented statement is not ours. */
			if (!end_of_line(&s))
				return 0;
			continue;
		}
		if (c == '"' || c == '\'') {
			char *doc = string(&s);

			if (doc == NULL || !end_of_line(&s))
				return 0;
			if (first)
				m->rev.message = mg_revhead_first_line(doc);
			first = 0;
			continue;
		}
		if (!is_ident_start((unsigned char)c))
			return 0;
		first = 0;
		if (word_is(&s, "import") || word_is(&s, "from")) {
			int from = *s.p == 'f';

			s.p += from ? 4 : 6;
			if (!import(&s, from))
				return 0;
			continue;
		}
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
			if (word_is(&s, vars[i]))
				break;
		if (i == sizeof(vars) / sizeof(vars[0]) || !assignment(&s, vars[i], base))
			return 0;
	}
	return 1;
}
