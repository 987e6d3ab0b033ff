/*
 * column-type-rewrites: ALTER COLUMN ... TYPE (op.alter_column(type_=...),
 * batch_op, SQL) on a table that already holds rows. Every form takes
 * ACCESS EXCLUSIVE on the table; most also rewrite the whole table and
 * rebuild its indexes while holding it, and some only change the catalog.
 * Which one is decided from the column's type in the replayed schema (the
 * old type) and the new one, by the pairs tests/integration/locks.sh
 * measures (relfilenode before and after):
 *   no rewrite: varchar(n) -> varchar(m >= n), varchar -> varchar without a
 *     length, varchar -> text, numeric(p,s) -> numeric(q >= p,s) or numeric;
 *   rewrite: any other change between different types (int -> bigint,
 *     text -> jsonb, varchar -> an enum, bigint -> int), a shorter varchar,
 *     text -> varchar(n), another numeric scale;
 *   not said: timestamp <-> timestamptz (it depends on the session's
 *     TimeZone), and an old type migen does not know (say so).
 * A rewrite is a warning; a catalog-only change is not reported (its
 * ACCESS EXCLUSIVE is brief); an unknown old type is a note.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum verdict { SAME, CATALOG, REWRITE, DEPENDS };

/* "character varying(20)" -> 20; -1: no length; "numeric(10,2)" -> 10, *scale 2. */
static long
type_args(const char *t, const char *base, long *scale)
{
	size_t n = strlen(base);
	char *end;
	long a;

	*scale = 0;
	if (t[n] == '\0')
		return -1;
	a = strtol(t + n + 1, &end, 10);
	if (*end == ',')
		*scale = strtol(end + 1, NULL, 10);
	return a;
}

static int
is(const char *t, const char *base)
{
	size_t n = strlen(base);
	return strncmp(t, base, n) == 0 && (t[n] == '\0' || t[n] == '(');
}

static enum verdict
verdict(const char *old, const char *new)
{
	long a, b, sa, sb;

	if (strcmp(old, new) == 0)
		return SAME;
	if (is(old, "character varying") && is(new, "character varying")) {
		a = type_args(old, "character varying", &sa);
		b = type_args(new, "character varying", &sb);
		return b < 0 || (a >= 0 && b >= a) ? CATALOG : REWRITE;
	}
	if (is(old, "character varying") && strcmp(new, "text") == 0)
		return CATALOG;
	if (is(old, "numeric") && is(new, "numeric")) {
		a = type_args(old, "numeric", &sa);
		b = type_args(new, "numeric", &sb);
		if (b < 0 || (a >= 0 && b >= a && sa == sb))
			return CATALOG;
		return REWRITE;
	}
	if ((is(old, "timestamp without time zone") && is(new, "timestamp with time zone")) ||
	    (is(old, "timestamp with time zone") && is(new, "timestamp without time zone")))
		return DEPENDS;
	return REWRITE;
}

/* The type op sets the column to (PostgreSQL's name), or NULL. */
static const char *
new_type(struct mg_diags *d, const struct mg_model *m, const struct mg_op *op)
{
	return op->pg_type ? op->pg_type : mg_type_pg(&d->arena, op->type_expr, m, NULL, NULL);
}

/*
 * The column's type just before op: the last type change of it earlier in
 * the same function, else, in downgrade(), the last one upgrade() made
 * (the state downgrade() starts from), else the replayed schema's (upgrade()
 * only: the schema is the state before upgrade(); a table with uncertain
 * facts is not trusted). NULL: not known.
 */
static const char *
old_type(struct mg_diags *d, const struct mg_model *m, const struct mg_options *o, size_t at,
         int *known)
{
	const struct mg_op *op = &m->ops[at];
	const struct mg_stable *t;
	const struct mg_scolumn *c;
	size_t i, hit = (size_t)-1;

	*known = 1;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *x = &m->ops[i];
		int earlier = x->dir == op->dir ? i < at : x->dir == MG_UPGRADE;
		if (!earlier || x->kind != MG_OP_ALTER_COLUMN || x->table == NULL ||
		    x->column == NULL || strcmp(x->table, op->table) != 0 ||
		    strcmp(x->column, op->column) != 0 ||
		    (x->pg_type == NULL && x->type_expr == NULL))
			continue;
		/* The same function's own change wins over upgrade()'s. */
		if (hit == (size_t)-1 || x->dir == op->dir || m->ops[hit].dir != op->dir)
			hit = i;
	}
	if (hit != (size_t)-1)
		return new_type(d, m, &m->ops[hit]);
	if (op->dir != MG_UPGRADE) {
		*known = 0;
		return NULL;
	}
	t = mg_rc_schema_table(o, op->schema, op->table);
	if (t == NULL || t->nuncertain > 0 || (c = mg_stable_column(t, op->column)) == NULL) {
		*known = 0;
		return NULL;
	}
	return c->type;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *new, *old;
		int known;
		struct mg_diag *g;
		enum verdict v;

		if (op->kind != MG_OP_ALTER_COLUMN || op->column == NULL ||
		    (op->pg_type == NULL && op->type_expr == NULL) ||
		    !mg_rc_table_existing(m, o, i, op->schema, op->table))
			continue;
		new = new_type(d, m, op);
		old = old_type(d, m, o, i, &known);
		(void)known;
		if (new == NULL || old == NULL) {
			/* Say what migen could not see, never a guess. */
			g = mg_diags_add(d, "column-type-rewrites", MG_NOTE);
			g->message = mg_arena_printf(
			    &d->arena,
			    "column '%s' of existing table '%s' changes type under ACCESS "
			    "EXCLUSIVE; "
			    "whether PostgreSQL also rewrites the table is not known: migen does "
			    "not "
			    "know the %s type%s",
			    op->column, op->table, new == NULL ? "new" : "old",
			    o->schema == NULL ? " (lint, with the project's history, knows more)"
			                      : "");
		} else {
			v = verdict(old, new);
			if (v == SAME || v == CATALOG)
				continue;
			g = mg_diags_add(d, "column-type-rewrites",
			                 v == REWRITE ? MG_WARNING : MG_NOTE);
			if (v == REWRITE)
				g->message = mg_arena_printf(
				    &d->arena,
				    "column '%s' of existing table '%s' changes type from %s to "
				    "%s: "
				    "PostgreSQL rewrites the whole table and its indexes under "
				    "ACCESS "
				    "EXCLUSIVE (reads and writes wait until the migration commits)",
				    op->column, op->table, old, new);
			else
				g->message =
				    mg_arena_printf(&d->arena,
				                    "column '%s' of existing table '%s' changes "
				                    "type from %s to %s: "
				                    "PostgreSQL rewrites the table unless the "
				                    "session's TimeZone is UTC "
				                    "(PostgreSQL 12+), under ACCESS EXCLUSIVE",
				                    op->column, op->table, old, new);
			g->note = "no code given: on a busy table, add a column of the new type, "
			          "fill it in batches (and by a trigger or the application), then "
			          "switch reads and drop the old column in later releases";
		}
		g->table = op->table;
		g->column = op->column;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
	}
}

const struct mg_rule mg_rule_column_type_rewrites = {
    "column-type-rewrites",
    "a column type change on a table with rows: a table rewrite under ACCESS EXCLUSIVE, or "
    "a catalog change",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
