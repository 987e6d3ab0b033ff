/*
 * drop-table: upgrade() drops a table that already exists in production.
 * The running version of the application may still query it (every query
 * fails from the moment the DROP commits), and its rows are gone for good:
 * downgrade() can only re-create it empty. A table this migration (or,
 * under --since, the same change) created is not reported.
 */
#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (op->kind != MG_OP_DROP_TABLE || !mg_rc_existing(m, o, op))
			continue;
		g = mg_rc_op_diag(d, "drop-table", MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "drops table %s while the running version may still use it: its queries "
		    "fail until the new version is out, and every row is gone (downgrade() can "
		    "only re-create it empty)",
		    op->table);
		g->note = mg_arena_printf(
		    &d->arena,
		    "drop in two releases: first deploy code that no longer uses %s (remove its "
		    "model), then drop it in a later migration; keep a copy of the rows first if "
		    "they may be needed (pg_dump --table=%s)",
		    op->table, op->table);
	}
}

const struct mg_rule mg_rule_drop_table = {
    "drop-table", "an existing table dropped while old code may still use it", MG_WARNING, check, 0,
};
