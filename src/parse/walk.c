/*
 * The cursor walk over a function body (see walk.h). One TSTreeCursor goes
 * down and up the tree; the recursion only carries the context (autocommit
 * block, batch table, loop, guard), which is what with/for/while/if
 * statements change.
 *
 * Two things make the walk follow what runs on PostgreSQL rather than what
 * is written. A branch on the dialect (`if bind.dialect.name == "sqlite":`,
 * `if op.get_context().dialect.name != "postgresql": return`) is evaluated:
 * code that never runs on PostgreSQL is not recorded at all. Any other
 * condition is kept, as source text, in the guard of what runs under it, so
 * that findings can say `runs only if ...`. And a for loop over a literal
 * list or tuple in the file (inline, a local or a module constant) is
 * unrolled: its body is walked once per item with the loop variables bound,
 * so `for name, table, cols in INDEXES: op.create_index(name, table, cols)`
 * is as many create_index calls as INDEXES has items.
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

/* How many items a loop may have and still be unrolled, and how deep loops may nest. */
#define MG_UNROLL_MAX_ITEMS 256
#define MG_UNROLL_MAX_DEPTH 4
/* Loops nested deeper than this are walked as before, without recursion (hostile nesting). */
#define MG_LOOP_MAX_DEPTH 32
/* Loop items walked per file, nested loops multiplying: beyond, loops are opaque. */
#define MG_UNROLL_BUDGET 4096
/* Names bound per file: beyond, none is resolved (a lookup is a linear search). */
#define MG_MAX_BINDS 4096
/* How much of a condition a guard quotes. */
#define MG_GUARD_MAX 60

enum { PG_NEVER = 0, PG_ALWAYS = 1, PG_UNKNOWN = -1 };

static const struct mg_bind *
lookup(const struct mg_walk *w, TSNode ident)
{
	size_t i;

	if (w->binds_full || ts_node_is_null(ident) || ts_node_symbol(ident) != mg_sym.identifier)
		return NULL;
	for (i = w->nbinds; i-- > 0;)
		if (mg_node_is_ident(w->s, ident, w->binds[i].name))
			return &w->binds[i];
	return NULL;
}

static void
bind(struct mg_walk *w, const char *name, TSNode value, enum mg_bind_kind kind, int pg)
{
	struct mg_bind *b;

	if (w->nbinds >= MG_MAX_BINDS) {
		/* Forgetting one binding could leave an older value visible. */
		w->binds_full = 1;
		return;
	}
	mg_grow(&w->binds, &w->capbinds, w->nbinds + 1, sizeof(*w->binds));
	b = &w->binds[w->nbinds++];
	b->name = name;
	b->value = value;
	b->kind = kind;
	b->pg = pg;
}

TSNode
mg_walk_resolve(const struct mg_walk *w, TSNode n)
{
	int hops;

	/* A few hops: A = B, B = "x". A cycle (A = B, B = A) cannot be assigned
	 * with literals, but a bound limit costs nothing. */
	for (hops = 0; hops < 8; hops++) {
		const struct mg_bind *b;

		n = mg_node_unparen(n);
		if ((b = lookup(w, n)) == NULL || b->kind != MG_BIND_VALUE)
			return n;
		n = b->value;
	}
	return n;
}

TSNode
mg_walk_resolve_call(const struct mg_walk *w, TSNode n)
{
	const struct mg_bind *b;

	n = mg_walk_resolve(w, n);
	if ((b = lookup(w, n)) != NULL && b->kind == MG_BIND_CALL)
		return b->value;
	return n;
}

/* An f-string whose replacement fields are bare names bound to literal strings. */
static char *
fstring(struct mg_walk *w, TSNode n)
{
	const char *p = mg_node_ptr(w->s, n);
	struct mg_buf b = {0};
	TSTreeCursor c;
	char *r = NULL;
	int ok = 1, f = 0;

	if (ts_node_is_null(n) || ts_node_symbol(n) != mg_sym.string)
		return NULL;
	/* The prefix: f or F, and nothing that changes what the text means. */
	for (; *p != '\'' && *p != '"'; p++) {
		if (*p == 'f' || *p == 'F')
			f = 1;
		else
			return NULL;
	}
	if (!f)
		return NULL;
	c = ts_tree_cursor_new(n);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			TSSymbol y = ts_node_symbol(k);

			if (y == mg_sym.string_content) {
				const char *t = mg_node_ptr(w->s, k);
				size_t len = mg_node_len(k);
				/* Escapes and {{ }} would need decoding: not a name's business. */
				if (memchr(t, '\\', len) || memchr(t, '{', len) ||
				    memchr(t, '}', len))
					ok = 0;
				else
					mg_buf_add(&b, t, len);
			} else if (y == mg_sym.interpolation) {
				TSNode e = ts_node_child_by_field_id(k, mg_sym.f_expression);
				char *v;
				if (ts_node_named_child_count(k) != 1 || ts_node_is_null(e) ||
				    ts_node_symbol(e) != mg_sym.identifier ||
				    (v = mg_node_string_plain(&w->m->arena, w->s,
				                              mg_walk_resolve(w, e))) == NULL)
					ok = 0;
				else
					mg_buf_puts(&b, v);
			} else if (ts_node_is_named(k) && y != mg_sym.comment &&
			           strcmp(ts_node_type(k), "string_start") != 0 &&
			           strcmp(ts_node_type(k), "string_end") != 0) {
				ok = 0;
			}
		} while (ok && ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	if (ok)
		r = mg_arena_strndup(&w->m->arena, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	return r;
}

static char *
walk_string(struct mg_walk *w, TSNode n, int fstrings)
{
	char *s;

	if (ts_node_is_null(n))
		return NULL;
	n = mg_walk_resolve(w, n);
	if ((s = mg_node_string(&w->m->arena, w->s, n)) != NULL)
		return s;
	if (ts_node_symbol(n) == mg_sym.call &&
	    (mg_call_name_is(w->s, n, "f") || mg_call_name_is(w->s, n, "text")) &&
	    mg_call_npos(n) == 1) {
		n = mg_walk_resolve(w, mg_call_arg(n, 0));
		if ((s = mg_node_string(&w->m->arena, w->s, n)) != NULL)
			return s;
	}
	return fstrings ? fstring(w, n) : NULL;
}

char *
mg_walk_string(struct mg_walk *w, TSNode n)
{
	return walk_string(w, n, 1);
}

char *
mg_walk_sql(struct mg_walk *w, TSNode n)
{
	int depth;

	/* textwrap.dedent("..."), also inside sa.text(): the same SQL (only the
	 * indentation changes, which the parser skips). */
	for (depth = 0; depth < 4 && !ts_node_is_null(n); depth++) {
		TSNode r = mg_walk_resolve(w, n);
		if (ts_node_symbol(r) == mg_sym.call && mg_call_npos(r) == 1 &&
		    (mg_call_name_is(w->s, r, "dedent") || mg_call_name_is(w->s, r, "text")))
			n = mg_call_arg(r, 0);
		else
			break;
	}
	return walk_string(w, n, 0);
}

/* Whether n names the SQLAlchemy dialect: `<x>.dialect.name`, `<x>.engine.name`, or a name bound to
 * one. */
static int
dialect_expr(const struct mg_walk *w, TSNode n)
{
	const struct mg_bind *b;
	TSNode obj;

	n = mg_node_unparen(n);
	if (ts_node_is_null(n))
		return 0;
	if ((b = lookup(w, n)) != NULL)
		return b->kind == MG_BIND_DIALECT;
	if (ts_node_symbol(n) != mg_sym.attribute ||
	    !mg_node_is_ident(w->s, ts_node_child_by_field_id(n, mg_sym.f_attribute), "name"))
		return 0;
	obj = ts_node_child_by_field_id(n, mg_sym.f_object);
	if (ts_node_is_null(obj) || ts_node_symbol(obj) != mg_sym.attribute)
		return 0;
	obj = ts_node_child_by_field_id(obj, mg_sym.f_attribute);
	return mg_node_is_ident(w->s, obj, "dialect") || mg_node_is_ident(w->s, obj, "engine");
}

/* PG_ALWAYS when the literal string is PostgreSQL's dialect name, PG_NEVER for another, else
 * unknown. */
static int
is_pg_name(struct mg_walk *w, TSNode lit)
{
	const char *v = mg_node_string_plain(&w->m->arena, w->s, mg_walk_resolve(w, lit));

	if (v == NULL)
		return PG_UNKNOWN;
	return strcmp(v, "postgresql") == 0 ? PG_ALWAYS : PG_NEVER;
}

/* dialect == "x", != "x", in ("x", "y"), not in (...). */
static int
pg_compare(struct mg_walk *w, TSNode cmp)
{
	TSNode a, b, items;
	char op[16];
	const char *p, *q;
	size_t n = 0;
	int r = PG_NEVER;
	uint32_t i;

	if (ts_node_named_child_count(cmp) != 2)
		return PG_UNKNOWN;
	a = ts_node_named_child(cmp, 0);
	b = ts_node_named_child(cmp, 1);
	/* The operator is what lies between the operands, spaces folded. */
	p = w->s->text + ts_node_end_byte(a);
	q = w->s->text + ts_node_start_byte(b);
	for (; p < q && n + 1 < sizeof(op); p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\\')
			op[n++] = *p;
	op[n] = '\0';
	if (!dialect_expr(w, a)) {
		TSNode t = a;
		a = b;
		b = t;
		if (strcmp(op, "==") != 0 && strcmp(op, "!=") != 0)
			return PG_UNKNOWN;
	}
	if (!dialect_expr(w, a))
		return PG_UNKNOWN;
	if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0) {
		r = is_pg_name(w, b);
		if (r == PG_UNKNOWN || op[0] == '=')
			return r;
		return !r;
	}
	if (strcmp(op, "in") != 0 && strcmp(op, "notin") != 0)
		return PG_UNKNOWN;
	items = mg_walk_resolve(w, b);
	if (ts_node_symbol(items) != mg_sym.tuple && ts_node_symbol(items) != mg_sym.list &&
	    ts_node_symbol(items) != mg_sym.set)
		return PG_UNKNOWN;
	for (i = 0; i < ts_node_named_child_count(items); i++) {
		TSNode k = ts_node_named_child(items, i);
		int one;
		if (ts_node_symbol(k) == mg_sym.comment)
			continue;
		if ((one = is_pg_name(w, k)) == PG_UNKNOWN)
			return PG_UNKNOWN;
		if (one == PG_ALWAYS)
			r = PG_ALWAYS;
	}
	return op[0] == 'i' ? r : !r;
}

/* The value of a condition on PostgreSQL, as far as the dialect decides it. */
static int
pg_eval(struct mg_walk *w, TSNode n)
{
	const struct mg_bind *b;
	TSSymbol y;

	n = mg_node_unparen(n);
	if (ts_node_is_null(n))
		return PG_UNKNOWN;
	y = ts_node_symbol(n);
	/* `if True:` / `if False:` (code switched off by hand) decide like a dialect test. */
	if (y == mg_sym.true_ || y == mg_sym.false_)
		return y == mg_sym.true_ ? PG_ALWAYS : PG_NEVER;
	if (y == mg_sym.not_operator) {
		int r = pg_eval(w, ts_node_child_by_field_id(n, mg_sym.f_argument));
		return r == PG_UNKNOWN ? r : !r;
	}
	if (y == mg_sym.boolean_operator) {
		int l = pg_eval(w, ts_node_child_by_field_id(n, mg_sym.f_left));
		int r = pg_eval(w, ts_node_child_by_field_id(n, mg_sym.f_right));
		TSNode o = ts_node_child_by_field_id(n, mg_sym.f_operator);
		int is_and = !ts_node_is_null(o) && strcmp(ts_node_type(o), "and") == 0;
		if (is_and)
			return l == PG_NEVER || r == PG_NEVER     ? PG_NEVER
			       : l == PG_ALWAYS && r == PG_ALWAYS ? PG_ALWAYS
			                                          : PG_UNKNOWN;
		return l == PG_ALWAYS || r == PG_ALWAYS ? PG_ALWAYS
		       : l == PG_NEVER && r == PG_NEVER ? PG_NEVER
		                                        : PG_UNKNOWN;
	}
	if (y == mg_sym.comparison_operator)
		return pg_compare(w, n);
	if (y == mg_sym.call) {
		/* dialect.startswith("postgres") */
		TSNode f = ts_node_child_by_field_id(n, mg_sym.f_function);
		const char *v;
		if (!ts_node_is_null(f) && ts_node_symbol(f) == mg_sym.attribute &&
		    mg_node_is_ident(w->s, ts_node_child_by_field_id(f, mg_sym.f_attribute),
		                     "startswith") &&
		    dialect_expr(w, ts_node_child_by_field_id(f, mg_sym.f_object)) &&
		    mg_call_npos(n) == 1 &&
		    (v = mg_node_string_plain(&w->m->arena, w->s, mg_call_arg(n, 0))) != NULL)
			return strncmp("postgresql", v, strlen(v)) == 0 ? PG_ALWAYS : PG_NEVER;
		return PG_UNKNOWN;
	}
	if ((b = lookup(w, n)) != NULL && b->kind == MG_BIND_PG)
		return b->pg;
	return PG_UNKNOWN;
}

/* guard and (cond) / and not (cond): a condition's source on one line, shortened. */
static const char *
guard_and(struct mg_walk *w, const char *guard, TSNode cond, int negate)
{
	struct mg_buf b = {0};
	const char *p, *end, *r;
	size_t n = 0;
	int space = 0;

	cond = mg_node_unparen(cond);
	if (negate && ts_node_symbol(cond) == mg_sym.not_operator) {
		cond = mg_node_unparen(ts_node_child_by_field_id(cond, mg_sym.f_argument));
		negate = 0;
	}
	if (guard != NULL)
		mg_buf_printf(&b, "%s and ", guard);
	if (negate)
		mg_buf_puts(&b, "not (");
	p = mg_node_ptr(w->s, cond);
	end = p + mg_node_len(cond);
	for (; p < end; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\\') {
			space = n > 0;
			continue;
		}
		if (n >= MG_GUARD_MAX && ((unsigned char)*p & 0xC0) != 0x80) {
			mg_buf_puts(&b, "...");
			break;
		}
		if (space)
			mg_buf_putc(&b, ' '), n++, space = 0;
		mg_buf_putc(&b, *p);
		n++;
	}
	if (negate)
		mg_buf_puts(&b, ")");
	r = mg_arena_strndup(&w->m->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

/*
 * Applies one condition (negated for the branches after it) to k: 0 when the
 * branch never runs on PostgreSQL.
 */
static int
apply_condition(struct mg_walk *w, TSNode cond, int negate, struct mg_ctx *k)
{
	int r = pg_eval(w, cond);

	if (r != PG_UNKNOWN && negate)
		r = !r;
	if (r == PG_NEVER)
		return 0;
	if (r == PG_UNKNOWN)
		k->guard = guard_and(w, k->guard, cond, negate);
	return 1;
}

/*
 * The context of a block that is a branch of an if statement: the if's
 * condition for its body; for an elif or else, every earlier condition
 * negated (and the elif's own). 0 when the branch never runs on PostgreSQL.
 */
static int
branch(struct mg_walk *w, TSNode block, TSNode clause, struct mg_ctx *k)
{
	TSNode ifs =
	    ts_node_symbol(clause) == mg_sym.if_statement ? clause : ts_node_parent(clause);
	uint32_t i, n;

	if (ts_node_is_null(ifs) || ts_node_symbol(ifs) != mg_sym.if_statement)
		return 1;
	if (ts_node_eq(clause, ifs)) {
		if (!ts_node_eq(block, ts_node_child_by_field_id(ifs, mg_sym.f_consequence)))
			return 1;
		return apply_condition(w, ts_node_child_by_field_id(ifs, mg_sym.f_condition), 0, k);
	}
	if (!apply_condition(w, ts_node_child_by_field_id(ifs, mg_sym.f_condition), 1, k))
		return 0;
	n = ts_node_named_child_count(ifs);
	for (i = 0; i < n; i++) {
		TSNode c = ts_node_named_child(ifs, i);
		if (ts_node_eq(c, clause))
			break;
		if (ts_node_symbol(c) == mg_sym.elif_clause &&
		    !apply_condition(w, ts_node_child_by_field_id(c, mg_sym.f_condition), 1, k))
			return 0;
	}
	if (ts_node_symbol(clause) == mg_sym.elif_clause)
		return apply_condition(w, ts_node_child_by_field_id(clause, mg_sym.f_condition), 0,
		                       k);
	return 1;
}

/* Whether a block always leaves the function: its last statement returns or raises. */
static int
exits(TSNode block)
{
	uint32_t n = ts_node_named_child_count(block);

	while (n > 0) {
		TSNode last = ts_node_named_child(block, --n);
		if (ts_node_symbol(last) == mg_sym.comment)
			continue;
		return ts_node_symbol(last) == mg_sym.return_statement ||
		       ts_node_symbol(last) == mg_sym.raise_statement;
	}
	return 0;
}

/* An expression that can stand for itself wherever its name is used. */
static int
literal_value(TSNode n)
{
	TSSymbol y;

	n = mg_node_unparen(n);
	if (ts_node_is_null(n) || ts_node_has_error(n))
		return 0;
	y = ts_node_symbol(n);
	return y == mg_sym.string || y == mg_sym.concatenated_string || y == mg_sym.list ||
	       y == mg_sym.tuple || y == mg_sym.dictionary || y == mg_sym.set ||
	       y == mg_sym.integer || y == mg_sym.true_ || y == mg_sym.false_ || y == mg_sym.none;
}

/* NAME (or the name under NAME[i], NAME.attr) now holds something unknown. */
static void
forget(struct mg_walk *w, TSNode target)
{
	target = mg_node_unparen(target);
	while (!ts_node_is_null(target) && (ts_node_symbol(target) == mg_sym.subscript ||
	                                    ts_node_symbol(target) == mg_sym.attribute))
		target = ts_node_child_by_field_id(
		    target,
		    ts_node_symbol(target) == mg_sym.subscript ? mg_sym.f_value : mg_sym.f_object);
	if (lookup(w, target) != NULL)
		bind(w, mg_node_dup(&w->m->arena, w->s, target), target, MG_BIND_UNKNOWN, 0);
}

/* Methods that change a list, dict or set in place. */
static int
mutator(const struct mg_walk *w, TSNode name)
{
	static const char *const m[] = {"append", "extend",  "insert",     "pop",  "remove",
	                                "clear",  "update",  "setdefault", "sort", "reverse",
	                                "add",    "discard", "popitem",    NULL};
	size_t i;

	for (i = 0; m[i] != NULL; i++)
		if (mg_node_is_ident(w->s, name, m[i]))
			return 1;
	return 0;
}

static void
assign(struct mg_walk *w, TSNode a)
{
	TSNode left = ts_node_child_by_field_id(a, mg_sym.f_left);
	TSNode right = ts_node_child_by_field_id(a, mg_sym.f_right);
	const char *name;
	int pg;

	if (ts_node_is_null(left))
		return;
	if (ts_node_symbol(left) != mg_sym.identifier) {
		/* a, b = ...; x[i] = ...; x.y = ...: what those names hold is unknown. */
		uint32_t i, n = ts_node_named_child_count(left);
		if (ts_node_symbol(left) == mg_sym.pattern_list ||
		    ts_node_symbol(left) == mg_sym.tuple_pattern)
			for (i = 0; i < n; i++)
				forget(w, ts_node_named_child(left, i));
		else
			forget(w, left);
		return;
	}
	name = mg_node_dup(&w->m->arena, w->s, left);
	if (ts_node_is_null(right))
		bind(w, name, right, MG_BIND_UNKNOWN, 0);
	else if (dialect_expr(w, right))
		bind(w, name, right, MG_BIND_DIALECT, 0);
	else if ((pg = pg_eval(w, right)) != PG_UNKNOWN)
		bind(w, name, right, MG_BIND_PG, pg);
	else if (literal_value(right) || lookup(w, mg_node_unparen(right)) != NULL)
		bind(w, name, mg_node_unparen(right), MG_BIND_VALUE, 0);
	else if (ts_node_symbol(mg_node_unparen(right)) == mg_sym.call)
		bind(w, name, mg_node_unparen(right), MG_BIND_CALL, 0);
	else
		bind(w, name, right, MG_BIND_UNKNOWN, 0);
}

void
mg_walk_statement(struct mg_walk *w, TSNode e)
{
	TSSymbol y = ts_node_is_null(e) ? 0 : ts_node_symbol(e);

	if (y == mg_sym.assignment) {
		assign(w, e);
	} else if (y == mg_sym.augmented_assignment) {
		forget(w, ts_node_child_by_field_id(e, mg_sym.f_left));
	} else if (y == mg_sym.call) {
		TSNode f = ts_node_child_by_field_id(e, mg_sym.f_function);
		if (!ts_node_is_null(f) && ts_node_symbol(f) == mg_sym.attribute &&
		    mutator(w, ts_node_child_by_field_id(f, mg_sym.f_attribute)))
			forget(w, ts_node_child_by_field_id(f, mg_sym.f_object));
	}
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

/*
 * `status.create(op.get_bind(), checkfirst=True)` / `.drop(...)` on an
 * sa.Enum or postgresql.ENUM (or a name bound to one): the type made or
 * dropped on its own, as projects do before add_column (which does not
 * create it). Recorded as a create_enum / drop_enum op with its type's
 * source text.
 */
static int
enum_type_call(struct mg_walk *w, TSNode call, TSNode obj, TSNode attr, const struct mg_ctx *ctx)
{
	TSNode t;
	struct mg_op *op;
	int create;

	if (ts_node_is_null(obj) || ts_node_is_null(attr))
		return 0;
	if (mg_node_is_ident(w->s, attr, "create"))
		create = 1;
	else if (mg_node_is_ident(w->s, attr, "drop"))
		create = 0;
	else
		return 0;
	t = mg_walk_resolve_call(w, obj);
	if (ts_node_is_null(t) || ts_node_symbol(t) != mg_sym.call ||
	    !(mg_call_name_is(w->s, t, "Enum") || mg_call_name_is(w->s, t, "ENUM")))
		return 0;
	op = mg_model_add_op(w->m);
	op->kind = create ? MG_OP_CREATE_ENUM : MG_OP_DROP_ENUM;
	op->name = mg_op_kind_name(op->kind);
	op->dir = ctx->dir;
	op->function = ctx->function;
	op->source = MG_SRC_OP;
	op->parent = w->m->nops - 1;
	op->span = mg_walk_span(w, call);
	op->stmt = mg_walk_span(w, ts_node_is_null(ctx->stmt) ? call : ctx->stmt);
	op->in_loop = ctx->in_loop;
	op->guard = ctx->guard;
	op->index = (size_t)-1;
	op->table_index = (size_t)-1;
	op->type_expr = mg_node_dup(&w->m->arena, w->s, t);
	op->if_exists = mg_node_bool(w->s, mg_call_kwarg(w->s, call, "checkfirst")) == MG_YES;
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
	if (!on_batch && enum_type_call(w, n, obj, attr, ctx))
		return 1;
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

/* Every operation recorded since `from` that has no known table. */
static size_t
unknown_tables(const struct mg_walk *w, size_t from)
{
	size_t i, n = 0;

	for (i = from; i < w->m->nops; i++) {
		const struct mg_op *op = &w->m->ops[i];
		if (op->source == MG_SRC_OP && op->table == NULL && op->kind != MG_OP_EXECUTE &&
		    op->kind != MG_OP_OTHER && op->kind != MG_OP_BULK_INSERT)
			n++;
	}
	return n;
}

/* The items of a loop's iterable, when it is a literal list or tuple (or dict.items()). */
static int
loop_items(struct mg_walk *w, TSNode it, TSNode *items, size_t *n, int *pairs)
{
	uint32_t i, c;

	int rev = 0;

	*pairs = 0;
	it = mg_walk_resolve(w, it);
	/* reversed(<literal>): downgrade() undoes a loop in the opposite order. */
	if (ts_node_symbol(it) == mg_sym.call &&
	    ts_node_symbol(ts_node_child_by_field_id(it, mg_sym.f_function)) == mg_sym.identifier &&
	    mg_call_name_is(w->s, it, "reversed") && mg_call_npos(it) == 1) {
		rev = 1;
		it = mg_walk_resolve(w, mg_call_arg(it, 0));
	}
	if (ts_node_symbol(it) == mg_sym.call && mg_call_name_is(w->s, it, "items") &&
	    mg_call_npos(it) == 0) {
		TSNode f = ts_node_child_by_field_id(it, mg_sym.f_function);
		if (ts_node_symbol(f) != mg_sym.attribute)
			return 0;
		it = mg_walk_resolve(w, ts_node_child_by_field_id(f, mg_sym.f_object));
		if (ts_node_symbol(it) != mg_sym.dictionary)
			return 0;
		*pairs = 1;
	} else if (ts_node_symbol(it) != mg_sym.list && ts_node_symbol(it) != mg_sym.tuple) {
		return 0;
	}
	*n = 0;
	c = ts_node_named_child_count(it);
	for (i = 0; i < c; i++) {
		TSNode k = ts_node_named_child(it, i);
		if (ts_node_symbol(k) == mg_sym.comment)
			continue;
		if ((*pairs && ts_node_symbol(k) != mg_sym.pair) ||
		    ts_node_symbol(k) == mg_sym.list_splat ||
		    ts_node_symbol(k) == mg_sym.dictionary_splat || *n >= MG_UNROLL_MAX_ITEMS)
			return 0;
		items[(*n)++] = k;
	}
	for (i = 0; rev && i < *n / 2; i++) {
		TSNode t = items[i];
		items[i] = items[*n - 1 - i];
		items[*n - 1 - i] = t;
	}
	return 1;
}

/* The names a loop binds: `x`, `a, b`, `(a, b)`; 0 for anything else. */
static size_t
loop_names(TSNode left, TSNode *names, size_t max)
{
	uint32_t i, c;
	size_t n = 0;

	left = mg_node_unparen(left);
	if (ts_node_symbol(left) == mg_sym.identifier) {
		names[0] = left;
		return 1;
	}
	if (ts_node_symbol(left) != mg_sym.pattern_list &&
	    ts_node_symbol(left) != mg_sym.tuple_pattern)
		return 0;
	c = ts_node_named_child_count(left);
	for (i = 0; i < c; i++) {
		TSNode k = ts_node_named_child(left, i);
		if (ts_node_symbol(k) == mg_sym.comment)
			continue;
		if (ts_node_symbol(k) != mg_sym.identifier || n >= max)
			return 0;
		names[n++] = k;
	}
	return n;
}

/* The parts of one item for names: the item itself, a tuple's elements, a pair's key and value. */
static int
unpack(struct mg_walk *w, TSNode item, size_t nnames, TSNode *parts)
{
	uint32_t i, c;
	size_t n = 0;

	if (ts_node_symbol(item) == mg_sym.pair) {
		if (nnames != 2)
			return 0;
		parts[0] = ts_node_child_by_field_id(item, mg_sym.f_key);
		parts[1] = ts_node_child_by_field_id(item, mg_sym.f_value);
		return !ts_node_is_null(parts[0]) && !ts_node_is_null(parts[1]);
	}
	if (nnames == 1) {
		parts[0] = item;
		return 1;
	}
	item = mg_walk_resolve(w, item);
	if (ts_node_symbol(item) != mg_sym.tuple && ts_node_symbol(item) != mg_sym.list)
		return 0;
	c = ts_node_named_child_count(item);
	for (i = 0; i < c; i++) {
		TSNode k = ts_node_named_child(item, i);
		if (ts_node_symbol(k) == mg_sym.comment)
			continue;
		if (ts_node_symbol(k) == mg_sym.list_splat || n >= nnames)
			return 0;
		parts[n++] = k;
	}
	return n == nnames;
}

#define MG_LOOP_NAMES 8

/*
 * A for loop over a literal: its body once per item, with the loop names
 * bound. Returns 0 (and walks nothing) when the loop is not one.
 */
static int
unroll(struct mg_walk *w, TSNode loop, const struct mg_ctx *k)
{
	TSNode names[MG_LOOP_NAMES], parts[MG_LOOP_NAMES], *items;
	TSNode body = ts_node_child_by_field_id(loop, mg_sym.f_body);
	size_t nitems, nnames, i, j, saved;
	int pairs;

	if (w->unroll_depth >= MG_UNROLL_MAX_DEPTH || ts_node_is_null(body) ||
	    !ts_node_is_null(ts_node_child_by_field_id(loop, mg_sym.f_alternative)) ||
	    (nnames = loop_names(ts_node_child_by_field_id(loop, mg_sym.f_left), names,
	                         MG_LOOP_NAMES)) == 0)
		return 0;
	items = mg_xcalloc(MG_UNROLL_MAX_ITEMS, sizeof(*items));
	if (!loop_items(w, ts_node_child_by_field_id(loop, mg_sym.f_right), items, &nitems,
	                &pairs)) {
		free(items);
		return 0;
	}
	if (w->unrolled + nitems > MG_UNROLL_BUDGET) {
		free(items);
		return 0;
	}
	/* Every item must unpack, or no item is walked: half a loop misleads. */
	for (i = 0; i < nitems; i++)
		if (!unpack(w, items[i], nnames, parts)) {
			free(items);
			return 0;
		}
	w->unrolled += nitems;
	w->unroll_depth++;
	for (i = 0; i < nitems; i++) {
		saved = w->nbinds;
		unpack(w, items[i], nnames, parts);
		for (j = 0; j < nnames; j++)
			bind(w, mg_node_dup(&w->m->arena, w->s, names[j]), parts[j], MG_BIND_VALUE,
			     0);
		mg_walk_block(w, body, k);
		w->nbinds = saved;
	}
	w->unroll_depth--;
	free(items);
	return 1;
}

/* A loop migen cannot unroll: its body once, and a note when what it does is unknown. */
static void
opaque_loop(struct mg_walk *w, TSNode loop, const struct mg_ctx *k)
{
	TSNode right = ts_node_child_by_field_id(loop, mg_sym.f_right);
	size_t before = w->m->nops, n;

	w->unroll_depth++;
	mg_walk_block(w, ts_node_child_by_field_id(loop, mg_sym.f_body), k);
	mg_walk_block(w, ts_node_child_by_field_id(loop, mg_sym.f_alternative), k);
	w->unroll_depth--;
	if ((n = unknown_tables(w, before)) > 0)
		mg_model_add_note(
		    w->m, mg_node_line(loop), mg_node_col(loop),
		    "%s(): the loop over `%s` is not unrolled (not a literal list or "
		    "tuple in this file, or too many items): %zu operation%s in it %s "
		    "not analysed",
		    k->function, guard_and(w, NULL, right, 0) /* one line, short */, n,
		    n == 1 ? "" : "s", n == 1 ? "is" : "are");
}

/*
 * What a node does to the walk: 0 skip its subtree, 1 descend, 2 descend
 * with *k, 3 stop the walk. ctx is the context of the block the node is in:
 * an early return changes it for the statements after the node.
 */
static int
enter(struct mg_walk *w, TSNode n, struct mg_ctx *ctx, struct mg_ctx *k)
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
	if (ctx->dead || !ts_node_is_named(n) || y == mg_sym.comment || y == mg_sym.string)
		return 0;
	if (y == mg_sym.call)
		mg_walk_statement(w, n); /* cols.append(...) */
	if (y == mg_sym.call && call(w, n, ctx))
		return 0;
	*k = *ctx;
	if (y == mg_sym.assignment || y == mg_sym.augmented_assignment) {
		mg_walk_statement(w, n);
		return 1;
	}
	if (y == mg_sym.with_statement) {
		with_items(w, n, k);
		return 2;
	}
	if (y == mg_sym.if_statement) {
		TSNode cons = ts_node_child_by_field_id(n, mg_sym.f_consequence);
		/* `if <cond>: return` — what follows in the block runs only if not <cond>. */
		if (!ts_node_is_null(cons) && exits(cons) &&
		    ts_node_is_null(ts_node_child_by_field_id(n, mg_sym.f_alternative))) {
			struct mg_ctx rest = *ctx;
			if (!apply_condition(w, ts_node_child_by_field_id(n, mg_sym.f_condition), 1,
			                     &rest))
				rest.dead = 1;
			*ctx = rest;
		}
		return 2;
	}
	if (y == mg_sym.block && !ts_node_is_null(ts_node_parent(n))) {
		TSNode p = ts_node_parent(n);
		TSSymbol py = ts_node_symbol(p);
		if ((py == mg_sym.if_statement || py == mg_sym.elif_clause ||
		     py == mg_sym.else_clause) &&
		    !branch(w, n, p, k))
			return 0; /* never runs on PostgreSQL */
		return 2;
	}
	if (y == mg_sym.for_statement && w->unroll_depth < MG_LOOP_MAX_DEPTH) {
		/* The iterable is evaluated once, outside the loop. */
		mg_walk_block(w, ts_node_child_by_field_id(n, mg_sym.f_right), ctx);
		k->in_loop = 1;
		if (!unroll(w, n, k))
			opaque_loop(w, n, k);
		return 0;
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
	return 1;
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
