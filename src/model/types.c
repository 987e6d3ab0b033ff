/*
 * SQLAlchemy types as PostgreSQL names them (format_type()): the type
 * expression's source text is read as a small Python call (`sa.String(50)`,
 * `postgresql.ARRAY(sa.Text())`, `sa.Enum("a", "b", name="status")`), its
 * callee resolved through the file's imports to a dotted name, and that name
 * looked up in SQLAlchemy's generic and PostgreSQL dialect types, or in the
 * project's own map. Anything else is unknown (NULL), never guessed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migen/schema.h"

enum { MAX_ARGS = 64, MAX_DEPTH = 8 };

/* A parsed expression: a call (or bare name), a string, a number, a keyword value. */
struct texpr {
	enum { T_NAME, T_STR, T_NUM, T_OTHER } kind;
	const char *text; /* dotted name, decoded string, number */
	int called;       /* NAME(...) */
	int splat;        /* *args: not known */
	/* Arena arrays grown by add_arg: a node is allocated for every name and
	 * literal of every column's type, most without arguments. */
	struct texpr **args;
	const char **kw; /* keyword of each argument, NULL: positional */
	size_t nargs, cap;
};

struct tparse {
	struct mg_arena *a;
	const char *p;
	int bad;
};

static void
skip_ws(struct tparse *t)
{
	while (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r' || *t->p == '\\')
		t->p++;
	if (*t->p == '#') { /* a comment inside the call's lines */
		while (*t->p && *t->p != '\n')
			t->p++;
		skip_ws(t);
	}
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

/* A string literal (with its prefix), decoded simply: escapes kept but for \' and \". */
static const char *
string_lit(struct tparse *t)
{
	const char *p = t->p;
	struct mg_buf b = {0};
	const char *out;
	char q;
	int triple;

	while (*p == 'r' || *p == 'u' || *p == 'R' || *p == 'U' || *p == 'b' || *p == 'B')
		p++;
	q = *p;
	if (q != '\'' && q != '"')
		return NULL;
	triple = p[1] == q && p[2] == q;
	p += triple ? 3 : 1;
	while (*p) {
		if (*p == '\\' && p[1]) {
			if (p[1] != q && p[1] != '\\')
				mg_buf_putc(&b, '\\');
			mg_buf_putc(&b, p[1]);
			p += 2;
			continue;
		}
		if (*p == q && (!triple || (p[1] == q && p[2] == q))) {
			p += triple ? 3 : 1;
			t->p = p;
			out = mg_arena_strndup(t->a, b.s ? b.s : "", b.len);
			mg_buf_free(&b);
			return out;
		}
		mg_buf_putc(&b, *p++);
	}
	mg_buf_free(&b);
	t->bad = 1;
	return NULL;
}

static struct texpr *expr(struct tparse *t, int depth);

/* Appends argument v (keyword kw, or NULL) to call e; 0 past MAX_ARGS. */
static int
add_arg(struct tparse *t, struct texpr *e, const char *kw, struct texpr *v)
{
	if (e->nargs == MAX_ARGS)
		return 0;
	if (e->nargs == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		struct texpr **args = mg_arena_alloc_raw(t->a, cap * sizeof(*args));
		const char **kws = mg_arena_alloc_raw(t->a, cap * sizeof(*kws));
		if (e->nargs > 0) {
			memcpy(args, e->args, e->nargs * sizeof(*args));
			memcpy(kws, e->kw, e->nargs * sizeof(*kws));
		}
		e->args = args;
		e->kw = kws;
		e->cap = cap;
	}
	e->kw[e->nargs] = kw;
	e->args[e->nargs++] = v;
	return 1;
}

/* Skips a bracketed run ([...], {...}, (...)) that is not a call: its value is not read. */
static void
skip_brackets(struct tparse *t)
{
	int depth = 0;

	do {
		char c = *t->p;
		if (c == '\0') {
			t->bad = 1;
			return;
		}
		if (c == '\'' || c == '"') {
			if (string_lit(t) == NULL)
				return;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}')
			depth--;
		t->p++;
	} while (depth > 0);
}

static struct texpr *
expr(struct tparse *t, int depth)
{
	struct texpr *e = mg_arena_alloc(t->a, sizeof(*e));
	const char *start;

	skip_ws(t);
	if (depth > MAX_DEPTH) {
		t->bad = 1;
		return e;
	}
	if (*t->p == '*') {
		while (*t->p == '*')
			t->p++;
		e = expr(t, depth + 1);
		e->splat = 1;
		return e;
	}
	if (*t->p == '\'' || *t->p == '"' ||
	    ((*t->p == 'r' || *t->p == 'u' || *t->p == 'b') &&
	     (t->p[1] == '\'' || t->p[1] == '"'))) {
		e->kind = T_STR;
		e->text = string_lit(t);
		/* Adjacent literals concatenate. */
		skip_ws(t);
		while (!t->bad && (*t->p == '\'' || *t->p == '"')) {
			const char *more = string_lit(t);
			if (more != NULL)
				e->text = mg_arena_printf(t->a, "%s%s", e->text, more);
			skip_ws(t);
		}
		return e;
	}
	if (*t->p == '-' || (*t->p >= '0' && *t->p <= '9')) {
		start = t->p++;
		while (name_char(*t->p) || *t->p == '.')
			t->p++;
		e->kind = T_NUM;
		e->text = mg_arena_strndup(t->a, start, (size_t)(t->p - start));
		return e;
	}
	if (*t->p == '[' || *t->p == '{' || *t->p == '(') {
		e->kind = T_OTHER;
		skip_brackets(t);
		return e;
	}
	if (!name_char(*t->p)) {
		t->bad = 1;
		return e;
	}
	start = t->p;
	while (name_char(*t->p) || (*t->p == '.' && name_char(t->p[1])))
		t->p++;
	e->kind = T_NAME;
	e->text = mg_arena_strndup(t->a, start, (size_t)(t->p - start));
	skip_ws(t);
	if (*t->p != '(')
		return e;
	t->p++;
	e->called = 1;
	for (;;) {
		const char *kw = NULL;
		struct texpr *v;

		skip_ws(t);
		if (*t->p == ')') {
			t->p++;
			break;
		}
		/* keyword=value */
		start = t->p;
		while (name_char(*t->p))
			t->p++;
		if (t->p > start) {
			const char *end = t->p;
			skip_ws(t);
			if (*t->p == '=' && t->p[1] != '=') {
				kw = mg_arena_strndup(t->a, start, (size_t)(end - start));
				t->p++;
			} else {
				t->p = start;
			}
		}
		v = expr(t, depth + 1);
		if (t->bad)
			return e;
		if (!add_arg(t, e, kw, v)) {
			t->bad = 1;
			return e;
		}
		skip_ws(t);
		if (*t->p == ',') {
			t->p++;
			continue;
		}
		if (*t->p == ')') {
			t->p++;
			break;
		}
		t->bad = 1; /* an operator, a method call on the value: not read */
		return e;
	}
	skip_ws(t);
	/* sa.BigInteger().with_variant(sa.Integer(), "sqlite"): the variant is for another
	 * dialect (a postgresql variant is not followed). */
	while (*t->p == '.' && strncmp(t->p, ".with_variant", 13) == 0 && !name_char(t->p[13])) {
		const char *at = t->p;
		t->p += 13;
		skip_ws(t);
		if (*t->p != '(') {
			t->bad = 1;
			return e;
		}
		skip_brackets(t);
		if (t->bad)
			return e;
		if (strstr(mg_arena_strndup(t->a, at, (size_t)(t->p - at)), "postgres") != NULL)
			t->bad = 1;
		skip_ws(t);
	}
	if (*t->p == '.') /* another method: not read */
		t->bad = 1;
	return e;
}

/* The argument given by keyword kw or at position pos (-1: keyword only). */
static const struct texpr *
arg(const struct texpr *e, int pos, const char *kw)
{
	size_t i;
	int n = 0;

	for (i = 0; i < e->nargs; i++) {
		if (e->kw[i] != NULL) {
			if (kw != NULL && strcmp(e->kw[i], kw) == 0)
				return e->args[i];
			continue;
		}
		if (e->args[i]->splat)
			return NULL;
		if (n++ == pos)
			return e->args[i];
	}
	return NULL;
}

/* A number argument: 1 and *v, or 0 when absent (None counts as absent); -1 when not a number. */
static int
num_arg(const struct texpr *e, int pos, const char *kw, long *v)
{
	const struct texpr *x = arg(e, pos, kw);
	char *end;

	if (x == NULL || (x->kind == T_NAME && !x->called && strcmp(x->text, "None") == 0))
		return 0;
	if (x->kind != T_NUM)
		return -1;
	*v = strtol(x->text, &end, 10);
	return *end == '\0' && *v >= 0 && *v < 100000000 ? 1 : -1;
}

/* A keyword's boolean: 1 True, 0 False or absent, -1 not a literal. */
static int
bool_kw(const struct texpr *e, const char *kw, int dflt)
{
	const struct texpr *x = arg(e, -1, kw);

	if (x == NULL)
		return dflt;
	if (x->kind == T_NAME && !x->called && strcmp(x->text, "True") == 0)
		return 1;
	if (x->kind == T_NAME && !x->called && strcmp(x->text, "False") == 0)
		return 0;
	return -1;
}

static int
has_splat(const struct texpr *e)
{
	size_t i;

	for (i = 0; i < e->nargs; i++)
		if (e->args[i]->splat)
			return 1;
	return 0;
}

/*
 * The dotted name a callee stands for, through the file's imports:
 * `sa.String` with `import sqlalchemy as sa` is sqlalchemy.String. Without
 * import information (m NULL, or a model built by hand) the usual aliases
 * are taken as Alembic's templates write them.
 */
/* a followed by b, in the arena (resolve() makes one for every type). */
static const char *
concat(struct mg_arena *ar, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *out = mg_arena_alloc_raw(ar, na + nb + 1);

	memcpy(out, a, na);
	memcpy(out + na, b, nb + 1);
	return out;
}

static const char *
resolve(struct mg_arena *a, const char *name, const struct mg_model *m)
{
	const char *dot = strchr(name, '.');
	size_t head = dot ? (size_t)(dot - name) : strlen(name), i;

	if (m != NULL && m->import_targets != NULL) {
		for (i = m->nimports; i-- > 0;)
			if (strlen(m->imports[i]) == head &&
			    strncmp(m->imports[i], name, head) == 0)
				return m->import_targets[i] == NULL
				           ? NULL
				           : concat(a, m->import_targets[i], dot ? dot : "");
		return NULL; /* a local name, or a star import: not known */
	}
	if (strncmp(name, "sa.", 3) == 0)
		return concat(a, "sqlalchemy.", name + 3);
	if (strncmp(name, "postgresql.", 11) == 0)
		return concat(a, "sqlalchemy.dialects.postgresql.", name + 11);
	if (strncmp(name, "sqlalchemy.", 11) == 0)
		return name;
	return dot ? NULL : concat(a, "sqlalchemy.", name);
}

/* The class name of a SQLAlchemy type, or NULL when the dotted name is not one. */
static const char *
sqla_class(const char *dotted, int *pg_dialect)
{
	static const char *const generic[] = {"sqlalchemy.types.", "sqlalchemy.sql.sqltypes.",
	                                      "sqlalchemy.", NULL};
	static const char *const pg[] = {"sqlalchemy.dialects.postgresql.",
	                                 "sqlalchemy.dialects.postgresql.types.",
	                                 "sqlalchemy.dialects.postgresql.base.",
	                                 "sqlalchemy.dialects.postgresql.json.",
	                                 "sqlalchemy.dialects.postgresql.array.",
	                                 "sqlalchemy.dialects.postgresql.ranges.",
	                                 "sqlalchemy.dialects.postgresql.named_types.",
	                                 NULL};
	size_t i;

	*pg_dialect = 0;
	if (strncmp(dotted, pg[0], strlen(pg[0])) == 0) /* where every pg[] name starts */
		for (i = 0; pg[i] != NULL; i++)
			if (strncmp(dotted, pg[i], strlen(pg[i])) == 0 &&
			    strchr(dotted + strlen(pg[i]), '.') == NULL) {
				*pg_dialect = 1;
				return dotted + strlen(pg[i]);
			}
	if (strcmp(dotted, "citext.CIText") == 0 || strcmp(dotted, "citext.CITEXT") == 0)
		return "CITEXT";
	for (i = 0; generic[i] != NULL; i++)
		if (strncmp(dotted, generic[i], strlen(generic[i])) == 0 &&
		    strchr(dotted + strlen(generic[i]), '.') == NULL)
			return dotted + strlen(generic[i]);
	return NULL;
}

/* Types whose name needs no argument. */
static const char *const plain[][2] = {
    {"Text", "text"},
    {"TEXT", "text"},
    {"UnicodeText", "text"},
    {"CLOB", "text"},
    {"Integer", "integer"},
    {"INTEGER", "integer"},
    {"INT", "integer"},
    {"BigInteger", "bigint"},
    {"BIGINT", "bigint"},
    {"SmallInteger", "smallint"},
    {"SMALLINT", "smallint"},
    {"Boolean", "boolean"},
    {"BOOLEAN", "boolean"},
    {"Date", "date"},
    {"DATE", "date"},
    {"LargeBinary", "bytea"},
    {"BYTEA", "bytea"},
    {"BLOB", "bytea"},
    {"PickleType", "bytea"},
    {"JSON", "json"},
    {"JSONB", "jsonb"},
    {"UUID", "uuid"},
    {"Uuid", "uuid"},
    {"INET", "inet"},
    {"CIDR", "cidr"},
    {"MACADDR", "macaddr"},
    {"MACADDR8", "macaddr8"},
    {"CITEXT", "citext"},
    {"Interval", "interval"},
    {"INTERVAL", "interval"},
    {"MONEY", "money"},
    {"OID", "oid"},
    {"REGCLASS", "regclass"},
    {"TSVECTOR", "tsvector"},
    {"TSQUERY", "tsquery"},
    {"HSTORE", "hstore"},
    {"REAL", "real"},
    {"DOUBLE_PRECISION", "double precision"},
    {"Double", "double precision"},
    {"DOUBLE", "double precision"},
    {"INT4RANGE", "int4range"},
    {"INT8RANGE", "int8range"},
    {"NUMRANGE", "numrange"},
    {"DATERANGE", "daterange"},
    {"TSRANGE", "tsrange"},
    {"TSTZRANGE", "tstzrange"},
};

static const char *map_type(struct mg_arena *a, const struct texpr *e, const struct mg_model *m,
                            const struct mg_typemap *map, struct mg_type_enum *en, int depth);

/* sa.Enum / postgresql.ENUM. */
static const char *
enum_type(struct mg_arena *a, const struct texpr *e, struct mg_type_enum *en)
{
	const struct texpr *name = arg(e, -1, "name"), *schema = arg(e, -1, "schema");
	const char **labels = mg_arena_alloc(a, (e->nargs + 1) * sizeof(*labels));
	size_t i, n = 0, longest = 0;
	int known = 1, native = bool_kw(e, "native_enum", 1), create = bool_kw(e, "create_type", 1);
	const char *type_name = NULL;
	long length;

	for (i = 0; i < e->nargs; i++) {
		if (e->kw[i] != NULL)
			continue;
		if (e->args[i]->kind == T_STR && !e->args[i]->splat) {
			labels[n++] = e->args[i]->text;
			if (strlen(e->args[i]->text) > longest)
				longest = strlen(e->args[i]->text);
		} else {
			known = 0;
			/* sa.Enum(MyEnum): SQLAlchemy names the type after the class, lower-cased.
			 */
			if (n == 0 && i == 0 && e->args[i]->kind == T_NAME && !e->args[i]->called &&
			    !e->args[i]->splat && name == NULL) {
				const char *dot = strrchr(e->args[i]->text, '.');
				type_name =
				    mg_schema_ident(a, dot ? dot + 1 : e->args[i]->text,
				                    strlen(dot ? dot + 1 : e->args[i]->text));
				if (*type_name == '"')
					type_name = NULL;
			}
		}
	}
	if (native == 0) {
		/* A VARCHAR as long as the longest label (length= overrides). */
		if (num_arg(e, -1, "length", &length) == 1)
			return mg_arena_printf(a, "character varying(%ld)", length);
		return known ? mg_arena_printf(a, "character varying(%zu)", longest) : NULL;
	}
	if (native < 0 || create < 0)
		return NULL;
	if (name != NULL && name->kind == T_STR)
		type_name = name->text;
	else if (name != NULL)
		return NULL; /* name= is not a literal */
	if (type_name == NULL)
		return NULL;
	if (schema != NULL && schema->kind != T_STR)
		return NULL;
	if (en != NULL) {
		en->name = type_name;
		en->schema = schema ? schema->text : NULL;
		en->labels = labels;
		en->nlabels = n;
		en->labels_known = known;
		en->create = create;
	}
	if (schema != NULL && strcmp(schema->text, "public") != 0)
		return mg_arena_printf(a, "%s.%s", schema->text, type_name);
	return type_name;
}

static const char *
map_class(struct mg_arena *a, const char *cls, int pg_dialect, const struct texpr *e,
          const struct mg_model *m, const struct mg_typemap *map, struct mg_type_enum *en,
          int depth)
{
	size_t i;
	long n1, n2;
	int r1, r2, tz;

	(void)pg_dialect;
	if (has_splat(e))
		return NULL;
	if (strcmp(cls, "String") == 0 || strcmp(cls, "VARCHAR") == 0 ||
	    strcmp(cls, "Unicode") == 0 || strcmp(cls, "NVARCHAR") == 0) {
		r1 = num_arg(e, 0, "length", &n1);
		return r1 < 0   ? NULL
		       : r1 > 0 ? mg_arena_printf(a, "character varying(%ld)", n1)
		                : "character varying";
	}
	if (strcmp(cls, "CHAR") == 0 || strcmp(cls, "NCHAR") == 0) {
		r1 = num_arg(e, 0, "length", &n1);
		return r1 < 0 ? NULL : mg_arena_printf(a, "character(%ld)", r1 > 0 ? n1 : 1L);
	}
	if (strcmp(cls, "DateTime") == 0 || strcmp(cls, "TIMESTAMP") == 0 ||
	    strcmp(cls, "Time") == 0 || strcmp(cls, "TIME") == 0) {
		int ts = strcmp(cls, "DateTime") == 0 || strcmp(cls, "TIMESTAMP") == 0;
		tz = bool_kw(e, "timezone", 0);
		/* TIMESTAMP's and TIME's first argument is timezone. */
		if (arg(e, 0, NULL) != NULL) {
			const struct texpr *x = arg(e, 0, NULL);
			tz = x->kind == T_NAME && strcmp(x->text, "True") == 0    ? 1
			     : x->kind == T_NAME && strcmp(x->text, "False") == 0 ? 0
			                                                          : -1;
		}
		r1 = num_arg(e, -1, "precision", &n1);
		if (tz < 0 || r1 < 0)
			return NULL;
		if (r1 > 0)
			return mg_arena_printf(a, "%s(%ld) with%s time zone",
			                       ts ? "timestamp" : "time", n1, tz ? "" : "out");
		return mg_arena_printf(a, "%s with%s time zone", ts ? "timestamp" : "time",
		                       tz ? "" : "out");
	}
	if (strcmp(cls, "Numeric") == 0 || strcmp(cls, "NUMERIC") == 0 ||
	    strcmp(cls, "DECIMAL") == 0) {
		r1 = num_arg(e, 0, "precision", &n1);
		r2 = num_arg(e, 1, "scale", &n2);
		if (r1 < 0 || r2 < 0)
			return NULL;
		if (r1 > 0 && r2 > 0)
			return mg_arena_printf(a, "numeric(%ld,%ld)", n1, n2);
		if (r1 > 0)
			return mg_arena_printf(a, "numeric(%ld,0)", n1);
		return "numeric";
	}
	if (strcmp(cls, "Float") == 0 || strcmp(cls, "FLOAT") == 0) {
		r1 = num_arg(e, 0, "precision", &n1);
		if (r1 < 0)
			return NULL;
		return r1 > 0 && n1 <= 24 ? "real" : "double precision";
	}
	if (strcmp(cls, "Enum") == 0 || strcmp(cls, "ENUM") == 0)
		return enum_type(a, e, en);
	if (strcmp(cls, "ARRAY") == 0) {
		const struct texpr *item = arg(e, 0, "item_type");
		const char *inner;
		if (item == NULL || item->kind != T_NAME)
			return NULL;
		/* An enum inside is created with the table too (SQLAlchemy 1.3.17 and later). */
		inner = map_type(a, item, m, map, en, depth + 1);
		/* format_type prints one [] whatever the dimensions. */
		return inner ? mg_arena_printf(a, "%s[]", inner) : NULL;
	}
	if (strcmp(cls, "BIT") == 0) {
		r1 = num_arg(e, 0, "length", &n1);
		if (r1 < 0 || bool_kw(e, "varying", 0) != 0)
			return NULL;
		return mg_arena_printf(a, "bit(%ld)", r1 > 0 ? n1 : 1L);
	}
	if (strcmp(cls, "Interval") == 0 || strcmp(cls, "INTERVAL") == 0) {
		const struct texpr *fields = arg(e, -1, "fields");
		r1 = num_arg(e, -1, "precision", &n1);
		if (r1 < 0 || (fields != NULL && fields->kind != T_STR))
			return NULL;
		/* sa.Interval's precision is second_precision; native on PostgreSQL. */
		if (r1 == 0 && strcmp(cls, "Interval") == 0)
			r1 = num_arg(e, -1, "second_precision", &n1);
		if (r1 < 0)
			return NULL;
		return mg_arena_printf(
		    a, "interval%s%s%s", fields ? " " : "",
		    fields ? mg_schema_ident(a, fields->text, strlen(fields->text)) : "",
		    r1 > 0 ? mg_arena_printf(a, "(%ld)", n1) : "");
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(plain[i][0], cls) == 0)
			return plain[i][1];
	return NULL;
}

static const char *
map_type(struct mg_arena *a, const struct texpr *e, const struct mg_model *m,
         const struct mg_typemap *map, struct mg_type_enum *en, int depth)
{
	const char *dotted, *cls;
	size_t i;
	int pg;

	if (e == NULL || e->kind != T_NAME || depth > MAX_DEPTH)
		return NULL;
	if ((dotted = resolve(a, e->text, m)) == NULL)
		return NULL;
	for (i = 0; map != NULL && i < map->n; i++)
		if (strcmp(map->name[i], dotted) == 0)
			return map->pg[i];
	if ((cls = sqla_class(dotted, &pg)) == NULL)
		return NULL;
	return map_class(a, cls, pg, e, m, map, en, depth);
}

const char *
mg_type_pg(struct mg_arena *a, const char *text, const struct mg_model *m,
           const struct mg_typemap *map, struct mg_type_enum *en)
{
	struct tparse t;
	struct texpr *e;
	const char *r;

	if (en != NULL)
		memset(en, 0, sizeof(*en));
	if (text == NULL || strlen(text) > 4096)
		return NULL;
	t.a = a;
	t.p = text;
	t.bad = 0;
	e = expr(&t, 0);
	skip_ws(&t);
	if (t.bad || *t.p != '\0')
		return NULL;
	r = map_type(a, e, m, map, en, 0);
	if (r == NULL && en != NULL)
		memset(en, 0, sizeof(*en));
	return r;
}

const char *
mg_type_default_sql(struct mg_arena *a, const char *text)
{
	struct tparse t;
	struct texpr *e;
	struct mg_buf b = {0};
	const char *p, *out;

	if (text == NULL || strlen(text) > 4096)
		return text;
	t.a = a;
	t.p = text;
	t.bad = 0;
	e = expr(&t, 0);
	skip_ws(&t);
	if (t.bad || *t.p != '\0')
		return text;
	if (e->kind == T_NAME && e->called && e->nargs == 1 && e->kw[0] == NULL &&
	    e->args[0]->kind == T_STR) {
		const char *dot = strrchr(e->text, '.');
		const char *fn = dot ? dot + 1 : e->text;
		if (strcmp(fn, "text") == 0 || strcmp(fn, "literal_column") == 0)
			return e->args[0]->text;
	}
	/* sa.true(), sa.false(), sa.null(): the SQL keywords */
	if (e->kind == T_NAME && e->called && e->nargs == 0) {
		const char *dot = strrchr(e->text, '.');
		const char *fn = dot ? dot + 1 : e->text;
		if (strcmp(fn, "true") == 0 || strcmp(fn, "false") == 0 || strcmp(fn, "null") == 0)
			return fn;
	}
	/* sa.func.now(); SQL's niladic functions without parentheses (CURRENT_TIMESTAMP) */
	if (e->kind == T_NAME && e->called && e->nargs == 0 && strstr(e->text, "func.") != NULL) {
		static const char *const niladic[] = {
		    "current_timestamp", "current_date", "current_time",
		    "localtimestamp",    "localtime",    "current_user",
		    "session_user",      "user",         NULL};
		const char *fn = strstr(e->text, "func.") + 5;
		size_t i;
		for (i = 0; niladic[i] != NULL; i++)
			if (strcasecmp(fn, niladic[i]) == 0) {
				char *up = mg_arena_strdup(a, fn), *q;
				for (q = up; *q; q++)
					if (*q >= 'a' && *q <= 'z')
						*q = (char)(*q - 'a' + 'A');
				return up;
			}
		return mg_arena_printf(a, "%s()", fn);
	}
	if (e->kind != T_STR)
		return text;
	/* A string is rendered as an SQL literal. */
	mg_buf_putc(&b, '\'');
	for (p = e->text; *p; p++) {
		if (*p == '\'')
			mg_buf_putc(&b, '\'');
		mg_buf_putc(&b, *p);
	}
	mg_buf_putc(&b, '\'');
	out = mg_arena_strndup(a, b.s, b.len);
	mg_buf_free(&b);
	return out;
}
