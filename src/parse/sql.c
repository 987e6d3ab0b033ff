/*
 * The SQL of op.execute() into the model (see sql.h). libpg_query gives the
 * parse tree as JSON; the statements that matter to the rules (CREATE/DROP
 * INDEX, ALTER TABLE, CREATE TABLE, UPDATE) become operations, indexes and
 * foreign keys of source MG_SRC_SQL beside the execute op that holds them.
 * Index columns and WHERE clauses keep their source text, cut from the SQL
 * at the positions the parser reports.
 */
#include <jansson.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migen/pystr.h"
#include "migen/sql.h"

struct sqlctx {
	struct mg_model *m;
	size_t exec;     /* the execute op */
	const char *sql; /* its text */
	size_t sql_len;
	size_t stmt_at; /* current statement's start in sql */
	size_t stmt_end;
};

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static char *
dup(struct sqlctx *c, const char *s)
{
	return s ? mg_arena_strdup(&c->m->arena, s) : NULL;
}

/*
 * At a comment (from -- to the end of the line, or a bracketed one, nested
 * as PostgreSQL nests them): the index after it; else i.
 */
static size_t
skip_comment(const char *s, size_t i, size_t end)
{
	if (i + 1 < end && s[i] == '-' && s[i + 1] == '-') {
		while (i < end && s[i] != '\n')
			i++;
		return i;
	}
	if (i + 1 < end && s[i] == '/' && s[i + 1] == '*') {
		int depth = 0;
		while (i + 1 < end) {
			if (s[i] == '/' && s[i + 1] == '*') {
				depth++;
				i += 2;
			} else if (s[i] == '*' && s[i + 1] == '/') {
				i += 2;
				if (--depth == 0)
					return i;
			} else {
				i++;
			}
		}
		return end;
	}
	return i;
}

/* The statement's first token: libpg_query's stmt_location is just after the previous ';'. */
static size_t
first_token(const struct sqlctx *c, size_t at)
{
	while (at < c->sql_len) {
		size_t next = skip_comment(c->sql, at, c->sql_len);
		if (next != at) {
			at = next;
			continue;
		}
		if (c->sql[at] != ' ' && c->sql[at] != '\t' && c->sql[at] != '\n' &&
		    c->sql[at] != '\r')
			break;
		at++;
	}
	return at;
}

static uint32_t
line_at(const struct sqlctx *c, size_t at)
{
	uint32_t line = c->m->ops[c->exec].sql_line;
	size_t i;

	if (line == 0)
		return c->m->ops[c->exec].span.line;
	for (i = 0; i < at && i < c->sql_len; i++)
		if (c->sql[i] == '\n')
			line++;
	return line;
}

/* A new op of source SQL, inheriting the execute op's context. */
static size_t
add_op(struct sqlctx *c, enum mg_op_kind kind, json_t *relation)
{
	struct mg_op *op = mg_model_add_op(c->m);
	size_t i = c->m->nops - 1;
	const struct mg_op *ex = &c->m->ops[c->exec];

	op->kind = kind;
	op->name = mg_op_kind_name(kind);
	op->dir = ex->dir;
	op->function = ex->function;
	op->source = MG_SRC_SQL;
	op->parent = c->exec;
	op->span = ex->span;
	op->span.line = line_at(c, first_token(c, c->stmt_at));
	op->stmt = ex->stmt;
	op->autocommit = ex->autocommit;
	op->batch = ex->batch;
	op->in_loop = ex->in_loop;
	if (relation != NULL) {
		op->table = dup(c, jstr(relation, "relname"));
		op->schema = dup(c, jstr(relation, "schemaname"));
		/* The execute op is about the table its first statement is. */
		if (c->m->ops[c->exec].table == NULL) {
			c->m->ops[c->exec].table = op->table;
			c->m->ops[c->exec].schema = op->schema;
		}
	}
	return i;
}

static const char *
trim_dup(struct sqlctx *c, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
	                 s[n - 1] == '\r' || s[n - 1] == ';'))
		n--;
	return mg_arena_strndup(&c->m->arena, s, n);
}

/* Skips a quoted run starting at s[i] (' or "); returns the index after it. */
static size_t
skip_quoted(const char *s, size_t i, size_t end)
{
	char q = s[i++];

	while (i < end) {
		if (s[i] == q) {
			if (i + 1 < end && s[i + 1] == q) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return end;
}

/*
 * The source text of each element of an index's column list: from the
 * first '(' after the relation to its matching ')', split at top-level
 * commas. Returns how many were found (up to max).
 */
static size_t
index_elements(struct sqlctx *c, size_t from, const char **out, size_t max, size_t *after)
{
	size_t i = from, end = c->stmt_end, start = 0, n = 0;
	int depth = 0;

	for (; i < end; i++) {
		char ch = c->sql[i];
		size_t next;
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(c->sql, i, end) - 1;
			continue;
		}
		if ((next = skip_comment(c->sql, i, end)) != i) {
			i = next - 1;
			continue;
		}
		if (ch == '(') {
			if (depth++ == 0)
				start = i + 1;
		} else if (ch == ')') {
			if (--depth == 0) {
				if (n < max)
					out[n++] = trim_dup(c, c->sql + start, i - start);
				*after = i + 1;
				return n;
			}
		} else if (ch == ',' && depth == 1) {
			if (n < max)
				out[n++] = trim_dup(c, c->sql + start, i - start);
			start = i + 1;
		}
	}
	return 0;
}

static int
ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* The predicate after the column list: from the WHERE keyword to the end. */
static const char *
where_text(struct sqlctx *c, size_t from)
{
	size_t i;

	for (i = from; i + 5 <= c->stmt_end; i++) {
		char ch = c->sql[i];
		size_t next;
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(c->sql, i, c->stmt_end) - 1;
			continue;
		}
		if ((next = skip_comment(c->sql, i, c->stmt_end)) != i) {
			i = next - 1;
			continue;
		}
		if (strncasecmp(c->sql + i, "where", 5) == 0 &&
		    (i == 0 || !ident_char(c->sql[i - 1])) &&
		    (i + 5 == c->stmt_end || !ident_char(c->sql[i + 5])))
			return trim_dup(c, c->sql + i + 5, c->stmt_end - i - 5);
	}
	return "?";
}

static void
index_stmt(struct sqlctx *c, json_t *s)
{
	json_t *rel = json_object_get(s, "relation"), *params = json_object_get(s, "indexParams");
	json_t *where = json_object_get(s, "whereClause");
	size_t opi = add_op(c, MG_OP_CREATE_INDEX, rel), n, i, nraw = 0, after = 0;
	struct mg_index *ix = mg_model_add_op_index(c->m, opi, MG_IX_INDEX, MG_SRC_SQL);
	struct mg_op *op = &c->m->ops[opi];
	const char **raw;
	json_t *loc;

	op->index = c->m->nindexes - 1;
	op->concurrently = jbool(s, "concurrent");
	ix->name = dup(c, jstr(s, "idxname"));
	ix->unique = jbool(s, "unique");
	ix->concurrently = op->concurrently;
	ix->if_not_exists = jbool(s, "if_not_exists");
	ix->using_method = dup(c, jstr(s, "accessMethod"));

	n = json_array_size(params);
	ix->columns = mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*ix->columns));
	ix->is_expr = mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*ix->is_expr));
	raw = mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*raw));
	loc = rel ? json_object_get(rel, "location") : NULL;
	if (json_is_integer(loc) && json_integer_value(loc) >= 0)
		nraw = index_elements(c, (size_t)json_integer_value(loc), raw, n, &after);
	for (i = 0; i < n; i++) {
		json_t *e = json_object_get(json_array_get(params, i), "IndexElem");
		const char *name = jstr(e, "name");

		if (name != NULL) {
			ix->columns[i] = dup(c, name);
			ix->is_expr[i] = 0;
			if (nraw == n)
				ix->elements = raw; /* keeps DESC, opclass, COLLATE */
		} else {
			ix->columns[i] = nraw == n ? raw[i] : "?";
			ix->is_expr[i] = 1;
			if (nraw == n)
				ix->elements = raw;
		}
	}
	ix->ncolumns = n;
	ix->columns_known = 1;
	if (where != NULL)
		ix->where = after ? where_text(c, after) : "?";
}

static const char **name_list(struct sqlctx *c, json_t *arr, size_t *n);

/* The names of a qualified name list ([schema,] name): the last two. */
static void
qualified(struct sqlctx *c, json_t *items, const char **schema, const char **name)
{
	size_t n = json_array_size(items);

	*name = n ? dup(c, jstr(json_object_get(json_array_get(items, n - 1), "String"), "sval"))
	          : NULL;
	*schema =
	    n > 1 ? dup(c, jstr(json_object_get(json_array_get(items, n - 2), "String"), "sval"))
	          : NULL;
}

static void
drop_stmt(struct sqlctx *c, json_t *s)
{
	const char *type = jstr(s, "removeType");
	json_t *objs = json_object_get(s, "objects");
	enum mg_op_kind kind;
	size_t i;

	if (type == NULL)
		return;
	if (strcmp(type, "OBJECT_SCHEMA") == 0) {
		/* Every object in it goes (with CASCADE; without, PostgreSQL refuses a
		 * schema that holds any): the replay does not follow that. */
		for (i = 0; i < json_array_size(objs); i++) {
			size_t opi = add_op(c, MG_OP_OTHER, NULL);
			struct mg_op *op = &c->m->ops[opi];
			op->name = "drop_schema";
			op->object = dup(
			    c, jstr(json_object_get(json_array_get(objs, i), "String"), "sval"));
			op->if_exists = jbool(s, "missing_ok");
			op->cascade = json_is_string(json_object_get(s, "behavior")) &&
			              strcmp(jstr(s, "behavior"), "DROP_CASCADE") == 0;
			op->opaque = 1;
		}
		return;
	}
	if (strcmp(type, "OBJECT_INDEX") == 0)
		kind = MG_OP_DROP_INDEX;
	else if (strcmp(type, "OBJECT_TABLE") == 0)
		kind = MG_OP_DROP_TABLE;
	else if (strcmp(type, "OBJECT_TYPE") == 0)
		kind = MG_OP_DROP_ENUM;
	else if (strcmp(type, "OBJECT_SEQUENCE") == 0)
		kind = MG_OP_DROP_SEQUENCE;
	else
		return;
	/* objects: [{"List":{"items":[{"String":{"sval":"schema"}}, ... name]}}] per object;
	 * DROP TYPE: [{"TypeName":{"names":[...]}}]. */
	for (i = 0; i < json_array_size(objs); i++) {
		json_t *o = json_array_get(objs, i);
		json_t *items = json_object_get(json_object_get(o, "List"), "items");
		const char *schema, *name;
		size_t opi = add_op(c, kind, NULL);
		struct mg_op *op;

		if (items == NULL)
			items = json_object_get(json_object_get(o, "TypeName"), "names");
		qualified(c, items, &schema, &name);
		op = &c->m->ops[opi];
		op->concurrently = jbool(s, "concurrent");
		op->if_exists = jbool(s, "missing_ok");
		op->schema = schema;
		if (kind == MG_OP_DROP_TABLE)
			op->table = name;
		else
			op->object = name;
		if (json_is_string(json_object_get(s, "behavior")) &&
		    strcmp(jstr(s, "behavior"), "DROP_CASCADE") == 0)
			op->opaque = 1; /* CASCADE drops what depends on it elsewhere */
	}
}

/* ALTER TABLE/INDEX ... RENAME. */
static void
rename_stmt(struct sqlctx *c, json_t *s)
{
	const char *type = jstr(s, "renameType");
	json_t *rel = json_object_get(s, "relation");
	size_t opi;
	struct mg_op *op;

	if (type == NULL)
		return;
	if (strcmp(type, "OBJECT_TABLE") == 0) {
		opi = add_op(c, MG_OP_RENAME_TABLE, rel);
	} else if (strcmp(type, "OBJECT_COLUMN") == 0) {
		opi = add_op(c, MG_OP_RENAME_COLUMN, rel);
		c->m->ops[opi].column = dup(c, jstr(s, "subname"));
	} else if (strcmp(type, "OBJECT_TABCONSTRAINT") == 0) {
		opi = add_op(c, MG_OP_RENAME_CONSTRAINT, rel);
		c->m->ops[opi].object = dup(c, jstr(s, "subname"));
	} else if (strcmp(type, "OBJECT_INDEX") == 0 || strcmp(type, "OBJECT_SEQUENCE") == 0) {
		opi = add_op(c, type[7] == 'I' ? MG_OP_RENAME_INDEX : MG_OP_RENAME_SEQUENCE, NULL);
		op = &c->m->ops[opi];
		op->object = dup(c, jstr(rel, "relname"));
		op->schema = dup(c, jstr(rel, "schemaname"));
	} else if (strcmp(type, "OBJECT_TYPE") == 0) {
		/* ALTER TYPE t RENAME TO u: object is a qualified name list */
		const char *schema, *name;
		qualified(c,
		          json_object_get(json_object_get(s, "object"), "List") != NULL
		              ? json_object_get(
		                    json_object_get(json_object_get(s, "object"), "List"), "items")
		              : NULL,
		          &schema, &name);
		opi = add_op(c, MG_OP_RENAME_ENUM, NULL);
		op = &c->m->ops[opi];
		op->object = name;
		op->schema = schema;
	} else {
		opi = add_op(c, MG_OP_OTHER, rel);
		c->m->ops[opi].name = "rename";
		c->m->ops[opi].opaque = 1;
		return;
	}
	op = &c->m->ops[opi];
	op->new_name = dup(c, jstr(s, "newname"));
	op->if_exists = jbool(s, "missing_ok");
}

static const char **
string_values(struct sqlctx *c, json_t *arr, size_t *n)
{
	return name_list(c, arr, n);
}

/* CREATE TYPE ... AS ENUM, ALTER TYPE ... ADD VALUE. */
static void
enum_stmt(struct sqlctx *c, json_t *s, int create)
{
	size_t opi = add_op(c, create ? MG_OP_CREATE_ENUM : MG_OP_ADD_ENUM_VALUE, NULL);
	struct mg_op *op = &c->m->ops[opi];
	const char *schema, *name;

	qualified(c, json_object_get(s, "typeName"), &schema, &name);
	op = &c->m->ops[opi];
	op->object = name;
	op->schema = schema;
	if (create) {
		op->labels = string_values(c, json_object_get(s, "vals"), &op->nlabels);
	} else if (jstr(s, "oldVal") != NULL) {
		/* RENAME VALUE: the label keeps its place */
		op->kind = MG_OP_RENAME_ENUM_VALUE;
		op->name = mg_op_kind_name(op->kind);
		op->labels = mg_arena_alloc(&c->m->arena, 2 * sizeof(*op->labels));
		op->labels[0] = dup(c, jstr(s, "oldVal"));
		op->labels[1] = dup(c, jstr(s, "newVal"));
		op->nlabels = 2;
	} else {
		op->labels = mg_arena_alloc(&c->m->arena, sizeof(*op->labels));
		op->labels[0] = dup(c, jstr(s, "newVal"));
		op->nlabels = op->labels[0] != NULL;
		op->if_exists = jbool(s, "skipIfNewValExists");
		/* BEFORE/AFTER place it; the list order is not what the catalog compares */
		op->new_name = dup(c, jstr(s, "newValNeighbor"));
		if (op->new_name != NULL)
			op->object_type = jbool(s, "newValIsAfter") ? "after" : "before";
	}
}

static void
sequence_stmt(struct sqlctx *c, json_t *s)
{
	json_t *rel = json_object_get(s, "sequence");
	size_t opi = add_op(c, MG_OP_CREATE_SEQUENCE, NULL);
	struct mg_op *op = &c->m->ops[opi];

	op->object = dup(c, jstr(rel, "relname"));
	op->schema = dup(c, jstr(rel, "schemaname"));
	op->if_exists = jbool(s, "if_not_exists");
}

/* PostgreSQL's own names (format_type) for the parser's internal type names. */
static const char *const type_names[][2] = {
    {"int4", "integer"},
    {"int8", "bigint"},
    {"int2", "smallint"},
    {"serial", "integer"},
    {"serial4", "integer"},
    {"bigserial", "bigint"},
    {"serial8", "bigint"},
    {"smallserial", "smallint"},
    {"serial2", "smallint"},
    {"bool", "boolean"},
    {"float8", "double precision"},
    {"float4", "real"},
    {"varchar", "character varying"},
    {"bpchar", "character"},
    {"varbit", "bit varying"},
    {"timestamp", "timestamp without time zone"},
    {"timestamptz", "timestamp with time zone"},
    {"time", "time without time zone"},
    {"timetz", "time with time zone"},
    {"int", "integer"},
    {"integer", "integer"},
    {"decimal", "numeric"},
};

/*
 * A TypeName node as format_type() prints it: `character varying(50)`,
 * `timestamp(3) with time zone`, `numeric(10,2)`, `text[]`; NULL when it is
 * not one migen can name (%TYPE, SETOF).
 */
static const char *
type_name(struct sqlctx *c, json_t *tn)
{
	json_t *names = json_object_get(tn, "names"), *mods = json_object_get(tn, "typmods");
	size_t n = json_array_size(names), i, k;
	const char *last, *schema = NULL, *base;
	struct mg_buf b = {0};
	const char *out;
	int tz = 0, time = 0;

	if (n == 0 || json_is_true(json_object_get(tn, "setof")) ||
	    json_object_get(tn, "pct_type") != NULL)
		return NULL;
	last = jstr(json_object_get(json_array_get(names, n - 1), "String"), "sval");
	if (n > 1)
		schema = jstr(json_object_get(json_array_get(names, n - 2), "String"), "sval");
	if (last == NULL)
		return NULL;
	base = last;
	for (k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++)
		if (strcmp(type_names[k][0], last) == 0 &&
		    (schema == NULL || strcmp(schema, "pg_catalog") == 0)) {
			base = type_names[k][1];
			break;
		}
	if (strncmp(base, "timestamp ", 10) == 0 || strncmp(base, "time ", 5) == 0) {
		time = 1;
		tz = strstr(base, "with time zone") != NULL && strstr(base, "without") == NULL;
	}
	if (schema != NULL && strcmp(schema, "pg_catalog") != 0 && strcmp(schema, "public") != 0)
		mg_buf_printf(&b, "%s.", schema);
	if (time)
		mg_buf_puts(&b, strncmp(base, "timestamp", 9) == 0 ? "timestamp" : "time");
	else
		mg_buf_puts(&b, base);
	/* interval's typmod encodes fields, not a number: left out. */
	if (json_array_size(mods) > 0 && strcmp(base, "interval") != 0) {
		mg_buf_putc(&b, '(');
		for (i = 0; i < json_array_size(mods); i++) {
			json_t *a = json_object_get(json_array_get(mods, i), "A_Const");
			json_t *iv = json_object_get(json_object_get(a, "ival"), "ival");
			if (a == NULL) {
				mg_buf_free(&b);
				return NULL;
			}
			mg_buf_printf(&b, "%s%lld", i ? "," : "",
			              json_is_integer(iv) ? (long long)json_integer_value(iv)
			                                  : 0LL);
		}
		mg_buf_putc(&b, ')');
	}
	if (time)
		mg_buf_puts(&b, tz ? " with time zone" : " without time zone");
	for (i = 0; i < json_array_size(json_object_get(tn, "arrayBounds")); i++)
		mg_buf_puts(&b, "[]");
	out = mg_arena_strndup(&c->m->arena, b.s, b.len);
	mg_buf_free(&b);
	return out;
}

/* The ON DELETE action of a foreign key constraint node, NULL for NO ACTION. */
static const char *
fk_ondelete(json_t *k)
{
	const char *a = jstr(k, "fk_del_action");

	if (a == NULL)
		return NULL;
	switch (a[0]) {
	case 'c':
		return "CASCADE";
	case 'r':
		return "RESTRICT";
	case 'n':
		return "SET NULL";
	case 'd':
		return "SET DEFAULT";
	default:
		return NULL;
	}
}

/*
 * The text of the parenthesised expression after the keyword at from
 * (CHECK (...)): what is between the first '(' and its match, or NULL.
 */
static const char *
paren_text(struct sqlctx *c, size_t from)
{
	size_t i, start = 0;
	int depth = 0;

	for (i = from; i < c->stmt_end; i++) {
		char ch = c->sql[i];
		size_t next;
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(c->sql, i, c->stmt_end) - 1;
			continue;
		}
		if ((next = skip_comment(c->sql, i, c->stmt_end)) != i) {
			i = next - 1;
			continue;
		}
		if (ch == '(' && depth++ == 0)
			start = i + 1;
		else if (ch == ')' && depth > 0 && --depth == 0)
			return trim_dup(c, c->sql + start, i - start);
	}
	return NULL;
}

/* A DEFAULT's text: from its expression to a top-level ',' or ')' or the next clause. */
static const char *
default_text(struct sqlctx *c, json_t *expr)
{
	static const char *const stops[] = {"not",        "null",  "primary",    "unique",
	                                    "references", "check", "constraint", "generated",
	                                    "collate",    NULL};
	json_t *loc = NULL;
	size_t i, start;
	int depth = 0;
	const char *key;
	json_t *v;

	/* The expression node's location: its one member's "location". */
	json_object_foreach(expr, key, v) loc = json_object_get(v, "location");
	if (!json_is_integer(loc) || json_integer_value(loc) < 0 ||
	    (size_t)json_integer_value(loc) >= c->sql_len)
		return NULL;
	start = (size_t)json_integer_value(loc);
	/* A TypeCast's location is its `::`; walk back to the operand is not worth it. */
	for (i = start; i < c->stmt_end; i++) {
		char ch = c->sql[i];
		size_t k;
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(c->sql, i, c->stmt_end) - 1;
			continue;
		}
		if (ch == '(')
			depth++;
		else if (ch == ')' && depth-- == 0)
			break;
		else if (ch == ',' && depth == 0)
			break;
		if (depth == 0 && (i == start || !ident_char(c->sql[i - 1])))
			for (k = 0; stops[k] != NULL; k++) {
				size_t n = strlen(stops[k]);
				if (i > start && i + n <= c->stmt_end &&
				    strncasecmp(c->sql + i, stops[k], n) == 0 &&
				    (i + n == c->stmt_end || !ident_char(c->sql[i + n])))
					return trim_dup(c, c->sql + start, i - start);
			}
	}
	return trim_dup(c, c->sql + start, i - start);
}

/* Column references in a parsed expression: how many distinct names, and the first. */
static void
column_refs(json_t *n, const char **first, int *count)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(n)) {
		for (i = 0; i < json_array_size(n); i++)
			column_refs(json_array_get(n, i), first, count);
		return;
	}
	if (!json_is_object(n))
		return;
	if ((v = json_object_get(n, "ColumnRef")) != NULL) {
		json_t *f = json_object_get(v, "fields");
		const char *name = jstr(
		    json_object_get(json_array_get(f, json_array_size(f) - 1), "String"), "sval");
		if (name == NULL)
			return;
		if (*first == NULL) {
			*first = name;
			*count = 1;
		} else if (strcmp(*first, name) != 0) {
			*count = 2;
		}
		return;
	}
	if (json_object_get(n, "SubLink") != NULL)
		return; /* PostgreSQL's pull_var_clause does not look inside */
	json_object_foreach(n, key, v) column_refs(v, first, count);
}

const char *
mg_sql_check_column(struct mg_arena *a, const char *expr)
{
	PgQueryParseResult r;
	json_t *root;
	const char *first = NULL, *out = NULL;
	int count = 0;
	char *sql;

	if (expr == NULL || strlen(expr) > 65536 || !mg_utf8_valid(expr, strlen(expr)))
		return NULL;
	sql = mg_xmalloc(strlen(expr) + 32);
	sprintf(sql, "SELECT WHERE (%s)", expr);
	r = pg_query_parse(sql);
	free(sql);
	if (r.error == NULL && (root = json_loads(r.parse_tree, JSON_DECODE_ANY, NULL)) != NULL) {
		column_refs(json_object_get(root, "stmts"), &first, &count);
		if (count == 1)
			out = mg_arena_strdup(a, first);
		json_decref(root);
	}
	pg_query_free_parse_result(r);
	return out;
}

/* A CHECK constraint node of the current statement into the model's checks. */
static void
check_constraint(struct sqlctx *c, json_t *k, size_t opi, const char *column)
{
	struct mg_check *ck = mg_model_add_op_check(c->m, opi, MG_SRC_SQL);
	json_t *loc = json_object_get(k, "location");

	ck->name = dup(c, jstr(k, "conname"));
	ck->not_valid = jbool(k, "skip_validation");
	if (json_is_integer(loc) && json_integer_value(loc) >= 0)
		ck->expr = paren_text(c, (size_t)json_integer_value(loc));
	ck->column = column;
	if (column == NULL && ck->expr != NULL)
		ck->column = mg_sql_check_column(&c->m->arena, ck->expr);
}

/* Constraints on a column definition: NOT NULL, DEFAULT, PRIMARY KEY, REFERENCES. */
static void
column_def(struct sqlctx *c, json_t *cd, struct mg_column *col, size_t opi)
{
	json_t *cons = json_object_get(cd, "constraints");
	size_t i;

	col->name = dup(c, jstr(cd, "colname"));
	col->nullable = MG_YES;
	col->primary_key = MG_NO;
	col->has_server_default = MG_NO;
	col->line = c->m->ops[opi].span.line;
	col->pg_type = type_name(c, json_object_get(cd, "typeName"));
	{
		/* serial types carry an implicit nextval() default */
		json_t *names = json_object_get(json_object_get(cd, "typeName"), "names");
		const char *tn = jstr(
		    json_object_get(json_array_get(names, json_array_size(names) - 1), "String"),
		    "sval");
		if (tn != NULL &&
		    (strcasecmp(tn, "serial") == 0 || strcasecmp(tn, "bigserial") == 0 ||
		     strcasecmp(tn, "smallserial") == 0 || strcasecmp(tn, "serial4") == 0 ||
		     strcasecmp(tn, "serial8") == 0 || strcasecmp(tn, "serial2") == 0))
			col->generated = 1;
	}
	for (i = 0; i < json_array_size(cons); i++) {
		json_t *k = json_object_get(json_array_get(cons, i), "Constraint");
		const char *t = jstr(k, "contype");

		if (t == NULL)
			continue;
		if (strcmp(t, "CONSTR_NOTNULL") == 0) {
			col->nullable = MG_NO;
		} else if (strcmp(t, "CONSTR_DEFAULT") == 0) {
			col->has_server_default = MG_YES;
			col->server_default = default_text(c, json_object_get(k, "raw_expr"));
			if (col->server_default == NULL)
				col->server_default = "(SQL)";
		} else if (strcmp(t, "CONSTR_IDENTITY") == 0 ||
		           strcmp(t, "CONSTR_GENERATED") == 0) {
			col->generated = 1;
			if (t[7] == 'I')
				col->identity = 1;
			else
				col->computed = 1;
		} else if (strcmp(t, "CONSTR_PRIMARY") == 0) {
			col->primary_key = MG_YES;
			col->nullable = MG_NO;
		} else if (strcmp(t, "CONSTR_UNIQUE") == 0) {
			struct mg_index *ix =
			    mg_model_add_op_index(c->m, opi, MG_IX_UNIQUE, MG_SRC_SQL);
			ix->name = dup(c, jstr(k, "conname"));
			ix->columns = mg_arena_alloc(&c->m->arena, sizeof(*ix->columns));
			ix->is_expr = mg_arena_alloc(&c->m->arena, sizeof(*ix->is_expr));
			ix->columns[0] = col->name;
			ix->ncolumns = 1;
			ix->columns_known = 1;
			ix->unique = 1;
		} else if (strcmp(t, "CONSTR_CHECK") == 0) {
			check_constraint(c, k, opi, col->name);
		} else if (strcmp(t, "CONSTR_FOREIGN") == 0) {
			json_t *pk = json_object_get(k, "pktable");
			const char *rt = jstr(pk, "relname");
			struct mg_fkey *fk = mg_model_add_op_fkey(c->m, opi, MG_SRC_SQL);
			const char **one = mg_arena_alloc(&c->m->arena, sizeof(*one));

			one[0] = col->name;
			fk->columns = one;
			fk->ncolumns = 1;
			fk->ref_table = dup(c, rt);
			fk->ref_schema = dup(c, jstr(pk, "schemaname"));
			fk->name = dup(c, jstr(k, "conname"));
			fk->ondelete = fk_ondelete(k);
			fk->ref_columns =
			    name_list(c, json_object_get(k, "pk_attrs"), &fk->nref_columns);
			if (fk->nref_columns == 0)
				fk->ref_columns = NULL; /* the referenced table's primary key */
			if (rt != NULL)
				col->foreign_key = mg_arena_printf(&c->m->arena, "%s.?", rt);
		}
	}
}

static const char **
name_list(struct sqlctx *c, json_t *arr, size_t *n)
{
	const char **v;
	size_t i;

	*n = json_array_size(arr);
	v = mg_arena_alloc(&c->m->arena, (*n ? *n : 1) * sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = dup(c, jstr(json_object_get(json_array_get(arr, i), "String"), "sval"));
	return v;
}

/* A table constraint (ALTER TABLE ADD CONSTRAINT, or inside CREATE TABLE). */
static void
table_constraint(struct sqlctx *c, json_t *k, size_t opi)
{
	const char *t = jstr(k, "contype");
	size_t n;

	if (t == NULL)
		return;
	if (strcmp(t, "CONSTR_FOREIGN") == 0) {
		struct mg_fkey *fk;
		const char **cols = name_list(c, json_object_get(k, "fk_attrs"), &n);
		fk = mg_model_add_op_fkey(c->m, opi, MG_SRC_SQL);
		fk->columns = cols;
		fk->ncolumns = n;
		fk->ref_table = dup(c, jstr(json_object_get(k, "pktable"), "relname"));
		fk->ref_schema = dup(c, jstr(json_object_get(k, "pktable"), "schemaname"));
		fk->name = dup(c, jstr(k, "conname"));
		fk->ondelete = fk_ondelete(k);
		fk->not_valid = jbool(k, "skip_validation");
		fk->ref_columns = name_list(c, json_object_get(k, "pk_attrs"), &fk->nref_columns);
		if (fk->nref_columns == 0)
			fk->ref_columns = NULL;
	} else if (strcmp(t, "CONSTR_CHECK") == 0) {
		check_constraint(c, k, opi, NULL);
	} else if (strcmp(t, "CONSTR_PRIMARY") == 0 || strcmp(t, "CONSTR_UNIQUE") == 0) {
		struct mg_index *ix;
		const char **cols = name_list(c, json_object_get(k, "keys"), &n);
		size_t i;

		if (n == 0) {
			/* USING INDEX: the index becomes the constraint's, under its name */
			struct mg_op *op = &c->m->ops[opi];
			op->using_index = dup(c, jstr(k, "indexname"));
			op->object_type = t[7] == 'P' ? "primary" : "unique";
			return;
		}
		ix = mg_model_add_op_index(
		    c->m, opi, t[7] == 'P' ? MG_IX_PRIMARY_KEY : MG_IX_UNIQUE, MG_SRC_SQL);
		ix->name = dup(c, jstr(k, "conname"));
		ix->columns = cols;
		ix->is_expr = mg_arena_alloc(&c->m->arena, n * sizeof(*ix->is_expr));
		for (i = 0; i < n; i++)
			ix->is_expr[i] = 0;
		ix->ncolumns = n;
		ix->columns_known = 1;
	} else {
		c->m->ops[opi].opaque = 1; /* EXCLUDE, ... */
		/* ALTER TABLE ADD CONSTRAINT ... EXCLUDE (in CREATE TABLE: a new table). */
		if (strcmp(t, "CONSTR_EXCLUSION") == 0 && c->m->ops[opi].kind == MG_OP_OTHER)
			c->m->ops[opi].object_type = "exclude";
	}
}

static void
alter_table(struct sqlctx *c, json_t *s)
{
	json_t *rel = json_object_get(s, "relation"), *cmds = json_object_get(s, "cmds");
	size_t i;

	for (i = 0; i < json_array_size(cmds); i++) {
		json_t *cmd = json_object_get(json_array_get(cmds, i), "AlterTableCmd");
		const char *sub = jstr(cmd, "subtype");
		size_t opi;
		struct mg_op *op;

		if (sub == NULL)
			continue;
		if (strcmp(sub, "AT_AddColumn") == 0) {
			struct mg_column *col = mg_arena_alloc(&c->m->arena, sizeof(*col));
			opi = add_op(c, MG_OP_ADD_COLUMN, rel);
			column_def(c, json_object_get(json_object_get(cmd, "def"), "ColumnDef"),
			           col, opi);
			op = &c->m->ops[opi];
			op->coldef = col;
			op->column = col->name;
			op->nullable = col->nullable;
			op->has_server_default = col->has_server_default;
		} else if (strcmp(sub, "AT_SetNotNull") == 0 ||
		           strcmp(sub, "AT_DropNotNull") == 0) {
			opi = add_op(c, MG_OP_ALTER_COLUMN, rel);
			op = &c->m->ops[opi];
			op->column = dup(c, jstr(cmd, "name"));
			op->nullable = sub[3] == 'S' ? MG_NO : MG_YES;
			op->has_server_default = MG_NO;
		} else if (strcmp(sub, "AT_DropColumn") == 0) {
			opi = add_op(c, MG_OP_DROP_COLUMN, rel);
			c->m->ops[opi].column = dup(c, jstr(cmd, "name"));
			c->m->ops[opi].if_exists = jbool(cmd, "missing_ok");
		} else if (strcmp(sub, "AT_AlterColumnType") == 0) {
			opi = add_op(c, MG_OP_ALTER_COLUMN, rel);
			op = &c->m->ops[opi];
			op->column = dup(c, jstr(cmd, "name"));
			op->has_server_default = MG_NO;
			op->pg_type = type_name(
			    c, json_object_get(
			           json_object_get(json_object_get(cmd, "def"), "ColumnDef"),
			           "typeName"));
			if (op->pg_type == NULL)
				op->opaque = 1;
		} else if (strcmp(sub, "AT_ColumnDefault") == 0) {
			json_t *d = json_object_get(cmd, "def");
			opi = add_op(c, MG_OP_ALTER_COLUMN, rel);
			op = &c->m->ops[opi];
			op->column = dup(c, jstr(cmd, "name"));
			op->has_server_default = d != NULL ? MG_YES : MG_NO;
			op->default_change = d != NULL ? MG_DEFAULT_SET : MG_DEFAULT_DROP;
			if (d != NULL) {
				op = &c->m->ops[opi];
				op->server_default = default_text(c, d);
				if (op->server_default == NULL)
					op->server_default = "(SQL)";
			}
		} else if (strcmp(sub, "AT_AddIdentity") == 0 ||
		           strcmp(sub, "AT_DropIdentity") == 0) {
			opi = add_op(c, MG_OP_ALTER_COLUMN, rel);
			op = &c->m->ops[opi];
			op->column = dup(c, jstr(cmd, "name"));
			op->has_server_default = MG_NO;
			op->identity_change = sub[3] == 'A' ? 1 : -1;
			op->if_exists = jbool(cmd, "missing_ok");
		} else if (strcmp(sub, "AT_ValidateConstraint") == 0) {
			opi = add_op(c, MG_OP_VALIDATE_CONSTRAINT, rel);
			c->m->ops[opi].object = dup(c, jstr(cmd, "name"));
		} else if (strcmp(sub, "AT_AddConstraint") == 0) {
			json_t *k = json_object_get(json_object_get(cmd, "def"), "Constraint");
			const char *t = jstr(k, "contype");
			enum mg_op_kind kind = MG_OP_OTHER;
			if (t != NULL && strcmp(t, "CONSTR_FOREIGN") == 0)
				kind = MG_OP_CREATE_FOREIGN_KEY;
			else if (t != NULL && strcmp(t, "CONSTR_CHECK") == 0)
				kind = MG_OP_CREATE_CHECK_CONSTRAINT;
			else if (t != NULL && (strcmp(t, "CONSTR_UNIQUE") == 0 ||
			                       strcmp(t, "CONSTR_PRIMARY") == 0))
				kind = MG_OP_CREATE_UNIQUE_CONSTRAINT;
			opi = add_op(c, kind, rel);
			c->m->ops[opi].object = dup(c, jstr(k, "conname"));
			c->m->ops[opi].not_valid = jbool(k, "skip_validation");
			if (kind == MG_OP_OTHER)
				c->m->ops[opi].opaque = 1;
			table_constraint(c, k, opi);
		} else if (strcmp(sub, "AT_DropConstraint") == 0) {
			opi = add_op(c, MG_OP_DROP_CONSTRAINT, rel);
			c->m->ops[opi].object = dup(c, jstr(cmd, "name"));
			c->m->ops[opi].if_exists = jbool(cmd, "missing_ok");
		} else if (strcmp(sub, "AT_DetachPartition") == 0) {
			json_t *part = json_object_get(json_object_get(cmd, "def"), "PartitionCmd");
			opi = add_op(c, MG_OP_OTHER, rel);
			op = &c->m->ops[opi];
			op->name = "detach_partition";
			op->object = dup(c, jstr(json_object_get(part, "name"), "relname"));
			op->new_name = dup(c, jstr(json_object_get(part, "name"), "schemaname"));
			op->concurrently = jbool(part, "concurrent");
			op->opaque = 1;
		} else {
			opi = add_op(c, MG_OP_OTHER, rel);
			c->m->ops[opi].name = "alter_table";
			/* Subcommands that leave what the schema records as it is. */
			if (strstr(sub, "Trigger") == NULL && strstr(sub, "Statistics") == NULL &&
			    strstr(sub, "Storage") == NULL && strstr(sub, "Owner") == NULL &&
			    strstr(sub, "RowSecurity") == NULL && strstr(sub, "Cluster") == NULL &&
			    strstr(sub, "Options") == NULL &&
			    strcmp(sub, "AT_ReplicaIdentity") != 0)
				c->m->ops[opi].opaque = 1;
		}
	}
}

static void
create_stmt(struct sqlctx *c, json_t *s)
{
	json_t *rel = json_object_get(s, "relation"), *elts = json_object_get(s, "tableElts");
	size_t opi = add_op(c, MG_OP_CREATE_TABLE, rel), i, n = json_array_size(elts), nc = 0;
	struct mg_table *t = mg_model_add_table(c->m);
	size_t ti = c->m->ntables - 1;
	struct mg_column *cols;
	int npk = 0;

	c->m->ops[opi].table_index = ti;
	c->m->ops[opi].if_exists = jbool(s, "if_not_exists");
	if (json_array_size(json_object_get(s, "inhRelations")) > 0 ||
	    json_object_get(s, "partbound") != NULL || json_object_get(s, "ofTypename") != NULL)
		c->m->ops[opi].opaque = 1; /* columns come from elsewhere */
	t->name = c->m->ops[opi].table;
	t->schema = c->m->ops[opi].schema;
	t->op = opi;
	t->line = c->m->ops[opi].span.line;
	t->col = c->m->ops[opi].span.col;
	t->columns_known = 1;
	cols = mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*cols));
	for (i = 0; i < n; i++) {
		json_t *cd = json_object_get(json_array_get(elts, i), "ColumnDef");
		if (cd == NULL)
			continue;
		column_def(c, cd, &cols[nc], opi);
		cols[nc].type = "(SQL)";

		if (cols[nc].primary_key == MG_YES)
			npk++;
		nc++;
	}
	t = &c->m->tables[ti];
	t->columns = cols;
	t->ncolumns = nc;
	for (i = 0; i < n; i++) {
		json_t *k = json_object_get(json_array_get(elts, i), "Constraint");
		if (k != NULL)
			table_constraint(c, k, opi);
	}
	for (i = 0; i < nc; i++) {
		struct mg_index *ix;
		if (cols[i].primary_key != MG_YES)
			continue;
		ix = mg_model_add_op_index(c->m, opi, MG_IX_PRIMARY_KEY, MG_SRC_SQL);
		ix->columns = mg_arena_alloc(&c->m->arena, sizeof(*ix->columns));
		ix->is_expr = mg_arena_alloc(&c->m->arena, sizeof(*ix->is_expr));
		ix->columns[0] = cols[i].name;
		ix->ncolumns = 1;
		ix->columns_known = 1;
	}
}

/* UPDATE: a backfill of the columns it SETs. */
/* Whether j holds a node named key anywhere (a bound parameter, a LIMIT). */
static int
json_has(json_t *j, const char *key)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++)
			if (json_has(json_array_get(j, i), key))
				return 1;
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			if (strcmp(k, key) == 0 || json_has(v, key))
				return 1;
		}
	}
	return 0;
}

/* A constant, a bound parameter, or a cast of one: `1`, `'a'`, `:id`, `'a'::text`. */
static int
constant(json_t *e)
{
	json_t *cast = json_object_get(e, "TypeCast");

	if (cast != NULL)
		e = json_object_get(cast, "arg");
	return json_object_get(e, "A_Const") != NULL || json_object_get(e, "ParamRef") != NULL;
}

/* `col = constant` or `col IN (constants)`: rows named one by one. */
static int
named_rows(json_t *where)
{
	json_t *a = json_object_get(where, "A_Expr"), *b = json_object_get(where, "BoolExpr");
	const char *kind, *opname;
	size_t i;

	if (b != NULL) {
		json_t *args = json_object_get(b, "args");
		const char *op = jstr(b, "boolop");
		if (op == NULL || strcmp(op, "AND_EXPR") != 0)
			return 0;
		/* AND narrows: one named conjunct is enough. */
		for (i = 0; i < json_array_size(args); i++)
			if (named_rows(json_array_get(args, i)))
				return 1;
		return 0;
	}
	if (a == NULL || (kind = jstr(a, "kind")) == NULL)
		return 0;
	opname =
	    jstr(json_object_get(json_array_get(json_object_get(a, "name"), 0), "String"), "sval");
	if (opname == NULL || strcmp(opname, "=") != 0)
		return 0;
	if (json_object_get(json_object_get(a, "lexpr"), "ColumnRef") == NULL)
		return 0;
	if (strcmp(kind, "AEXPR_OP") == 0)
		return constant(json_object_get(a, "rexpr"));
	if (strcmp(kind, "AEXPR_IN") == 0) {
		json_t *items =
		    json_object_get(json_object_get(json_object_get(a, "rexpr"), "List"), "items");
		if (json_array_size(items) == 0)
			return 0;
		for (i = 0; i < json_array_size(items); i++)
			if (!constant(json_array_get(items, i)))
				return 0;
		return 1;
	}
	return 0;
}

/* Which rows an UPDATE/DELETE with this WHERE clause touches (model.h). */
static int
rows_of(json_t *where)
{
	const char *test;

	if (where == NULL || json_is_null(where))
		return MG_ROWS_ALL;
	test = jstr(json_object_get(where, "NullTest"), "nulltesttype");
	if (test != NULL && strcmp(test, "IS_NULL") == 0)
		return MG_ROWS_ALL;
	if (named_rows(where))
		return MG_ROWS_NAMED;
	if (json_has(where, "ParamRef") || json_has(where, "limitCount"))
		return MG_ROWS_BATCH;
	return MG_ROWS_SOME;
}

/*
 * The value of `SET col = value` as written: after the `=` that follows the
 * column's name, to a top-level WHERE or the statement's end. NULL when the
 * text is not that simple (a row `SET (a, b) = ...`, a subscript).
 */
static const char *
set_text(struct sqlctx *c, json_t *target)
{
	json_t *rt = json_object_get(target, "ResTarget"), *loc = json_object_get(rt, "location");
	size_t i, start;
	int depth = 0;

	if (!json_is_integer(loc) || json_integer_value(loc) < 0 ||
	    (size_t)json_integer_value(loc) >= c->stmt_end ||
	    json_object_get(rt, "indirection") != NULL)
		return NULL;
	i = (size_t)json_integer_value(loc);
	if (c->sql[i] == '"')
		i = skip_quoted(c->sql, i, c->stmt_end);
	else
		while (i < c->stmt_end && ident_char(c->sql[i]))
			i++;
	while (i < c->stmt_end &&
	       (c->sql[i] == ' ' || c->sql[i] == '\t' || c->sql[i] == '\n' || c->sql[i] == '\r'))
		i++;
	if (i >= c->stmt_end || c->sql[i] != '=')
		return NULL;
	start = ++i;
	for (; i < c->stmt_end; i++) {
		char ch = c->sql[i];
		size_t next;
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(c->sql, i, c->stmt_end) - 1;
			continue;
		}
		if ((next = skip_comment(c->sql, i, c->stmt_end)) != i)
			return NULL; /* a comment inside: not worth keeping apart */
		if (ch == '(')
			depth++;
		else if (ch == ')')
			depth--;
		else if (depth == 0 && i + 5 <= c->stmt_end &&
		         strncasecmp(c->sql + i, "where", 5) == 0 && !ident_char(c->sql[i - 1]) &&
		         (i + 5 == c->stmt_end || !ident_char(c->sql[i + 5])))
			break;
	}
	return trim_dup(c, c->sql + start, i - start);
}

static void
update_stmt(struct sqlctx *c, json_t *s)
{
	json_t *targets = json_object_get(s, "targetList");
	json_t *where = json_object_get(s, "whereClause");
	size_t opi = add_op(c, MG_OP_UPDATE, json_object_get(s, "relation"));
	size_t i, n = json_array_size(targets);
	struct mg_op *op = &c->m->ops[opi];
	const char *test = jstr(json_object_get(where, "NullTest"), "nulltesttype");

	/* No WHERE, or only `col IS NULL`: every row that needs it, in one statement. */
	op->whole_table =
	    where == NULL || json_is_null(where) || (test != NULL && strcmp(test, "IS_NULL") == 0)
	        ? MG_YES
	        : MG_NO;
	op->rows = rows_of(where);
	if (test != NULL && strcmp(test, "IS_NULL") == 0) {
		json_t *f = json_object_get(
		    json_object_get(json_object_get(json_object_get(where, "NullTest"), "arg"),
		                    "ColumnRef"),
		    "fields");
		/* t.col or col: the last name. */
		op->column = dup(
		    c, jstr(json_object_get(json_array_get(f, json_array_size(f) - 1), "String"),
		            "sval"));
	}
	if (n == 1 && json_object_get(s, "fromClause") == NULL &&
	    json_object_get(s, "returningList") == NULL && json_object_get(s, "withClause") == NULL)
		op->set_sql = set_text(c, json_array_get(targets, 0));
	op->set_columns = mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*op->set_columns));
	for (i = 0; i < n; i++) {
		const char *name =
		    jstr(json_object_get(json_array_get(targets, i), "ResTarget"), "name");
		if (name != NULL)
			op->set_columns[op->nset++] = dup(c, name);
	}
}

/* DELETE without WHERE and TRUNCATE leave the table empty: nothing to backfill. */
static void
empty_stmt(struct sqlctx *c, json_t *s, int truncate)
{
	json_t *rels = json_object_get(s, "relations");
	size_t i;

	if (!truncate) {
		json_t *where = json_object_get(s, "whereClause");
		size_t opi;
		if (where == NULL || json_is_null(where)) {
			opi = add_op(c, MG_OP_EMPTY_TABLE, json_object_get(s, "relation"));
		} else {
			/* Some rows go, the table keeps the rest. */
			opi = add_op(c, MG_OP_OTHER, json_object_get(s, "relation"));
			c->m->ops[opi].name = "delete";
		}
		c->m->ops[opi].rows = rows_of(where);
		return;
	}
	for (i = 0; i < json_array_size(rels); i++) {
		size_t opi = add_op(c, MG_OP_EMPTY_TABLE,
		                    json_object_get(json_array_get(rels, i), "RangeVar"));
		c->m->ops[opi].cascade = json_is_string(json_object_get(s, "behavior")) &&
		                         strcmp(jstr(s, "behavior"), "DROP_CASCADE") == 0;
	}
}

static void statement(struct sqlctx *c, json_t *stmt);

/* Statements in a WITH clause: `WITH batch AS (...), done AS (UPDATE ...)`. */
static void
ctes(struct sqlctx *c, json_t *s)
{
	json_t *list = json_object_get(json_object_get(s, "withClause"), "ctes");
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		json_t *q = json_object_get(
		    json_object_get(json_array_get(list, i), "CommonTableExpr"), "ctequery");
		/* Only UPDATEs matter here, and ctes() looks one level deep. */
		if (json_object_get(q, "UpdateStmt") != NULL)
			statement(c, q);
	}
}

/* An op named after a statement that changes no schema (model.h, enum mg_rows). */
static size_t
misc_op(struct sqlctx *c, const char *name, json_t *relation)
{
	size_t opi = add_op(c, MG_OP_OTHER, relation);
	c->m->ops[opi].name = name;
	return opi;
}

static int
has_option(json_t *list, const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		const char *d =
		    jstr(json_object_get(json_array_get(list, i), "DefElem"), "defname");
		if (d != NULL && strcmp(d, name) == 0)
			return 1;
	}
	return 0;
}

/* VACUUM, ANALYZE, REINDEX, CLUSTER, databases, LOCK, REFRESH, BEGIN/COMMIT, SET, INSERT. */
static void
misc_stmt(struct sqlctx *c, json_t *stmt)
{
	json_t *s;
	size_t i, opi;

	if ((s = json_object_get(stmt, "VacuumStmt")) != NULL) {
		json_t *rels = json_object_get(s, "rels");
		const char *name = !jbool(s, "is_vacuumcmd") ? "analyze"
		                   : has_option(json_object_get(s, "options"), "full")
		                       ? "vacuum_full"
		                       : "vacuum";
		if (json_array_size(rels) == 0)
			misc_op(c, name, NULL);
		for (i = 0; i < json_array_size(rels); i++)
			misc_op(c, name,
			        json_object_get(
			            json_object_get(json_array_get(rels, i), "VacuumRelation"),
			            "relation"));
	} else if ((s = json_object_get(stmt, "ReindexStmt")) != NULL) {
		const char *kind = jstr(s, "kind");
		opi = misc_op(c, "reindex", NULL);
		/* The table it locks: REINDEX TABLE t names it; REINDEX INDEX ix does not. */
		if (kind != NULL && strcmp(kind, "REINDEX_OBJECT_TABLE") == 0) {
			json_t *rel = json_object_get(s, "relation");
			c->m->ops[opi].table = dup(c, jstr(rel, "relname"));
			c->m->ops[opi].schema = dup(c, jstr(rel, "schemaname"));
		} else if (kind != NULL && strcmp(kind, "REINDEX_OBJECT_INDEX") == 0) {
			c->m->ops[opi].object =
			    dup(c, jstr(json_object_get(s, "relation"), "relname"));
		}
		c->m->ops[opi].object_type = dup(c, kind);
		c->m->ops[opi].concurrently =
		    has_option(json_object_get(s, "params"), "concurrently");
	} else if ((s = json_object_get(stmt, "ClusterStmt")) != NULL) {
		misc_op(c, "cluster", json_object_get(s, "relation"));
	} else if ((s = json_object_get(stmt, "CreatedbStmt")) != NULL) {
		opi = misc_op(c, "create_database", NULL);
		c->m->ops[opi].object = dup(c, jstr(s, "dbname"));
	} else if ((s = json_object_get(stmt, "DropdbStmt")) != NULL) {
		opi = misc_op(c, "drop_database", NULL);
		c->m->ops[opi].object = dup(c, jstr(s, "dbname"));
	} else if ((s = json_object_get(stmt, "LockStmt")) != NULL) {
		json_t *rels = json_object_get(s, "relations");
		for (i = 0; i < json_array_size(rels); i++) {
			opi = misc_op(c, "lock",
			              json_object_get(json_array_get(rels, i), "RangeVar"));
			c->m->ops[opi].object_type =
			    mg_arena_printf(&c->m->arena, "%d",
			                    (int)json_integer_value(json_object_get(s, "mode")));
		}
	} else if ((s = json_object_get(stmt, "RefreshMatViewStmt")) != NULL) {
		opi = misc_op(c, "refresh_matview", json_object_get(s, "relation"));
		c->m->ops[opi].concurrently = jbool(s, "concurrent");
		if (jbool(s, "skipData"))
			c->m->ops[opi].object_type = "no_data";
	} else if ((s = json_object_get(stmt, "TransactionStmt")) != NULL) {
		const char *kind = jstr(s, "kind");
		opi = misc_op(c, "transaction", NULL);
		c->m->ops[opi].object = kind != NULL && strncmp(kind, "TRANS_STMT_", 11) == 0
		                            ? dup(c, kind + 11)
		                            : NULL;
	} else if ((s = json_object_get(stmt, "VariableSetStmt")) != NULL) {
		json_t *arg =
		    json_object_get(json_array_get(json_object_get(s, "args"), 0), "A_Const");
		const char *kind = jstr(s, "kind");
		opi = misc_op(c, "set", NULL);
		c->m->ops[opi].object = dup(c, jstr(s, "name"));
		if (kind != NULL && strcmp(kind, "VAR_SET_VALUE") == 0 && arg != NULL) {
			json_t *iv = json_object_get(json_object_get(arg, "ival"), "ival");
			const char *sv = jstr(json_object_get(arg, "sval"), "sval");
			c->m->ops[opi].new_name =
			    sv != NULL ? dup(c, sv)
			    : json_is_integer(iv)
			        ? mg_arena_printf(&c->m->arena, "%lld",
			                          (long long)json_integer_value(iv))
			    : json_object_get(arg, "ival") != NULL ? "0"
			                                           : NULL;
		}
	} else if ((s = json_object_get(stmt, "InsertStmt")) != NULL) {
		json_t *sel = json_object_get(json_object_get(s, "selectStmt"), "SelectStmt");
		/* INSERT ... SELECT ... FROM: as many rows as the query returns. */
		json_t *cols = json_object_get(s, "cols");
		size_t n = json_array_size(cols), j;
		int twice = 0;
		for (i = 0; i < n && !twice; i++)
			for (j = 0; j < i && !twice; j++)
				twice =
				    jstr(json_object_get(json_array_get(cols, i), "ResTarget"),
				         "name") != NULL &&
				    jstr(json_object_get(json_array_get(cols, j), "ResTarget"),
				         "name") != NULL &&
				    strcmp(
				        jstr(json_object_get(json_array_get(cols, i), "ResTarget"),
				             "name"),
				        jstr(json_object_get(json_array_get(cols, j), "ResTarget"),
				             "name")) == 0;
		if (json_array_size(json_object_get(sel, "fromClause")) > 0) {
			opi = misc_op(c, "insert_select", json_object_get(s, "relation"));
			c->m->ops[opi].rows = rows_of(json_object_get(sel, "whereClause"));
			if (json_object_get(sel, "limitCount") != NULL)
				c->m->ops[opi].rows = MG_ROWS_BATCH;
		}
		if (!twice)
			return;
		/* A column named twice: PostgreSQL refuses the statement. An op
		 * "insert" with the column list as written (set_columns). */
		opi = misc_op(c, "insert", json_object_get(s, "relation"));
		c->m->ops[opi].set_columns =
		    mg_arena_alloc(&c->m->arena, (n ? n : 1) * sizeof(*c->m->ops[opi].set_columns));
		for (i = 0; i < n; i++) {
			const char *name =
			    jstr(json_object_get(json_array_get(cols, i), "ResTarget"), "name");
			if (name != NULL)
				c->m->ops[opi].set_columns[c->m->ops[opi].nset++] = dup(c, name);
		}
	}
}

/*
 * CREATE DOMAIN (create_domain) and ALTER DOMAIN (alter_domain, opaque: the
 * replay does not follow domains). object/schema: the domain; an ADD
 * CONSTRAINT ... CHECK is named alter_domain_add_check, with not_valid.
 */
static void
domain_stmt(struct sqlctx *c, json_t *s, int create)
{
	json_t *names = json_object_get(s, create ? "domainname" : "typeName");
	json_t *con = json_object_get(json_object_get(s, "def"), "Constraint");
	const char *sub = jstr(s, "subtype");
	size_t opi = add_op(c, MG_OP_OTHER, NULL);
	struct mg_op *op = &c->m->ops[opi];
	const char *schema, *name;

	qualified(c, names, &schema, &name);
	op = &c->m->ops[opi];
	op->object = name;
	op->schema = schema;
	if (create) {
		op->name = "create_domain";
		return;
	}
	op->opaque = 1;
	op->name = "alter_domain";
	if (sub != NULL && strcmp(sub, "C") == 0 && con != NULL && jstr(con, "contype") != NULL &&
	    strcmp(jstr(con, "contype"), "CONSTR_CHECK") == 0) {
		/* A domain's CHECK changes no column of any table: nothing to replay. */
		op->opaque = 0;
		op->name = "alter_domain_add_check";
		op->not_valid = jbool(con, "skip_validation");
		op->new_name = dup(c, jstr(con, "conname"));
	}
}

static void
statement(struct sqlctx *c, json_t *stmt)
{
	json_t *s;

	if ((s = json_object_get(stmt, "SelectStmt")) != NULL ||
	    (s = json_object_get(stmt, "InsertStmt")) != NULL ||
	    (s = json_object_get(stmt, "UpdateStmt")) != NULL ||
	    (s = json_object_get(stmt, "DeleteStmt")) != NULL)
		ctes(c, s);

	if ((s = json_object_get(stmt, "IndexStmt")) != NULL)
		index_stmt(c, s);
	else if ((s = json_object_get(stmt, "DropStmt")) != NULL)
		drop_stmt(c, s);
	else if ((s = json_object_get(stmt, "AlterTableStmt")) != NULL)
		alter_table(c, s);
	else if ((s = json_object_get(stmt, "CreateStmt")) != NULL)
		create_stmt(c, s);
	else if ((s = json_object_get(stmt, "RenameStmt")) != NULL)
		rename_stmt(c, s);
	else if ((s = json_object_get(stmt, "CreateEnumStmt")) != NULL)
		enum_stmt(c, s, 1);
	else if ((s = json_object_get(stmt, "AlterEnumStmt")) != NULL)
		enum_stmt(c, s, 0);
	else if ((s = json_object_get(stmt, "CreateSeqStmt")) != NULL)
		sequence_stmt(c, s);
	else if ((s = json_object_get(stmt, "AlterDomainStmt")) != NULL)
		domain_stmt(c, s, 0);
	else if ((s = json_object_get(stmt, "CreateDomainStmt")) != NULL)
		domain_stmt(c, s, 1);
	else if (json_object_get(stmt, "DoStmt") != NULL ||
	         json_object_get(stmt, "CreateTableAsStmt") != NULL ||
	         json_object_get(stmt, "AlterObjectSchemaStmt") != NULL ||
	         json_object_get(stmt, "AlterSeqStmt") != NULL ||
	         json_object_get(stmt, "CompositeTypeStmt") != NULL) {
		/* Code or DDL whose effect on the tables migen does not follow. */
		size_t opi = add_op(c, MG_OP_OTHER, NULL);
		c->m->ops[opi].name = json_object_get(stmt, "DoStmt") != NULL ? "do" : "ddl";
		c->m->ops[opi].opaque = 1;
		/* CREATE MATERIALIZED VIEW: the view it makes, a new one for the rules. */
		if ((s = json_object_get(stmt, "CreateTableAsStmt")) != NULL &&
		    mg_str_same(jstr(s, "objtype"), "OBJECT_MATVIEW"))
			c->m->ops[opi].object = dup(
			    c, jstr(json_object_get(json_object_get(s, "into"), "rel"), "relname"));
	} else if ((s = json_object_get(stmt, "UpdateStmt")) != NULL)
		update_stmt(c, s);
	else if ((s = json_object_get(stmt, "DeleteStmt")) != NULL)
		empty_stmt(c, s, 0);
	else if ((s = json_object_get(stmt, "TruncateStmt")) != NULL)
		empty_stmt(c, s, 1);
	else
		misc_stmt(c, stmt);
}

/*
 * Alembic hands op.execute() strings to sqlalchemy.text(), where `:name` is
 * a bound parameter; PostgreSQL's parser does not know that syntax. Each is
 * replaced by `$1` padded with spaces to the same length, so positions in
 * the text stay those of the original.
 */
static char *
unbind(const char *sql, size_t len)
{
	char *s = mg_xmalloc(len + 1);
	size_t i;

	memcpy(s, sql, len + 1);
	for (i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '\'' || ch == '"') {
			i = skip_quoted(s, i, len) - 1;
			continue;
		}
		if (ch == ':' && i + 1 < len && s[i + 1] == ':') {
			i++; /* a :: cast */
			continue;
		}
		if (ch == ':' && i + 1 < len &&
		    ((s[i + 1] >= 'a' && s[i + 1] <= 'z') || (s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
		     s[i + 1] == '_') &&
		    (i == 0 || !ident_char(s[i - 1]))) {
			size_t j = i + 1;
			while (j < len && ident_char(s[j]))
				j++;
			s[i] = '$';
			s[i + 1] = '1';
			memset(s + i + 2, ' ', j - i - 2);
			i = j - 1;
		}
	}
	return s;
}

int
mg_sql_analyze(struct mg_model *m, size_t exec_op)
{
	struct sqlctx c;
	PgQueryParseResult r;
	json_t *root, *stmts;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.exec = exec_op;
	c.sql = m->ops[exec_op].sql;
	c.sql_len = strlen(c.sql);
	/* libpg_query expects UTF-8 text; bytes literals may hold anything. */
	if (!mg_utf8_valid(c.sql, c.sql_len)) {
		m->ops[exec_op].sql_error = 1;
		mg_model_add_note(m, m->ops[exec_op].span.line, m->ops[exec_op].span.col,
		                  "SQL in op.execute() is not valid UTF-8: not analysed");
		return -1;
	}
	{
		char *plain = unbind(c.sql, c.sql_len);
		r = pg_query_parse(plain);
		free(plain);
	}
	if (r.error != NULL) {
		/* Reported by the invalid-sql rule: it fails on PostgreSQL too. */
		m->ops[exec_op].sql_error = 1;
		m->ops[exec_op].sql_error_message = mg_arena_strdup(&m->arena, r.error->message);
		pg_query_free_parse_result(r);
		return -1;
	}
	root = json_loads(r.parse_tree, JSON_DECODE_ANY, NULL);
	pg_query_free_parse_result(r);
	if (root == NULL)
		return -1;
	stmts = json_object_get(root, "stmts");
	for (i = 0; i < json_array_size(stmts); i++) {
		json_t *e = json_array_get(stmts, i), *loc = json_object_get(e, "stmt_location"),
		       *len = json_object_get(e, "stmt_len");
		c.stmt_at = json_is_integer(loc) ? (size_t)json_integer_value(loc) : 0;
		if (c.stmt_at > c.sql_len)
			c.stmt_at = c.sql_len;
		c.stmt_end = json_is_integer(len) && json_integer_value(len) > 0
		                 ? c.stmt_at + (size_t)json_integer_value(len)
		                 : c.sql_len;
		if (c.stmt_end > c.sql_len)
			c.stmt_end = c.sql_len;
		statement(&c, json_object_get(e, "stmt"));
	}
	json_decref(root);
	return 0;
}
