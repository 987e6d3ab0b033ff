/*
 * set-not-null-scans: SET NOT NULL on a column of a table that holds rows
 * reads every row to look for a NULL while it holds ACCESS EXCLUSIVE on the
 * table: reads and writes wait for the whole scan. PostgreSQL 12+ skips the
 * scan when a validated CHECK (col IS NOT NULL) stands on the table, and
 * that CHECK can be added NOT VALID and validated under a lock writers do
 * not wait for: the fix.
 *
 * Reported once: where not-null-without-backfill reports the statement
 * (nothing fills the column before it), its finding says the scan too and
 * its code takes the same route. This rule covers what is left: a column
 * filled earlier in the migration (the backfill is fine, the scan is not),
 * and the same statement when that rule is not reported.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Whether op i already carries a not-null-without-backfill finding. */
static unsigned char *
covered(const struct mg_model *m, const struct mg_diags *d)
{
	unsigned char *v = calloc(m->nops ? m->nops : 1, 1);
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < d->n; i++)
		if (d->v[i].op < m->nops && strcmp(d->v[i].rule, "not-null-without-backfill") == 0)
			v[d->v[i].op] = 1;
	return v;
}

/*
 * Whether the alter at upto changes nothing or scans nothing: the column is
 * NOT NULL already (in the schema, or made so earlier in upgrade()), or the
 * table was emptied earlier in upgrade().
 */
static int
no_scan(const struct mg_model *m, const struct mg_options *o, size_t upto)
{
	const struct mg_op *op = &m->ops[upto];
	const struct mg_stable *t = mg_rc_schema_table(o, op->schema, op->table);
	const struct mg_scolumn *c = t != NULL ? mg_stable_column(t, op->column) : NULL;
	size_t j;

	if (c != NULL && c->nullable == MG_NO)
		return 1;
	for (j = 0; j < upto; j++) {
		const struct mg_op *p = &m->ops[j];

		if (p->dir != MG_UPGRADE || p->table == NULL || strcmp(p->table, op->table) != 0)
			continue;
		if (p->kind == MG_OP_EMPTY_TABLE)
			return 1;
		if (p->column == NULL || strcmp(p->column, op->column) != 0)
			continue;
		if (p->kind == MG_OP_ALTER_COLUMN && p->nullable == MG_NO)
			return 1;
		if (p->kind == MG_OP_ADD_COLUMN && p->coldef != NULL &&
		    p->coldef->nullable == MG_NO)
			return 1;
	}
	return 0;
}

/* The CHECK route in place of the alter: what --fix writes, or why it does not. */
static void
code(struct mg_diags *d, const struct mg_model *m, struct mg_diag *g, const struct mg_op *op)
{
	struct mg_backfill_spec bf;
	struct mg_style st;
	struct mg_buf b = {0};
	const char *names[2] = {op->table, op->column};

	if (!mg_rc_safe(names, 2) || (op->schema != NULL && !mg_rc_safe(&op->schema, 1)))
		return;
	memset(&bf, 0, sizeof(bf));
	bf.table = op->table;
	bf.schema = op->schema;
	bf.column = op->column;
	mg_rules_style(m, &st);
	mg_snippet_set_not_null(&b, &bf, &st);
	g->code = mg_arena_strndup(&d->arena, b.s, b.len);
	g->where = mg_arena_printf(&d->arena, "upgrade(), instead of %s", mg_rc_describe(d, m, op));
	mg_rc_alter_replace(d, m, g, op);
	mg_buf_free(&b);
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	unsigned char *done;
	int pg = mg_rc_pg_version(o);
	size_t i;

	if ((done = covered(m, d)) == NULL)
		return;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;
		int proven;

		if (op->kind != MG_OP_ALTER_COLUMN || op->dir != MG_UPGRADE ||
		    op->nullable != MG_NO || op->column == NULL || done[i] ||
		    !mg_rc_table_existing(m, o, i, op->schema, op->table) || no_scan(m, o, i))
			continue;
		proven = mg_rc_not_null_proven(m, o, i, op->schema, op->table, op->column);
		if (proven && pg >= 12)
			continue;
		g = mg_rc_op_diag(d, "set-not-null-scans", MG_WARNING, m, i);
		g->table = op->table;
		g->column = op->column;
		if (proven)
			g->message =
			    mg_arena_printf(&d->arena,
			                    "SET NOT NULL on %s.%s reads every row under an ACCESS "
			                    "EXCLUSIVE lock on "
			                    "PostgreSQL %d even after the validated CHECK "
			                    "(PostgreSQL 12+ trusts it): "
			                    "reads and writes of %s wait for the whole scan",
			                    op->table, op->column, pg, op->table);
		else {
			g->message = mg_arena_printf(
			    &d->arena,
			    "SET NOT NULL on %s.%s reads every row to look for a NULL while it "
			    "holds "
			    "an ACCESS EXCLUSIVE lock: reads and writes of %s wait for the whole "
			    "scan; a CHECK (%s IS NOT NULL) added NOT VALID and validated first "
			    "lets "
			    "it skip the scan%s",
			    op->table, op->column, op->table, op->column,
			    pg < 12 ? " from PostgreSQL 12 (the deploy target is older)" : "");
			if (pg >= 12)
				code(d, m, g, op);
		}
	}
	free(done);
}

const struct mg_rule mg_rule_set_not_null_scans = {
    "set-not-null-scans", "SET NOT NULL scans an existing table under ACCESS EXCLUSIVE",
    MG_WARNING,           check,
    MG_RULE_POSTGRESQL,
};
