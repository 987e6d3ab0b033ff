/*
 * rename-table: upgrade() renames a table that already exists. The rename
 * is instant, but the application's old version still runs during a rolling
 * deploy and queries the old name: every query fails with `relation ...
 * does not exist` until the last old process is gone. A view with the old
 * name bridges the deploy: PostgreSQL can write through a view that selects
 * every column of one table (an automatically updatable view), so the old
 * code reads and writes the renamed table. A later migration drops it.
 */
#include "common.h"

/* "name" or "schema.name" as SQL. */
static const char *
qualified(struct mg_diags *d, const char *schema, const char *name)
{
	if (schema == NULL)
		return mg_rc_sql_name(d, name);
	return mg_arena_printf(&d->arena, "%s.%s", mg_rc_sql_name(d, schema),
	                       mg_rc_sql_name(d, name));
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *names[3];
		struct mg_diag *g;

		if (op->kind != MG_OP_RENAME_TABLE || op->new_name == NULL ||
		    !mg_rc_existing(m, o, op))
			continue;
		g = mg_rc_op_diag(d, "rename-table", MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "renames table %s to %s while the running version still queries %s: its "
		    "queries fail until the new version is out",
		    op->table, op->new_name, op->table);
		names[0] = op->table;
		names[1] = op->new_name;
		names[2] = op->schema != NULL ? op->schema : op->table;
		if (!mg_rc_safe(names, 3)) {
			g->note = "a view with the old name bridges the deploy (no code: a name "
			          "cannot be written safely)";
			continue;
		}
		{
			struct mg_style st;
			const char *old = qualified(d, op->schema, op->table);
			const char *new = qualified(d, op->schema, op->new_name);

			mg_rules_style(m, &st);
			g->code = mg_rc_execute_code(
			    d, m,
			    mg_arena_printf(
			        &d->arena,
			        "%s# The running version still queries %s: a view with "
			        "that name\n%s# reads and writes the renamed table until a "
			        "later migration drops it.\n",
			        st.indent, op->table, st.indent),
			    mg_arena_printf(&d->arena, "CREATE VIEW %s AS SELECT * FROM %s", old,
			                    new),
			    0);
			g->where = mg_arena_printf(
			    &d->arena, "upgrade(), after op.rename_table('%s', ...)", op->table);
			g->downgrade = mg_rc_execute_code(
			    d, m, NULL, mg_arena_printf(&d->arena, "DROP VIEW IF EXISTS %s", old),
			    0);
			g->downgrade_where = mg_arena_printf(
			    &d->arena, "downgrade(), before the table is renamed back to %s",
			    op->table);
			g->note =
			    mg_arena_printf(&d->arena,
			                    "once no running code uses %s, drop the view in a "
			                    "later migration",
			                    op->table);
		}
	}
}

const struct mg_rule mg_rule_rename_table = {
    "rename-table",
    "an existing table renamed while old code still uses the old name",
    MG_WARNING,
    check,
    0,
};
