/*
 * drop-column: upgrade() drops a column of a table that already holds rows.
 * During a rolling deploy the application's old version still runs while
 * the migration does, and SQLAlchemy names every mapped column in its
 * SELECT and INSERT: from the moment the DROP commits, each of those queries
 * fails with `column ... does not exist` until the last old process is
 * gone. The data is gone too; downgrade() brings back an empty column.
 * The fix is two releases: code that no longer reads or writes the column
 * (removed from the model, or deferred() while it is being phased out),
 * then the drop (`migen patterns drop-column`).
 */
#include <string.h>

#include "common.h"

/* " (character varying(50))": the column's type as the schema has it, or "". */
static const char *
type_of(struct mg_diags *d, const struct mg_options *o, const struct mg_op *op)
{
	const struct mg_stable *t = mg_rc_schema_table(o, op->schema, op->table);
	const struct mg_scolumn *c = t ? mg_stable_column(t, op->column) : NULL;

	return c != NULL && c->type != NULL ? mg_arena_printf(&d->arena, " (%s)", c->type) : "";
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (op->kind != MG_OP_DROP_COLUMN || op->column == NULL ||
		    !mg_rc_existing(m, o, op))
			continue;
		/* A column this migration added holds nothing the old code knows. */
		if (mg_rc_column_added(m, op->table, op->column, i))
			continue;
		g = mg_rc_op_diag(d, "drop-column", MG_WARNING, m, i);
		g->column = op->column;
		g->message = mg_arena_printf(
		    &d->arena,
		    "drops %s.%s%s while the running version may still use it: its queries that "
		    "name the column fail until the new version is out, and the data is gone",
		    op->table, op->column, type_of(d, o, op));
		g->note = mg_arena_printf(
		    &d->arena,
		    "drop in two releases: first deploy code that no longer reads or writes "
		    "%s.%s (remove it from the model, or mark it deferred() while it is phased "
		    "out), then drop it in a later migration with a lock_timeout: "
		    "migen patterns drop-column --table %s --column %s",
		    op->table, op->column, op->table, op->column);
	}
}

const struct mg_rule mg_rule_drop_column = {
    "drop-column",
    "a column of an existing table dropped while old code may still use it",
    MG_WARNING,
    check,
    0,
};
