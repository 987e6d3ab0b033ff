/*
 * Indentation checking (see pyindent.h), after CPython's tokenizer
 * (Parser/tokenizer.c, tok_get): at the start of each logical line outside
 * brackets, strings and backslash continuations, the indentation is
 * measured twice, with tabs to the next multiple of 8 and with tabs as one
 * column. Both measures must order the line the same way against the open
 * blocks (else TabError), and a dedent must land on a column that a block
 * started at (else IndentationError). Blank and comment-only lines do not
 * count. Two of the grammar's rules are checked too, as tree-sitter does
 * not enforce them: a block (a deeper line) follows a line ending in ':'
 * ("expected an indented block") and nothing else ("unexpected indent").
 */
#include "pyindent.h"

#define TABSIZE 8
#define MAXINDENT 100 /* CPython's limit: deeper is "too many levels of indentation" */

struct lexer {
	const char *s;
	size_t len, i;
	uint32_t line;
	size_t line_start;
	int depth;        /* open brackets */
	int continuation; /* the last line ended in a backslash */
	char quote;       /* inside a string: its quote, else 0 */
	int triple;       /* the string is triple-quoted */
	char last;        /* the last character of code seen (not space, not comment) */
};

static void
newline(struct lexer *x)
{
	x->line++;
	x->line_start = x->i;
}

/* Scans the rest of a physical line (from x->i) past its newline. */
static void
scan_line(struct lexer *x)
{
	x->continuation = 0;
	while (x->i < x->len) {
		char c = x->s[x->i++];

		if (c != ' ' && c != '\t' && c != '\f' && c != '\r' && c != '\n' && c != '#' &&
		    !(c == '\\' && !x->quote))
			x->last = x->quote ? x->quote : c;
		if (x->quote) {
			if (c == '\\' && x->i < x->len) {
				if (x->s[x->i] == '\n') {
					x->i++;
					newline(x);
					return;
				}
				x->i++;
			} else if (c == '\n') {
				if (!x->triple)
					x->quote = 0; /* unterminated: the grammar reports it */
				newline(x);
				return;
			} else if (c == x->quote) {
				if (!x->triple) {
					x->quote = 0;
				} else if (x->i + 1 < x->len && x->s[x->i] == c &&
				           x->s[x->i + 1] == c) {
					x->i += 2;
					x->quote = 0;
				}
			}
			continue;
		}
		switch (c) {
		case '\n':
			newline(x);
			return;
		case '#':
			while (x->i < x->len && x->s[x->i] != '\n')
				x->i++;
			break;
		case '\\':
			if (x->i < x->len && x->s[x->i] == '\n') {
				x->i++;
				x->continuation = 1;
				newline(x);
				return;
			}
			if (x->i + 1 < x->len && x->s[x->i] == '\r' && x->s[x->i + 1] == '\n') {
				x->i += 2;
				x->continuation = 1;
				newline(x);
				return;
			}
			break;
		case '\'':
		case '"':
			x->quote = c;
			x->triple = x->i + 1 < x->len && x->s[x->i] == c && x->s[x->i + 1] == c;
			if (x->triple)
				x->i += 2;
			break;
		case '(':
		case '[':
		case '{':
			x->depth++;
			break;
		case ')':
		case ']':
		case '}':
			if (x->depth > 0)
				x->depth--;
			break;
		default:
			break;
		}
	}
}

const char *
mg_pyindent_check(const char *src, size_t len, uint32_t *line, uint32_t *col)
{
	struct lexer x = {src, len, 0, 1, 0, 0, 0, 0, 0, 0};
	int ind[MAXINDENT + 1], alt[MAXINDENT + 1];
	int top = 0;

	ind[0] = alt[0] = 0;
	while (x.i < x.len) {
		int c = 0, a = 0, pushed;
		char ch;

		if (x.quote || x.depth > 0 || x.continuation) {
			scan_line(&x);
			continue;
		}
		for (; x.i < x.len; x.i++) {
			ch = x.s[x.i];
			if (ch == ' ') {
				c++;
				a++;
			} else if (ch == '\t') {
				c = (c / TABSIZE + 1) * TABSIZE;
				a++;
			} else if (ch == '\f') {
				c = a = 0;
			} else {
				break;
			}
		}
		*line = x.line;
		*col = (uint32_t)(x.i - x.line_start) + 1;
		if (x.i >= x.len)
			break;
		ch = x.s[x.i];
		if (ch == '#' || ch == '\n' ||
		    (ch == '\r' && (x.i + 1 >= x.len || x.s[x.i + 1] == '\n')) ||
		    (ch == '\\' && x.i + 1 < x.len && x.s[x.i + 1] == '\n')) {
			/* Blank, comment-only, or a lone backslash: not a logical line's start. */
			scan_line(&x);
			continue;
		}
		pushed = 0;
		if (c == ind[top]) {
			if (a != alt[top])
				return "inconsistent use of tabs and spaces in indentation";
		} else if (c > ind[top]) {
			if (top == MAXINDENT)
				return "too many levels of indentation";
			if (a <= alt[top])
				return "inconsistent use of tabs and spaces in indentation";
			top++;
			ind[top] = c;
			alt[top] = a;
			pushed = 1;
		} else {
			while (top > 0 && c < ind[top])
				top--;
			if (c != ind[top])
				return "unindent does not match any outer indentation level";
			if (a != alt[top])
				return "inconsistent use of tabs and spaces in indentation";
		}
		/*
		 * Then the grammar, as Python meets it after the tokenizer: a block
		 * opens after a line ending in ':', and only there.
		 */
		if (x.last == ':' && !pushed)
			return "expected an indented block";
		if (x.last != ':' && pushed)
			return "unexpected indent";
		scan_line(&x);
	}
	if (x.last == ':')
		return "expected an indented block";
	return NULL;
}
