/*
 * The cursor walk over a function body (see walk.h). One TSTreeCursor goes
 * down and up the tree; the recursion only carries the context (autocommit
 * block, batch table, loop), which is what with/for/while statements change.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/sql.h"
#include "walk.h"

struct mg_span
mg_walk_span(const struct mg_walk *w, TSNode n)
{
	struct mg_span sp;

	sp.start = ts_node_start_byte(n) + w->s->base;
	sp.end = ts_node_end_byte(n) + w->s->base;
	sp.line = mg_node_line(n);
	sp.col = mg_node_col(n);
	return sp;
}

void
mg_walk_add_helper(struct mg_walk *w, const char *name)
{
	mg_grow(&w->helpers, &w->caphelpers, w->nhelpers + 1, sizeof(*w->helpers));
	w->helpers[w->nhelpers++] = name;
}

static int
is_helper(const struct mg_walk *w, TSNode ident)
{
	size_t i;

	for (i = 0; i < w->nhelpers; i++)
		if (mg_node_is_ident(w->s, ident, w->helpers[i]))
			return 1;
	return 0;
}

/* Methods of `op` that are not operations on the database. */
static int
not_an_op(const char *method)
{
	static const char *const skip[] = {
	    "f",
	    "get_bind",
	    "get_context",
	    "inline_literal",
	    "batch_alter_table",
	    "implementation_for",
	    "invoke",
	    "register_operation",
	    "run_async",
	    NULL,
	};
	size_t i;

	for (i = 0; skip[i] != NULL; i++)
		if (strcmp(method, skip[i]) == 0)
			return 1;
	return 0;
}

/*
 * bind.execute(sa.text("UPDATE ...")) and the like: SQL run on the
 * migration's connection counts as SQL (a batched backfill is written this
 * way), but only when it is a literal — any other .execute() is not ours.
 */
static int
connection_execute(struct mg_walk *w, TSNode n, TSNode attr, const struct mg_ctx *ctx)
{
	size_t first = w->m->nops;

	if (!mg_node_is_ident(w->s, attr, "execute") || ts_node_is_null(mg_call_arg(n, 0)) ||
	    !mg_data_is_statement(w, mg_call_arg(n, 0)))
		return 0;
	mg_ops_record(w, n, "execute", 0, ctx);
	w->m->ops[first].name = "bind.execute";
	return 1;
}

/* A call: an op, a helper (noted), or anything else (walked into). */
static int
call(struct mg_walk *w, TSNode n, const struct mg_ctx *ctx)
{
	TSNode f = ts_node_child_by_field_id(n, mg_sym.f_function);
	TSNode obj, attr;
	char *method;
	int on_batch;

	if (ts_node_is_null(f))
		return 0;
	if (ts_node_symbol(f) == mg_sym.identifier) {
		if (is_helper(w, f)) {
			mg_model_add_note(
			    w->m, mg_node_line(n), mg_node_col(n),
			    "%s() calls helper '%s': operations inside it are not analysed",
			    ctx->function, mg_node_dup(&w->m->arena, w->s, f));
			mg_data_helper_call(w, n, ctx);
		}
		return 0;
	}
	if (ts_node_symbol(f) != mg_sym.attribute)
		return 0;
	obj = ts_node_child_by_field_id(f, mg_sym.f_object);
	attr = ts_node_child_by_field_id(f, mg_sym.f_attribute);
	on_batch = ctx->batch_alias != NULL && mg_node_is_ident(w->s, obj, ctx->batch_alias);
	if (!on_batch && !mg_node_is_ident(w->s, obj, "op"))
		return mg_data_session_call(w, n, ctx) || connection_execute(w, n, attr, ctx);
	if (ts_node_is_null(attr))
		return 0;
	method = mg_node_dup(&w->m->arena, w->s, attr);
	if (not_an_op(method))
		return 0;
	return mg_ops_record(w, n, method, on_batch, ctx);
}

/* `with ...:` items that change the context of the body. */
static void
with_items(struct mg_walk *w, TSNode with, struct mg_ctx *ctx)
{
	TSTreeCursor c = ts_tree_cursor_new(with);

	/* with_statement > with_clause > with_item* */
	if (!ts_tree_cursor_goto_first_child(&c))
		goto out;
	do {
		TSNode clause = ts_tree_cursor_current_node(&c);
		uint32_t i, n;

		if (ts_node_symbol(clause) != mg_sym.with_clause)
			continue;
		n = ts_node_named_child_count(clause);
		for (i = 0; i < n; i++) {
			TSNode item = ts_node_named_child(clause, i);
			TSNode v = ts_node_child_by_field_id(item, mg_sym.f_value),
			       alias = {{0}, 0, 0};

			if (ts_node_is_null(v))
				continue;
			if (ts_node_symbol(v) == mg_sym.as_pattern) {
				alias = ts_node_child_by_field_id(v, mg_sym.f_alias);
				v = ts_node_named_child(v, 0);
			}
			if (ts_node_symbol(v) != mg_sym.call)
				continue;
			if (mg_call_name_is(w->s, v, "autocommit_block")) {
				/* Alembic asserts on a block inside a block (fix verification). */
				if (ctx->autocommit && w->m->nested_autocommit == 0)
					w->m->nested_autocommit = mg_walk_span(w, v).line;
				ctx->autocommit = 1;
			} else if (mg_call_name_is(w->s, v, "batch_alter_table") &&
			           !ts_node_is_null(alias)) {
				TSNode id = ts_node_named_child(alias, 0);
				if (ts_node_is_null(id) || ts_node_symbol(id) != mg_sym.identifier)
					continue;
				ctx->batch_alias = mg_node_dup(&w->m->arena, w->s, id);
				ctx->batch_table =
				    mg_node_string(&w->m->arena, w->s,
				                   mg_call_arg_or_kw(w->s, v, 0, "table_name"));
				ctx->batch_schema = mg_node_string(
				    &w->m->arena, w->s, mg_call_kwarg(w->s, v, "schema"));
			}
		}
	} while (ts_tree_cursor_goto_next_sibling(&c));
out:
	ts_tree_cursor_delete(&c);
}

/*
 * Contexts in force during the walk: each applies to the descendants of the
 * node at `depth` that pushed it. A block pushes one too, so the statement
 * it is walking (for op spans) is scoped to it.
 */
struct frame {
	uint32_t depth;
	int is_block;
	struct mg_ctx ctx;
};

/*
 * What a node does to the walk: 0 skip its subtree, 1 descend, 2 descend
 * with *k, 3 stop the walk.
 */
static int
enter(struct mg_walk *w, TSNode n, const struct mg_ctx *ctx, struct mg_ctx *k)
{
	TSSymbol y = ts_node_symbol(n);

	/*
	 * `def` or `class` inside an ERROR node (as a keyword, or read as a
	 * plain name): tree-sitter folded the rest of the file, the next
	 * function too, into this one after a syntax error. What follows is
	 * not this function's: stop here.
	 */
	if ((y == mg_sym.kw_def || y == mg_sym.kw_class || mg_node_is_ident(w->s, n, "def") ||
	     mg_node_is_ident(w->s, n, "class")) &&
	    !ts_node_is_null(ts_node_parent(n)) &&
	    ts_node_symbol(ts_node_parent(n)) == mg_sym.error)
		return 3;
	if (!ts_node_is_named(n) || y == mg_sym.comment || y == mg_sym.string)
		return 0;
	if (y == mg_sym.call && call(w, n, ctx))
		return 0;
	*k = *ctx;
	if (y == mg_sym.with_statement) {
		with_items(w, n, k);
		return 2;
	}
	if (y == mg_sym.for_statement || y == mg_sym.while_statement ||
	    y == mg_sym.function_definition || y == mg_sym.class_definition || y == mg_sym.lambda ||
	    y == mg_sym.list_comprehension || y == mg_sym.set_comprehension ||
	    y == mg_sym.dictionary_comprehension || y == mg_sym.generator_expression) {
		/* A loop, a comprehension, or a function that may be called any
		 * number of times: its ops do not run exactly once. */
		k->in_loop = 1;
		return 2;
	}
	return y == mg_sym.block ? 2 : 1;
}

/*
 * An iterative walk with one cursor: no recursion, so hostile nesting
 * (CPython accepts 200 levels of brackets, and far deeper operator chains)
 * cannot exhaust the stack.
 */
void
mg_walk_block(struct mg_walk *w, TSNode body, const struct mg_ctx *ctx)
{
	struct frame *st = NULL;
	size_t nst = 0, capst = 0;
	TSTreeCursor c;
	uint32_t d = 0;

	if (ts_node_is_null(body))
		return;
	mg_grow(&st, &capst, 1, sizeof(*st));
	st[0].depth = 0;
	st[0].is_block = 0;
	st[0].ctx = *ctx;
	nst = 1;
	c = ts_tree_cursor_new(body);
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		struct frame *top = &st[nst - 1];
		struct mg_ctx k;
		int how;

		if (top->is_block && top->depth + 1 == d)
			top->ctx.stmt = n;
		how = enter(w, n, &top->ctx, &k);
		if (how == 3)
			break;
		if (how == 2) {
			mg_grow(&st, &capst, nst + 1, sizeof(*st));
			st[nst].depth = d;
			st[nst].is_block = ts_node_symbol(n) == mg_sym.block;
			st[nst].ctx = k;
			nst++;
		}
		if (how != 0 && ts_tree_cursor_goto_first_child(&c)) {
			d++;
			continue;
		}
		for (;;) {
			while (nst > 1 && st[nst - 1].depth >= d)
				nst--;
			if (d == 0)
				goto done;
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			ts_tree_cursor_goto_parent(&c);
			d--;
		}
	}
done:
	ts_tree_cursor_delete(&c);
	free(st);
}
