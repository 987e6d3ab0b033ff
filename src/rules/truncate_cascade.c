/*
 * truncate-cascade: TRUNCATE ... CASCADE in op.execute() on a table that
 * already holds rows. PostgreSQL also empties every table with a foreign key
 * to it, and every table referencing those, recursively (measured on 15: it
 * takes ACCESS EXCLUSIVE on each of them until commit). The statement names
 * one table; the data of the others goes with no line of the migration
 * saying so: error.
 *
 * The `truncate` rule reports the named table's rows (its own finding, a
 * warning); this one names what CASCADE adds: the other tables, taken from
 * the replayed schema's foreign keys when lint has one. Both can fire on one
 * statement, each saying a different thing.
 */
#include <string.h>

#include "common.h"

#define RULE "truncate-cascade"
#define MAX_NAMED 8

static int
in(const struct mg_stable *const *v, size_t n, const struct mg_stable *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == t)
			return 1;
	return 0;
}

/*
 * The tables CASCADE empties besides the roots (the tables the statement
 * names), breadth first over the foreign keys pointing at what it empties;
 * written to d's arena as "'a', 'b'". *n: how many.
 */
static const char *
referencing(struct mg_diags *d, const struct mg_schema *s, const struct mg_stable *const *roots,
            size_t nroots, size_t *n)
{
	const struct mg_stable **set;
	size_t nset = 0, done = 0, i, k;
	struct mg_buf b = {0};
	const char *out;

	set = mg_arena_alloc(&d->arena, (s->ntables + nroots + 1) * sizeof(*set));
	for (i = 0; i < nroots; i++)
		if (!in(set, nset, roots[i]))
			set[nset++] = roots[i];
	nroots = nset;
	while (done < nset) {
		const struct mg_stable *cur = set[done++];
		for (i = 0; i < s->ntables; i++) {
			const struct mg_stable *t = &s->tables[i];
			if (in(set, nset, t))
				continue;
			for (k = 0; k < t->nfkeys; k++)
				if (t->fkeys[k].ref_table != NULL &&
				    mg_schema_table(s, t->fkeys[k].ref_schema,
				                    t->fkeys[k].ref_table) == cur) {
					set[nset++] = t;
					break;
				}
		}
	}
	*n = nset - nroots;
	for (i = nroots; i < nset && i < nroots + MAX_NAMED; i++)
		mg_buf_printf(&b, "%s'%s'", i > nroots ? ", " : "", set[i]->name);
	if (*n > MAX_NAMED)
		mg_buf_printf(&b, " and %zu more", *n - MAX_NAMED);
	out = mg_arena_strdup(&d->arena, b.s ? b.s : "");
	mg_buf_free(&b);
	return out;
}

/* Whether a table of s has facts migen could not follow (a foreign key may be missing). */
static int
uncertain(const struct mg_schema *s)
{
	size_t i;

	if (s->nuncertain > 0)
		return 1;
	for (i = 0; i < s->ntables; i++)
		if (s->tables[i].nuncertain > 0)
			return 1;
	return 0;
}

/* Whether ops a and b are tables of one TRUNCATE ... CASCADE statement. */
static int
sibling(const struct mg_op *a, const struct mg_op *b)
{
	return a->kind == MG_OP_EMPTY_TABLE && b->kind == MG_OP_EMPTY_TABLE && a->cascade &&
	       b->cascade && a->source == MG_SRC_SQL && b->source == MG_SRC_SQL &&
	       a->parent == b->parent && a->span.line == b->span.line && a->span.col == b->span.col;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i, j, last;

	for (i = 0; i < m->nops; i = last + 1) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_stable **roots;
		struct mg_buf b = {0};
		struct mg_diag *g;
		const char *names, *stmt;
		size_t n = 0, nroots = 0;
		int existing = 0, known = 1;

		last = i;
		if (op->kind != MG_OP_EMPTY_TABLE || !op->cascade)
			continue;
		/* One finding per statement: TRUNCATE a, b CASCADE names both. */
		while (last + 1 < m->nops && sibling(op, &m->ops[last + 1]))
			last++;
		roots = mg_arena_alloc(&d->arena, (last - i + 1) * sizeof(*roots));
		for (j = i; j <= last; j++) {
			const struct mg_op *p = &m->ops[j];
			const struct mg_stable *t = mg_rc_schema_table(o, p->schema, p->table);
			existing |= mg_rc_existing(m, o, p);
			if (t != NULL)
				roots[nroots++] = t;
			else
				known = 0;
			mg_buf_printf(&b, "%s%s", j > i ? ", " : "", p->table ? p->table : "?");
		}
		stmt = mg_arena_strdup(&d->arena, b.s ? b.s : "?");
		mg_buf_free(&b);
		if (!existing)
			continue; /* every table it names is new: no rows yet */
		g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
		if (o->schema == NULL || !known) {
			g->message = mg_arena_printf(
			    &d->arena,
			    "TRUNCATE %s CASCADE also empties any table with a foreign key to it, "
			    "and any referencing those, recursively, under ACCESS EXCLUSIVE: the "
			    "statement does not name them",
			    stmt);
		} else {
			names = referencing(d, o->schema, roots, nroots, &n);
			if (n > 0)
				g->message = mg_arena_printf(
				    &d->arena,
				    "TRUNCATE %s CASCADE also empties %s (foreign keys to %s, "
				    "recursively), under ACCESS EXCLUSIVE on each: the statement "
				    "does not name %s",
				    stmt, names, last > i ? "them" : "it", n > 1 ? "them" : "it");
			else {
				/* Nothing is emptied today: a hazard for later, not data lost now.
				 */
				g->severity = MG_WARNING;
				g->message = mg_arena_printf(
				    &d->arena,
				    "TRUNCATE %s CASCADE: no other table references it in the "
				    "schema "
				    "before this migration, but CASCADE silently empties any table "
				    "that does when it runs",
				    stmt);
			}
			if (uncertain(o->schema))
				g->message = mg_arena_printf(
				    &d->arena,
				    "%s (migen could not follow every earlier migration: the "
				    "list may be incomplete)",
				    g->message);
		}
		g->note = "name every table to empty in the TRUNCATE itself (TRUNCATE a, b, "
		          "...), or drop CASCADE: without it PostgreSQL refuses to truncate a "
		          "table that others reference instead of emptying them";
	}
}

const struct mg_rule mg_rule_truncate_cascade = {
    RULE,
    "TRUNCATE ... CASCADE: also empties every table referencing it, recursively",
    MG_ERROR,
    check,
    MG_RULE_POSTGRESQL,
};
