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
	if (on_batch) {
		op->table = ctx->batch_table;
		op->schema = ctx->batch_schema;
		return;
	}
	op->table = str(w, mg_call_arg_or_kw(w->s, call, pos, kw));
	op->schema = str(w, mg_call_kwarg(w->s, call, "schema"));
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
}

static void
drop_index(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx, struct mg_op *op)
{
	table(w, call, on_batch, ctx, 1, "table_name", op);
	op->object = sarg(w, call, 0, 0, "index_name");
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
			}
		}
	}
}

static void
alter_column(struct mg_walk *w, TSNode call, int on_batch, const struct mg_ctx *ctx,
             struct mg_op *op)
{
	TSNode nul = mg_call_kwarg(w->s, call, "nullable");
	TSNode def = mg_call_kwarg(w->s, call, "server_default");

	table(w, call, on_batch, ctx, 0, "table_name", op);
	op->column = sarg(w, call, on_batch, 1, "column_name");
	op->nullable = ts_node_is_null(nul) ? MG_UNKNOWN : mg_node_bool(w->s, nul);
	if (ts_node_is_null(def))
		op->has_server_default = MG_NO;
	else
		op->has_server_default = mg_node_is_none(def) ? MG_NO : MG_YES;
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
	case MG_OP_DROP_CONSTRAINT:
		table(w, call, on_batch, ctx, 1, "table_name", op);
		op->object = sarg(w, call, 0, 0, "constraint_name");
		break;
	case MG_OP_EXECUTE:
		sql = mg_call_arg_or_kw(w->s, call, 0, "sqltext");
		if (!ts_node_is_null(sql)) {
			op->sql = str(w, sql);
			op->sql_line = mg_node_line(sql);
		}
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
		break;
	}
	return 1;
}
