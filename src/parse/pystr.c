/*
 * Python string-literal decoding (see pystr.h), following the language
 * reference: prefixes r/b/u/f in any case and order, single or triple quotes,
 * and the escape sequences of str and bytes literals. Newlines inside the
 * literal are normalised to '\n', as Python's universal newlines do when it
 * reads a source file.
 */
#include <ctype.h>
#include <string.h>

#include "migen/pystr.h"

static void
put_utf8(struct mg_buf *out, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	mg_buf_add(out, b, n);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads ndig hex digits at s; -1 if they are not all there. */
static long
hexn(const char *s, const char *end, int ndig)
{
	long v = 0;
	int i, h;

	if (end - s < ndig)
		return -1;
	for (i = 0; i < ndig; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

enum mg_pystr_result
mg_pystr_decode(const char *raw, size_t n, struct mg_buf *out, char *quote)
{
	const char *p = raw, *end = raw + n, *body_end;
	int is_raw = 0, is_bytes = 0, is_f = 0;
	size_t qlen;
	char q;

	for (; p < end && isalpha((unsigned char)*p); p++) {
		switch (tolower((unsigned char)*p)) {
		case 'r':
			is_raw = 1;
			break;
		case 'b':
			is_bytes = 1;
			break;
		case 'f':
			is_f = 1;
			break;
		case 'u':
			break;
		default:
			return MG_PYSTR_MALFORMED;
		}
	}
	if (p >= end || (*p != '"' && *p != '\''))
		return MG_PYSTR_MALFORMED;
	q = *p;
	if (quote != NULL)
		*quote = q;
	/* Three quotes open a triple-quoted literal, which needs three to close. */
	qlen = (end - p >= 3 && p[1] == q && p[2] == q) ? 3 : 1;
	if (qlen == 3 && end - p < 6)
		return MG_PYSTR_MALFORMED;
	if ((size_t)(end - p) < 2 * qlen)
		return MG_PYSTR_MALFORMED;
	body_end = end - qlen;
	if (memcmp(body_end, p, qlen) != 0)
		return MG_PYSTR_MALFORMED;
	if (is_f)
		return MG_PYSTR_FSTRING;
	p += qlen;

	while (p < body_end) {
		unsigned char c = (unsigned char)*p;
		long v;

		if (c == '\r') {
			/* Universal newlines: \r\n and a lone \r become \n. */
			mg_buf_putc(out, '\n');
			p += (p + 1 < body_end && p[1] == '\n') ? 2 : 1;
			continue;
		}
		if (c != '\\') {
			mg_buf_putc(out, (char)c);
			p++;
			continue;
		}
		if (p + 1 >= body_end)
			return MG_PYSTR_MALFORMED;
		if (is_raw) {
			/* A raw string keeps the backslash, and the escaped
			 * character too (it only stops a quote from ending it);
			 * an escaped line break is still normalised. */
			mg_buf_putc(out, '\\');
			p++;
			if (*p != '\r') {
				mg_buf_putc(out, *p);
				p++;
			}
			continue;
		}
		p++;
		c = (unsigned char)*p++;
		switch (c) {
		case '\n':
			break; /* line continuation */
		case '\r':
			if (p < body_end && *p == '\n')
				p++;
			break;
		case '\\':
		case '\'':
		case '"':
			mg_buf_putc(out, (char)c);
			break;
		case 'a':
			mg_buf_putc(out, '\a');
			break;
		case 'b':
			mg_buf_putc(out, '\b');
			break;
		case 'f':
			mg_buf_putc(out, '\f');
			break;
		case 'n':
			mg_buf_putc(out, '\n');
			break;
		case 'r':
			mg_buf_putc(out, '\r');
			break;
		case 't':
			mg_buf_putc(out, '\t');
			break;
		case 'v':
			mg_buf_putc(out, '\v');
			break;
		case 'x':
			if ((v = hexn(p, body_end, 2)) < 0)
				return MG_PYSTR_MALFORMED;
			p += 2;
			if (is_bytes)
				mg_buf_putc(out, (char)v);
			else
				put_utf8(out, (unsigned long)v);
			break;
		case 'u':
		case 'U':
			if (is_bytes) {
				mg_buf_putc(out, '\\');
				mg_buf_putc(out, (char)c);
				break;
			}
			if ((v = hexn(p, body_end, c == 'u' ? 4 : 8)) < 0 || v > 0x10FFFF ||
			    (v >= 0xD800 && v <= 0xDFFF))
				return MG_PYSTR_MALFORMED;
			p += c == 'u' ? 4 : 8;
			put_utf8(out, (unsigned long)v);
			break;
		case 'N':
			if (is_bytes) {
				mg_buf_add(out, "\\N", 2);
				break;
			}
			/* Named characters need the Unicode database. */
			return MG_PYSTR_MALFORMED;
		default:
			if (c >= '0' && c <= '7') {
				v = c - '0';
				if (p < body_end && *p >= '0' && *p <= '7')
					v = v * 8 + (*p++ - '0');
				if (p < body_end && *p >= '0' && *p <= '7')
					v = v * 8 + (*p++ - '0');
				if (is_bytes)
					mg_buf_putc(out, (char)(v & 0xFF));
				else
					put_utf8(out, (unsigned long)v);
				break;
			}
			/* Unknown escapes keep their backslash. */
			mg_buf_putc(out, '\\');
			mg_buf_putc(out, (char)c);
			break;
		}
	}
	if (out->s == NULL)
		mg_buf_add(out, "", 0);
	return MG_PYSTR_OK;
}

int
mg_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned long cp;
		int len, i;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			len = 2;
			cp = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			len = 3;
			cp = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			len = 4;
			cp = *p & 0x07;
		} else {
			return 0;
		}
		if (end - p < len)
			return 0;
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += len;
	}
	return 1;
}
