/*
 * The rule registry and the diagnostics list (see rules.h).
 */
#include <stdlib.h>
#include <string.h>

#include "migen/rules.h"
#include "migen/snippet.h"

const struct mg_rule *const mg_rules[] = {
    &mg_rule_missing_tenant_index,      &mg_rule_missing_fk_index,
    &mg_rule_require_concurrent_index,  &mg_rule_concurrent_index_in_transaction,
    &mg_rule_not_null_without_backfill, NULL,
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

void
mg_rules_run(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; mg_rules[i] != NULL; i++)
		mg_rules[i]->check(m, o, d);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp);
}

void
mg_rules_style(const struct mg_model *m, struct mg_style *st)
{
	st->indent = m->indent;
	st->depth = 1;
	st->quote = m->quote;
}
