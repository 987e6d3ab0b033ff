/*
 * [tool.migen] in pyproject.toml (config.h, docs/config.md), read with the
 * tree-sitter TOML grammar: the tree is walked into a flat list of dotted
 * key paths and their value nodes (tables, dotted keys and inline tables
 * all become paths), then every path under tool.migen is checked against
 * the known keys. Nothing of the document outside tool.migen is judged
 * except its syntax.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tree_sitter/api.h>

#include "migen/config.h"
#include "migen/ident.h"
#include "migen/input.h"

const TSLanguage *tree_sitter_toml(void);

#define MAX_PARENTS 64
#define MAX_DEPTH 64 /* nested inline tables and arrays: deeper is refused */

/* A key path and its value, as the document spells them. */
struct entry {
	const char **key; /* segments, decoded */
	size_t nkey;
	TSNode value;
	uint32_t line;
};

struct reader {
	const char *path, *src;
	size_t len;
	struct mg_config *c;
	struct entry *v;
	size_t n, cap;
	const char *err;
	mg_config_rule_known known;
};

static int fail(struct reader *r, uint32_t line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct reader *r, uint32_t line, const char *key, const char *fmt, ...)
{
	struct mg_buf b = {0};
	va_list ap;

	if (r->err != NULL)
		return -1;
	mg_buf_printf(&b, "%s:%u: ", r->path, (unsigned)line);
	va_start(ap, fmt);
	mg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (key != NULL)
		mg_buf_printf(&b, " (%s)", key);
	r->err = mg_arena_strdup(&r->c->arena, b.s);
	mg_buf_free(&b);
	return -1;
}

static uint32_t
line_of(TSNode n)
{
	return ts_node_start_point(n).row + 1;
}

static int
is(TSNode n, const char *type)
{
	return strcmp(ts_node_type(n), type) == 0;
}

/* Appends the UTF-8 encoding of code point u; 0, or -1 when u is not a scalar value. */
static int
utf8(struct mg_buf *b, unsigned long u)
{
	char s[4];

	if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
		return -1;
	if (u < 0x80) {
		s[0] = (char)u;
		mg_buf_add(b, s, 1);
	} else if (u < 0x800) {
		s[0] = (char)(0xC0 | (u >> 6));
		s[1] = (char)(0x80 | (u & 0x3F));
		mg_buf_add(b, s, 2);
	} else if (u < 0x10000) {
		s[0] = (char)(0xE0 | (u >> 12));
		s[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		s[2] = (char)(0x80 | (u & 0x3F));
		mg_buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xF0 | (u >> 18));
		s[1] = (char)(0x80 | ((u >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((u >> 6) & 0x3F));
		s[3] = (char)(0x80 | (u & 0x3F));
		mg_buf_add(b, s, 4);
	}
	return 0;
}

/*
 * The value of a string or quoted_key node: its delimiters tell which of
 * TOML's four kinds it is; basic strings resolve their escape sequences
 * (the grammar has checked their shape). NULL for a bad escape or a NUL.
 */
static char *
string_value(struct reader *r, TSNode n)
{
	const char *s = r->src + ts_node_start_byte(n);
	size_t len = ts_node_end_byte(n) - ts_node_start_byte(n), q, i;
	struct mg_buf b = {0};
	int basic, multi;
	char *out;

	if (len < 2)
		return NULL;
	basic = s[0] == '"';
	multi = len >= 6 && memcmp(s, basic ? "\"\"\"" : "'''", 3) == 0;
	q = multi ? 3 : 1;
	if (len < 2 * q)
		return NULL;
	s += q;
	len -= 2 * q;
	/* A newline right after the opening delimiter is not part of the string. */
	if (multi && len > 0 && s[0] == '\n') {
		s++;
		len--;
	} else if (multi && len > 1 && s[0] == '\r' && s[1] == '\n') {
		s += 2;
		len -= 2;
	}
	mg_buf_add(&b, "", 0);
	for (i = 0; i < len; i++) {
		char ch = s[i];
		unsigned long u = 0;
		size_t k, digits;

		if (ch == '\0')
			goto bad;
		if (!basic || ch != '\\') {
			mg_buf_add(&b, &ch, 1);
			continue;
		}
		if (++i >= len)
			goto bad;
		switch (s[i]) {
		case 'b':
			mg_buf_putc(&b, '\b');
			break;
		case 't':
			mg_buf_putc(&b, '\t');
			break;
		case 'n':
			mg_buf_putc(&b, '\n');
			break;
		case 'f':
			mg_buf_putc(&b, '\f');
			break;
		case 'r':
			mg_buf_putc(&b, '\r');
			break;
		case 'e':
			mg_buf_putc(&b, '\x1b');
			break;
		case '"':
			mg_buf_putc(&b, '"');
			break;
		case '\\':
			mg_buf_putc(&b, '\\');
			break;
		case 'u':
		case 'U':
			digits = s[i] == 'u' ? 4 : 8;
			if (i + digits >= len + 0 && i + digits > len - 1)
				goto bad;
			for (k = 1; k <= digits; k++) {
				char h = s[i + k];
				u <<= 4;
				if (h >= '0' && h <= '9')
					u |= (unsigned long)(h - '0');
				else if (h >= 'a' && h <= 'f')
					u |= (unsigned long)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					u |= (unsigned long)(h - 'A' + 10);
				else
					goto bad;
			}
			if (u == 0 || utf8(&b, u) != 0)
				goto bad;
			i += digits;
			break;
		default:
			/* A line-ending backslash in a multi-line string trims the line break
			 * and the whitespace after it. */
			if (multi) {
				size_t j = i;
				while (j < len && (s[j] == ' ' || s[j] == '\t'))
					j++;
				if (j < len && (s[j] == '\n' || (s[j] == '\r' && j + 1 < len &&
				                                 s[j + 1] == '\n'))) {
					while (j < len && (s[j] == ' ' || s[j] == '\t' ||
					                   s[j] == '\n' || s[j] == '\r'))
						j++;
					i = j - 1;
					break;
				}
			}
			goto bad;
		}
	}
	out = mg_arena_strdup(&r->c->arena, b.s);
	mg_buf_free(&b);
	return out;
bad:
	mg_buf_free(&b);
	return NULL;
}

/* Appends the segments of a key node (bare, quoted or dotted) to *key. */
static int
key_segments(struct reader *r, TSNode k, const char ***key, size_t *n, size_t *cap)
{
	uint32_t i;

	if (is(k, "dotted_key")) {
		for (i = 0; i < ts_node_named_child_count(k); i++)
			if (key_segments(r, ts_node_named_child(k, i), key, n, cap) != 0)
				return -1;
		return 0;
	}
	mg_grow(key, cap, *n + 1, sizeof(**key));
	if (is(k, "bare_key")) {
		(*key)[(*n)++] = mg_arena_strndup(&r->c->arena, r->src + ts_node_start_byte(k),
		                                  ts_node_end_byte(k) - ts_node_start_byte(k));
		return 0;
	}
	if (is(k, "quoted_key")) {
		char *s = string_value(r, k);
		if (s == NULL)
			return fail(r, line_of(k), NULL, "bad escape sequence in a quoted key%s",
			            "");
		(*key)[(*n)++] = s;
		return 0;
	}
	return fail(r, line_of(k), NULL, "TOML syntax error: unexpected %s", ts_node_type(k));
}

static int
is_key(TSNode n)
{
	return is(n, "bare_key") || is(n, "quoted_key") || is(n, "dotted_key");
}

static int pairs(struct reader *r, TSNode parent, const char *const *prefix, size_t nprefix,
                 unsigned depth);

/* One pair under prefix: its value's entry, or its inline table's pairs. */
static int
pair(struct reader *r, TSNode p, const char *const *prefix, size_t nprefix, unsigned depth)
{
	const char **key = NULL;
	size_t n = 0, cap = 0, i;
	TSNode k = ts_node_named_child(p, 0), v = ts_node_named_child(p, 1);
	struct entry *e;
	int rc = 0;

	if (ts_node_is_null(k) || ts_node_is_null(v) || !is_key(k))
		return fail(r, line_of(p), NULL, "TOML syntax error%s", "");
	for (i = 0; i < nprefix; i++) {
		mg_grow(&key, &cap, n + 1, sizeof(*key));
		key[n++] = prefix[i];
	}
	if (key_segments(r, k, &key, &n, &cap) != 0) {
		free(key);
		return -1;
	}
	if (is(v, "inline_table")) {
		if (depth >= MAX_DEPTH)
			rc = fail(r, line_of(v), NULL, "inline tables nested too deep%s", "");
		else
			rc = pairs(r, v, key, n, depth + 1);
		free(key);
		return rc;
	}
	mg_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	e = &r->v[r->n++];
	e->key = mg_arena_alloc(&r->c->arena, (n + 1) * sizeof(*e->key));
	memcpy(e->key, key, n * sizeof(*key));
	e->nkey = n;
	e->value = v;
	e->line = line_of(p);
	free(key);
	return 0;
}

static int
pairs(struct reader *r, TSNode parent, const char *const *prefix, size_t nprefix, unsigned depth)
{
	uint32_t i, nc = ts_node_named_child_count(parent);

	for (i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(parent, i);
		if (is(c, "pair") && pair(r, c, prefix, nprefix, depth) != 0)
			return -1;
	}
	return 0;
}

/* A [table] or [[array]]: its header's key is the prefix of its pairs. */
static int
table(struct reader *r, TSNode t)
{
	const char **key = NULL;
	size_t n = 0, cap = 0;
	uint32_t i, nc = ts_node_named_child_count(t);
	int rc = 0;

	for (i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(t, i);
		if (is_key(c)) {
			rc = key_segments(r, c, &key, &n, &cap);
			break;
		}
	}
	if (rc == 0 && n >= 2 && strcmp(key[0], "tool") == 0 && strcmp(key[1], "migen") == 0) {
		if (is(t, "table_array_element"))
			rc = fail(r, line_of(t), "tool.migen",
			          "[[...]] is not a setting of migen%s", "");
		else
			r->c->found = 1;
	}
	if (rc == 0)
		rc = pairs(r, t, key, n, 0);
	free(key);
	return rc;
}

/* The first ERROR or MISSING node, for the line of a syntax error. */
static int
first_error(TSNode n, TSNode *out)
{
	uint32_t i, nc;

	if (strcmp(ts_node_type(n), "ERROR") == 0 || ts_node_is_missing(n)) {
		*out = n;
		return 1;
	}
	if (!ts_node_has_error(n))
		return 0;
	nc = ts_node_child_count(n);
	for (i = 0; i < nc; i++)
		if (first_error(ts_node_child(n, i), out))
			return 1;
	*out = n;
	return 1;
}

/* The key as shown in messages: what follows tool.migen, dotted. */
static const char *
shown_key(struct reader *r, const struct entry *e)
{
	struct mg_buf b = {0};
	const char *s;
	size_t i;

	for (i = 2; i < e->nkey; i++) {
		if (i > 2)
			mg_buf_putc(&b, '.');
		mg_buf_puts(&b, e->key[i]);
	}
	s = mg_arena_strdup(&r->c->arena, b.s ? b.s : "tool.migen");
	mg_buf_free(&b);
	return s;
}

/* s when it is short printable ASCII, else a placeholder: messages never pass control bytes on. */
static const char *
shown(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f || i >= 64)
			return "(a name that cannot be shown)";
	return s;
}

static const char *
want_string(struct reader *r, const struct entry *e, const char *key)
{
	const char *s;

	if (!is(e->value, "string")) {
		fail(r, e->line, key, "must be a string, not %s", ts_node_type(e->value));
		return NULL;
	}
	if ((s = string_value(r, e->value)) == NULL)
		fail(r, e->line, key, "bad escape sequence in the string%s", "");
	return s;
}

/* An array of rule ids (select, ignore). */
static int
rule_list(struct reader *r, const struct entry *e, const char *key, const char ***out, size_t *n)
{
	uint32_t i, nc;

	if (!is(e->value, "array"))
		return fail(r, e->line, key,
		            "must be an array of rule ids, such as "
		            "[\"missing-fk-index\"]%s",
		            "");
	nc = ts_node_named_child_count(e->value);
	*out = mg_arena_alloc(&r->c->arena, (nc + 1) * sizeof(**out));
	*n = 0;
	for (i = 0; i < nc; i++) {
		TSNode v = ts_node_named_child(e->value, i);
		const char *s;

		if (is(v, "comment"))
			continue;
		if (!is(v, "string"))
			return fail(r, line_of(v), key, "must be an array of strings, not of %s",
			            ts_node_type(v));
		if ((s = string_value(r, v)) == NULL)
			return fail(r, line_of(v), key, "bad escape sequence in the string%s", "");
		if (r->known != NULL && !r->known(s))
			return fail(r, line_of(v), key, "unknown rule '%s'", shown(s));
		(*out)[(*n)++] = s;
	}
	return 0;
}

static int
level(const char *s, int never)
{
	if (strcmp(s, "error") == 0)
		return MG_ERROR;
	if (strcmp(s, "warning") == 0)
		return MG_WARNING;
	if (strcmp(s, "note") == 0)
		return MG_NOTE;
	if (never && strcmp(s, "never") == 0)
		return MG_CONFIG_FAIL_NEVER;
	return -1;
}

/* A column name setting: an identifier migen can write into SQL. */
static const char *
column(struct reader *r, const struct entry *e, const char *key)
{
	const char *s = want_string(r, e, key), *why;

	if (s != NULL && (why = mg_ident_refusal(s)) != NULL) {
		fail(r, e->line, key, "not a column name: %s", why);
		return NULL;
	}
	return s;
}

static int
whole_number(struct reader *r, const struct entry *e, const char *key, long lo, long hi, long *out)
{
	const char *s = r->src + ts_node_start_byte(e->value);
	size_t len = ts_node_end_byte(e->value) - ts_node_start_byte(e->value), i;
	long v = 0;

	if (!is(e->value, "integer"))
		return fail(r, e->line, key, "must be a whole number, not %s",
		            ts_node_type(e->value));
	for (i = 0; i < len; i++) {
		if (s[i] == '_' || (i == 0 && s[i] == '+'))
			continue;
		if (s[i] < '0' || s[i] > '9' || v > 1000000)
			return fail(r, e->line, key, "must be a whole number from 10 to 99%s", "");
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return fail(r, e->line, key, "must be a whole number from 10 to 99%s", "");
	*out = v;
	return 0;
}

static int
duplicate(const struct reader *r, size_t upto, const struct entry *e)
{
	size_t i, k;

	for (i = 0; i < upto; i++) {
		const struct entry *x = &r->v[i];
		if (x->nkey != e->nkey)
			continue;
		for (k = 0; k < e->nkey && strcmp(x->key[k], e->key[k]) == 0; k++)
			;
		if (k == e->nkey)
			return 1;
	}
	return 0;
}

/* One setting under tool.migen. */
static int
setting(struct reader *r, const struct entry *e)
{
	struct mg_config *c = r->c;
	const char *key = shown_key(r, e), *name = e->key[2], *s;
	int lv;

	if (e->nkey > 3 && strcmp(name, "severity") == 0) {
		if (e->nkey != 4)
			return fail(r, e->line, key, "a severity is set per rule id%s", "");
		if (r->known != NULL && !r->known(e->key[3]))
			return fail(r, e->line, key, "unknown rule '%s'", shown(e->key[3]));
		if ((s = want_string(r, e, key)) == NULL)
			return -1;
		if ((lv = level(s, 0)) < 0)
			return fail(r, e->line, key, "'%s' is not error, warning or note",
			            shown(s));
		mg_grow(&c->severity, &c->capseverity, c->nseverity + 1, sizeof(*c->severity));
		c->severity[c->nseverity].rule = e->key[3];
		c->severity[c->nseverity++].severity = (enum mg_severity)lv;
		return 0;
	}
	if (e->nkey > 3 && strcmp(name, "types") == 0) {
		struct mg_buf b = {0};
		size_t i;

		if ((s = want_string(r, e, key)) == NULL)
			return -1;
		if (*s == '\0')
			return fail(r, e->line, key, "the PostgreSQL type name is empty%s", "");
		/* `myapp.types.UUID = "uuid"` is a dotted key: its segments are the name. */
		for (i = 3; i < e->nkey; i++) {
			if (i > 3)
				mg_buf_putc(&b, '.');
			mg_buf_puts(&b, e->key[i]);
		}
		mg_grow(&c->types.name, &c->capname, c->types.n + 1, sizeof(*c->types.name));
		mg_grow(&c->types.pg, &c->cappg, c->types.n + 1, sizeof(*c->types.pg));
		c->types.name[c->types.n] = mg_arena_strdup(&c->arena, b.s);
		c->types.pg[c->types.n++] = s;
		mg_buf_free(&b);
		return 0;
	}
	if (e->nkey != 3)
		return fail(r, e->line, key, "unknown key%s", "");
	if (strcmp(name, "select") == 0)
		return rule_list(r, e, key, &c->select, &c->nselect);
	if (strcmp(name, "ignore") == 0)
		return rule_list(r, e, key, &c->ignore, &c->nignore);
	if (strcmp(name, "fail-on") == 0) {
		if ((s = want_string(r, e, key)) == NULL)
			return -1;
		if ((c->fail_on = level(s, 1)) < 0)
			return fail(r, e->line, key, "'%s' is not error, warning, note or never",
			            shown(s));
		return 0;
	}
	if (strcmp(name, "pg-version") == 0)
		return whole_number(r, e, key, 10, 99, &c->pg_version);
	if (strcmp(name, "tenant-column") == 0)
		return (c->tenant_column = column(r, e, key)) != NULL ? 0 : -1;
	if (strcmp(name, "space-column") == 0)
		return (c->space_column = column(r, e, key)) != NULL ? 0 : -1;
	if (strcmp(name, "soft-delete-column") == 0)
		return (c->soft_delete_column = column(r, e, key)) != NULL ? 0 : -1;
	if (strcmp(name, "downgrades") == 0) {
		const char *v = r->src + ts_node_start_byte(e->value);
		if (!is(e->value, "boolean"))
			return fail(r, e->line, key, "must be true or false, not %s",
			            ts_node_type(e->value));
		c->downgrades = *v == 't';
		return 0;
	}
	if (strcmp(name, "dialect") == 0) {
		static const char *const known[] = {"postgresql", "sqlite", "mysql", "mariadb",
		                                    "mssql",      "oracle", NULL};
		size_t k;
		if ((s = want_string(r, e, key)) == NULL)
			return -1;
		for (k = 0; known[k] != NULL && strcmp(known[k], s) != 0; k++)
			;
		if (known[k] == NULL)
			return fail(
			    r, e->line, key,
			    "'%s' is not postgresql, sqlite, mysql, mariadb, mssql or oracle",
			    shown(s));
		c->dialect = s;
		return 0;
	}
	if (strcmp(name, "start-after") == 0) {
		if ((s = want_string(r, e, key)) == NULL)
			return -1;
		if (*s == '\0')
			return fail(r, e->line, key, "the revision id is empty%s", "");
		c->start_after = s;
		c->start_after_line = e->line;
		return 0;
	}
	if (strcmp(name, "severity") == 0 || strcmp(name, "types") == 0)
		return fail(r, e->line, key, "must be a table%s", "");
	return fail(r, e->line, key, "unknown key%s", "");
}

int
mg_config_parse(const char *path, const char *src, size_t len, mg_config_rule_known known,
                struct mg_config *c, const char **err)
{
	struct reader r;
	TSParser *p;
	TSTree *tree;
	TSNode root, bad;
	uint32_t i, nc;
	size_t k;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->fail_on = -1;
	c->downgrades = -1;
	c->path = mg_arena_strdup(&c->arena, path);
	memset(&r, 0, sizeof(r));
	r.path = c->path;
	r.src = src;
	r.len = len;
	r.c = c;
	r.known = known;
	*err = NULL;
	if (len > UINT32_MAX / 2 || memchr(src, '\0', len) != NULL) {
		fail(&r, 1, NULL, "not a text file%s", "");
		*err = r.err;
		return -1;
	}
	/* A UTF-8 BOM is not TOML, but editors write one: skip it. */
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
		src += 3;
		len -= 3;
		r.src = src;
		r.len = len;
	}
	p = ts_parser_new();
	ts_parser_set_language(p, tree_sitter_toml());
	tree = ts_parser_parse_string(p, NULL, src, (uint32_t)len);
	root = ts_tree_root_node(tree);
	if (ts_node_has_error(root) && first_error(root, &bad)) {
		rc = fail(&r, line_of(bad), NULL, "TOML syntax error%s", "");
	} else {
		nc = ts_node_named_child_count(root);
		for (i = 0; i < nc && rc == 0; i++) {
			TSNode n = ts_node_named_child(root, i);
			if (is(n, "pair"))
				rc = pair(&r, n, NULL, 0, 0);
			else if (is(n, "table") || is(n, "table_array_element"))
				rc = table(&r, n);
		}
	}
	for (k = 0; k < r.n && rc == 0; k++) {
		const struct entry *e = &r.v[k];

		if (e->nkey < 2 || strcmp(e->key[0], "tool") != 0 ||
		    strcmp(e->key[1], "migen") != 0)
			continue;
		c->found = 1;
		if (e->nkey == 2) {
			rc = fail(&r, e->line, "tool.migen", "must be a table%s", "");
			break;
		}
		if (duplicate(&r, k, e)) {
			rc = fail(&r, e->line, shown_key(&r, e), "key given twice%s", "");
			break;
		}
		rc = setting(&r, e);
	}
	free(r.v);
	ts_tree_delete(tree);
	ts_parser_delete(p);
	if (rc != 0) {
		*err = r.err;
		return -1;
	}
	return 0;
}

int
mg_config_read(const char *path, mg_config_rule_known known, struct mg_config *c, const char **err)
{
	struct mg_input in;
	const char *why;
	int rc;

	if (mg_input_read(path, &in, &why) != 0) {
		memset(c, 0, sizeof(*c));
		*err = mg_arena_printf(&c->arena, "%s: %s", path, why);
		return -1;
	}
	rc = mg_config_parse(path, in.data, in.len, known, c, err);
	mg_input_free(&in);
	return rc;
}

void
mg_config_free(struct mg_config *c)
{
	free(c->severity);
	free(c->types.name);
	free(c->types.pg);
	mg_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
mg_config_find(const char *dir)
{
	struct mg_buf up = {0};
	int i;

	mg_buf_puts(&up, dir != NULL && *dir != '\0' ? dir : ".");
	for (i = 0; i < MAX_PARENTS; i++) {
		struct mg_buf p = {0};
		struct stat a, b;
		char *parent;

		if (strcmp(up.s, ".") == 0)
			mg_buf_puts(&p, "pyproject.toml");
		else
			mg_buf_printf(&p, "%s/pyproject.toml", up.s);
		if (exists(p.s)) {
			mg_buf_free(&up);
			return mg_buf_detach(&p);
		}
		mg_buf_free(&p);
		/* Stop at the root: a folder that is its own parent. */
		parent = strcmp(up.s, ".") == 0
		             ? mg_xstrdup("..")
		             : (mg_buf_printf(&p, "%s/..", up.s), mg_buf_detach(&p));
		if (stat(up.s, &a) != 0 || stat(parent, &b) != 0 ||
		    (a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
			free(parent);
			break;
		}
		mg_buf_free(&up);
		mg_buf_puts(&up, parent);
		free(parent);
	}
	mg_buf_free(&up);
	return NULL;
}
