/*
 * SQL fragment checks (see sqlcheck.h). A fragment is wrapped in the
 * smallest statement that gives it its meaning, parsed by libpg_query, and
 * accepted only when the tree is exactly that statement with exactly one
 * element: a fragment that closes the wrapper and opens a second statement,
 * or adds a clause, changes the tree's shape and is refused. The parser
 * cannot see what Python and SQLAlchemy will make of the text before it
 * reaches PostgreSQL, so a lexical pass runs first.
 */
#include <jansson.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/sqlcheck.h"
#include "migen/util.h"

/* Holds the parser's message for *why until the next check. */
static char parse_msg[256];

static int
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Length of the UTF-8 sequence at p, or 0 when it is not valid UTF-8. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		return (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (p[0] == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (p[0] == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

const char *
mg_sql_text_refusal(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *start = p;
	char inq = 0; /* the quote we are inside, or 0 */
	size_t n;

	if (s == NULL || *s == '\0')
		return "empty";
	if (strstr(s, "\"\"\"") != NULL || strstr(s, "'''") != NULL)
		return "three quotes in a row would end the Python string";
	for (; *p; p += n) {
		if ((n = utf8_len(p)) == 0)
			return "not valid UTF-8";
		if (*p < 0x20 || *p == 0x7f)
			return "contains a control character (newline, tab, ...)";
		if (*p == '\\')
			return "contains a backslash";
		/*
		 * SQLAlchemy's text() reads (?<![:\w\\]):(\w+) as a bound parameter
		 * even inside SQL quotes. Bytes of other scripts count as word
		 * characters after the colon and as non-word before it, which
		 * refuses a little more than needed, never less.
		 */
		if (*p == ':' && (is_word(p[1]) || p[1] >= 0x80) &&
		    (p == start || !(p[-1] == ':' || is_word(p[-1]))))
			return "contains ':name', which SQLAlchemy would take for a bound "
			       "parameter";
		if (inq) {
			if (*p == (unsigned char)inq) {
				if (p[1] == (unsigned char)inq)
					p++; /* doubled quote: still inside */
				else
					inq = 0;
			}
			continue;
		}
		switch (*p) {
		case '\'':
		case '"':
			inq = (char)*p;
			break;
		case ';':
			return "contains ';'";
		case '-':
			if (p[1] == '-')
				return "contains an SQL comment";
			break;
		case '/':
			if (p[1] == '*')
				return "contains an SQL comment";
			break;
		case '$':
			/* Inside a name ("a$b") it is a letter; elsewhere a parameter or dollar
			 * quote. */
			if (p == start || !is_word(p[-1]))
				return "contains '$' (dollar quotes and parameters are not "
				       "accepted)";
			break;
		default:
			break;
		}
	}
	if (inq)
		return "has an unterminated quote";
	return NULL;
}

/* Parses sql and returns the one statement's node of type kind, or NULL. */
static json_t *
parse_one(const char *sql, const char *kind, json_t **root, const char **why)
{
	PgQueryParseResult r = pg_query_parse(sql);
	json_t *stmts, *stmt, *node;
	json_error_t jerr;

	*root = NULL;
	if (r.error != NULL) {
		snprintf(parse_msg, sizeof(parse_msg), "not valid SQL: %s", r.error->message);
		*why = parse_msg;
		pg_query_free_parse_result(r);
		return NULL;
	}
	*root = json_loads(r.parse_tree, 0, &jerr);
	pg_query_free_parse_result(r);
	if (*root == NULL) {
		*why = "the parser's output could not be read";
		return NULL;
	}
	stmts = json_object_get(*root, "stmts");
	if (!json_is_array(stmts) || json_array_size(stmts) != 1) {
		*why = "more than one SQL statement";
		return NULL;
	}
	stmt = json_array_get(stmts, 0);
	/* stmt_len is only there when something (a ';') ends the statement early. */
	if (json_object_get(stmt, "stmt_len") != NULL) {
		*why = "more than one SQL statement";
		return NULL;
	}
	node = json_object_get(json_object_get(stmt, "stmt"), kind);
	if (!json_is_object(node)) {
		*why = "not of the expected form";
		return NULL;
	}
	return node;
}

/* Whether every key of o is one of the NULL-terminated list. */
static int
only_keys(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v)
	{
		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return 0;
	}
	return 1;
}

static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* The ResTarget value of `SELECT <expr>`, or NULL with *why set. */
static json_t *
select_value(const char *expr, json_t **root, const char **why)
{
	static const char *const sel_keys[] = {"targetList", "limitOption", "op", NULL};
	struct mg_buf b = {0};
	json_t *sel, *tl, *rt, *val;

	mg_buf_printf(&b, "SELECT %s", expr);
	sel = parse_one(b.s, "SelectStmt", root, why);
	mg_buf_free(&b);
	if (sel == NULL)
		return NULL;
	tl = json_object_get(sel, "targetList");
	if (!only_keys(sel, sel_keys) || !json_is_array(tl) || json_array_size(tl) != 1) {
		*why = "not one expression";
		return NULL;
	}
	rt = json_object_get(json_array_get(tl, 0), "ResTarget");
	if (rt == NULL || json_object_get(rt, "name") != NULL) {
		*why = "not one expression (it has an alias)";
		return NULL;
	}
	val = json_object_get(rt, "val");
	if (json_object_get(json_object_get(val, "ColumnRef"), "fields") != NULL) {
		json_t *f = json_object_get(json_object_get(val, "ColumnRef"), "fields");
		if (json_object_get(json_array_get(f, json_array_size(f) - 1), "A_Star") != NULL) {
			*why = "'*' is not an expression";
			return NULL;
		}
	}
	return val;
}

int
mg_sql_check_expr(const char *expr, const char **why)
{
	json_t *root;
	const char *lex;
	int ok;

	if ((lex = mg_sql_text_refusal(expr)) != NULL)
		return refuse(why, lex);
	ok = select_value(expr, &root, why) != NULL;
	json_decref(root);
	return ok ? 0 : -1;
}

static void
calls(json_t *j, void (*fn)(void *, const char *, const char *), void *ctx)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++)
			calls(json_array_get(j, i), fn, ctx);
		return;
	}
	if (!json_is_object(j))
		return;
	json_object_foreach(j, k, v)
	{
		if (strcmp(k, "FuncCall") == 0) {
			json_t *names = json_object_get(v, "funcname");
			size_t n = json_array_size(names);
			const char *name = json_string_value(json_object_get(
			    json_object_get(json_array_get(names, n - 1), "String"), "sval"));
			const char *schema =
			    n > 1 ? json_string_value(json_object_get(
			                json_object_get(json_array_get(names, n - 2), "String"),
			                "sval"))
			          : NULL;
			if (name != NULL)
				fn(ctx, schema, name);
		}
		calls(v, fn, ctx);
	}
}

int
mg_sql_expr_calls(const char *expr, void (*fn)(void *ctx, const char *schema, const char *name),
                  void *ctx)
{
	json_t *root = NULL, *v;
	const char *why;

	if ((v = select_value(expr, &root, &why)) == NULL) {
		json_decref(root);
		return -1;
	}
	calls(v, fn, ctx);
	json_decref(root);
	return 0;
}

int
mg_sql_is_null(const char *expr)
{
	json_t *root, *v;
	const char *why;
	int null = 0;

	if (mg_sql_text_refusal(expr) != NULL)
		return 0;
	v = select_value(expr, &root, &why);
	/* NULL, NULL::text, CAST(NULL AS int), ... */
	while (v != NULL && json_object_get(v, "TypeCast") != NULL)
		v = json_object_get(json_object_get(v, "TypeCast"), "arg");
	if (v != NULL && json_is_true(json_object_get(json_object_get(v, "A_Const"), "isnull")))
		null = 1;
	json_decref(root);
	return null;
}

/*
 * `CREATE INDEX i ON t (<elem>) [WHERE <pred>]`, checked to be exactly that:
 * one element, and a WHERE clause only when asked for.
 */
static int
check_index(const char *elem, const char *pred, const char **why)
{
	static const char *const ix_keys[] = {"idxname",     "relation",    "accessMethod",
	                                      "indexParams", "whereClause", NULL};
	struct mg_buf b = {0};
	json_t *root, *ix, *params;
	int ok = 0;

	mg_buf_printf(&b, "CREATE INDEX i ON t (%s)", elem);
	if (pred != NULL)
		mg_buf_printf(&b, " WHERE %s", pred);
	ix = parse_one(b.s, "IndexStmt", &root, why);
	mg_buf_free(&b);
	if (ix == NULL)
		goto out;
	params = json_object_get(ix, "indexParams");
	if (!only_keys(ix, ix_keys) || !json_is_array(params) || json_array_size(params) != 1 ||
	    json_object_get(json_array_get(params, 0), "IndexElem") == NULL) {
		*why = pred ? "not one predicate" : "not one index element";
		goto out;
	}
	if ((json_object_get(ix, "whereClause") != NULL) != (pred != NULL)) {
		*why = pred ? "not one predicate" : "not one index element (it has a WHERE clause)";
		goto out;
	}
	ok = 1;
out:
	json_decref(root);
	return ok ? 0 : -1;
}

int
mg_sql_check_index_elem(const char *elem, const char **why)
{
	const char *lex;

	if ((lex = mg_sql_text_refusal(elem)) != NULL)
		return refuse(why, lex);
	return check_index(elem, NULL, why);
}

int
mg_sql_check_predicate(const char *pred, const char **why)
{
	const char *lex;

	if ((lex = mg_sql_text_refusal(pred)) != NULL)
		return refuse(why, lex);
	return check_index("x", pred, why);
}

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	{
		char *r = mg_xmalloc(n + 1);
		memcpy(r, s, n);
		r[n] = '\0';
		return r;
	}
}

void
mg_sql_list_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char **
mg_sql_split_list(const char *s, size_t *n, const char **why)
{
	char **v = NULL;
	size_t cap = 0, start = 0, i;
	int depth = 0;
	char inq = 0;

	*n = 0;
	for (i = 0;; i++) {
		char c = s[i];

		if (inq) {
			if (c == '\0')
				break;
			if (c == inq)
				inq = 0; /* a doubled quote closes and reopens: same result */
			continue;
		}
		if (c == '\'' || c == '"') {
			inq = c;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				break;
		} else if (c == '\0' && depth != 0) {
			break;
		} else if ((c == ',' && depth == 0) || c == '\0') {
			char *item = trimmed(s + start, i - start);

			mg_grow(&v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = item;
			if (*item == '\0') {
				mg_sql_list_free(v, *n);
				*n = 0;
				*why = "the list has an empty item";
				return NULL;
			}
			start = i + 1;
			if (c == '\0')
				return v;
		}
	}
	mg_sql_list_free(v, *n);
	*n = 0;
	*why = inq ? "the list has an unterminated quote" : "the list has unbalanced parentheses";
	return NULL;
}
