/*
 * Alembic operations into the model (see walk.h). Each op's arguments are
 * read by the position or keyword Alembic's own signature gives them; on a
 * batch_op the table argument is implied by op.batch_alter_table(), so every
 * later position shifts by one.
 */
#include <string.h>

#include "migen/sql.h"
#include "walk.h"

struct opspec {
	const char *method;
	enum mg_op_kind kind;
};

static const struct opspec opspecs[] = {
    {"create_table", MG_OP_CREATE_TABLE},
    {"drop_table", MG_OP_DROP_TABLE},
    {"rename_table", MG_OP_RENAME_TABLE},
    {"create_index", MG_OP_CREATE_INDEX},
    {"drop_index", MG_OP_DROP_INDEX},
    {"add_column", MG_OP_ADD_COLUMN},
    {"drop_column", MG_OP_DROP_COLUMN},
    {"alter_column", MG_OP_ALTER_COLUMN},
    {"create_foreign_key", MG_OP_CREATE_FOREIGN_KEY},
    {"create_unique_constraint", MG_OP_CREATE_UNIQUE_CONSTRAINT},
    {"create_primary_key", MG_OP_CREATE_UNIQUE_CONSTRAINT},
    {"create_check_constraint", MG_OP_CREATE_CHECK_CONSTRAINT},
    {"drop_constraint", MG_OP_DROP_CONSTRAINT},
    {"execute", MG_OP_EXECUTE},
    {"bulk_insert", MG_OP_BULK_INSERT},
    {NULL, MG_OP_OTHER},
};

/* A string argument, also through names bound to literals (constants, loop variables). */
static char *
str(struct mg_walk *w, TSNode n)
{
	return mg_walk_string(w, n);
}

/* A string argument at position pos (shifted on a batch) or keyword kw. */
static char *
sarg(struct mg_walk *w, TSNode call, int on_batch, unsigned pos, const char *kw)
{
	TSNode n;

	if (on_batch && pos > 0)
		pos--;
	n = mg_call_arg_or_kw(w->s, call, pos, kw);
	return str(w, n);
}

static TSNode
narg(struct mg_walk *w, TSNode call, int on_batch, unsigned pos, const char *kw)
{
	if (on_batch && pos > 0)
		pos--;
	return mg_walk_resolve(w, mg_call_arg_or_kw(w->s, call, pos, kw));
}

/* The table an op works on: its own argument, or the batch's table. */
static void
table(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, unsigned pos,
      const char *kw, struct mg_op *op)
{
	TSNode n;

	if (on_batch) {
		op->table = ctx->batch_table;
		op->schema = ctx->batch_schema;
		return;
	}
	n = mg_call_arg_or_kw(w->s, call, pos, kw);
	op->table = str(w, n);
	op->schema = str(w, mg_call_kwarg(w->s, call, "schema"));
	if (op->table == NULL && !ts_node_is_null(n))
		op->name_expr = mg_node_dup(&w->m->arena, w->s, n);
}

/* postgresql_where=sa.text("...") / "..." / other (source text). */
static const char *
where_arg(struct mg_walk *w, TSNode call, const char *kw)
{
	TSNode n = mg_call_kwarg(w->s, call, kw);
	const char *s;

	if (ts_node_is_null(n) || mg_node_is_none(n))
		return NULL;
	if ((s = str(w, n)) != NULL)
		return s;
	return mg_node_dup(&w->m->arena, w->s, n);
}

/* The keyword arguments of op.create_index that change nothing on PostgreSQL or are read above. */
static const char *const index_kwargs[] = {
    "index_name",
    "table_name",
    "columns",
    "schema",
    "unique",
    "if_not_exists",
    "quote",
    "info",
    "postgresql_concurrently",
    "postgresql_where",
    "postgresql_using",
    "postgresql_ops",
    "postgresql_include",
    "postgresql_with",
    "postgresql_tablespace",
    "postgresql_nulls_not_distinct",
    NULL,
};

/* An operator class, storage parameter or tablespace: letters, digits, _ and dots. */
static int
plain_word(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 2 * 63 + 1)
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' ||
		      (*p == '.' && p != s && p[1] != '\0')))
			return 0;
	return 1;
}

/* Whether n is a node of symbol y (a null node is none). */
static int
is_sym(TSNode n, TSSymbol y)
{
	return !ts_node_is_null(n) && ts_node_symbol(n) == y;
}

/* postgresql_ops={"col": "opclass"}: each class onto its column; 0 if not understood. */
static int
index_ops(struct mg_walk *w, TSNode d, struct mg_index *ix)
{
	uint32_t i, n = ts_node_named_child_count(d);

	if (!is_sym(d, mg_sym.dictionary))
		return 0;
	ix->opclass = mg_arena_alloc(&w->m->arena, (ix->ncolumns + 1) * sizeof(*ix->opclass));
	for (i = 0; i < n; i++) {
		TSNode pair = ts_node_named_child(d, i);
		const char *k, *v;
		size_t j;

		if (is_sym(pair, mg_sym.comment))
			continue;
		if (!is_sym(pair, mg_sym.pair))
			return 0;
		k = mg_node_string_plain(&w->m->arena, w->s,
		                         ts_node_child_by_field_id(pair, mg_sym.f_key));
		v = mg_node_string_plain(&w->m->arena, w->s,
		                         ts_node_child_by_field_id(pair, mg_sym.f_value));
		if (k == NULL || !plain_word(v))
			return 0;
		for (j = 0; j < ix->ncolumns; j++)
			if (!ix->is_expr[j] && ix->columns[j] != NULL &&
			    strcmp(ix->columns[j], k) == 0)
				break;
		if (j == ix->ncolumns)
			return 0; /* a key naming no plain column (SQLAlchemy matches expressions by
			             label) */
		ix->opclass[j] = v;
	}
	return 1;
}

/* postgresql_with={"fillfactor": 70}: as SQLAlchemy renders it, "fillfactor = 70". */
static int
index_with(struct mg_walk *w, TSNode d, struct mg_index *ix)
{
	struct mg_buf b = {0};
	uint32_t i, n = ts_node_named_child_count(d);
	int ok = is_sym(d, mg_sym.dictionary);

	for (i = 0; ok && i < n; i++) {
		TSNode pair = ts_node_named_child(d, i), v;
		const char *k, *vs;

		if (is_sym(pair, mg_sym.comment))
			continue;
		if (!is_sym(pair, mg_sym.pair)) {
			ok = 0;
			break;
		}
		k = mg_node_string_plain(&w->m->arena, w->s,
		                         ts_node_child_by_field_id(pair, mg_sym.f_key));
		v = ts_node_child_by_field_id(pair, mg_sym.f_value);
		vs = is_sym(v, mg_sym.integer) ? mg_node_dup(&w->m->arena, w->s, v)
		                               : mg_node_string_plain(&w->m->arena, w->s, v);
		if (!plain_word(k) || !plain_word(vs)) {
			ok = 0;
			break;
		}
		mg_buf_printf(&b, "%s%s = %s", b.len ? ", " : "", k, vs);
	}
	if (ok && b.len > 0)
		ix->with_sql = mg_arena_strndup(&w->m->arena, b.s, b.len);
	mg_buf_free(&b);
	return ok;
}

/* postgresql_include=["a", "b"]. */
static int
index_include(struct mg_walk *w, TSNode l, struct mg_index *ix)
{
	uint32_t i, n = ts_node_named_child_count(l);

	if (!is_sym(l, mg_sym.list) && !is_sym(l, mg_sym.tuple))
		return 0;
	ix->include = mg_arena_alloc(&w->m->arena, (n + 1) * sizeof(*ix->include));
	for (i = 0; i < n; i++) {
		TSNode k = ts_node_named_child(l, i);
		const char *c;

		if (is_sym(k, mg_sym.comment))
			continue;
		if ((c = mg_node_string_plain(&w->m->arena, w->s, k)) == NULL)
			return 0;
		ix->include[ix->ninclude++] = c;
	}
	return 1;
}

/*
 * The PostgreSQL options of op.create_index, so that the CONCURRENTLY SQL
 * builds the same index: anything migen cannot carry over (an unknown
 * postgresql_* option, a value that is not a literal) sets no_code.
 */
static void
index_options(struct mg_walk *w, TSNode call, struct mg_index *ix)
{
	TSNode args = ts_node_child_by_field_id(call, mg_sym.f_arguments), v;
	uint32_t i, n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
	const char *bad = NULL;

	for (i = 0; i < n && bad == NULL; i++) {
		TSNode k = ts_node_named_child(args, i);
		const char *name;
		size_t j;

		if (ts_node_symbol(k) == mg_sym.dictionary_splat) {
			bad = "**";
			continue;
		}
		if (ts_node_symbol(k) != mg_sym.keyword_argument)
			continue;
		name = mg_node_dup(&w->m->arena, w->s, ts_node_child_by_field_id(k, mg_sym.f_name));
		for (j = 0; index_kwargs[j] != NULL && strcmp(index_kwargs[j], name) != 0; j++)
			;
		/* Other dialects' options (mysql_length, sqlite_where) do nothing on PostgreSQL. */
		if (index_kwargs[j] == NULL && strncmp(name, "postgresql_", 11) == 0)
			bad = name;
	}
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_ops")) &&
	    !index_ops(w, v, ix))
		bad = "postgresql_ops";
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_with")) &&
	    !index_with(w, v, ix))
		bad = "postgresql_with";
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_include")) &&
	    !index_include(w, v, ix))
		bad = "postgresql_include";
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_tablespace")) &&
	    (ix->tablespace = mg_node_string_plain(&w->m->arena, w->s, v)) == NULL)
		bad = "postgresql_tablespace";
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_nulls_not_distinct"))) {
		int b = mg_node_bool(w->s, v);
		if (b == MG_UNKNOWN)
			bad = "postgresql_nulls_not_distinct";
		ix->nulls_not_distinct = b == MG_YES;
	}
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_using")) &&
	    ix->using_method == NULL)
		bad = "postgresql_using";
	if (!ts_node_is_null(v = mg_call_kwarg(w->s, call, "postgresql_where")) &&
	    !mg_node_is_none(v) && str(w, v) == NULL)
		bad = "postgresql_where";
	if (bad != NULL && ix->no_code == NULL)
		ix->no_code =
		    strcmp(bad, "**") == 0
		        ? "its options are passed with **: migen cannot tell which"
		        : mg_arena_printf(&w->m->arena,
		                          "its option %s is not one migen can write into "
		                          "the CONCURRENTLY SQL (not a literal, or not known)",
		                          bad);
}

/* The source text of a name argument that is there but not a literal (an f-string, a variable). */
static const char *
name_expr(struct mg_walk *w, TSNode n, const char *literal)
{
	if (literal != NULL || ts_node_is_null(n) || mg_node_is_none(n))
		return NULL;
	return mg_node_dup(&w->m->arena, w->s, n);
}

static void
create_index(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, size_t opi)
{
	struct mg_op *op = &w->m->ops[opi];
	struct mg_index *ix;
	TSNode cols = narg(w, call, on_batch, 2, "columns");
	int conc;

	table(w, call, on_batch, ctx, 1, "table_name", op);
	conc = mg_node_bool(w->s, mg_call_kwarg(w->s, call, "postgresql_concurrently"));
	op->concurrently = conc == MG_YES;
	ix = mg_model_add_op_index(w->m, opi, MG_IX_INDEX, MG_SRC_OP);
	op = &w->m->ops[opi];
	op->index = w->m->nindexes - 1;
	ix->name = sarg(w, call, 0, 0, "index_name");
	ix->name_expr = name_expr(w, mg_call_arg_or_kw(w->s, call, 0, "index_name"), ix->name);
	ix->unique = mg_node_bool(w->s, mg_call_kwarg(w->s, call, "unique")) == MG_YES;
	ix->concurrently = op->concurrently;
	ix->if_not_exists =
	    mg_node_bool(w->s, mg_call_kwarg(w->s, call, "if_not_exists")) == MG_YES;
	ix->where = where_arg(w, call, "postgresql_where");
	ix->using_method = str(w, mg_call_kwarg(w->s, call, "postgresql_using"));
	mg_index_columns(w, cols, ix);
	index_options(w, call, ix);
}

static void
drop_index(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, struct mg_op *op)
{
	table(w, call, on_batch, ctx, 1, "table_name", op);
	op->object = sarg(w, call, 0, 0, "index_name");
	op->if_exists = mg_node_bool(w->s, mg_call_kwarg(w->s, call, "if_exists")) == MG_YES;
	if (op->object == NULL)
		op->name_expr = name_expr(w, mg_call_arg_or_kw(w->s, call, 0, "index_name"), NULL);
	op->concurrently =
	    mg_node_bool(w->s, mg_call_kwarg(w->s, call, "postgresql_concurrently")) == MG_YES;
}

/*
 * op.add_column(t, sa.Column(..., sa.ForeignKey(...))): the column's foreign
 * key is a foreign key of t, as its SQL twin ADD COLUMN ... REFERENCES is.
 */
static void
add_column(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, size_t opi)
{
	struct mg_op *op = &w->m->ops[opi];
	TSNode c = narg(w, call, on_batch, 1, "column");

	table(w, call, on_batch, ctx, 0, "table_name", op);
	if (!ts_node_is_null(c) && ts_node_symbol(c) == mg_sym.call) {
		struct mg_column *col = mg_arena_alloc(&w->m->arena, sizeof(*col));
		if (mg_table_column_parse(w, c, col)) {
			op->coldef = col;
			op->column = col->name;
			op->nullable = col->nullable;
			op->has_server_default = col->has_server_default;
			if (col->foreign_key != NULL && col->name != NULL) {
				struct mg_fkey *fk = mg_model_add_op_fkey(w->m, opi, MG_SRC_OP);
				const char **one = mg_arena_alloc(&w->m->arena, sizeof(*one));

				one[0] = col->name;
				fk->columns = one;
				fk->ncolumns = 1;
				fk->name = col->foreign_key_name;
				fk->ref_table = mg_table_ref_table(&w->m->arena, col->foreign_key);
				fk->ondelete = col->foreign_key_ondelete;
				mg_table_fk_refs(&w->m->arena, fk, &col->foreign_key, 1);
			}
		}
	}
}

static void
alter_column(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx,
             struct mg_op *op)
{
	TSNode nul = mg_call_kwarg(w->s, call, "nullable");
	TSNode def = mg_call_kwarg(w->s, call, "server_default"), ty;

	table(w, call, on_batch, ctx, 0, "table_name", op);
	op->column = sarg(w, call, on_batch, 1, "column_name");
	op->nullable = ts_node_is_null(nul) ? MG_UNKNOWN : mg_node_bool(w->s, nul);
	/* nullable= given but not a literal: what it does is not known */
	op->opaque = !ts_node_is_null(nul) && op->nullable == MG_UNKNOWN;
	if (ts_node_is_null(def))
		op->has_server_default = MG_NO;
	else
		op->has_server_default = mg_node_is_none(def) ? MG_NO : MG_YES;
	/* server_default=None drops the default; False (Alembic's "not given") keeps it. */
	if (!ts_node_is_null(def) && mg_node_is_none(def))
		op->default_change = MG_DEFAULT_DROP;
	else if (!ts_node_is_null(def) && mg_node_bool(w->s, def) != MG_NO) {
		op->default_change = MG_DEFAULT_SET;
		op->server_default = mg_node_dup(&w->m->arena, w->s, def);
	}
	op->new_name = str(w, mg_call_kwarg(w->s, call, "new_column_name"));
	if (!ts_node_is_null(ty = mg_call_kwarg(w->s, call, "type_")))
		op->type_expr = mg_table_type_expr(w, ty);
}

/* A list of string literals; NULL (and *n = 0) when it is not one. */
static const char **
strings(struct mg_walk *w, TSNode list, size_t *n)
{
	struct mg_index tmp;

	memset(&tmp, 0, sizeof(tmp));
	mg_index_columns(w, list, &tmp);
	*n = tmp.columns_known ? tmp.ncolumns : 0;
	return tmp.columns_known ? tmp.columns : NULL;
}

static void
create_foreign_key(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx,
                   size_t opi)
{
	struct mg_op *op = &w->m->ops[opi];
	struct mg_fkey *fk;
	const char **cols;
	size_t n;

	table(w, call, on_batch, ctx, 1, "source_table", op);
	if (!on_batch)
		op->schema = str(w, mg_call_kwarg(w->s, call, "source_schema"));
	cols = strings(w, narg(w, call, on_batch, 3, "local_cols"), &n);
	fk = mg_model_add_op_fkey(w->m, opi, MG_SRC_OP);
	fk->columns = cols;
	fk->ncolumns = n;
	fk->ref_table = sarg(w, call, on_batch, 2, "referent_table");
	fk->name = sarg(w, call, 0, 0, "constraint_name");
	fk->name_expr = name_expr(w, mg_call_arg_or_kw(w->s, call, 0, "constraint_name"), fk->name);
	fk->schema = op->schema;
	fk->ref_columns = strings(w, narg(w, call, on_batch, 4, "remote_cols"), &n);
	fk->nref_columns = fk->ref_columns ? n : 0;
	fk->ref_schema = str(w, mg_call_kwarg(w->s, call, "referent_schema"));
	fk->ondelete = mg_table_ondelete(w, call);
	fk->not_valid =
	    mg_node_bool(w->s, mg_call_kwarg(w->s, call, "postgresql_not_valid")) == MG_YES;
}

static void
create_check(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, size_t opi)
{
	struct mg_op *op = &w->m->ops[opi];
	struct mg_check *k;
	TSNode nm = mg_call_arg_or_kw(w->s, call, 0, "constraint_name");

	table(w, call, on_batch, ctx, 1, "table_name", op);
	op->object = str(w, nm);
	k = mg_model_add_op_check(w->m, opi, MG_SRC_OP);
	k->name = op->object;
	k->name_expr = name_expr(w, nm, k->name);
	k->expr = sarg(w, call, on_batch, 2, "condition");
	k->not_valid =
	    mg_node_bool(w->s, mg_call_kwarg(w->s, call, "postgresql_not_valid")) == MG_YES;
	op->not_valid = k->not_valid;
	if (k->expr != NULL)
		k->column = mg_sql_check_column(&w->m->arena, k->expr);
}

static void
create_unique(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, size_t opi,
              int primary)
{
	struct mg_op *op = &w->m->ops[opi];
	struct mg_index *ix;

	table(w, call, on_batch, ctx, 1, "table_name", op);
	ix =
	    mg_model_add_op_index(w->m, opi, primary ? MG_IX_PRIMARY_KEY : MG_IX_UNIQUE, MG_SRC_OP);
	w->m->ops[opi].index = w->m->nindexes - 1;
	ix->name = sarg(w, call, 0, 0, "constraint_name");
	ix->name_expr = name_expr(w, mg_call_arg_or_kw(w->s, call, 0, "constraint_name"), ix->name);
	mg_index_columns(w, narg(w, call, on_batch, 2, "columns"), ix);
}

int
mg_ops_record(struct mg_walk *w, TSNode call, const char *method, int on_batch,
              const struct mg_ctx *ctx)
{
	const struct opspec *sp;
	struct mg_op *op;
	size_t opi;
	TSNode sql;

	for (sp = opspecs; sp->method != NULL; sp++)
		if (strcmp(sp->method, method) == 0)
			break;
	op = mg_model_add_op(w->m);
	opi = w->m->nops - 1;
	op->kind = sp->kind;
	op->name = method;
	op->dir = ctx->dir;
	op->function = ctx->function;
	op->source = MG_SRC_OP;
	op->span = mg_walk_span(w, call);
	op->stmt = mg_walk_span(w, ts_node_is_null(ctx->stmt) ? call : ctx->stmt);
	op->autocommit = ctx->autocommit;
	op->batch = on_batch;
	op->in_loop = ctx->in_loop;
	op->guard = ctx->guard;

	switch (sp->kind) {
	case MG_OP_CREATE_TABLE:
		mg_table_create(w, call, opi);
		break;
	case MG_OP_DROP_TABLE:
		table(w, call, 0, ctx, 0, "table_name", op);
		break;
	case MG_OP_RENAME_TABLE:
		table(w, call, 0, ctx, 0, "old_table_name", op);
		op->new_name = str(w, mg_call_arg_or_kw(w->s, call, 1, "new_table_name"));
		break;
	case MG_OP_CREATE_INDEX:
		create_index(w, call, on_batch, ctx, opi);
		break;
	case MG_OP_DROP_INDEX:
		drop_index(w, call, on_batch, ctx, op);
		break;
	case MG_OP_ADD_COLUMN:
		add_column(w, call, on_batch, ctx, opi);
		break;
	case MG_OP_DROP_COLUMN:
		table(w, call, on_batch, ctx, 0, "table_name", op);
		op->column = sarg(w, call, on_batch, 1, "column_name");
		break;
	case MG_OP_ALTER_COLUMN:
		alter_column(w, call, on_batch, ctx, op);
		break;
	case MG_OP_CREATE_FOREIGN_KEY:
		create_foreign_key(w, call, on_batch, ctx, opi);
		break;
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
		create_unique(w, call, on_batch, ctx, opi,
		              strcmp(method, "create_primary_key") == 0);
		break;
	case MG_OP_CREATE_CHECK_CONSTRAINT:
		create_check(w, call, on_batch, ctx, opi);
		break;
	case MG_OP_DROP_CONSTRAINT:
		table(w, call, on_batch, ctx, 1, "table_name", op);
		op->object = sarg(w, call, 0, 0, "constraint_name");
		if (op->object == NULL)
			op->name_expr =
			    name_expr(w, mg_call_arg_or_kw(w->s, call, 0, "constraint_name"), NULL);
		op->object_type = str(w, mg_call_arg_or_kw(w->s, call, on_batch ? 1 : 2, "type_"));
		break;
	case MG_OP_EXECUTE:
		sql = mg_call_arg_or_kw(w->s, call, 0, "sqltext");
		if (!ts_node_is_null(sql)) {
			op->sql = mg_walk_sql(w, sql);
			op->sql_line = mg_node_line(sql);
		}
		if (op->sql == NULL && mg_data_core(w, sql, opi))
			break; /* sa.update(t)... / t.delete(): its op follows */
		if (op->sql == NULL)
			mg_model_add_note(
			    w->m, op->span.line, op->span.col,
			    "op.execute() with SQL that is not a literal string: opaque, "
			    "not analysed");
		else
			mg_sql_analyze(w->m, opi); /* its statements follow it, in order */
		break;
	case MG_OP_BULK_INSERT: {
		TSNode t = mg_call_arg_or_kw(w->s, call, 0, "table");
		/* sa.table("name", ...) / table("name", ...) inline. */
		if (!ts_node_is_null(t) && ts_node_symbol(t) == mg_sym.call &&
		    mg_call_name_is(w->s, t, "table"))
			op->table = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(t, 0));
		break;
	}
	default:
		/* Alembic's PostgreSQL operation: an EXCLUDE constraint (ExcludeConstraint). */
		if (strcmp(method, "create_exclude_constraint") == 0) {
			table(w, call, on_batch, ctx, 1, "table_name", op);
			op->object = sarg(w, call, 0, 0, "constraint_name");
			op->object_type = "exclude";
		}
		break;
	}
	return 1;
}
