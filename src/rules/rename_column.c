/*
 * rename-column: upgrade() renames a column of a table that already holds
 * rows (op.alter_column(new_column_name=), batch_op.alter_column, SQL
 * RENAME COLUMN). The rename itself is instant, but the application's old
 * version still runs during a rolling deploy and names the old column in
 * every query: they fail with `column ... does not exist` until the last
 * old process is gone (and the new version fails the same way if it starts
 * before the migration). The fix is expand/contract: add the new column and
 * keep both in step, move the code, then drop the old one.
 */
#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (op->column == NULL || op->new_name == NULL || !mg_rc_existing(m, o, op))
			continue;
		if (op->kind != MG_OP_RENAME_COLUMN && op->kind != MG_OP_ALTER_COLUMN)
			continue;
		if (mg_rc_column_added(m, op->table, op->column, i))
			continue;
		g = mg_rc_op_diag(d, "rename-column", MG_WARNING, m, i);
		g->column = op->column;
		g->message = mg_arena_printf(
		    &d->arena,
		    "renames %s.%s to %s while the running version still names %s in its "
		    "queries: they fail until the new version is out",
		    op->table, op->column, op->new_name, op->column);
		g->note = mg_arena_printf(
		    &d->arena,
		    "expand/contract instead: add %s and keep both columns in step with a "
		    "trigger (migen patterns rename-column-expand --table %s --column %s "
		    "--column %s), deploy code that uses %s, then drop %s "
		    "(migen patterns rename-column-contract --table %s --column %s --column %s)",
		    op->new_name, op->table, op->column, op->new_name, op->new_name, op->column,
		    op->table, op->column, op->new_name);
	}
}

const struct mg_rule mg_rule_rename_column = {
    "rename-column",
    "a column of an existing table renamed while old code still uses the old name",
    MG_WARNING,
    check,
    0,
};
