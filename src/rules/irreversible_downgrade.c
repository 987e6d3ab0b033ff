/*
 * irreversible-downgrade: upgrade() changes the schema and downgrade() is
 * missing, only `pass` (or a docstring, `...`), or raises. `alembic
 * downgrade` then fails, or worse, records the older revision while the
 * schema stays as upgrade() left it, and the next upgrade fails on objects
 * that already exist. Teams that never downgrade say so once in
 * [tool.migen] (`downgrades = false`) and the rule is silent.
 */
#include <string.h>

#include "common.h"

/* Operations that change the schema (data changes and opaque calls do not count). */
static int
changes_schema(const struct mg_op *op)
{
	switch (op->kind) {
	case MG_OP_OTHER:
	case MG_OP_EXECUTE:
	case MG_OP_BULK_INSERT:
	case MG_OP_UPDATE:
	case MG_OP_EMPTY_TABLE:
		return 0;
	default:
		return 1;
	}
}

enum body { BODY_OTHER, BODY_EMPTY, BODY_RAISES };

static int
starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 &&
	       ((size_t)(end - p) == n ||
	        !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	          (p[n] >= '0' && p[n] <= '9')));
}

/*
 * What the body of function f does, read from the source: its statements at
 * the body's indentation are only `pass`, `...` and docstrings (empty), or
 * the first one is `raise` (raises). Anything else is work migen does not
 * judge here.
 */
static enum body
body_of(const struct mg_model *m, const struct mg_function *f)
{
	const char *src = m->src, *end, *p, *line;
	size_t indent;
	int any = 0;

	if (src == NULL || f->body_start >= m->srclen)
		return BODY_OTHER;
	end = src + m->srclen;
	line = src + f->body_start;
	while (line > src && line[-1] != '\n')
		line--;
	indent = (size_t)(src + f->body_start - line);
	for (p = line; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		size_t col;

		if (eol == NULL)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		col = (size_t)(q - p);
		if (q == eol || *q == '#' || *q == '\r') {
			p = eol + (eol < end);
			continue;
		}
		if (col < indent)
			break; /* the function ends */
		if (col == indent) {
			if (starts(q, eol, "raise"))
				return any ? BODY_OTHER : BODY_RAISES;
			if (starts(q, eol, "pass") || starts(q, eol, "...")) {
				/* nothing */
			} else if (*q == '"' || *q == '\'') {
				/* a docstring: skip to its end when it spans lines */
				if ((size_t)(eol - q) >= 3 &&
				    (memcmp(q, "\"\"\"", 3) == 0 || memcmp(q, "'''", 3) == 0)) {
					char delim[4] = {q[0], q[0], q[0], 0};
					const char *close = NULL, *s = q + 3;
					for (; s + 3 <= end; s++)
						if (memcmp(s, delim, 3) == 0) {
							close = s;
							break;
						}
					if (close == NULL)
						return BODY_OTHER;
					eol = memchr(close, '\n', (size_t)(end - close));
					if (eol == NULL)
						eol = end;
				}
			} else {
				any = 1;
				return BODY_OTHER;
			}
		}
		p = eol + (eol < end);
	}
	return BODY_EMPTY;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	const struct mg_op *first = NULL;
	const struct mg_function *down = NULL;
	struct mg_diag *g;
	enum body b = BODY_EMPTY;
	size_t i, n = 0;

	if (o->no_downgrades || m->syntax_errors)
		return;
	for (i = 0; i < m->nops; i++) {
		if (m->ops[i].dir == MG_UPGRADE && changes_schema(&m->ops[i])) {
			if (first == NULL)
				first = &m->ops[i];
			n++;
		}
		if (m->ops[i].dir == MG_DOWNGRADE)
			return; /* downgrade() does something: downgrade-mismatch judges it */
	}
	if (first == NULL)
		return;
	for (i = 0; i < m->nhelper_calls; i++)
		if (m->helper_calls[i].dir == MG_DOWNGRADE)
			return;
	for (i = 0; i < m->nfunctions; i++) {
		if (m->functions[i].dir != MG_DOWNGRADE)
			continue;
		down = &m->functions[i];
		b = body_of(m, down);
		if (b == BODY_OTHER)
			return;
		if (b == BODY_RAISES)
			break;
	}
	if (m->has_downgrade && down == NULL)
		return; /* a downgrade() without a body migen could read */
	g = mg_diags_add(d, "irreversible-downgrade", MG_WARNING);
	g->table = first->table;
	if (!m->has_downgrade) {
		g->line = first->span.line;
		g->col = first->span.col;
		g->message = mg_arena_printf(
		    &d->arena,
		    "upgrade() changes the schema (%zu operation%s) and there is no downgrade()", n,
		    n == 1 ? "" : "s");
	} else {
		g->line = down->body_line;
		g->col = 1;
		g->message = mg_arena_printf(
		    &d->arena, "upgrade() changes the schema (%zu operation%s) and downgrade() %s",
		    n, n == 1 ? "" : "s", b == BODY_RAISES ? "raises" : "does nothing");
	}
	g->note = "write the operations that undo upgrade() in downgrade() (autogenerate writes "
	          "them); a team that never downgrades sets `downgrades = false` in [tool.migen]";
}

const struct mg_rule mg_rule_irreversible_downgrade = {
    "irreversible-downgrade",
    "downgrade() is missing, does nothing or raises while upgrade() changes the schema",
    MG_WARNING,
    check,
    0,
};
