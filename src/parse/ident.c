/*
 * Identifier checks and quoting for generated SQL (see ident.h). Whether a
 * lowercase word is reserved is asked of the real PostgreSQL parser rather
 * than a keyword list that would drift from it.
 */
#include <pg_query.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/ident.h"

const char *
mg_ident_refusal(const char *s)
{
	const unsigned char *p;

	if (s == NULL || *s == '\0')
		return "empty identifier";
	if (strlen(s) > MG_IDENT_MAX)
		return "identifier longer than 63 bytes";
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\'' || *p == '\\' || *p == ';' || *p == '`')
			return "identifier contains a quote, backslash or ';'";
		if (*p < 0x20 || *p == 0x7f)
			return "identifier contains a control character";
		/* SQLAlchemy's text() binds ":name" even inside double quotes. */
		if (*p == ':')
			return "identifier contains ':', which SQLAlchemy would take for a "
			       "parameter";
	}
	return NULL;
}

/*
 * The parser's answer for a word, remembered: generated code names the same
 * few tables and columns many times, and each question costs two parses
 * (about 50,000 instructions). Direct-mapped and per thread, so no locking;
 * a collision only costs a parse.
 */
#define MG_PLAIN_CACHE 4096
static _Thread_local struct {
	char name[MG_IDENT_MAX + 1];
	int plain;
} plain_cache[MG_PLAIN_CACHE];

static int parser_says_plain(const char *s);

int
mg_ident_is_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t h = 2166136261u;
	size_t len;

	if (p == NULL || !((*p >= 'a' && *p <= 'z') || *p == '_'))
		return 0;
	for (; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '$'))
			return 0;
		h = (h ^ *p) * 16777619u;
	}
	len = (size_t)(p - (const unsigned char *)s);
	/*
	 * No PostgreSQL keyword is longer than current_timestamp (17 bytes):
	 * a longer lowercase word is a plain name without asking.
	 */
	if (len > 17)
		return 1;
	h %= MG_PLAIN_CACHE;
	if (strcmp(plain_cache[h].name, s) != 0) {
		memcpy(plain_cache[h].name, s, len + 1);
		plain_cache[h].plain = parser_says_plain(s);
	}
	return plain_cache[h].plain;
}

static int
parser_says_plain(const char *s)
{
	PgQueryParseResult r;
	struct mg_buf b = {0};
	int ok;

	/*
	 * Bare, a keyword may fail to parse, or parse as something else: in an
	 * index list `user` is the function USER, not a column. So the word must
	 * parse as a name in each place migen writes names, and be a column in
	 * the index list.
	 */
	mg_buf_printf(&b, "CREATE INDEX %s ON %s.%s (%s)", s, s, s, s);
	r = pg_query_parse(b.s);
	ok = r.error == NULL;
	if (ok) {
		struct mg_buf want = {0};

		mg_buf_printf(&want, "\"IndexElem\":{\"name\":\"%s\"", s);
		ok = strstr(r.parse_tree, want.s) != NULL;
		mg_buf_free(&want);
	}
	pg_query_free_parse_result(r);
	if (ok) {
		b.len = 0;
		mg_buf_printf(&b,
		              "UPDATE %s SET %s = %s WHERE %s IN (SELECT %s FROM %s ORDER BY %s)",
		              s, s, s, s, s, s, s);
		r = pg_query_parse(b.s);
		ok = r.error == NULL;
		pg_query_free_parse_result(r);
	}
	mg_buf_free(&b);
	return ok;
}

void
mg_ident_sql(struct mg_buf *b, const char *s)
{
	if (mg_ident_is_plain(s)) {
		mg_buf_puts(b, s);
		return;
	}
	mg_buf_putc(b, '"');
	mg_buf_puts(b, s); /* refusal already excluded '"' */
	mg_buf_putc(b, '"');
}

void
mg_ident_sql_qualified(struct mg_buf *b, const char *schema, const char *name)
{
	if (schema != NULL && *schema != '\0') {
		mg_ident_sql(b, schema);
		mg_buf_putc(b, '.');
	}
	mg_ident_sql(b, name);
}

/* FNV-1a: tiny, stable across platforms, enough to tell names apart. */
static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *
mg_ident_index_name(const char *prefix, const char *const *parts, size_t nparts, int *shortened)
{
	struct mg_buf b = {0};
	size_t i;

	mg_buf_puts(&b, prefix);
	for (i = 0; i < nparts; i++) {
		mg_buf_putc(&b, '_');
		mg_buf_puts(&b, parts[i]);
	}
	*shortened = 0;
	if (b.len > MG_IDENT_MAX) {
		char tail[10];
		size_t keep = MG_IDENT_MAX - 9;

		snprintf(tail, sizeof(tail), "_%08x", fnv1a(b.s));
		/* Do not cut inside a UTF-8 sequence. */
		while (keep > 0 && ((unsigned char)b.s[keep] & 0xC0) == 0x80)
			keep--;
		b.len = keep;
		b.s[keep] = '\0';
		mg_buf_puts(&b, tail);
		*shortened = 1;
	}
	return mg_buf_detach(&b);
}
