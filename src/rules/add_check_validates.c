/*
 * add-check-validates: a CHECK constraint added to a table that already
 * holds rows, without NOT VALID (op.create_check_constraint, SQL ADD
 * CHECK). PostgreSQL reads every row under ACCESS EXCLUSIVE, held until the
 * migration commits: reads and writes wait (measured by
 * tests/integration/locks.sh). The fix adds it NOT VALID (new rows are
 * checked from then on, no read of the old ones) and validates it in its
 * own transaction under SHARE UPDATE EXCLUSIVE: writes go on.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nchecks; i++) {
		const struct mg_check *k = &m->checks[i];
		const struct mg_op *op = &m->ops[k->op];
		const char *fn, *validate;
		struct mg_diag *g;

		if (k->source == MG_SRC_TABLE || k->not_valid ||
		    op->kind != MG_OP_CREATE_CHECK_CONSTRAINT ||
		    !mg_rc_table_existing(m, o, k->op, k->schema, k->table))
			continue;
		fn = mg_rc_function(m, op);
		g = mg_diags_add(d, "add-check-validates", MG_WARNING);
		g->table = k->table;
		g->column = k->column;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = k->op;
		g->message = mg_arena_printf(
		    &d->arena,
		    "check constraint %s on existing table '%s' is checked as it is added: every "
		    "row "
		    "is read under ACCESS EXCLUSIVE, held until the migration commits (reads and "
		    "writes wait); add it NOT VALID and VALIDATE it in its own transaction",
		    k->name ? k->name : "(unnamed)", k->table);
		validate = mg_rc_validate_code(d, m, k->schema ? k->schema : op->schema, k->table,
		                               k->name);
		if (validate == NULL) {
			g->note = k->name == NULL
			              ? "no code given: the constraint has no name in the "
			                "file (name it to VALIDATE it)"
			              : "no code given: the names cannot be written into code";
			continue;
		}
		if (op->source == MG_SRC_OP && !op->batch) {
			mg_rc_not_valid_code(d, m, g, op, fn, validate);
			continue;
		}
		g->code = validate;
		g->not_applied = "NOT VALID is added by hand first (see where the code goes)";
		if (op->batch)
			g->where = mg_arena_printf(
			    &d->arena,
			    "%s(), after the `with op.batch_alter_table('%s')` block, with "
			    "postgresql_not_valid=True added to "
			    "batch_op.create_check_constraint(...)",
			    fn, k->table);
		else
			g->where =
			    mg_arena_printf(&d->arena,
			                    "%s(), after the op.execute(...) at line %u, with NOT "
			                    "VALID added to its ADD CONSTRAINT ... CHECK",
			                    fn, (unsigned)m->ops[op->parent].span.line);
	}
}

const struct mg_rule mg_rule_add_check_validates = {
    "add-check-validates",
    "a CHECK constraint added to a table with rows without NOT VALID reads every row under "
    "ACCESS EXCLUSIVE",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
