/*
 * The rule registry and the diagnostics list (see rules.h).
 */
#include <stdlib.h>
#include <string.h>

#include "migen/rules.h"
#include "migen/snippet.h"

const struct mg_rule *const mg_rules[] = {
    &mg_rule_missing_tenant_index,
    &mg_rule_missing_fk_index,
    &mg_rule_require_concurrent_index,
    &mg_rule_concurrent_index_in_transaction,
    &mg_rule_not_null_without_backfill,
    &mg_rule_invalid_sql,
    &mg_rule_drop_unnamed_constraint,
    &mg_rule_add_foreign_key_validates,
    &mg_rule_add_check_validates,
    &mg_rule_drop_index_locks,
    &mg_rule_column_type_rewrites,
    &mg_rule_unique_constraint_locks,
    NULL,
};

struct mg_diag *
mg_diags_add(struct mg_diags *d, const char *rule, enum mg_severity sev)
{
	struct mg_diag *g;

	mg_grow(&d->v, &d->cap, d->n + 1, sizeof(*d->v));
	g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->rule = rule;
	g->severity = sev;
	g->op = (size_t)-1;
	return g;
}

void
mg_diags_free(struct mg_diags *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
	mg_arena_free(&d->arena);
}

static int
cmp(const void *a, const void *b)
{
	const struct mg_diag *x = a, *y = b;
	int r;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((r = strcmp(x->rule, y->rule)) != 0)
		return r;
	/* Same place, same rule: keep a stable order by message. */
	return strcmp(x->message, y->message);
}

/*
 * What runs under a condition migen cannot evaluate (a settings flag,
 * context.get_x_argument()) is still reported, and the finding says so.
 */
static void
guards(const struct mg_model *m, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct mg_diag *g = &d->v[i];
		const struct mg_op *op;

		if (g->op == (size_t)-1 || g->op >= m->nops)
			continue;
		op = &m->ops[g->op];
		if (op->parent < m->nops)
			op = &m->ops[op->parent]; /* SQL: the op.execute() holding it */
		if (op->guard != NULL)
			g->message = mg_arena_printf(&d->arena, "%s (runs only if %s)", g->message,
			                             op->guard);
	}
}

static int
same(const struct mg_diag *x, const struct mg_diag *y)
{
	return x->line == y->line && x->col == y->col && strcmp(x->rule, y->rule) == 0 &&
	       strcmp(x->message, y->message) == 0;
}

void
mg_rules_run(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i, n;

	for (i = 0; mg_rules[i] != NULL; i++)
		mg_rules[i]->check(m, o, d);
	guards(m, d);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp);
	/* One statement in an unrolled loop that does the same each time: one finding. */
	for (i = n = 0; i < d->n; i++)
		if (n == 0 || !same(&d->v[n - 1], &d->v[i]))
			d->v[n++] = d->v[i];
	d->n = n;
}

void
mg_rules_style(const struct mg_model *m, struct mg_style *st)
{
	st->indent = m->indent;
	st->depth = 1;
	st->quote = m->quote;
}
