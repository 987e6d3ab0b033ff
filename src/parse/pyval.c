/*
 * Checks for Python values and SQLAlchemy types typed by users (see
 * pyval.h). The type grammar is a small recursive-descent parser: a
 * whitelist is easier to trust than a blacklist of dangerous Python.
 */
#include <string.h>

#include "migen/pyval.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* An integer or decimal as Python reads it: no leading zeros ("007" is a SyntaxError). */
static const char *
number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (is_digit(*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return NULL;
		while (is_digit(*p))
			p++;
	}
	return p;
}

int
mg_pyval_is_plain(const char *s)
{
	const char *e;

	if (strcmp(s, "True") == 0 || strcmp(s, "False") == 0)
		return 1;
	e = number(s);
	return e != NULL && *e == '\0';
}

const char *
mg_pyval_str_refusal(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = 0, i;

		if (*p < 0x80)
			n = 1;
		else if (*p >= 0xC2 && *p <= 0xDF)
			n = 2;
		else if (*p >= 0xE0 && *p <= 0xEF)
			n = 3;
		else if (*p >= 0xF0 && *p <= 0xF4)
			n = 4;
		if (n == 0)
			return "not valid UTF-8";
		for (i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return "not valid UTF-8";
		if ((n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))) ||
		    (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))))
			return "not valid UTF-8";
		p += n;
	}
	return NULL;
}

static void
spaces(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* Reads a name; returns its length (0: none). */
static size_t
name(const char **p)
{
	const char *s = *p;
	size_t n;

	if (!is_alpha(*s))
		return 0;
	while (is_alpha(*s) || is_digit(*s))
		s++;
	n = (size_t)(s - *p);
	*p = s;
	return n;
}

static int type_expr(const char **p, int depth);

static int
value(const char **p, int depth)
{
	const char *s = *p, *e;

	if (*s == '\'') {
		for (s++; *s != '\''; s++)
			if (*s == '\0' || *s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ||
			    *s == 0x7f)
				return 0;
		*p = s + 1;
		return 1;
	}
	if ((e = number(s)) != NULL) {
		*p = e;
		return 1;
	}
	if (strncmp(s, "True", 4) == 0 || strncmp(s, "None", 4) == 0) {
		if (is_alpha(s[4]) || is_digit(s[4]))
			return 0;
		*p = s + 4;
		return 1;
	}
	if (strncmp(s, "False", 5) == 0) {
		if (is_alpha(s[5]) || is_digit(s[5]))
			return 0;
		*p = s + 5;
		return 1;
	}
	return type_expr(p, depth + 1);
}

static int
arg(const char **p, int depth)
{
	const char *s = *p;

	/* keyword=value: a name followed by '=' (and not '=='). */
	if (is_alpha(*s)) {
		const char *t = s;

		while (is_alpha(*t) || is_digit(*t))
			t++;
		spaces(&t);
		if (*t == '=' && t[1] != '=') {
			t++;
			spaces(&t);
			s = t;
		}
	}
	if (!value(&s, depth))
		return 0;
	*p = s;
	return 1;
}

static int
type_expr(const char **p, int depth)
{
	const char *s = *p, *last = NULL;

	if (depth > 8)
		return 0;
	if (strncmp(s, "sa.", 3) == 0)
		s += 3;
	else if (strncmp(s, "postgresql.", 11) == 0)
		s += 11;
	else
		return 0;
	for (;;) {
		const char *n0 = s;

		if (name(&s) == 0 || *n0 == '_')
			return 0;
		last = n0;
		if (*s != '.')
			break;
		s++;
	}
	if (!(*last >= 'A' && *last <= 'Z'))
		return 0;
	if (*s == '(') {
		s++;
		spaces(&s);
		if (*s != ')') {
			for (;;) {
				if (!arg(&s, depth))
					return 0;
				spaces(&s);
				if (*s == ')')
					break;
				if (*s != ',')
					return 0;
				s++;
				spaces(&s);
			}
		}
		s++;
	}
	*p = s;
	return 1;
}

const char *
mg_pyval_type_refusal(const char *s)
{
	const char *p = s;

	if (!type_expr(&p, 0) || *p != '\0')
		return "not an SQLAlchemy type such as sa.String(20), sa.Integer() or "
		       "postgresql.JSONB()";
	return NULL;
}
