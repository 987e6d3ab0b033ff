/*
 * Tree-sitter plumbing for the analyzer (see pytree.h). Node symbols are
 * looked up by name once, so the walk compares integers, and a grammar
 * upgrade that renames a node fails loudly at start-up instead of silently
 * analysing nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migen/model.h"
#include "migen/pystr.h"
#include "pytree.h"

const TSLanguage *tree_sitter_python(void);

struct mg_pysyms mg_sym;
static pthread_once_t syms_once = PTHREAD_ONCE_INIT;

static TSSymbol
sym(const TSLanguage *l, const char *name, int named)
{
	TSSymbol s = ts_language_symbol_for_name(l, name, (uint32_t)strlen(name), named);

	if (s == 0) {
		fprintf(stderr,
		        "migen: tree-sitter-python has no node '%s' (wrong grammar version?)\n",
		        name);
		abort();
	}
	return s;
}

static TSFieldId
field(const TSLanguage *l, const char *name)
{
	TSFieldId f = ts_language_field_id_for_name(l, name, (uint32_t)strlen(name));

	if (f == 0) {
		fprintf(stderr, "migen: tree-sitter-python has no field '%s'\n", name);
		abort();
	}
	return f;
}

static void
init_syms(void)
{
	const TSLanguage *l = tree_sitter_python();
	struct mg_pysyms *y = &mg_sym;

	y->module = sym(l, "module", 1);
	y->expression_statement = sym(l, "expression_statement", 1);
	y->assignment = sym(l, "assignment", 1);
	y->string = sym(l, "string", 1);
	y->concatenated_string = sym(l, "concatenated_string", 1);
	y->parenthesized_expression = sym(l, "parenthesized_expression", 1);
	y->function_definition = sym(l, "function_definition", 1);
	y->decorated_definition = sym(l, "decorated_definition", 1);
	y->with_statement = sym(l, "with_statement", 1);
	y->with_clause = sym(l, "with_clause", 1);
	y->with_item = sym(l, "with_item", 1);
	y->as_pattern = sym(l, "as_pattern", 1);
	y->as_pattern_target = sym(l, "as_pattern_target", 1);
	y->call = sym(l, "call", 1);
	y->attribute = sym(l, "attribute", 1);
	y->identifier = sym(l, "identifier", 1);
	y->argument_list = sym(l, "argument_list", 1);
	y->keyword_argument = sym(l, "keyword_argument", 1);
	y->list = sym(l, "list", 1);
	y->tuple = sym(l, "tuple", 1);
	y->none = sym(l, "none", 1);
	y->true_ = sym(l, "true", 1);
	y->false_ = sym(l, "false", 1);
	y->block = sym(l, "block", 1);
	y->for_statement = sym(l, "for_statement", 1);
	y->while_statement = sym(l, "while_statement", 1);
	y->if_statement = sym(l, "if_statement", 1);
	y->class_definition = sym(l, "class_definition", 1);
	y->error = sym(l, "ERROR", 1);
	y->integer = sym(l, "integer", 1);
	y->comment = sym(l, "comment", 1);
	y->list_splat = sym(l, "list_splat", 1);
	y->dictionary_splat = sym(l, "dictionary_splat", 1);
	y->type = sym(l, "type", 1);
	y->lambda = sym(l, "lambda", 1);
	y->list_comprehension = sym(l, "list_comprehension", 1);
	y->set_comprehension = sym(l, "set_comprehension", 1);
	y->dictionary_comprehension = sym(l, "dictionary_comprehension", 1);
	y->generator_expression = sym(l, "generator_expression", 1);
	y->kw_def = sym(l, "def", 0);
	y->kw_class = sym(l, "class", 0);
	y->import_statement = sym(l, "import_statement", 1);
	y->import_from_statement = sym(l, "import_from_statement", 1);
	y->future_import_statement = sym(l, "future_import_statement", 1);
	y->aliased_import = sym(l, "aliased_import", 1);
	y->dotted_name = sym(l, "dotted_name", 1);
	y->wildcard_import = sym(l, "wildcard_import", 1);
	y->f_left = field(l, "left");
	y->f_right = field(l, "right");
	y->f_type = field(l, "type");
	y->f_name = field(l, "name");
	y->f_body = field(l, "body");
	y->f_function = field(l, "function");
	y->f_arguments = field(l, "arguments");
	y->f_object = field(l, "object");
	y->f_attribute = field(l, "attribute");
	y->f_value = field(l, "value");
	y->f_alias = field(l, "alias");
	y->f_definition = field(l, "definition");
	y->elif_clause = sym(l, "elif_clause", 1);
	y->else_clause = sym(l, "else_clause", 1);
	y->comparison_operator = sym(l, "comparison_operator", 1);
	y->not_operator = sym(l, "not_operator", 1);
	y->boolean_operator = sym(l, "boolean_operator", 1);
	y->return_statement = sym(l, "return_statement", 1);
	y->raise_statement = sym(l, "raise_statement", 1);
	y->pattern_list = sym(l, "pattern_list", 1);
	y->tuple_pattern = sym(l, "tuple_pattern", 1);
	y->dictionary = sym(l, "dictionary", 1);
	y->pair = sym(l, "pair", 1);
	y->interpolation = sym(l, "interpolation", 1);
	y->string_content = sym(l, "string_content", 1);
	y->set = sym(l, "set", 1);
	y->augmented_assignment = sym(l, "augmented_assignment", 1);
	y->subscript = sym(l, "subscript", 1);
	y->f_condition = field(l, "condition");
	y->f_consequence = field(l, "consequence");
	y->f_alternative = field(l, "alternative");
	y->f_argument = field(l, "argument");
	y->f_operator = field(l, "operator");
	y->f_expression = field(l, "expression");
	y->f_key = field(l, "key");
}

const TSLanguage *
mg_pytree_language(void)
{
	pthread_once(&syms_once, init_syms);
	return tree_sitter_python();
}

TSParser *
mg_pytree_parser_new(void)
{
	TSParser *p = ts_parser_new();

	ts_parser_set_language(p, mg_pytree_language());
	return p;
}

const char *
mg_node_ptr(const struct mg_pysrc *s, TSNode n)
{
	uint32_t b = ts_node_start_byte(n);
	return s->text + (b <= s->len ? b : s->len);
}

size_t
mg_node_len(TSNode n)
{
	return ts_node_end_byte(n) - ts_node_start_byte(n);
}

uint32_t
mg_node_line(TSNode n)
{
	return ts_node_start_point(n).row + 1;
}

uint32_t
mg_node_col(TSNode n)
{
	return ts_node_start_point(n).column + 1;
}

int
mg_node_is_ident(const struct mg_pysrc *s, TSNode n, const char *word)
{
	size_t len = strlen(word);

	return !ts_node_is_null(n) && ts_node_symbol(n) == mg_sym.identifier &&
	       mg_node_len(n) == len && memcmp(mg_node_ptr(s, n), word, len) == 0;
}

char *
mg_node_dup(struct mg_arena *a, const struct mg_pysrc *s, TSNode n)
{
	return mg_arena_strndup(a, mg_node_ptr(s, n), mg_node_len(n));
}

TSNode
mg_node_unparen(TSNode n)
{
	while (!ts_node_is_null(n) && ts_node_symbol(n) == mg_sym.parenthesized_expression &&
	       ts_node_named_child_count(n) == 1)
		n = ts_node_named_child(n, 0);
	return n;
}

/* Appends a literal's value to out; 0 if it is not a plain literal. */
static int
literal(const struct mg_pysrc *s, TSNode n, struct mg_buf *out)
{
	n = mg_node_unparen(n);
	if (ts_node_is_null(n) || ts_node_has_error(n))
		return 0;
	if (ts_node_symbol(n) == mg_sym.string) {
		return mg_pystr_decode(mg_node_ptr(s, n), mg_node_len(n), out, NULL) == MG_PYSTR_OK;
	}
	if (ts_node_symbol(n) == mg_sym.concatenated_string) {
		TSTreeCursor c = ts_tree_cursor_new(n);
		int ok = 1;

		if (ts_tree_cursor_goto_first_child(&c)) {
			do {
				TSNode k = ts_tree_cursor_current_node(&c);
				if (ts_node_symbol(k) == mg_sym.comment)
					continue;
				if (ts_node_symbol(k) != mg_sym.string || !literal(s, k, out)) {
					ok = 0;
					break;
				}
			} while (ts_tree_cursor_goto_next_sibling(&c));
		}
		ts_tree_cursor_delete(&c);
		return ok;
	}
	return 0;
}

char *
mg_node_string_plain(struct mg_arena *a, const struct mg_pysrc *s, TSNode n)
{
	struct mg_buf b = {0};
	char *r = NULL;

	if (literal(s, n, &b))
		r = mg_arena_strndup(a, b.s ? b.s : "", b.len);
	mg_buf_free(&b);
	return r;
}

char *
mg_node_string(struct mg_arena *a, const struct mg_pysrc *s, TSNode n)
{
	n = mg_node_unparen(n);
	if (!ts_node_is_null(n) && ts_node_symbol(n) == mg_sym.call &&
	    (mg_call_name_is(s, n, "f") || mg_call_name_is(s, n, "text")) && mg_call_npos(n) == 1)
		n = mg_call_arg(n, 0);
	return mg_node_string_plain(a, s, n);
}

int
mg_node_bool(const struct mg_pysrc *s, TSNode n)
{
	(void)s;
	n = mg_node_unparen(n);
	if (ts_node_is_null(n))
		return MG_UNKNOWN;
	if (ts_node_symbol(n) == mg_sym.true_)
		return MG_YES;
	if (ts_node_symbol(n) == mg_sym.false_)
		return MG_NO;
	return MG_UNKNOWN;
}

int
mg_node_is_none(TSNode n)
{
	n = mg_node_unparen(n);
	return !ts_node_is_null(n) && ts_node_symbol(n) == mg_sym.none;
}

int
mg_call_name_is(const struct mg_pysrc *s, TSNode call, const char *name)
{
	TSNode f = ts_node_child_by_field_id(call, mg_sym.f_function);

	if (ts_node_is_null(f))
		return 0;
	if (ts_node_symbol(f) == mg_sym.attribute)
		f = ts_node_child_by_field_id(f, mg_sym.f_attribute);
	return mg_node_is_ident(s, f, name);
}

/*
 * Walks the argument list once with a cursor: positional arguments up to
 * the first *args, keyword arguments by name.
 */
static TSNode
find_arg(const struct mg_pysrc *s, TSNode call, int nth, const char *kw, unsigned *npos)
{
	TSNode args = ts_node_child_by_field_id(call, mg_sym.f_arguments), found = {{0}, 0, 0};
	TSTreeCursor c;
	unsigned pos = 0;
	int splat = 0;

	if (npos != NULL)
		*npos = 0;
	if (ts_node_is_null(args) || ts_node_symbol(args) != mg_sym.argument_list)
		return found;
	c = ts_tree_cursor_new(args);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode k = ts_tree_cursor_current_node(&c);
			TSSymbol y;

			if (!ts_node_is_named(k))
				continue;
			y = ts_node_symbol(k);
			if (y == mg_sym.comment)
				continue;
			if (y == mg_sym.keyword_argument) {
				if (kw != NULL &&
				    mg_node_is_ident(s, ts_node_child_by_field_id(k, mg_sym.f_name),
				                     kw)) {
					found = ts_node_child_by_field_id(k, mg_sym.f_value);
					break;
				}
				continue;
			}
			if (y == mg_sym.list_splat || y == mg_sym.dictionary_splat) {
				splat = 1;
				continue;
			}
			if (splat)
				continue;
			if (nth >= 0 && pos == (unsigned)nth) {
				found = k;
				break;
			}
			pos++;
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
	if (npos != NULL)
		*npos = pos;
	return found;
}

TSNode
mg_call_arg(TSNode call, unsigned nth)
{
	return find_arg(NULL, call, (int)nth, NULL, NULL);
}

TSNode
mg_call_kwarg(const struct mg_pysrc *s, TSNode call, const char *name)
{
	return find_arg(s, call, -1, name, NULL);
}

TSNode
mg_call_arg_or_kw(const struct mg_pysrc *s, TSNode call, unsigned nth, const char *name)
{
	TSNode n = mg_call_arg(call, nth);

	return ts_node_is_null(n) ? mg_call_kwarg(s, call, name) : n;
}

unsigned
mg_call_npos(TSNode call)
{
	unsigned n;

	find_arg(NULL, call, -1, NULL, &n);
	return n;
}
