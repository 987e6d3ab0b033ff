/*
 * The analyzer's walk (see analyze.h). One pass over the module reads the
 * revision variables and the docstring and finds upgrade()/downgrade(); one
 * cursor walk over each of those bodies records every op.* and batch_op.*
 * call, with the context that changes its meaning (autocommit block, batch
 * table, loop). Arguments are read by position or keyword exactly as Alembic
 * declares them; anything not a literal is left unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/pystr.h"
#include "migen/sql.h"
#include "pyindent.h"
#include "pytree.h"
#include "revhead.h"
#include "walk.h"

#define MG_MAX_SYNTAX_ERRORS 20

static int
is_directional(const char *name, size_t len, enum mg_direction *dir)
{
	if (len >= 7 && memcmp(name, "upgrade", 7) == 0 && (len == 7 || name[7] == '_')) {
		*dir = MG_UPGRADE;
		return 1;
	}
	if (len >= 9 && memcmp(name, "downgrade", 9) == 0 && (len == 9 || name[9] == '_')) {
		*dir = MG_DOWNGRADE;
		return 1;
	}
	return 0;
}

/* A str, a tuple/list of str, or None: a revision variable's value. */
static void
strlist(struct mg_walk *w, TSNode v, struct mg_strlist *out)
{
	const char *one;

	out->present = 1;
	out->known = 0;
	out->n = 0;
	out->v = NULL;
	if (ts_node_is_null(v))
		return;
	while (ts_node_symbol(v) == mg_sym.parenthesized_expression &&
	       ts_node_named_child_count(v) == 1)
		v = ts_node_named_child(v, 0);
	if (mg_node_is_none(v)) {
		out->known = 1;
		return;
	}
	if ((one = mg_node_string_plain(&w->m->arena, w->s, v)) != NULL) {
		out->v = mg_arena_alloc(&w->m->arena, sizeof(*out->v));
		out->v[0] = one;
		out->n = 1;
		out->known = 1;
		return;
	}
	if (ts_node_symbol(v) == mg_sym.tuple || ts_node_symbol(v) == mg_sym.list ||
	    ts_node_symbol(v) == mg_sym.parenthesized_expression) {
		size_t n = 0, cap = 0;
		const char **items = NULL;
		int known = 1;
		TSTreeCursor c = ts_tree_cursor_new(v);

		if (ts_tree_cursor_goto_first_child(&c)) {
			do {
				TSNode k = ts_tree_cursor_current_node(&c);
				const char *s;

				if (!ts_node_is_named(k) || ts_node_symbol(k) == mg_sym.comment)
					continue;
				if ((s = mg_node_string_plain(&w->m->arena, w->s, k)) == NULL) {
					known = 0;
					continue;
				}
				mg_grow(&items, &cap, n + 1, sizeof(*items));
				items[n++] = s;
			} while (ts_tree_cursor_goto_next_sibling(&c));
		}
		ts_tree_cursor_delete(&c);
		out->v = mg_arena_alloc(&w->m->arena, (n ? n : 1) * sizeof(*out->v));
		if (n)
			memcpy(out->v, items, n * sizeof(*items));
		out->n = n;
		out->known = known;
		free(items);
	}
}

static void
assignment(struct mg_walk *w, TSNode a)
{
	TSNode left = ts_node_child_by_field_id(a, mg_sym.f_left);
	TSNode right = ts_node_child_by_field_id(a, mg_sym.f_right);
	struct mg_revinfo *r = &w->m->rev;

	if (mg_node_is_ident(w->s, left, "revision")) {
		r->has_revision = 1;
		r->revision =
		    ts_node_is_null(right) ? NULL : mg_node_string_plain(&w->m->arena, w->s, right);
		r->revision_span = mg_walk_span(w, a);
	} else if (mg_node_is_ident(w->s, left, "down_revision")) {
		strlist(w, right, &r->down_revision);
	} else if (mg_node_is_ident(w->s, left, "branch_labels")) {
		strlist(w, right, &r->branch_labels);
	} else if (mg_node_is_ident(w->s, left, "depends_on")) {
		strlist(w, right, &r->depends_on);
	}
}

/* The first line of the module docstring, trimmed. */
static void
docstring(struct mg_walk *w, TSNode str)
{
	char *s = mg_node_string_plain(&w->m->arena, w->s, str);

	if (s != NULL)
		w->m->rev.message = mg_revhead_first_line(s);
}

/* Records every ERROR and MISSING node (up to a limit) as a syntax error. */
static void
syntax_errors(struct mg_walk *w, TSNode root)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	size_t found = 0;

	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		int descend = ts_node_has_error(n);

		if (ts_node_is_missing(n)) {
			if (found++ < MG_MAX_SYNTAX_ERRORS)
				mg_model_add_error(w->m, mg_node_line(n), mg_node_col(n),
				                   "invalid syntax: missing '%s'", ts_node_type(n));
			descend = 0;
		} else if (ts_node_symbol(n) == mg_sym.error) {
			if (found++ < MG_MAX_SYNTAX_ERRORS)
				mg_model_add_error(w->m, mg_node_line(n), mg_node_col(n),
				                   "invalid syntax");
			/* Errors nested in an error add nothing a reader needs. */
			descend = 0;
		}
		if (descend && ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				if (found > MG_MAX_SYNTAX_ERRORS)
					mg_model_add_error(w->m, 0, 0,
					                   "%zu more syntax errors not shown",
					                   found - MG_MAX_SYNTAX_ERRORS);
				return;
			}
		}
	}
}

/*
 * What tree-sitter forgives and Python does not (TabError, a dedent to no
 * block's column): the same syntax error for every command, so such a file
 * is never written by --write and doctor --full reports it.
 */
static void
indentation(struct mg_model *m, const struct mg_pysrc *s)
{
	uint32_t line, col;
	const char *why = mg_pyindent_check(s->text, s->len, &line, &col);

	if (why != NULL)
		mg_model_add_error(m, line, col, "%s", why);
}

static void
function(struct mg_walk *w, TSNode def, int helper_pass)
{
	TSNode name = ts_node_child_by_field_id(def, mg_sym.f_name), body;
	struct mg_ctx ctx;
	enum mg_direction dir;

	if (ts_node_is_null(name))
		return;
	if (!is_directional(mg_node_ptr(w->s, name), mg_node_len(name), &dir)) {
		if (helper_pass)
			mg_walk_add_helper(w, mg_node_dup(&w->m->arena, w->s, name));
		return;
	}
	if (helper_pass)
		return;
	/* Each function sees the module's names, not another function's locals. */
	w->nbinds = w->nmodule_binds;
	if (dir == MG_UPGRADE)
		w->m->has_upgrade = 1;
	else
		w->m->has_downgrade = 1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = dir;
	ctx.function = mg_node_dup(&w->m->arena, w->s, name);
	body = ts_node_child_by_field_id(def, mg_sym.f_body);
	if (!ts_node_is_null(body) && ts_node_child_count(body) > 0) {
		struct mg_function *f;
		TSNode first = ts_node_child(body, 0);

		mg_grow(&w->m->functions, &w->m->capfunctions, w->m->nfunctions + 1,
		        sizeof(*w->m->functions));
		f = &w->m->functions[w->m->nfunctions++];
		f->name = ctx.function;
		f->dir = dir;
		/* A comment right after the `def` line is the body's first line. */
		if (ts_node_start_byte(def) < ts_node_start_byte(body)) {
			TSNode prev = ts_node_prev_sibling(body);
			while (!ts_node_is_null(prev) && ts_node_symbol(prev) == mg_sym.comment)
				first = prev, prev = ts_node_prev_sibling(prev);
		}
		f->body_start = ts_node_start_byte(first) + w->s->base;
		f->body_line = mg_node_line(first);
	}
	mg_walk_block(w, body, &ctx);
}

/*
 * One name an import binds, and the dotted path it stands for: `from
 * module import x as y` binds y to module.x, `import a.b` binds a to a,
 * `import a.b as c` binds c to a.b (module NULL for a plain import).
 */
static void
bind_name(struct mg_walk *w, TSNode n, const char *module)
{
	struct mg_model *m = w->m;
	const char *name, *target = NULL;
	size_t cap;
	TSNode what = n;

	if (ts_node_symbol(n) == mg_sym.aliased_import) {
		what = ts_node_child_by_field_id(n, mg_sym.f_name);
		n = ts_node_child_by_field_id(n, mg_sym.f_alias);
	} else if (ts_node_symbol(n) == mg_sym.dotted_name && module == NULL) {
		n = ts_node_named_child(n, 0); /* import a.b binds a */
		what = n;
	}
	if (ts_node_is_null(n))
		return;
	name = ts_node_symbol(n) == mg_sym.wildcard_import ? "*" : mg_node_dup(&m->arena, w->s, n);
	if (ts_node_symbol(n) != mg_sym.wildcard_import && !ts_node_is_null(what)) {
		const char *x = mg_node_dup(&m->arena, w->s, what);
		if (module == NULL)
			target = x;
		else if (module[0] != '.')
			target = mg_arena_printf(&m->arena, "%s.%s", module, x);
	}
	cap = m->capimports;
	mg_grow(&m->imports, &m->capimports, m->nimports + 1, sizeof(*m->imports));
	if (m->capimports != cap || m->import_targets == NULL)
		m->import_targets =
		    mg_xreallocarray(m->import_targets, m->capimports, sizeof(*m->import_targets));
	m->import_targets[m->nimports] = target;
	m->imports[m->nimports++] = name;
}

/*
 * A module-level import: the names it binds, and the end of its line (where
 * --write adds an import its code needs).
 */
static void
import(struct mg_walk *w, TSNode n)
{
	TSTreeCursor c = ts_tree_cursor_new(n);
	uint32_t end = ts_node_end_byte(n) + w->s->base;
	TSNode mod = ts_node_child_by_field_name(n, "module_name", 11);
	const char *module = NULL;

	if (ts_node_symbol(n) == mg_sym.import_from_statement)
		module = ts_node_is_null(mod) ? "." : mg_node_dup(&w->m->arena, w->s, mod);

	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			if (ts_tree_cursor_current_field_id(&c) == mg_sym.f_name ||
			    ts_node_symbol(k) == mg_sym.wildcard_import)
				bind_name(w, k, module);
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	while (end < w->m->srclen && w->m->src[end] != '\n')
		end++;
	w->m->imports_end = end < w->m->srclen ? end + 1 : end;
}

/* Whether n (first: the module's first statement) is not the module's docstring. */
static int
not_docstring(TSNode n, int first)
{
	return !(first && ts_node_symbol(n) == mg_sym.expression_statement &&
	         ts_node_named_child_count(n) >= 1 &&
	         ts_node_symbol(ts_node_named_child(n, 0)) == mg_sym.string);
}

/* Top-level statements; the helper pass only collects module function names. */
static void
module(struct mg_walk *w, TSNode root, int helper_pass, enum mg_analyze_mode mode)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	int first = 1, seen = 0;

	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode n = ts_tree_cursor_current_node(&c);
			TSSymbol y = ts_node_symbol(n);

			if (y == mg_sym.comment)
				continue;
			if (!helper_pass && !seen && not_docstring(n, first)) {
				w->m->first_stmt = ts_node_start_byte(n) + w->s->base;
				seen = 1;
			}
			if (!helper_pass &&
			    (y == mg_sym.import_statement || y == mg_sym.import_from_statement ||
			     y == mg_sym.future_import_statement))
				import(w, n);
			if (y == mg_sym.decorated_definition) {
				n = ts_node_child_by_field_id(n, mg_sym.f_definition);
				y = ts_node_is_null(n) ? 0 : ts_node_symbol(n);
			}
			if (y == mg_sym.function_definition) {
				if (mode == MG_ANALYZE_FULL)
					function(w, n, helper_pass);
			} else if (helper_pass && y == mg_sym.expression_statement &&
			           ts_node_named_child_count(n) >= 1) {
				/* Module constants, for names used in upgrade()/downgrade(). */
				mg_walk_statement(w, ts_node_named_child(n, 0));
			} else if (!helper_pass && y == mg_sym.expression_statement &&
			           ts_node_named_child_count(n) >= 1) {
				TSNode e = ts_node_named_child(n, 0);
				if (first && ts_node_symbol(e) == mg_sym.string)
					docstring(w, e);
				else if (ts_node_symbol(e) == mg_sym.assignment)
					assignment(w, e);
			}
			first = 0;
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
}

/* The style new code should follow: quotes, indentation, line endings. */
static void
style(struct mg_model *m, const char *src, size_t len)
{
	size_t i, dq = 0, sq = 0;
	const char *p;

	for (i = 0; i < len; i++) {
		if (src[i] == '"')
			dq++;
		else if (src[i] == '\'')
			sq++;
	}
	m->quote = sq > dq ? '\'' : '"';
	if ((p = memchr(src, '\n', len)) != NULL && p > src && p[-1] == '\r')
		m->eol = "\r\n";
	/* The first indented line after a `def` line gives one level. */
	for (p = src; p != NULL && p < src + len;) {
		const char *nl = memchr(p, '\n', (size_t)(src + len - p));
		if (nl == NULL)
			break;
		if ((size_t)(src + len - p) > 4 && memcmp(p, "def ", 4) == 0) {
			const char *q = nl + 1, *e = q;
			while (e < src + len && (*e == ' ' || *e == '\t'))
				e++;
			if (e > q && e < src + len && *e != '\n' && *e != '\r' && *e != '#') {
				m->indent = mg_arena_strndup(&m->arena, q, (size_t)(e - q));
				break;
			}
		}
		p = nl + 1;
	}
}

struct mg_parser {
	TSParser *ts;
};

struct mg_parser *
mg_parser_new(void)
{
	struct mg_parser *p = mg_xcalloc(1, sizeof(*p));

	p->ts = mg_pytree_parser_new();
	return p;
}

void
mg_parser_free(struct mg_parser *p)
{
	if (p == NULL)
		return;
	ts_parser_delete(p->ts);
	free(p);
}

/* The bytes tree-sitter sees: the file without its UTF-8 BOM. */
static struct mg_pysrc
pysrc(const char *src, size_t len)
{
	struct mg_pysrc s = {src, len, 0};

	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
		s.text = src + 3;
		s.len = len - 3;
		s.base = 3;
	}
	return s;
}

/*
 * The comments: tree-sitter keeps them as extra nodes. Looking up the node
 * at each '#' is cheaper than walking the whole tree, and a '#' inside a
 * string is not a comment node, so it is not taken.
 */
static void
comments(struct mg_model *m, const struct mg_pysrc *s, TSNode root)
{
	const char *p = s->text, *end = s->text + s->len;

	while ((p = memchr(p, '#', (size_t)(end - p))) != NULL) {
		uint32_t at = (uint32_t)(p - s->text);
		TSNode n = ts_node_descendant_for_byte_range(root, at, at + 1);
		struct mg_comment *c;
		size_t len;

		if (ts_node_symbol(n) != mg_sym.comment || ts_node_start_byte(n) != at) {
			p++;
			continue;
		}
		len = mg_node_len(n);
		mg_grow(&m->comments, &m->capcomments, m->ncomments + 1, sizeof(*m->comments));
		c = &m->comments[m->ncomments++];
		c->start = at + s->base;
		c->line = mg_node_line(n);
		c->col = mg_node_col(n);
		c->text = mg_arena_strndup(&m->arena, p, len);
		p += len > 0 ? len : 1;
	}
}

struct mg_model *
mg_analyze_with(struct mg_parser *p, const char *path, const char *src, size_t len,
                enum mg_analyze_mode mode)
{
	struct mg_model *m = mg_model_new(path);
	struct mg_pysrc s = pysrc(src, len);
	struct mg_walk w;
	TSTree *tree;
	TSNode root;

	tree = ts_parser_parse_string(p->ts, NULL, s.text, (uint32_t)s.len);
	root = ts_tree_root_node(tree);

	m->src = src;
	m->srclen = len;
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.s = &s;
	style(m, s.text, s.len);
	if (ts_node_has_error(root)) {
		m->syntax_errors = 1;
		syntax_errors(&w, root);
	}
	indentation(m, &s);
	if (mode == MG_ANALYZE_FULL) {
		module(&w, root, 1, mode);
		mg_data_scan(&w, root);
		comments(m, &s, root);
	}
	w.nmodule_binds = w.nbinds;
	module(&w, root, 0, mode);
	mg_data_free(&w);

	if (mode == MG_ANALYZE_FULL)
		mg_model_finish(m);
	free(w.helpers);
	free(w.binds);
	ts_tree_delete(tree);
	return m;
}

struct mg_model *
mg_analyze(const char *path, const char *src, size_t len, enum mg_analyze_mode mode)
{
	struct mg_parser *p = mg_parser_new();
	struct mg_model *m = mg_analyze_with(p, path, src, len, mode);

	mg_parser_free(p);
	return m;
}

static int
all_variables(const struct mg_revinfo *r)
{
	return r->has_revision && r->down_revision.present && r->branch_labels.present &&
	       r->depends_on.present;
}

struct mg_model *
mg_analyze_header(struct mg_parser *p, const char *path, const char *src, size_t len)
{
	struct mg_pysrc s = pysrc(src, len);
	size_t end = mg_revhead_end(s.text, s.len);
	struct mg_model *m;
	struct mg_walk w;
	TSTree *tree;
	TSNode root;
	int bad;

	/* Python refuses NUL bytes and (without a coding cookie) bad UTF-8;
	 * mg_input_read() says which when the whole file is read instead. */
	if (end == (size_t)-1 || memchr(s.text, '\0', end) != NULL || !mg_utf8_valid(s.text, end))
		return NULL;
	m = mg_model_new(path);
	m->src = src;
	m->srclen = len;
	if (mg_revhead_scan(m, s.text, end, s.base) && all_variables(&m->rev))
		return m;

	/* Not a template-shaped header: tree-sitter reads it, still only the header. */
	memset(&m->rev, 0, sizeof(m->rev));
	s.len = end;
	tree = ts_parser_parse_string(p->ts, NULL, s.text, (uint32_t)s.len);
	root = ts_tree_root_node(tree);
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.s = &s;
	bad = ts_node_has_error(root);
	if (!bad)
		module(&w, root, 0, MG_ANALYZE_REVISION);
	ts_tree_delete(tree);
	if (bad || !all_variables(&m->rev)) {
		mg_model_free(m);
		return NULL;
	}
	return m;
}
