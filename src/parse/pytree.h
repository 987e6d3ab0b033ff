/*
 * The one module that owns tree-sitter: the parser, the node symbols looked
 * up once, and helpers that turn nodes into C values (text, literal strings,
 * call arguments, positions). Private to the analyzer; no TSNode leaves it.
 */
#ifndef MIGEN_PYTREE_H
#define MIGEN_PYTREE_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "migen/util.h"

struct mg_pysyms {
	TSSymbol module, expression_statement, assignment, string, concatenated_string,
	    parenthesized_expression, function_definition, decorated_definition, with_statement,
	    with_clause, with_item, as_pattern, as_pattern_target, call, attribute, identifier,
	    argument_list, keyword_argument, list, tuple, none, true_, false_, block, for_statement,
	    while_statement, if_statement, class_definition, error, integer, comment, list_splat,
	    dictionary_splat, type, lambda, list_comprehension, set_comprehension,
	    dictionary_comprehension, generator_expression, kw_def, kw_class, import_statement,
	    import_from_statement, future_import_statement, aliased_import, dotted_name,
	    wildcard_import;
	TSFieldId f_left, f_right, f_type, f_name, f_body, f_function, f_arguments, f_object,
	    f_attribute, f_value, f_alias, f_definition;
	/* walk.c: dialect guards, early returns, loops over literals. */
	TSSymbol elif_clause, else_clause, comparison_operator, not_operator, boolean_operator,
	    return_statement, raise_statement, pattern_list, tuple_pattern, dictionary, pair,
	    interpolation, string_content, set, augmented_assignment, subscript;
	TSFieldId f_condition, f_consequence, f_alternative, f_argument, f_operator, f_expression,
	    f_key;
};

extern struct mg_pysyms mg_sym;

/* The tree-sitter-python language; symbols are looked up on first use (thread-safe). */
const TSLanguage *mg_pytree_language(void);
/* A parser set to that language; ts_parser_delete() it. One per thread. */
TSParser *mg_pytree_parser_new(void);

/* A source being analysed: the bytes tree-sitter saw, and where they sit in the file. */
struct mg_pysrc {
	const char *text; /* the parsed bytes (after any BOM) */
	size_t len;
	uint32_t base; /* byte offset of text in the file: 3 after a UTF-8 BOM */
};

const char *mg_node_ptr(const struct mg_pysrc *s, TSNode n);
size_t mg_node_len(TSNode n);
/* 1-based line and column of the node's start. */
uint32_t mg_node_line(TSNode n);
uint32_t mg_node_col(TSNode n);

/* Whether n is an identifier spelling exactly word. */
int mg_node_is_ident(const struct mg_pysrc *s, TSNode n, const char *word);
/* The node's text copied into the arena. */
char *mg_node_dup(struct mg_arena *a, const struct mg_pysrc *s, TSNode n);

/*
 * The value of a literal string expression (string, implicit concatenation,
 * parentheses around either, op.f(...) / sa.text(...) / text(...) around
 * either), copied into the arena; NULL when it is not a literal.
 */
char *mg_node_string(struct mg_arena *a, const struct mg_pysrc *s, TSNode n);
/* Like mg_node_string, but only plain literals, no call wrappers. */
char *mg_node_string_plain(struct mg_arena *a, const struct mg_pysrc *s, TSNode n);
/* n without the parentheses around it: `((x))` is x. */
TSNode mg_node_unparen(TSNode n);
/* MG_YES / MG_NO for True / False, MG_UNKNOWN otherwise. */
int mg_node_bool(const struct mg_pysrc *s, TSNode n);
int mg_node_is_none(TSNode n);

/* The last dotted name of a call's function: "Column" for sa.Column(...). */
int mg_call_name_is(const struct mg_pysrc *s, TSNode call, const char *name);

/*
 * Call arguments. The nth positional argument (0-based; stops at the first
 * *args, after which positions are unknown) or a null node; a keyword
 * argument by name or a null node.
 */
TSNode mg_call_arg(TSNode call, unsigned nth);
TSNode mg_call_kwarg(const struct mg_pysrc *s, TSNode call, const char *name);
/* The positional argument nth, or else the keyword argument name. */
TSNode mg_call_arg_or_kw(const struct mg_pysrc *s, TSNode call, unsigned nth, const char *name);
/* Number of positional arguments before any *args. */
unsigned mg_call_npos(TSNode call);

#endif
