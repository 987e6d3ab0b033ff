/*
 * Data changes in a migration, in the forms people write them (see walk.h):
 * SQL run on the migration's connection (a literal or a module-level string
 * constant), SQLAlchemy Core `sa.update(t)` / `t.update()` / `t.delete()`
 * on a table the file describes, and ORM sessions bound to the migration's
 * connection touching a class mapped in the file. They become MG_OP_UPDATE
 * and MG_OP_EMPTY_TABLE operations, so the backfill rule reads one model
 * whatever the form.
 *
 * A pre-pass (mg_data_scan) learns the names the file gives: string
 * constants at module level, variables holding sa.table()/sa.Table(),
 * mapped classes, session variables. Names are not scoped: a migration is
 * small, and a name reused for two tables is taken as the last one.
 */
#include <stdlib.h>
#include <string.h>

#include "walk.h"

struct name_value {
	const char *name;
	const char *value; /* a table name, or NULL */
	size_t def;        /* tables: index in m->defined, else (size_t)-1 */
};

struct mg_data {
	struct name_value *tables, *sessions, *helpers;
	size_t ntables, captables, nsessions, capsessions, nhelpers, caphelpers;
};

static void
push(struct name_value **v, size_t *n, size_t *cap, const char *name, const char *value, size_t def)
{
	mg_grow(v, cap, *n + 1, sizeof(**v));
	(*v)[*n].name = name;
	(*v)[*n].value = value;
	(*v)[*n].def = def;
	(*n)++;
}

/* The last entry for the identifier n, or NULL. */
static const struct name_value *
find(const struct mg_walk *w, const struct name_value *v, size_t n, TSNode id)
{
	size_t i;

	if (ts_node_is_null(id) || ts_node_symbol(id) != mg_sym.identifier)
		return NULL;
	for (i = n; i-- > 0;)
		if (mg_node_is_ident(w->s, id, v[i].name))
			return &v[i];
	return NULL;
}

/* A new described table; its columns are added by the caller. */
static size_t
define(struct mg_walk *w, const char *name, const char *schema, uint32_t line)
{
	struct mg_model *m = w->m;
	struct mg_table *t;

	mg_grow(&m->defined, &m->capdefined, m->ndefined + 1, sizeof(*m->defined));
	t = &m->defined[m->ndefined];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->schema = schema;
	t->op = (size_t)-1;
	t->line = line;
	t->columns_known = 1;
	return m->ndefined++;
}

static void
add_column(struct mg_walk *w, size_t def, const struct mg_column *col)
{
	struct mg_table *t = &w->m->defined[def];
	size_t n = t->ncolumns;

	/* Room doubles at 4, 8, 16...: arena memory is not freed, so not one copy a column. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		struct mg_column *v = mg_arena_alloc(&w->m->arena, (n ? 2 * n : 4) * sizeof(*v));
		if (n)
			memcpy(v, t->columns, n * sizeof(*v));
		t->columns = v;
	}
	t->columns[t->ncolumns++] = *col;
}

/* sa.PrimaryKeyConstraint("a", "b") inside sa.Table(): those columns are the key. */
static void
pk_constraint(struct mg_walk *w, size_t def, TSNode call)
{
	struct mg_table *t = &w->m->defined[def];
	unsigned i, n = mg_call_npos(call);
	size_t j;

	for (j = 0; j < t->ncolumns; j++)
		t->columns[j].primary_key = MG_NO;
	for (i = 0; i < n; i++) {
		const char *c = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(call, i));
		int found = 0;
		for (j = 0; c != NULL && j < t->ncolumns; j++)
			if (t->columns[j].name != NULL && strcmp(t->columns[j].name, c) == 0)
				t->columns[j].primary_key = MG_YES, found = 1;
		if (!found) {
			struct mg_column col;
			memset(&col, 0, sizeof(col));
			col.name = c;
			col.primary_key = MG_YES;
			add_column(w, def, &col);
		}
	}
}

/* `sa.table("t", sa.column("a"))`, `sa.Table("t", meta, sa.Column(...), ...)`. */
static size_t
table_call(struct mg_walk *w, TSNode call)
{
	unsigned i, n;
	const char *name;
	size_t def;

	if (!mg_call_name_is(w->s, call, "table") && !mg_call_name_is(w->s, call, "Table"))
		return (size_t)-1;
	name = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(call, 0));
	if (name == NULL)
		return (size_t)-1;
	def = define(w, name,
	             mg_node_string_plain(&w->m->arena, w->s, mg_call_kwarg(w->s, call, "schema")),
	             mg_node_line(call));
	n = mg_call_npos(call);
	for (i = 1; i < n; i++) {
		TSNode k = mg_call_arg(call, i);
		struct mg_column col;

		if (ts_node_symbol(k) != mg_sym.call)
			continue;
		if (mg_table_column_parse(w, k, &col))
			add_column(w, def, &col);
		else if (mg_call_name_is(w->s, k, "PrimaryKeyConstraint"))
			pk_constraint(w, def, k);
	}
	return def;
}

/* `class User(Base): __tablename__ = "users"; id = sa.Column(..., primary_key=True)`. */
static void
mapped_class(struct mg_walk *w, TSNode cls)
{
	TSNode name = ts_node_child_by_field_id(cls, mg_sym.f_name);
	TSNode body = ts_node_child_by_field_id(cls, mg_sym.f_body);
	const char *table = NULL;
	uint32_t i, n;
	size_t def;

	if (ts_node_is_null(name) || ts_node_is_null(body))
		return;
	n = ts_node_named_child_count(body);
	for (i = 0; i < n && table == NULL; i++) {
		TSNode st = ts_node_named_child(body, i), a;
		if (ts_node_symbol(st) != mg_sym.expression_statement)
			continue;
		a = ts_node_named_child(st, 0);
		if (ts_node_symbol(a) == mg_sym.assignment &&
		    mg_node_is_ident(w->s, ts_node_child_by_field_id(a, mg_sym.f_left),
		                     "__tablename__"))
			table = mg_node_string_plain(&w->m->arena, w->s,
			                             ts_node_child_by_field_id(a, mg_sym.f_right));
	}
	if (table == NULL)
		return;
	def = define(w, table, NULL, mg_node_line(cls));
	push(&w->data->tables, &w->data->ntables, &w->data->captables,
	     mg_node_dup(&w->m->arena, w->s, name), table, def);
	for (i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(body, i), a, left, right;
		struct mg_column col;

		if (ts_node_symbol(st) != mg_sym.expression_statement)
			continue;
		a = ts_node_named_child(st, 0);
		if (ts_node_symbol(a) != mg_sym.assignment)
			continue;
		left = ts_node_child_by_field_id(a, mg_sym.f_left);
		right = ts_node_child_by_field_id(a, mg_sym.f_right);
		if (ts_node_is_null(right) || ts_node_symbol(right) != mg_sym.call ||
		    ts_node_symbol(left) != mg_sym.identifier)
			continue;
		if (mg_table_column_parse(w, right, &col)) {
			if (col.name == NULL)
				col.name = mg_node_dup(&w->m->arena, w->s, left);
		} else if (mg_call_name_is(w->s, right, "mapped_column")) {
			memset(&col, 0, sizeof(col));
			col.name = mg_node_dup(&w->m->arena, w->s, left);
			col.primary_key =
			    mg_node_bool(w->s, mg_call_kwarg(w->s, right, "primary_key"));
		} else {
			continue;
		}
		add_column(w, def, &col);
	}
}

/* Session(bind=...), orm.Session(conn), sessionmaker(bind=...)(): a session on a connection. */
static int
session_call(struct mg_walk *w, TSNode v)
{
	TSNode f;

	v = mg_node_unparen(v);
	if (ts_node_is_null(v) || ts_node_symbol(v) != mg_sym.call)
		return 0;
	f = ts_node_child_by_field_id(v, mg_sym.f_function);
	if (!ts_node_is_null(f) && ts_node_symbol(f) == mg_sym.call &&
	    mg_call_name_is(w->s, f, "sessionmaker"))
		v = f;
	if (!mg_call_name_is(w->s, v, "Session") && !mg_call_name_is(w->s, v, "sessionmaker"))
		return 0;
	return !ts_node_is_null(mg_call_arg_or_kw(w->s, v, 0, "bind"));
}

static void
assignment(struct mg_walk *w, TSNode a)
{
	TSNode left = ts_node_child_by_field_id(a, mg_sym.f_left);
	TSNode right = mg_node_unparen(ts_node_child_by_field_id(a, mg_sym.f_right));
	size_t def;

	if (ts_node_is_null(left) || ts_node_symbol(left) != mg_sym.identifier ||
	    ts_node_is_null(right))
		return;
	/* String constants are the walker's bound names (mg_walk_resolve). */
	if (ts_node_symbol(right) != mg_sym.call)
		return;
	if ((def = table_call(w, right)) != (size_t)-1)
		push(&w->data->tables, &w->data->ntables, &w->data->captables,
		     mg_node_dup(&w->m->arena, w->s, left), w->m->defined[def].name, def);
	else if (session_call(w, right))
		push(&w->data->sessions, &w->data->nsessions, &w->data->capsessions,
		     mg_node_dup(&w->m->arena, w->s, left), NULL, (size_t)-1);
}

/* `with Session(bind=...) as session:` */
static void
with_session(struct mg_walk *w, TSNode item)
{
	TSNode v = ts_node_child_by_field_id(item, mg_sym.f_value), alias, id;

	if (ts_node_is_null(v) || ts_node_symbol(v) != mg_sym.as_pattern)
		return;
	alias = ts_node_child_by_field_id(v, mg_sym.f_alias);
	id = ts_node_is_null(alias) ? alias : ts_node_named_child(alias, 0);
	if (!ts_node_is_null(id) && ts_node_symbol(id) == mg_sym.identifier &&
	    session_call(w, ts_node_named_child(v, 0)))
		push(&w->data->sessions, &w->data->nsessions, &w->data->capsessions,
		     mg_node_dup(&w->m->arena, w->s, id), NULL, (size_t)-1);
}

/* Calls that run SQL or ORM work, by their last name. */
static int
data_call(struct mg_walk *w, TSNode call)
{
	static const char *const names[] = {"execute", "exec_driver_sql", "bulk_insert", "query",
	                                    "add",     "add_all",         "merge",       "scalars",
	                                    NULL};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (mg_call_name_is(w->s, call, names[i]))
			return 1;
	return 0;
}

/* A module-level function (not upgrade/downgrade) whose body runs SQL or ORM work. */
static void
helper(struct mg_walk *w, TSNode def)
{
	TSNode name = ts_node_child_by_field_id(def, mg_sym.f_name);
	TSTreeCursor c;
	int found = 0;

	/* upgrade(), downgrade() and their _<name> variants are walked as migrations. */
	if (ts_node_is_null(name) || mg_node_is_ident(w->s, name, "upgrade") ||
	    mg_node_is_ident(w->s, name, "downgrade") ||
	    (mg_node_len(name) > 8 && (memcmp(mg_node_ptr(w->s, name), "upgrade_", 8) == 0)) ||
	    (mg_node_len(name) > 10 && memcmp(mg_node_ptr(w->s, name), "downgrade_", 10) == 0))
		return;
	c = ts_tree_cursor_new(def);
	for (;;) {
		TSNode x = ts_tree_cursor_current_node(&c);
		if (ts_node_symbol(x) == mg_sym.call && data_call(w, x)) {
			found = 1;
			break;
		}
		if (ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c))
			if (!ts_tree_cursor_goto_parent(&c))
				goto out;
	}
out:
	ts_tree_cursor_delete(&c);
	if (found)
		push(&w->data->helpers, &w->data->nhelpers, &w->data->caphelpers,
		     mg_node_dup(&w->m->arena, w->s, name), NULL, (size_t)-1);
}

void
mg_data_scan(struct mg_walk *w, TSNode root)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	uint32_t depth = 0;

	w->data = mg_xcalloc(1, sizeof(*w->data));
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		TSSymbol y = ts_node_symbol(n);
		int descend = 1;

		if (y == mg_sym.assignment) {
			/* module > expression_statement > assignment */
			assignment(w, n);
		} else if (y == mg_sym.class_definition) {
			mapped_class(w, n);
		} else if (y == mg_sym.function_definition && depth <= 2) {
			/* module > function_definition, or > decorated_definition > it */
			helper(w, n);
		} else if (y == mg_sym.with_item) {
			with_session(w, n);
		} else if (y == mg_sym.string || y == mg_sym.comment) {
			descend = 0;
		}
		if (descend && ts_tree_cursor_goto_first_child(&c)) {
			depth++;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return;
			}
			depth--;
		}
	}
}

void
mg_data_free(struct mg_walk *w)
{
	if (w->data == NULL)
		return;
	free(w->data->tables);
	free(w->data->sessions);
	free(w->data->helpers);
	free(w->data);
	w->data = NULL;
}

/* What a Core statement does: `sa.update(t).where(...).values(a=...)`. */
struct core {
	enum mg_op_kind
	    kind; /* MG_OP_UPDATE, MG_OP_EMPTY_TABLE, or MG_OP_OTHER (a DELETE with WHERE) */
	const char *table;
	const char *schema;
	const char **sets;
	size_t nset, capset;
	int where;       /* a WHERE that narrows the rows */
	int where_nulls; /* every WHERE only tests IS NULL */
};

/* A table argument: a table variable, a mapped class (or its __table__), sa.table("x"). */
static int
table_ref(struct mg_walk *w, TSNode t, struct core *c)
{
	const struct name_value *k;

	t = mg_node_unparen(t);
	if (ts_node_is_null(t))
		return 0;
	if (ts_node_symbol(t) == mg_sym.attribute &&
	    mg_node_is_ident(w->s, ts_node_child_by_field_id(t, mg_sym.f_attribute), "__table__"))
		t = ts_node_child_by_field_id(t, mg_sym.f_object);
	if ((k = find(w, w->data->tables, w->data->ntables, t)) != NULL) {
		c->table = k->value;
		c->schema = k->def != (size_t)-1 ? w->m->defined[k->def].schema : NULL;
		return 1;
	}
	if (ts_node_symbol(t) == mg_sym.call &&
	    (mg_call_name_is(w->s, t, "table") || mg_call_name_is(w->s, t, "Table"))) {
		c->table = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(t, 0));
		c->schema =
		    mg_node_string_plain(&w->m->arena, w->s, mg_call_kwarg(w->s, t, "schema"));
		return c->table != NULL;
	}
	return 0;
}

static void
add_set(struct core *c, const char *name)
{
	mg_grow(&c->sets, &c->capset, c->nset + 1, sizeof(*c->sets));
	c->sets[c->nset++] = name;
}

/* .values(a=1) / .values({"a": 1, t.c.b: 2}): the columns set (unknown: none listed). */
static int
values(struct mg_walk *w, TSNode call, struct core *c)
{
	TSNode args = ts_node_child_by_field_id(call, mg_sym.f_arguments);
	uint32_t i, n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);

	for (i = 0; i < n; i++) {
		TSNode k = ts_node_named_child(args, i);
		if (ts_node_symbol(k) == mg_sym.keyword_argument) {
			add_set(c, mg_node_dup(&w->m->arena, w->s,
			                       ts_node_child_by_field_id(k, mg_sym.f_name)));
		} else if (ts_node_symbol(k) == mg_sym.dictionary) {
			uint32_t j, np = ts_node_named_child_count(k);
			for (j = 0; j < np; j++) {
				TSNode p = ts_node_named_child(k, j), key;
				const char *s;
				if (ts_node_symbol(p) != mg_sym.pair)
					return 0;
				key = ts_node_named_child(p, 0);
				if ((s = mg_node_string_plain(&w->m->arena, w->s, key)) == NULL &&
				    ts_node_symbol(key) == mg_sym.attribute)
					s = mg_node_dup(
					    &w->m->arena, w->s,
					    ts_node_child_by_field_id(key, mg_sym.f_attribute));
				if (s == NULL)
					return 0; /* not known: the update may set anything */
				add_set(c, s);
			}
		} else {
			return 0;
		}
	}
	return 1;
}

/* `.where(t.c.x.is_(None))`, `.where(t.c.x == None)`: still every row that needs it. */
static int
only_nulls(struct mg_walk *w, TSNode call)
{
	const char *p;
	size_t n;

	if (mg_call_npos(call) != 1)
		return 0;
	p = mg_node_dup(&w->m->arena, w->s, mg_call_arg(call, 0));
	n = strlen(p);
	if (strstr(p, "and_") || strstr(p, "or_") || strchr(p, '&') || strchr(p, '|'))
		return 0;
	return (n > 10 && strcmp(p + n - 10, ".is_(None)") == 0) ||
	       (n > 8 && strcmp(p + n - 8, "== None") == 0);
}

/* Reads a Core UPDATE/DELETE chain; 0 when expr is not one. */
static int
core_stmt(struct mg_walk *w, TSNode e, struct core *c)
{
	int values_known = 1;

	memset(c, 0, sizeof(*c));
	c->where_nulls = 1;
	for (;;) {
		TSNode f, obj, attr;

		e = mg_node_unparen(e);
		if (ts_node_is_null(e) || ts_node_symbol(e) != mg_sym.call)
			break;
		f = ts_node_child_by_field_id(e, mg_sym.f_function);
		if (ts_node_symbol(f) == mg_sym.identifier) {
			/* update(t) / delete(t), imported from sqlalchemy */
			int upd = mg_node_is_ident(w->s, f, "update");
			if (!upd && !mg_node_is_ident(w->s, f, "delete"))
				break;
			if (!table_ref(w, mg_call_arg_or_kw(w->s, e, 0, "table"), c))
				break;
			c->kind = upd ? MG_OP_UPDATE : MG_OP_EMPTY_TABLE;
			if (!ts_node_is_null(mg_call_arg_or_kw(w->s, e, 1, "whereclause")))
				c->where = 1, c->where_nulls = 0;
			goto done;
		}
		if (ts_node_symbol(f) != mg_sym.attribute)
			break;
		obj = ts_node_child_by_field_id(f, mg_sym.f_object);
		attr = ts_node_child_by_field_id(f, mg_sym.f_attribute);
		if (mg_node_is_ident(w->s, attr, "values")) {
			if (!values(w, e, c))
				values_known = 0;
		} else if (mg_node_is_ident(w->s, attr, "where") ||
		           mg_node_is_ident(w->s, attr, "filter")) {
			c->where = 1;
			if (!only_nulls(w, e))
				c->where_nulls = 0;
		} else if (mg_node_is_ident(w->s, attr, "update") ||
		           mg_node_is_ident(w->s, attr, "delete")) {
			int upd = mg_node_is_ident(w->s, attr, "update");
			/* t.update() on a table variable, or sa.update(t) */
			if (table_ref(w, obj, c)) {
				if (!ts_node_is_null(mg_call_arg_or_kw(w->s, e, 0, "whereclause")))
					c->where = 1, c->where_nulls = 0;
				if (!ts_node_is_null(mg_call_arg_or_kw(w->s, e, 1, "values")))
					values_known = 0;
			} else if (!table_ref(w, mg_call_arg_or_kw(w->s, e, 0, "table"), c)) {
				break;
			}
			c->kind = upd ? MG_OP_UPDATE : MG_OP_EMPTY_TABLE;
			goto done;
		} else if (!mg_node_is_ident(w->s, attr, "execution_options") &&
		           !mg_node_is_ident(w->s, attr, "returning") &&
		           !mg_node_is_ident(w->s, attr, "inline")) {
			break;
		}
		e = obj;
	}
	free(c->sets);
	return 0;
done:
	if (!values_known)
		c->nset = 0;
	if (c->kind == MG_OP_EMPTY_TABLE && c->where)
		c->kind = MG_OP_OTHER; /* a DELETE of some rows: the table keeps the rest */
	return 1;
}

/* Adds the Core statement's operation after op `parent` (an execute). */
static void
add_core_op(struct mg_walk *w, const struct core *c, size_t parent)
{
	struct mg_op *op = mg_model_add_op(w->m), *ex = &w->m->ops[parent];
	size_t i;

	op->kind = c->kind;
	op->name = mg_op_kind_name(c->kind);
	op->dir = ex->dir;
	op->function = ex->function;
	op->source = MG_SRC_SQL; /* a statement the execute runs, as SQL text would be */
	op->parent = parent;
	op->span = ex->span;
	op->stmt = ex->stmt;
	op->autocommit = ex->autocommit;
	op->batch = ex->batch;
	op->in_loop = ex->in_loop;
	op->table = c->table;
	op->schema = c->schema;
	op->whole_table = c->where && !c->where_nulls ? MG_NO : MG_YES;
	if (c->nset > 0) {
		op->set_columns = mg_arena_alloc(&w->m->arena, c->nset * sizeof(*op->set_columns));
		for (i = 0; i < c->nset; i++)
			op->set_columns[i] = c->sets[i];
		op->nset = c->nset;
	}
	if (ex->table == NULL) {
		ex->table = c->table;
		ex->schema = c->schema;
	}
}

int
mg_data_is_statement(struct mg_walk *w, TSNode arg)
{
	struct core c;

	if (mg_walk_sql(w, arg) != NULL)
		return 1;
	if (w->data == NULL || !core_stmt(w, arg, &c))
		return 0;
	free(c.sets);
	return 1;
}

int
mg_data_core(struct mg_walk *w, TSNode arg, size_t exec_op)
{
	struct core c;

	if (w->data == NULL || ts_node_is_null(arg) || !core_stmt(w, arg, &c))
		return 0;
	if (c.kind != MG_OP_OTHER)
		add_core_op(w, &c, exec_op);
	free(c.sets);
	return 1;
}

/*
 * The identifier at the root of `a.b(...).c(...)`, and in *first the
 * attribute called on it ("query" in `s.query(User).all()`; n itself when
 * there is none).
 */
static TSNode
chain_root(TSNode n, TSNode *first)
{
	*first = n;
	for (;;) {
		TSSymbol y = ts_node_symbol(n);
		if (y == mg_sym.call) {
			n = ts_node_child_by_field_id(n, mg_sym.f_function);
		} else if (y == mg_sym.attribute) {
			*first = ts_node_child_by_field_id(n, mg_sym.f_attribute);
			n = ts_node_child_by_field_id(n, mg_sym.f_object);
		} else {
			return n;
		}
		if (ts_node_is_null(n))
			return n;
	}
}

/* The first mapped class (or table variable) named anywhere under n. */
static const struct name_value *
mentions_table(struct mg_walk *w, TSNode n)
{
	TSTreeCursor c = ts_tree_cursor_new(n);
	const struct name_value *k = NULL;

	for (;;) {
		TSNode x = ts_tree_cursor_current_node(&c);
		if ((k = find(w, w->data->tables, w->data->ntables, x)) != NULL)
			break;
		if (ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c))
			if (!ts_tree_cursor_goto_parent(&c))
				goto out;
	}
out:
	ts_tree_cursor_delete(&c);
	return k;
}

/*
 * Whether the chain of call is `session.query(X).update(...)` with no
 * filter on the way: the ORM's bulk UPDATE of every row of X.
 */
static int
orm_update_all(struct mg_walk *w, TSNode call)
{
	static const char *const narrowing[] = {"filter", "filter_by", "where", "limit",
	                                        "get",    "join",      NULL};
	TSNode n = ts_node_child_by_field_id(call, mg_sym.f_function);
	int first = 1;
	size_t i;

	while (!ts_node_is_null(n)) {
		TSSymbol y = ts_node_symbol(n);
		if (y == mg_sym.call) {
			n = ts_node_child_by_field_id(n, mg_sym.f_function);
		} else if (y == mg_sym.attribute) {
			TSNode a = ts_node_child_by_field_id(n, mg_sym.f_attribute);
			if (first && !mg_node_is_ident(w->s, a, "update"))
				return 0;
			first = 0;
			for (i = 0; narrowing[i] != NULL; i++)
				if (mg_node_is_ident(w->s, a, narrowing[i]))
					return 0;
			n = ts_node_child_by_field_id(n, mg_sym.f_object);
		} else {
			break;
		}
	}
	return !first;
}

int
mg_data_session_call(struct mg_walk *w, TSNode call, const struct mg_ctx *ctx)
{
	const struct name_value *k;
	TSNode f = ts_node_child_by_field_id(call, mg_sym.f_function), method;
	struct mg_op *op;
	size_t opi;

	if (w->data == NULL || w->data->nsessions == 0 || ts_node_is_null(f) ||
	    find(w, w->data->sessions, w->data->nsessions, chain_root(f, &method)) == NULL)
		return 0;
	/* session.execute(sa.update(User)...) is a Core statement on the session. */
	if (mg_call_name_is(w->s, call, "execute") &&
	    mg_data_is_statement(w, mg_call_arg(call, 0))) {
		opi = w->m->nops;
		mg_ops_record(w, call, "execute", 0, ctx);
		w->m->ops[opi].name = "session.execute";
		return 1;
	}
	if ((k = mentions_table(w, call)) == NULL)
		return 0;
	/* session.query(User)...: the ORM reads or writes those rows; which
	 * columns it sets is not known, so it counts as filling any. */
	op = mg_model_add_op(w->m);
	opi = w->m->nops - 1;
	op->kind = MG_OP_UPDATE;
	op->name =
	    mg_arena_printf(&w->m->arena, "session.%s", mg_node_dup(&w->m->arena, w->s, method));
	op->dir = ctx->dir;
	op->function = ctx->function;
	op->source = MG_SRC_OP;
	op->parent = opi;
	op->span = mg_walk_span(w, call);
	op->stmt = mg_walk_span(w, ts_node_is_null(ctx->stmt) ? call : ctx->stmt);
	op->autocommit = ctx->autocommit;
	op->in_loop = ctx->in_loop;
	op->table = k->value;
	op->whole_table = orm_update_all(w, call) ? MG_YES : MG_UNKNOWN;
	op->index = (size_t)-1;
	op->table_index = (size_t)-1;
	return 1;
}

void
mg_data_helper_call(struct mg_walk *w, TSNode call, const struct mg_ctx *ctx)
{
	struct mg_model *m = w->m;
	struct mg_helper_call *h;

	if (w->data == NULL || find(w, w->data->helpers, w->data->nhelpers,
	                            ts_node_child_by_field_id(call, mg_sym.f_function)) == NULL)
		return;
	mg_grow(&m->helper_calls, &m->caphelper_calls, m->nhelper_calls + 1,
	        sizeof(*m->helper_calls));
	h = &m->helper_calls[m->nhelper_calls++];
	h->name = mg_node_dup(&m->arena, w->s, ts_node_child_by_field_id(call, mg_sym.f_function));
	h->dir = ctx->dir;
	h->span = mg_walk_span(w, call);
}
