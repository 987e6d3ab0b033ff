/*
 * exclusion-constraint-locks: ADD CONSTRAINT ... EXCLUDE (SQL in
 * op.execute(), or Alembic's op.create_exclude_constraint) on a table that
 * already holds rows. PostgreSQL builds the constraint's index under ACCESS
 * EXCLUSIVE, held until the migration commits (measured by
 * tests/integration/locks.sh): no read or write of the table meanwhile.
 * Unlike UNIQUE, FOREIGN KEY and CHECK there is no NOT VALID form and no
 * ADD CONSTRAINT ... USING INDEX for an exclusion constraint, so there is
 * no safe way and no code: a maintenance window, or a new table.
 */
#include <string.h>

#include "common.h"

#define RULE "exclusion-constraint-locks"

static int
is_exclude(const struct mg_op *op)
{
	return op->kind == MG_OP_OTHER && op->object_type != NULL &&
	       strcmp(op->object_type, "exclude") == 0;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_diag *g;

		if (!is_exclude(op) || !mg_rc_table_existing(m, o, i, op->schema, op->table))
			continue;
		g = mg_rc_stmt_diag(d, RULE, MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "exclusion constraint %s on existing table '%s' in %s() builds its index under "
		    "ACCESS EXCLUSIVE, held until the migration commits: every read and write of "
		    "'%s' waits",
		    op->object ? op->object : "(unnamed)", op->table, mg_rc_function(m, op),
		    op->table);
		g->note = "no code given: there is no safe way; an exclusion constraint has no NOT "
		          "VALID form and cannot be added USING INDEX; add it in a maintenance "
		          "window, or on a new table that the rows are copied into";
	}
}

const struct mg_rule mg_rule_exclusion_constraint_locks = {
    RULE,
    "ADD CONSTRAINT ... EXCLUDE builds its index under ACCESS EXCLUSIVE; there is no safe way",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
