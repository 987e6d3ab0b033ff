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
 * The tables CASCADE empties besides root, in the order PostgreSQL finds
 * them (breadth first over the foreign keys pointing at what it empties);
 * written to d's arena as "'a', 'b'". *n: how many.
 */
static const char *
referencing(struct mg_diags *d, const struct mg_schema *s, const struct mg_stable *root, size_t *n)
{
	const struct mg_stable **set;
	size_t nset = 1, done = 0, i, k;
	struct mg_buf b = {0};
	const char *out;

	set = mg_arena_alloc(&d->arena, (s->ntables + 1) * sizeof(*set));
	set[0] = root;
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
	*n = nset - 1;
	for (i = 1; i < nset && i <= MAX_NAMED; i++)
		mg_buf_printf(&b, "%s'%s'", i > 1 ? ", " : "", set[i]->name);
	if (nset - 1 > MAX_NAMED)
		mg_buf_printf(&b, " and %zu more", nset - 1 - MAX_NAMED);
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

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	if (!mg_dialect_postgresql(o))
		return; /* PostgreSQL's TRUNCATE */

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_stable *t;
		struct mg_diag *g;
		const char *names;
		size_t n = 0;

		if (op->kind != MG_OP_EMPTY_TABLE || !op->cascade || !mg_rc_existing(m, o, op))
			continue;
		g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
		t = mg_rc_schema_table(o, op->schema, op->table);
		if (t == NULL) {
			g->message = mg_arena_printf(
			    &d->arena,
			    "TRUNCATE %s CASCADE also empties any table with a foreign key to it, "
			    "and any referencing those, recursively, under ACCESS EXCLUSIVE: the "
			    "statement does not name them",
			    op->table);
		} else {
			names = referencing(d, o->schema, t, &n);
			if (n > 0)
				g->message = mg_arena_printf(
				    &d->arena,
				    "TRUNCATE %s CASCADE also empties %s (foreign keys to it, "
				    "recursively), under ACCESS EXCLUSIVE on each: the statement "
				    "does not name %s",
				    op->table, names, n > 1 ? "them" : "it");
			else
				g->message = mg_arena_printf(
				    &d->arena,
				    "TRUNCATE %s CASCADE: no table references it in the schema "
				    "before this migration, but CASCADE silently empties any "
				    "table that does when it runs",
				    op->table);
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
};
