/*
 * op.create_table(...) and its columns and constraints, and the column lists
 * of indexes (see walk.h). Every index a table definition implies — primary
 * key, unique constraint, sa.Index, index=True, unique=True — is added to the
 * model as an index of source MG_SRC_TABLE, because for a rule asking "is
 * there an index leading with tenant_id?" they all count.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/sql.h"
#include "walk.h"

static char *
str(struct mg_walk *w, TSNode n)
{
	return mg_walk_string(w, n);
}

const char *
mg_table_ref_table(struct mg_arena *a, const char *target)
{
	const char *dot = strrchr(target, '.'), *start;

	if (dot == NULL)
		return NULL;
	start = dot;
	while (start > target && start[-1] != '.')
		start--;
	return mg_arena_strndup(a, start, (size_t)(dot - start));
}

/*
 * sa.text("...") / text(...) / literal_column(...): an expression's SQL
 * text, returning 1. Anything else (sa.func.lower(...), sa.desc(...)) is
 * Python, not SQL: its source text, returning 0.
 */
static int
expression_text(struct mg_walk *w, TSNode n, const char **out)
{
	if (ts_node_symbol(n) == mg_sym.call &&
	    (mg_call_name_is(w->s, n, "text") || mg_call_name_is(w->s, n, "literal_column"))) {
		const char *s = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(n, 0));
		if (s != NULL) {
			*out = s;
			return 1;
		}
	}
	*out = mg_node_dup(&w->m->arena, w->s, n);
	return 0;
}

static void
push_column(struct mg_walk *w, struct mg_index *ix, size_t *cap, const char *name, int is_expr)
{
	(void)w;
	if (ix->ncolumns + 1 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		const char **c = mg_arena_alloc(&w->m->arena, ncap * sizeof(*c));
		int *e = mg_arena_alloc(&w->m->arena, ncap * sizeof(*e));
		if (ix->ncolumns) {
			memcpy(c, ix->columns, ix->ncolumns * sizeof(*c));
			memcpy(e, ix->is_expr, ix->ncolumns * sizeof(*e));
		}
		ix->columns = c;
		ix->is_expr = e;
		*cap = ncap;
	}
	ix->columns[ix->ncolumns] = name;
	ix->is_expr[ix->ncolumns] = is_expr;
	ix->ncolumns++;
}

/* Adds one column element (a name string or an expression) to ix. */
static void
column_element(struct mg_walk *w, TSNode k, struct mg_index *ix, size_t *cap)
{
	const char *s;

	k = mg_walk_resolve(w, k); /* a loop variable or a constant holding the name */
	if ((s = mg_node_string_plain(&w->m->arena, w->s, k)) != NULL) {
		push_column(w, ix, cap, s, 0);
	} else if (ts_node_symbol(k) == mg_sym.identifier) {
		/* A variable holding a name: not known. */
		ix->columns_known = 0;
		push_column(w, ix, cap, NULL, 0);
	} else {
		if (!expression_text(w, k, &s) && ix->no_code == NULL)
			ix->no_code = mg_arena_printf(
			    &w->m->arena,
			    "the column expression `%s` is Python, not SQL: only sa.text('...') "
			    "and "
			    "sa.literal_column('...') with literal SQL are written as SQL",
			    s);
		push_column(w, ix, cap, s, 1);
	}
}

void
mg_index_columns(struct mg_walk *w, TSNode list, struct mg_index *ix)
{
	TSTreeCursor c;
	size_t cap = 0;

	ix->ncolumns = 0;
	ix->columns_known = 0;
	if (ts_node_is_null(list))
		return;
	list = mg_walk_resolve(w, list);
	if (ts_node_symbol(list) != mg_sym.list && ts_node_symbol(list) != mg_sym.tuple) {
		/* A bare string names one column, as Alembic allows. */
		const char *s = mg_node_string_plain(&w->m->arena, w->s, list);
		if (s != NULL) {
			ix->columns_known = 1;
			push_column(w, ix, &cap, s, 0);
		}
		return;
	}
	ix->columns_known = 1;
	c = ts_tree_cursor_new(list);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			if (!ts_node_is_named(k) || ts_node_symbol(k) == mg_sym.comment)
				continue;
			if (ts_node_symbol(k) == mg_sym.list_splat) {
				ix->columns_known = 0;
				continue;
			}
			column_element(w, k, ix, &cap);
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	if (ix->ncolumns == 0)
		ix->columns_known = 0;
}

const char *
mg_table_ondelete(struct mg_walk *w, TSNode call)
{
	TSNode n = mg_call_kwarg(w->s, call, "ondelete");
	const char *s;

	if (ts_node_is_null(n) || mg_node_is_none(n))
		return NULL;
	/* Given but not a literal: "?" (not known), never taken for NO ACTION. */
	return (s = str(w, n)) != NULL ? s : "?";
}

const char *
mg_table_type_expr(struct mg_walk *w, TSNode n)
{
	/* `status_enum = sa.Enum(...)` at module level: the column names the variable. */
	if (!ts_node_is_null(n) && ts_node_symbol(n) == mg_sym.identifier)
		n = mg_walk_resolve_call(w, n);
	if (ts_node_is_null(n))
		return NULL;
	return mg_node_dup(&w->m->arena, w->s, n);
}

/*
 * The referenced columns of a ForeignKey target list ("t.c", "s.t.c"): the
 * last part of each; the schema when the target has three parts.
 */
void
mg_table_fk_refs(struct mg_arena *a, struct mg_fkey *fk, const char *const *targets, size_t n)
{
	size_t i;

	fk->ref_columns = mg_arena_alloc(a, (n ? n : 1) * sizeof(*fk->ref_columns));
	fk->nref_columns = n;
	for (i = 0; i < n; i++) {
		const char *t = targets[i], *dot = t ? strrchr(t, '.') : NULL;
		if (dot == NULL) {
			fk->ref_columns = NULL;
			fk->nref_columns = 0;
			return;
		}
		fk->ref_columns[i] = dot + 1;
		if (i == 0 && fk->ref_schema == NULL) {
			const char *first = strchr(t, '.');
			if (first != dot)
				fk->ref_schema = mg_arena_strndup(a, t, (size_t)(first - t));
		}
	}
}

int
mg_table_column_parse(struct mg_walk *w, TSNode call, struct mg_column *col)
{
	TSNode args, k, v;
	TSTreeCursor c;
	int pos = 0, sequence = 0;

	if (!mg_call_name_is(w->s, call, "Column"))
		return 0;
	memset(col, 0, sizeof(*col));
	col->line = mg_node_line(call);
	col->nullable = MG_UNKNOWN;
	col->primary_key = MG_NO;
	col->has_server_default = MG_NO;
	col->autoincrement = MG_UNKNOWN;
	args = ts_node_child_by_field_id(call, mg_sym.f_arguments);
	if (ts_node_is_null(args))
		return 1;
	c = ts_tree_cursor_new(args);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			k = ts_tree_cursor_current_node(&c);
			if (!ts_node_is_named(k) || ts_node_symbol(k) == mg_sym.comment)
				continue;
			if (ts_node_symbol(k) == mg_sym.keyword_argument) {
				TSNode name = ts_node_child_by_field_id(k, mg_sym.f_name);
				v = ts_node_child_by_field_id(k, mg_sym.f_value);
				if (mg_node_is_ident(w->s, name, "nullable")) {
					col->nullable = mg_node_bool(w->s, v);
					col->nullable_given = 1;
				} else if (mg_node_is_ident(w->s, name, "primary_key"))
					col->primary_key = mg_node_bool(w->s, v);
				else if (mg_node_is_ident(w->s, name, "autoincrement"))
					col->autoincrement = mg_node_bool(w->s, v);
				else if (mg_node_is_ident(w->s, name, "index")) {
					col->index = mg_node_bool(w->s, v) == MG_YES;
					col->flags_unknown |= mg_node_bool(w->s, v) == MG_UNKNOWN;
				} else if (mg_node_is_ident(w->s, name, "unique")) {
					col->unique = mg_node_bool(w->s, v) == MG_YES;
					col->flags_unknown |= mg_node_bool(w->s, v) == MG_UNKNOWN;
				} else if (mg_node_is_ident(w->s, name, "name"))
					col->name = str(w, v);
				else if (mg_node_is_ident(w->s, name, "type_")) {
					col->type = mg_node_dup(&w->m->arena, w->s, v);
					col->type_expr = mg_table_type_expr(w, v);
				} else if (mg_node_is_ident(w->s, name, "server_default")) {
					if (!mg_node_is_none(v)) {
						col->has_server_default = MG_YES;
						col->server_default =
						    mg_node_dup(&w->m->arena, w->s, v);
					}
				}
				continue;
			}
			if (ts_node_symbol(k) == mg_sym.call &&
			    (mg_call_name_is(w->s, k, "Identity") ||
			     mg_call_name_is(w->s, k, "Computed"))) {
				col->generated = 1; /* PostgreSQL computes it for every row */
				if (mg_call_name_is(w->s, k, "Identity"))
					col->identity = 1;
				else
					col->computed = 1;
				continue;
			}
			if (ts_node_symbol(k) == mg_sym.call &&
			    mg_call_name_is(w->s, k, "Sequence")) {
				/* Client-side: ADD COLUMN gets no default, not even SERIAL. */
				sequence = 1;
				continue;
			}
			if (ts_node_symbol(k) == mg_sym.call &&
			    mg_call_name_is(w->s, k, "ForeignKey")) {
				const char *t = str(w, mg_call_arg_or_kw(w->s, k, 0, "column"));
				col->foreign_key = t;
				col->foreign_key_name = str(w, mg_call_kwarg(w->s, k, "name"));
				col->foreign_key_ondelete = mg_table_ondelete(w, k);
				continue;
			}
			if (pos == 0 && ts_node_symbol(k) != mg_sym.call) {
				col->name = mg_node_string_plain(&w->m->arena, w->s, k);
				pos++;
				continue;
			}
			if (col->type == NULL && ts_node_symbol(k) != mg_sym.string) {
				col->type = mg_node_dup(&w->m->arena, w->s, k);
				col->type_expr = mg_table_type_expr(w, k);
			}
			pos++;
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	col->has_sequence = sequence;
	/* An autoincrementing integer primary key is SERIAL: nextval() fills existing rows. */
	if (col->primary_key == MG_YES && !sequence && col->type != NULL &&
	    strstr(col->type, "Integer") != NULL &&
	    mg_node_bool(w->s, mg_call_kwarg(w->s, call, "autoincrement")) != MG_NO &&
	    ts_node_is_null(mg_call_kwarg(w->s, call, "server_default")))
		col->generated = 1;
	/* SQLAlchemy: nullable defaults to `not primary_key`. */
	if (col->nullable == MG_UNKNOWN && ts_node_is_null(mg_call_kwarg(w->s, call, "nullable")))
		col->nullable = col->primary_key == MG_UNKNOWN ? MG_UNKNOWN
		                : col->primary_key == MG_YES   ? MG_NO
		                                               : MG_YES;
	return 1;
}

static struct mg_index *
table_index(struct mg_walk *w, size_t opi, enum mg_index_kind kind, TSNode at)
{
	struct mg_index *ix = mg_model_add_op_index(w->m, opi, kind, MG_SRC_TABLE);

	/* The op's table is the table; the position is the constraint's own. */
	ix->line = mg_node_line(at);
	ix->col = mg_node_col(at);
	return ix;
}

/* Constraint arguments given as strings (column names), positional. */
static void
constraint_columns(struct mg_walk *w, TSNode call, struct mg_index *ix)
{
	TSTreeCursor c;
	size_t cap = 0;
	TSNode args = ts_node_child_by_field_id(call, mg_sym.f_arguments);
	int first = 1, skip_name = mg_call_name_is(w->s, call, "Index");

	ix->columns_known = 1;
	if (ts_node_is_null(args))
		return;
	c = ts_tree_cursor_new(args);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			if (!ts_node_is_named(k) || ts_node_symbol(k) == mg_sym.comment ||
			    ts_node_symbol(k) == mg_sym.keyword_argument)
				continue;
			if (ts_node_symbol(k) == mg_sym.list_splat) {
				ix->columns_known = 0;
				continue;
			}
			if (first && skip_name) {
				/* sa.Index's first argument is its name. */
				ix->name = str(w, k);
				first = 0;
				continue;
			}
			first = 0;
			column_element(w, k, ix, &cap);
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	if (ix->ncolumns == 0)
		ix->columns_known = 0;
}

static struct mg_fkey *
add_fkey(struct mg_walk *w, size_t opi, const char **cols, size_t n, const char *target, TSNode at,
         const char *name)
{
	struct mg_fkey *fk = mg_model_add_op_fkey(w->m, opi, MG_SRC_TABLE);

	fk->name = name;
	fk->columns = cols;
	fk->ncolumns = n;
	fk->ref_table = target ? mg_table_ref_table(&w->m->arena, target) : NULL;
	fk->line = mg_node_line(at);
	fk->col = mg_node_col(at);
	if (target != NULL)
		mg_table_fk_refs(&w->m->arena, fk, &target, 1);
	return fk;
}

static void
constraint(struct mg_walk *w, TSNode call, size_t opi, size_t ti, int *has_pk)
{
	struct mg_table *t = &w->m->tables[ti];
	struct mg_index *ix;

	if (mg_call_name_is(w->s, call, "PrimaryKeyConstraint")) {
		size_t i, j;

		*has_pk = 1;
		ix = table_index(w, opi, MG_IX_PRIMARY_KEY, call);
		ix->name = str(w, mg_call_kwarg(w->s, call, "name"));
		constraint_columns(w, call, ix);
		/* As SQLAlchemy does: the constraint makes its columns primary
		 * key, and NOT NULL unless nullable= was written. */
		for (i = 0; i < ix->ncolumns; i++)
			for (j = 0; ix->columns[i] != NULL && j < t->ncolumns; j++)
				if (t->columns[j].name != NULL &&
				    strcmp(t->columns[j].name, ix->columns[i]) == 0) {
					t->columns[j].primary_key = MG_YES;
					if (!t->columns[j].nullable_given)
						t->columns[j].nullable = MG_NO;
				}
	} else if (mg_call_name_is(w->s, call, "UniqueConstraint")) {
		ix = table_index(w, opi, MG_IX_UNIQUE, call);
		ix->name = str(w, mg_call_kwarg(w->s, call, "name"));
		constraint_columns(w, call, ix);
	} else if (mg_call_name_is(w->s, call, "Index")) {
		ix = table_index(w, opi, MG_IX_INDEX, call);
		constraint_columns(w, call, ix);
		ix->unique = mg_node_bool(w->s, mg_call_kwarg(w->s, call, "unique")) == MG_YES;
		{
			TSNode wh = mg_call_kwarg(w->s, call, "postgresql_where");
			if (!ts_node_is_null(wh) && !mg_node_is_none(wh)) {
				ix->where = str(w, wh);
				if (ix->where == NULL)
					ix->where = mg_node_dup(&w->m->arena, w->s, wh);
			}
		}
		ix->using_method = str(w, mg_call_kwarg(w->s, call, "postgresql_using"));
	} else if (mg_call_name_is(w->s, call, "ForeignKeyConstraint")) {
		struct mg_index cols, refs;
		memset(&cols, 0, sizeof(cols));
		memset(&refs, 0, sizeof(refs));
		mg_index_columns(w, mg_call_arg_or_kw(w->s, call, 0, "columns"), &cols);
		mg_index_columns(w, mg_call_arg_or_kw(w->s, call, 1, "refcolumns"), &refs);
		{
			struct mg_fkey *fk =
			    add_fkey(w, opi, cols.columns_known ? cols.columns : NULL,
			             cols.columns_known ? cols.ncolumns : 0,
			             refs.columns_known && refs.ncolumns ? refs.columns[0] : NULL,
			             call, str(w, mg_call_kwarg(w->s, call, "name")));
			if (refs.columns_known)
				mg_table_fk_refs(&w->m->arena, fk, refs.columns, refs.ncolumns);
			else
				fk->ref_columns = NULL, fk->nref_columns = 0;
			fk->ondelete = mg_table_ondelete(w, call);
		}
	} else if (mg_call_name_is(w->s, call, "CheckConstraint")) {
		struct mg_check *k = mg_model_add_op_check(w->m, opi, MG_SRC_TABLE);
		TSNode nm = mg_call_kwarg(w->s, call, "name");
		TSNode e = mg_call_arg_or_kw(w->s, call, 0, "sqltext");

		k->line = mg_node_line(call);
		k->name = str(w, nm);
		if (k->name == NULL && !ts_node_is_null(nm) && !mg_node_is_none(nm))
			k->name_expr = mg_node_dup(&w->m->arena, w->s, nm);
		k->expr = str(w, e);
		if (k->expr != NULL)
			k->column = mg_sql_check_column(&w->m->arena, k->expr);
	}
}

void
mg_table_create(struct mg_walk *w, TSNode call, size_t opi)
{
	struct mg_table *t;
	struct mg_column *cols = NULL;
	size_t ncols = 0, capcols = 0, ti, i, npk = 0;
	TSNode args = ts_node_child_by_field_id(call, mg_sym.f_arguments);
	TSTreeCursor c;
	int has_pk = 0, pos = 0;

	t = mg_model_add_table(w->m);
	ti = w->m->ntables - 1;
	t->op = opi;
	t->line = mg_node_line(call);
	t->col = mg_node_col(call);
	t->name = str(w, mg_call_arg_or_kw(w->s, call, 0, "table_name"));
	t->schema = str(w, mg_call_kwarg(w->s, call, "schema"));
	t->columns_known = 1;
	w->m->ops[opi].table = t->name;
	w->m->ops[opi].schema = t->schema;
	w->m->ops[opi].table_index = ti;
	if (ts_node_is_null(args))
		return;

	/* Columns first, so constraints can refer to them. */
	c = ts_tree_cursor_new(args);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			struct mg_column col;

			if (!ts_node_is_named(k) || ts_node_symbol(k) == mg_sym.comment ||
			    ts_node_symbol(k) == mg_sym.keyword_argument)
				continue;
			if (pos++ == 0)
				continue; /* the table name */
			if (ts_node_symbol(k) != mg_sym.call) {
				w->m->tables[ti].columns_known = 0;
				continue;
			}
			if (mg_table_column_parse(w, k, &col)) {
				mg_grow(&cols, &capcols, ncols + 1, sizeof(*cols));
				cols[ncols++] = col;
			}
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	t = &w->m->tables[ti];
	t->columns = mg_arena_alloc(&w->m->arena, (ncols ? ncols : 1) * sizeof(*cols));
	if (ncols)
		memcpy(t->columns, cols, ncols * sizeof(*cols));
	t->ncolumns = ncols;
	free(cols);

	ts_tree_cursor_reset(&c, args);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			if (ts_node_symbol(k) == mg_sym.call && !mg_call_name_is(w->s, k, "Column"))
				constraint(w, k, opi, ti, &has_pk);
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);

	/* What the columns themselves imply. */
	t = &w->m->tables[ti];
	for (i = 0; i < t->ncolumns; i++)
		if (t->columns[i].primary_key == MG_YES)
			npk++;
	if (!has_pk && npk > 0) {
		struct mg_index *ix;
		size_t cap = 0;
		ix = table_index(w, opi, MG_IX_PRIMARY_KEY, call);
		ix->columns_known = 1;
		for (i = 0; i < t->ncolumns; i++)
			if (t->columns[i].primary_key == MG_YES)
				push_column(w, ix, &cap, t->columns[i].name, 0);
	}
	for (i = 0; i < t->ncolumns; i++) {
		const struct mg_column *col = &w->m->tables[ti].columns[i];
		struct mg_index *ix;
		size_t cap = 0;

		if (col->foreign_key != NULL) {
			const char **one = mg_arena_alloc(&w->m->arena, sizeof(*one));
			one[0] = col->name;
			add_fkey(w, opi, one, 1, col->foreign_key, call, col->foreign_key_name)
			    ->ondelete = col->foreign_key_ondelete;
			w->m->fkeys[w->m->nfkeys - 1].line = col->line;
		}
		if (!col->index && !col->unique)
			continue;
		/* index=True, unique=True is a unique index ix_<table>_<column>, not a constraint.
		 */
		ix = table_index(w, opi, col->unique && !col->index ? MG_IX_UNIQUE : MG_IX_INDEX,
		                 call);
		ix->line = col->line;
		ix->columns_known = 1;
		push_column(w, ix, &cap, col->name, 0);
		if (col->index && w->m->tables[ti].name != NULL && col->name != NULL)
			ix->name = mg_arena_printf(&w->m->arena, "ix_%s_%s", w->m->tables[ti].name,
			                           col->name);
		ix->unique = col->unique;
	}
}
