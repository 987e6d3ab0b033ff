/*
 * One migration through the rules, against the schema as it stands before
 * it: the rules' diagnostics become findings (finding.h) that carry their
 * span, help, code and fix as byte edits; then its suppressions and the
 * configured levels. What lint runs and at which level ([tool.migen]
 * select, ignore, severity) is decided here too.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/fix.h"
#include "migen/lint.h"

int
mg_lint_rule_known(const char *id)
{
	size_t i;

	if (strcmp(id, MG_RULE_IGNORE_WITHOUT_REASON) == 0 ||
	    strcmp(id, MG_RULE_UNUSED_IGNORE) == 0)
		return 1;
	for (i = 0; mg_rules[i] != NULL; i++)
		if (strcmp(mg_rules[i]->id, id) == 0)
			return 1;
	return 0;
}

static int
listed(const char *id, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], id) == 0)
			return 1;
	return 0;
}

/* The registered rule of that id, or NULL (lint's own ids). */
static const struct mg_rule *
rule_of(const char *id)
{
	size_t i;

	for (i = 0; mg_rules[i] != NULL; i++)
		if (strcmp(mg_rules[i]->id, id) == 0)
			return mg_rules[i];
	return NULL;
}

/* Whether [tool.migen.severity] sets a level for id. */
static int
leveled(const struct mg_lint_config *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nseverity; i++)
		if (strcmp(c->severity[i].rule, id) == 0)
			return 1;
	return 0;
}

int
mg_lint_wanted(const struct mg_lint_config *c, const char *id)
{
	const struct mg_rule *rule;

	if (c->select != NULL && !listed(id, c->select, c->nselect))
		return 0;
	/* An opt-in rule is named: in select, or given a level. */
	if ((rule = rule_of(id)) != NULL && mg_rule_optin(rule) && c->select == NULL &&
	    !leveled(c, id))
		return 0;
	return !listed(id, c->ignore, c->nignore);
}

/* The configured levels ([tool.migen.severity]) of the findings r->v[first..]. */
static void
severities(const struct mg_lint_config *c, struct mg_lint_report *r, size_t first)
{
	size_t i, k;

	for (k = first; k < r->n; k++) {
		struct mg_finding *x = &r->v[k];

		const struct mg_rule *rule = rule_of(x->rule);

		/* A rule's notes (what it says when nothing is wrong) stay notes,
		 * unless notes are what the rule reports (the column-type rules). */
		if (x->severity == MG_NOTE && (rule == NULL || rule->severity != MG_NOTE))
			continue;
		for (i = 0; i < c->nseverity; i++)
			if (strcmp(c->severity[i].rule, x->rule) == 0)
				x->severity = c->severity[i].severity;
	}
}

/* 1-based line and byte column of offset off in src. */
static void
position(const char *src, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
	const char *p = src, *end, *nl;
	uint32_t l = 1;

	if (off > len)
		off = len;
	end = src + off;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		l++;
		p = nl + 1;
	}
	*line = l;
	*col = (uint32_t)(end - p + 1);
}

/* What the finding says to do: the code for upgrade(), and for downgrade() after it. */
static const char *
code_of(struct mg_arena *a, const struct mg_diag *g)
{
	if (g->code == NULL)
		return g->downgrade;
	if (g->downgrade == NULL)
		return g->code;
	return mg_arena_printf(a, "%s# Add to %s:\n%s", g->code,
	                       g->downgrade_where ? g->downgrade_where : "downgrade()",
	                       g->downgrade);
}

/* The fix of one diagnostic alone, as byte edits of the file. */
static void
finding_edits(struct mg_lint_report *r, struct mg_finding *x, const struct mg_model *m,
              const struct mg_diag *g)
{
	struct mg_diags one;
	struct mg_diag copy = *g;
	struct mg_edits e;
	struct mg_edit *v;
	size_t i;

	if (g->fix == MG_FIX_NONE || g->code == NULL || g->op == (size_t)-1 || m->src == NULL)
		return;
	memset(&one, 0, sizeof(one));
	memset(&e, 0, sizeof(e));
	copy.applied = 0;
	copy.not_applied = NULL;
	one.v = &copy;
	one.n = one.cap = 1;
	mg_fix_plan(m, m->src, m->srclen, &one, &e);
	if (copy.applied && e.n > 0) {
		v = mg_edits_in_order(&e);
		x->edits = mg_arena_alloc(&r->arena, e.n * sizeof(*x->edits));
		x->nedits = e.n;
		for (i = 0; i < e.n; i++) {
			struct mg_finding_edit *fe = &x->edits[i];
			fe->start = v[i].start;
			fe->end = v[i].end;
			fe->text = mg_arena_strdup(&r->arena, v[i].text);
			position(m->src, m->srclen, fe->start, &fe->start_line, &fe->start_col);
			position(m->src, m->srclen, fe->end, &fe->end_line, &fe->end_col);
		}
		free(v);
	}
	mg_edits_free(&e);
}

static struct mg_finding *
add_finding(struct mg_lint_report *r)
{
	struct mg_finding *x;

	mg_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	return x;
}

/*
 * The span of what the diagnostic is about: its operation's call when the
 * diagnostic points at the call; when it points inside it (a column of a
 * create_table, a statement of an op.execute), the rest of that line.
 */
static void
span(struct mg_finding *x, const struct mg_model *m, const struct mg_diag *g)
{
	x->line = x->end_line = g->line;
	x->col = g->col;
	x->end_col = g->col + 1;
	if (m->src == NULL || g->line == 0)
		return;
	if (g->op < m->nops) {
		const struct mg_op *op = &m->ops[g->op];

		if (op->span.line == g->line && op->span.col == g->col &&
		    op->span.end > op->span.start && op->span.end <= m->srclen) {
			position(m->src, m->srclen, op->span.end, &x->end_line, &x->end_col);
			return;
		}
	}
	{
		/* To the end of the diagnostic's line. */
		size_t i = 0;
		uint32_t l = 1;

		while (i < m->srclen && l < g->line) {
			const char *nl = memchr(m->src + i, '\n', m->srclen - i);
			i = nl != NULL ? (size_t)(nl - m->src) + 1 : m->srclen;
			if (nl != NULL)
				l++;
		}
		i += g->col - 1;
		while (i < m->srclen && m->src[i] != '\n' && m->src[i] != '\r')
			i++;
		position(m->src, m->srclen, i, &x->end_line, &x->end_col);
		if (x->end_line != g->line || x->end_col <= g->col) {
			x->end_line = g->line;
			x->end_col = g->col + 1;
		}
	}
}

/* The finding of file made from diagnostic g (same rule, place and message), or NULL. */
static struct mg_finding *
finding_of(struct mg_lint_report *r, size_t first, const struct mg_diag *g)
{
	size_t k;

	for (k = first; k < r->n; k++) {
		struct mg_finding *x = &r->v[k];
		if (x->line == g->line && x->col == g->col && strcmp(x->rule, g->rule) == 0 &&
		    strcmp(x->message, g->message) == 0)
			return x;
	}
	return NULL;
}

void
mg_lint_check(const struct mg_lint_config *c, const struct mg_model *m,
              const struct mg_schema *schema, const char *const *new_tables, size_t nnew,
              size_t file, struct mg_lint_report *r, struct mg_edits *fix)
{
	struct mg_options o = c->o;
	struct mg_diags d, sel;
	size_t i, first = r->n;

	o.schema = schema;
	if (o.types == NULL)
		o.types = c->types;
	o.run_optin = 1; /* mg_lint_wanted() keeps those asked for */
	o.new_tables = new_tables;
	o.nnew_tables = nnew;
	memset(&d, 0, sizeof(d));
	memset(&sel, 0, sizeof(sel));
	mg_rules_run(m, &o, &d);
	for (i = 0; i < d.n; i++) {
		const struct mg_diag *g = &d.v[i];
		struct mg_finding *x;

		if (!mg_lint_wanted(c, g->rule))
			continue;
		x = add_finding(r);
		x->rule = g->rule; /* static: the rule's own id */
		x->severity = g->severity;
		x->file = file;
		span(x, m, g);
		x->message = mg_arena_strdup(&r->arena, g->message);
		if (c->lean)
			continue;
		x->help = g->note ? mg_arena_strdup(&r->arena, g->note) : NULL;
		x->where = g->where ? mg_arena_strdup(&r->arena, g->where) : NULL;
		{
			const char *code = code_of(&d.arena, g);
			x->code = code ? mg_arena_strdup(&r->arena, code) : NULL;
		}
		finding_edits(r, x, m, g);
	}
	mg_lint_suppress(c, m, file, r);
	severities(c, r, first);
	if (c->lean && fix == NULL) {
		mg_diags_free(&d);
		return;
	}

	/*
	 * The fixes that stay (reported, not suppressed), taken as a whole the
	 * way enhance --write takes them: what they do to the migration's
	 * atomicity is said on their findings, and --fix plans them together.
	 */
	for (i = 0; i < d.n; i++) {
		struct mg_finding *x;

		if (!mg_lint_wanted(c, d.v[i].rule) ||
		    ((x = finding_of(r, first, &d.v[i])) != NULL && x->suppressed))
			continue;
		mg_grow(&sel.v, &sel.cap, sel.n + 1, sizeof(*sel.v));
		sel.v[sel.n++] = d.v[i];
	}
	mg_fix_annotate(m, &sel);
	for (i = 0; i < sel.n; i++) {
		struct mg_finding *x = finding_of(r, first, &sel.v[i]);
		if (x != NULL && sel.v[i].note != NULL)
			x->help = mg_arena_strdup(&r->arena, sel.v[i].note);
	}
	if (fix != NULL)
		mg_fix_plan(m, m->src, m->srclen, &sel, fix);
	mg_diags_free(&sel);
	mg_diags_free(&d);
}

void
mg_lint_report_free(struct mg_lint_report *r)
{
	free(r->v);
	free(r->files);
	mg_arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}
