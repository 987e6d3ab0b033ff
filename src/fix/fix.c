/*
 * Planning and applying fixes (see fix.h). The code a rule wrote is
 * indented for a function body at the file's own indentation; here it is
 * moved to the indentation of the statement it goes next to, and to the
 * file's line endings.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/fix.h"
#include "migen/ident.h"

static size_t
line_start(const char *s, size_t pos)
{
	while (pos > 0 && s[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Just past the newline ending the line that holds pos (or len). */
static size_t
line_after(const char *s, size_t len, size_t pos)
{
	while (pos < len && s[pos] != '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

static int
blank(const char *s, size_t from, size_t to)
{
	for (; from < to; from++)
		if (s[from] != ' ' && s[from] != '\t' && s[from] != '\r' && s[from] != '\n')
			return 0;
	return 1;
}

/*
 * code is indented one level (unit) deep; the result is indented with
 * prefix instead, and ends lines with eol.
 */
static char *
reindent(const char *code, const char *unit, const char *prefix, const char *eol)
{
	struct mg_buf b = {0};
	size_t ulen = strlen(unit);
	const char *p = code;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 0) {
			if (n >= ulen && memcmp(p, unit, ulen) == 0) {
				p += ulen;
				n -= ulen;
			}
			mg_buf_puts(&b, prefix);
			mg_buf_add(&b, p, n);
		}
		mg_buf_puts(&b, eol);
		p += n;
		if (*p == '\n')
			p++;
	}
	return mg_buf_detach(&b);
}

/* The line that opens an autocommit block, as the snippets write it. */
static const char with_block[] = "with op.get_context().autocommit_block():";

/*
 * The code without its own autocommit blocks, for a place already inside
 * one: Alembic refuses a block within a block (an AssertionError half-way
 * through the upgrade), and the enclosing block already commits each
 * statement. Each `with` line at the code's top level is dropped and its
 * body moved one level (unit) out.
 */
static char *
unwrap_autocommit(const char *code, const char *unit)
{
	struct mg_buf b = {0};
	size_t ulen = strlen(unit);
	const char *p = code;
	int inside = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		size_t text = n - (nl != NULL);

		if (text == ulen + sizeof(with_block) - 1 && memcmp(p, unit, ulen) == 0 &&
		    memcmp(p + ulen, with_block, sizeof(with_block) - 1) == 0) {
			inside = 1;
		} else if (inside && text >= 2 * ulen && memcmp(p, unit, ulen) == 0 &&
		           memcmp(p + ulen, unit, ulen) == 0) {
			mg_buf_add(&b, p + ulen, n - ulen);
		} else {
			if (text > 0)
				inside = 0;
			mg_buf_add(&b, p, n);
		}
		p += n;
	}
	return mg_buf_detach(&b);
}

/* The code reindented for a statement at prefix; unwrapped inside an autocommit block. */
static char *
place(const struct mg_model *m, const char *code, const char *src, size_t ls, size_t il,
      int autocommit)
{
	char *prefix = mg_xcalloc(il + 1, 1), *flat = NULL, *text;

	memcpy(prefix, src + ls, il);
	if (autocommit)
		code = flat = unwrap_autocommit(code, m->indent);
	text = reindent(code, m->indent, prefix, m->eol);
	free(flat);
	free(prefix);
	return text;
}

static void
add(struct mg_edits *e, size_t start, size_t end, char *text)
{
	mg_grow(&e->v, &e->cap, e->n + 1, sizeof(*e->v));
	e->v[e->n].start = start;
	e->v[e->n].end = end;
	e->v[e->n].text = text;
	e->v[e->n].order = e->n;
	e->n++;
}

/* Whether [start, end) overlaps a planned replacement, or equals one exactly (*same). */
static int
overlaps(const struct mg_edits *e, size_t start, size_t end, const char *text, int *same)
{
	size_t i;

	*same = 0;
	for (i = 0; i < e->n; i++) {
		const struct mg_edit *x = &e->v[i];
		if (x->start == start && x->end == end && strcmp(x->text, text) == 0) {
			*same = 1;
			return 1;
		}
		if (start < x->end && x->start < end)
			return 1;
		if (start == end && x->start < start && start < x->end)
			return 1;
	}
	return 0;
}

/* The statement's lines, if it is alone on them: [*ls, *le) and its indentation. */
static const char *
statement_lines(const char *src, size_t len, const struct mg_span *stmt, size_t *ls, size_t *le,
                size_t *indent_len)
{
	if (stmt->end > len || stmt->start >= stmt->end)
		return "the statement's position is unknown";
	*ls = line_start(src, stmt->start);
	*le = line_after(src, len, stmt->end);
	if (!blank(src, *ls, stmt->start))
		return "other code shares the statement's first line";
	if (!blank(src, stmt->end, *le))
		return "other code or a comment follows the statement on its line";
	*indent_len = stmt->start - *ls;
	return NULL;
}

/* The function the op is in, and its counterpart in the other direction. */
static const struct mg_function *
counterpart(const struct mg_model *m, const char *function)
{
	size_t i;
	const char *suffix = strchr(function, '_');

	for (i = 0; i < m->nfunctions; i++) {
		const struct mg_function *f = &m->functions[i];
		const char *fs = strchr(f->name, '_');
		if (f->dir != MG_DOWNGRADE)
			continue;
		if ((suffix == NULL && fs == NULL) ||
		    (suffix != NULL && fs != NULL && strcmp(suffix, fs) == 0))
			return f;
	}
	return NULL;
}

/* op.drop_index(<name>) in downgrade, alone on its lines: what the CONCURRENTLY drop replaces. */
static const struct mg_op *
matching_drop(const struct mg_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->kind == MG_OP_DROP_INDEX && op->source == MG_SRC_OP &&
		    op->dir == MG_DOWNGRADE && op->object != NULL &&
		    strcmp(op->object, name) == 0 && !op->in_loop)
			return op;
	}
	return NULL;
}

static const char *
plan_upgrade(const struct mg_model *m, const char *src, size_t len, const struct mg_diag *g,
             struct mg_edits *out)
{
	const struct mg_op *op = &m->ops[g->op];
	size_t ls, le, il;
	const char *why;
	char *text;
	int same;

	if (op->in_loop)
		return "the statement is in a loop or nested function";
	/* Alembic runs a batch block's operations when the block closes: code
	 * placed among them would run before them (an index before its column). */
	if (op->batch)
		return "the statement is inside op.batch_alter_table(), whose operations run when "
		       "the block closes: the code goes after the block";
	if ((why = statement_lines(src, len, &op->stmt, &ls, &le, &il)) != NULL)
		return why;
	text = place(m, g->code, src, ls, il, op->autocommit);
	if (g->fix == MG_FIX_INSERT_AFTER) {
		if (le == len && len > 0 && src[len - 1] != '\n') {
			/* The statement ends the file without a newline. */
			char *t = mg_xcalloc(strlen(text) + strlen(m->eol) + 1, 1);
			strcpy(t, m->eol);
			strcat(t, text);
			free(text);
			text = t;
		}
		if (overlaps(out, le, le, text, &same) && !same) {
			free(text);
			return "it overlaps another fix";
		}
		add(out, le, le, text);
		return NULL;
	}
	if (overlaps(out, ls, le, text, &same)) {
		free(text);
		return same ? NULL : "it overlaps another fix";
	}
	add(out, ls, le, text);
	return NULL;
}

static const char *
plan_downgrade(const struct mg_model *m, const char *src, size_t len, const struct mg_diag *g,
               struct mg_edits *out)
{
	const struct mg_op *op = &m->ops[g->op];
	const struct mg_function *f;
	const struct mg_op *drop = NULL;
	size_t ls, le, il;
	char *text;
	int same;

	if (g->downgrade == NULL)
		return NULL;
	if (strcmp(g->rule, "require-concurrent-index") == 0 && op->index != (size_t)-1 &&
	    m->indexes[op->index].name != NULL)
		drop = matching_drop(m, m->indexes[op->index].name);
	if (drop != NULL) {
		if (statement_lines(src, len, &drop->stmt, &ls, &le, &il) != NULL)
			return "its op.drop_index() in downgrade() is not alone on its lines";
	} else {
		if (op->function == NULL || (f = counterpart(m, op->function)) == NULL)
			return "the file has no downgrade() to add the drop to";
		ls = le = line_start(src, f->body_start);
		if (!blank(src, ls, f->body_start))
			return "downgrade()'s body starts on the `def` line";
		il = f->body_start - ls;
	}
	text = place(m, g->downgrade, src, ls, il, drop != NULL && drop->autocommit);
	if (overlaps(out, ls, le, text, &same)) {
		free(text);
		return same ? NULL : "its downgrade overlaps another fix";
	}
	add(out, ls, le, text);
	return NULL;
}

/* The module names inserted code may use, and the import that binds each. */
static const struct {
	const char *name, *line;
} needs[] = {
    {"sa", "import sqlalchemy as sa"},
    {"op", "from alembic import op"},
    {"context", "from alembic import context"},
};

/* Whether code uses name as a module (`name.` after a non-name character), outside comments. */
static int
uses(const char *code, const char *name)
{
	size_t n = strlen(name);
	const char *p = code;
	int comment = 0;

	for (; *p; p++) {
		if (*p == '\n') {
			comment = 0;
			continue;
		}
		if (*p == '#')
			comment = 1;
		if (comment || strncmp(p, name, n) != 0 || p[n] != '.')
			continue;
		if (p > code && (p[-1] == '_' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
		                 (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')))
			continue;
		return 1;
	}
	return 0;
}

static int
imported(const struct mg_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nimports; i++)
		if (strcmp(m->imports[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The imports the planned code needs and the file lacks (a file written
 * with `from sqlalchemy import Column` has no `sa`): added after the last
 * module-level import, else before the first statement, so that the
 * written migration never fails with NameError at deploy.
 */
static void
plan_imports(const struct mg_model *m, const char *src, size_t len, struct mg_edits *out)
{
	struct mg_buf b = {0};
	size_t i, k, at, planned = out->n;

	for (k = 0; k < sizeof(needs) / sizeof(needs[0]); k++) {
		if (imported(m, needs[k].name))
			continue;
		for (i = 0; i < planned; i++)
			if (uses(out->v[i].text, needs[k].name))
				break;
		if (i == planned)
			continue;
		mg_buf_puts(&b, needs[k].line);
		mg_buf_puts(&b, m->eol);
	}
	if (b.len == 0)
		return;
	at = m->imports_end != 0 ? m->imports_end : line_start(src, m->first_stmt);
	if (at > len)
		at = len;
	if (at == len && len > 0 && src[len - 1] != '\n') {
		struct mg_buf t = {0};
		mg_buf_puts(&t, m->eol);
		mg_buf_add(&t, b.s, b.len);
		mg_buf_free(&b);
		b = t;
	}
	add(out, at, at, mg_buf_detach(&b));
}

/*
 * Whether text is one autocommit block and nothing else: a `with` line,
 * then only lines indented deeper than it (or blank). *ind is the `with`
 * line's indentation, *first the length of that line with its newline.
 */
static int
one_block(const char *text, size_t *ind, size_t *first)
{
	const char *p = text, *nl, *end;
	size_t n = 0, k;

	while (p[n] == ' ' || p[n] == '\t')
		n++;
	if (strncmp(p + n, with_block, sizeof(with_block) - 1) != 0 ||
	    (nl = strchr(p, '\n')) == NULL || !blank(p, n + sizeof(with_block) - 1, nl - p))
		return 0;
	*ind = n;
	*first = (size_t)(nl - p) + 1;
	for (p = nl + 1; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		end = nl != NULL ? nl : p + strlen(p);
		for (k = 0; p[k] == ' ' || p[k] == '\t'; k++)
			;
		if (!blank(p, k, (size_t)(end - p)) && k <= n)
			return 0;
		if (nl == NULL)
			break;
	}
	return 1;
}

/*
 * The INVALID-index guard of a CONCURRENTLY block (snippet.c writes it):
 * its lines [*gs, *ge) and, within them, the index names of its list
 * [*ns, *ne). 0 when text has none, or not in that exact shape.
 */
static int
find_guard(const char *text, size_t *gs, size_t *ge, size_t *ns, size_t *ne)
{
	const char *a = strstr(text, "# A failed CONCURRENTLY build leaves an INVALID index");
	const char *names, *open, *close, *drop, *nl;

	if (a == NULL)
		return 0;
	/* The dict key, in either quote: {"names": [...]}. */
	if ((names = strstr(a, "names\": [")) == NULL)
		names = strstr(a, "names': [");
	if (names == NULL || (open = strstr(names, ": [")) == NULL ||
	    (close = strstr(open, "]},")) == NULL ||
	    ((nl = strchr(names, '\n')) != NULL && nl < close) ||
	    (drop = strstr(close, "DROP INDEX CONCURRENTLY ")) == NULL ||
	    strstr(drop, "+ invalid)") == NULL)
		return 0;
	drop = strstr(drop, "+ invalid)");
	*gs = line_start(text, (size_t)(a - text));
	*ge = line_after(text, strlen(text), (size_t)(drop - text));
	*ns = (size_t)(open - text) + 3;
	*ne = (size_t)(close - text);
	return 1;
}

static void
set_text(struct mg_edits *e, struct mg_edit *copy, char *text)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].order == copy->order) {
			free(e->v[i].text);
			e->v[i].text = text;
		}
	copy->text = text;
}

/*
 * member's block joins head's: its guard goes, and the names it checked
 * join the list of head's guard, so one catalog query serves the block.
 */
static void
merge_guard(struct mg_edits *e, struct mg_edit *head, struct mg_edit *member)
{
	size_t hgs, hge, hns, hne, gs, ge, ns, ne;
	struct mg_buf h = {0}, t = {0};

	if (!find_guard(head->text, &hgs, &hge, &hns, &hne) ||
	    !find_guard(member->text, &gs, &ge, &ns, &ne))
		return;
	mg_buf_add(&h, head->text, hne);
	mg_buf_puts(&h, ", ");
	mg_buf_add(&h, member->text + ns, ne - ns);
	mg_buf_puts(&h, head->text + hne);
	mg_buf_add(&t, member->text, gs);
	mg_buf_puts(&t, member->text + ge);
	set_text(e, head, mg_buf_detach(&h));
	set_text(e, member, mg_buf_detach(&t));
}

/*
 * The guard's names one a line when their line would pass 88 columns (as
 * black would break it), each one level deeper than the line.
 */
static void
wrap_names(struct mg_edits *e, struct mg_edit *x, const char *unit)
{
	size_t gs, ge, ns, ne, ls, le, i, j;
	struct mg_buf b = {0};
	char q = 0;
	const char *t = x->text;

	if (!find_guard(t, &gs, &ge, &ns, &ne))
		return;
	ls = line_start(t, ns);
	le = line_after(t, strlen(t), ns);
	if (le - ls <= 89) /* 88 columns and the newline */
		return;
	for (i = ls; t[i] == ' ' || t[i] == '\t'; i++)
		;
	mg_buf_add(&b, t, ns);
	mg_buf_puts(&b, "\n");
	mg_buf_add(&b, t + ls, i - ls);
	mg_buf_puts(&b, unit);
	/* Items are Python string literals: a comma inside quotes is not a separator. */
	for (j = ns; j < ne; j++) {
		char c = t[j];
		if (q != 0) {
			mg_buf_putc(&b, c);
			if (c == '\\' && j + 1 < ne)
				mg_buf_putc(&b, t[++j]);
			else if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'') {
			q = c;
			mg_buf_putc(&b, c);
		} else if (c == ',') {
			mg_buf_puts(&b, ",\n");
			mg_buf_add(&b, t + ls, i - ls);
			mg_buf_puts(&b, unit);
			while (j + 1 < ne && t[j + 1] == ' ')
				j++;
		} else {
			mg_buf_putc(&b, c);
		}
	}
	mg_buf_puts(&b, ",\n");
	mg_buf_add(&b, t + ls, i - ls);
	mg_buf_puts(&b, t + ne);
	set_text(e, x, mg_buf_detach(&b));
}

/*
 * Statements that follow each other and are each replaced by an autocommit
 * block get one block between them: every block after the first loses its
 * `with` line (its body is already at the right depth), and its
 * INVALID-index guard, whose names join the first one's. One block reads as
 * one step, and commits the same statements one by one.
 */
static void
share_blocks(struct mg_edits *e, const char *unit)
{
	struct mg_edit *v = mg_edits_in_order(e);
	size_t *ind = mg_xcalloc(e->n + 1, sizeof(*ind)),
	       *first = mg_xcalloc(e->n + 1, sizeof(*first));
	char *is = mg_xcalloc(e->n + 1, 1);
	size_t i, head = 0;

	for (i = 0; i < e->n; i++)
		is[i] = one_block(v[i].text, &ind[i], &first[i]);
	for (i = 0; i < e->n; i++) {
		if (i == 0 || !is[i] || !is[i - 1] || v[i - 1].end != v[i].start ||
		    ind[i] != ind[i - 1] || memcmp(v[i].text, v[i - 1].text, ind[i]) != 0) {
			head = i;
			continue;
		}
		/* v[i].text is the edit's own buffer (the copy shares the pointers). */
		memmove(v[i].text, v[i].text + first[i], strlen(v[i].text + first[i]) + 1);
		merge_guard(e, &v[head], &v[i]);
	}
	for (i = 0; i < e->n; i++)
		wrap_names(e, &v[i], unit);
	free(is);
	free(first);
	free(ind);
	free(v);
}

void
mg_fix_plan(const struct mg_model *m, const char *src, size_t len, struct mg_diags *d,
            struct mg_edits *out)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct mg_diag *g = &d->v[i];
		size_t before = out->n;
		const char *why;

		if (g->fix == MG_FIX_NONE) {
			if (g->code != NULL && g->not_applied == NULL)
				g->not_applied = "not a change migen makes by itself";
			continue;
		}
		if (g->code == NULL || g->op == (size_t)-1) {
			g->not_applied = "no code to apply";
			continue;
		}
		why = plan_upgrade(m, src, len, g, out);
		if (why == NULL)
			why = plan_downgrade(m, src, len, g, out);
		if (why != NULL) {
			/* All or nothing for one diagnostic. */
			while (out->n > before)
				free(out->v[--out->n].text);
			g->not_applied = why;
			continue;
		}
		g->applied = 1;
	}
	share_blocks(out, m->indent);
	plan_imports(m, src, len, out);
}

/*
 * By position; at one position insertions come before a replacement that
 * starts there, so that applying and diffing walk the same sequence and
 * neither drops an insertion (a drop added at the top of downgrade() when
 * its first statement is itself replaced).
 */
static int
editcmp(const void *a, const void *b)
{
	const struct mg_edit *x = a, *y = b;
	int xi = x->start == x->end, yi = y->start == y->end;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (xi != yi)
		return xi ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct mg_edit *
mg_edits_in_order(const struct mg_edits *e)
{
	struct mg_edit *v = mg_xcalloc(e->n + 1, sizeof(*v));

	if (e->n > 0) {
		memcpy(v, e->v, e->n * sizeof(*v));
		qsort(v, e->n, sizeof(*v), editcmp);
	}
	return v;
}

char *
mg_fix_apply(const char *src, size_t len, const struct mg_edits *e, size_t *outlen)
{
	struct mg_buf b = {0};
	struct mg_edit *v = mg_edits_in_order(e);
	size_t i, at = 0;

	for (i = 0; i < e->n; i++) {
		/* Planned edits never overlap (mg_fix_plan checks), so none is skipped. */
		if (v[i].start < at) {
			/* A planner bug: stop rather than write a file that is not the plan. */
			mg_warnx("internal error: overlapping edits at byte %zu", v[i].start);
			abort();
		}
		mg_buf_add(&b, src + at, v[i].start - at);
		mg_buf_puts(&b, v[i].text);
		at = v[i].end;
	}
	mg_buf_add(&b, src + at, len - at);
	free(v);
	*outlen = b.len;
	return mg_buf_detach(&b);
}

void
mg_edits_free(struct mg_edits *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

const char *
mg_fix_verify(const struct mg_model *m, const char *after, size_t len)
{
	struct mg_model *n = mg_analyze(m->path, after, len, MG_ANALYZE_FULL);
	const char *why = NULL;

	if (n->nerrors > 0)
		why = "the edited file would not parse";
	else if (!mg_revinfo_same(&m->rev, &n->rev))
		why = "the edit would change the revision data";
	else if (n->nested_autocommit != 0)
		why = "the edit would nest autocommit blocks, which Alembic refuses";
	mg_model_free(n);
	return why;
}

/* Whether the function already has an autocommit block (the migration is not atomic anyway). */
static int
has_autocommit(const struct mg_model *m, const char *function)
{
	size_t i;

	for (i = 0; i < m->nops; i++)
		if (m->ops[i].autocommit && m->ops[i].function != NULL &&
		    strcmp(m->ops[i].function, function) == 0)
			return 1;
	return 0;
}

/* The 1-based line just after the one byte end - 1 sits on. */
static uint32_t
line_after_span(const struct mg_model *m, const struct mg_span *sp)
{
	uint32_t line = sp->line;
	size_t i;

	for (i = sp->start; m->src != NULL && i < sp->end && i < m->srclen; i++)
		if (m->src[i] == '\n')
			line++;
	return line + 1;
}

/* What a diagnostic's code is about, for a message: its index or column, if plainly named. */
static const char *
subject(const struct mg_model *m, const struct mg_diag *g)
{
	const struct mg_op *op = &m->ops[g->op];

	if (op->index != (size_t)-1 && op->index < m->nindexes &&
	    m->indexes[op->index].name != NULL && mg_ident_is_plain(m->indexes[op->index].name))
		return m->indexes[op->index].name;
	if (g->column != NULL && mg_ident_is_plain(g->column))
		return g->column;
	return NULL;
}

/*
 * The note for d->v[first], the first fix that opens an autocommit block in
 * its function: how many statements lose their transaction, and the split
 * (every fix of that function with an autocommit block moves).
 */

static const char *
atomic_note(const struct mg_model *m, struct mg_diags *d, size_t first, size_t before,
            uint32_t line)
{
	const struct mg_diag *g = &d->v[first];
	const char *fn = m->ops[g->op].function, *s, *title = NULL, *last = NULL;
	struct mg_buf list = {0};
	size_t i, n = 0;
	const char *r;

	for (i = first; i < d->n; i++) {
		const struct mg_diag *x = &d->v[i];
		if (x->code == NULL || x->op == (size_t)-1 || x->op >= m->nops ||
		    m->ops[x->op].function == NULL || strcmp(m->ops[x->op].function, fn) != 0 ||
		    strstr(x->code, "autocommit_block()") == NULL)
			continue;
		s = subject(m, x);
		/* Two fixes on one column (its index, its constraint) come one after
		 * the other: name it once. */
		if (s != NULL && last != NULL && strcmp(s, last) == 0)
			continue;
		last = s;
		mg_buf_printf(&list, "%s%s", n++ ? ", " : "", s ? s : "(line ");
		if (s == NULL)
			mg_buf_printf(&list, "%u)", (unsigned)x->line);
		if (title == NULL)
			title = s;
	}
	r = mg_arena_printf(
	    &d->arena,
	    "migration no longer atomic: %zu statement%s before line %u commit%s on "
	    "%s own (a failure later leaves %s applied). To keep it atomic, move "
	    "the online part into a revision of its own: `alembic revision -m "
	    "\"%s online\"` (its down_revision: this revision), with the code for "
	    "%s in its upgrade() and their downgrade code in its downgrade()",
	    before, before == 1 ? "" : "s", (unsigned)line, before == 1 ? "s" : "",
	    before == 1 ? "its" : "their", before == 1 ? "it" : "them",
	    title ? title : "concurrent index", list.s);
	mg_buf_free(&list);
	return r;
}

void
mg_fix_annotate(const struct mg_model *m, struct mg_diags *d)
{
	const char **done = mg_xcalloc(d->n + 1, sizeof(*done));
	size_t i, j, k, ndone = 0;

	for (i = 0; i < d->n; i++) {
		struct mg_diag *g = &d->v[i];
		const struct mg_op *op;
		size_t before = 0, pos;
		uint32_t line;

		if (g->code == NULL || g->op == (size_t)-1 || g->op >= m->nops ||
		    strstr(g->code, "autocommit_block()") == NULL)
			continue;
		op = &m->ops[g->op];
		if (op->dir != MG_UPGRADE || op->function == NULL)
			continue;
		/* The first block that has statements before it breaks the
		 * function's atomicity: each function gets one note (a file may have
		 * thousands of findings). A block with nothing before it leaves the
		 * rest atomic, so the next one is still looked at. */
		for (k = 0; k < ndone && strcmp(done[k], op->function) != 0; k++)
			;
		if (k < ndone)
			continue;
		if (op->autocommit || has_autocommit(m, op->function)) {
			done[ndone++] = op->function;
			continue;
		}
		if (g->fix == MG_FIX_INSERT_AFTER) {
			pos = op->stmt.end;
			line = line_after_span(m, &op->stmt);
		} else {
			pos = op->stmt.start;
			line = op->stmt.line;
		}
		for (j = 0; j < m->nops; j++) {
			const struct mg_op *x = &m->ops[j];
			if (x->source != MG_SRC_SQL && x->dir == MG_UPGRADE &&
			    x->function != NULL && strcmp(x->function, op->function) == 0 &&
			    x->stmt.start < pos && (j != g->op || g->fix == MG_FIX_INSERT_AFTER))
				before++;
		}
		if (before == 0)
			continue;
		done[ndone++] = op->function;
		g->note = atomic_note(m, d, i, before, line);
	}
	free(done);
}
