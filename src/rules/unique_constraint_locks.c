/*
 * unique-constraint-locks: a unique constraint or primary key added to a
 * table that already holds rows (op.create_unique_constraint,
 * op.create_primary_key, also batch_op; SQL ADD UNIQUE / ADD PRIMARY KEY).
 * PostgreSQL builds the index while holding SHARE and ACCESS EXCLUSIVE on
 * the table until the migration commits (tests/integration/locks.sh):
 * reads and writes wait for the whole build. The fix builds the unique
 * index CONCURRENTLY in an autocommit block, then attaches it:
 * ADD CONSTRAINT ... UNIQUE USING INDEX takes ACCESS EXCLUSIVE only for
 * the catalog change (no scan). A constraint added USING INDEX is the safe
 * form already and is not reported.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i, k;

	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		const struct mg_op *op = &m->ops[x->op];
		const char *kind = x->kind == MG_IX_PRIMARY_KEY ? "PRIMARY KEY" : "UNIQUE";
		const char **cols;
		struct mg_index_spec ix;
		struct mg_buf sql = {0};
		struct mg_diag *g;

		if (x->kind == MG_IX_INDEX || x->source == MG_SRC_TABLE ||
		    op->kind == MG_OP_CREATE_TABLE || op->kind == MG_OP_ADD_COLUMN ||
		    op->using_index != NULL ||
		    !mg_rc_table_existing(m, o, x->op, x->schema, x->table))
			continue;
		g = mg_diags_add(d, "unique-constraint-locks", MG_WARNING);
		g->table = x->table;
		g->line = x->line;
		g->col = x->col;
		g->op = x->op;
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s constraint %s on existing table '%s' builds its index under ACCESS "
		    "EXCLUSIVE, held until the migration commits (reads and writes wait); build "
		    "the "
		    "index CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX",
		    kind, x->name ? x->name : "(unnamed)", x->table);
		if (x->name == NULL || !x->columns_known || x->ncolumns == 0) {
			g->note =
			    "no code given: the constraint's name or columns are not literals";
			continue;
		}
		cols = mg_arena_alloc(&d->arena, x->ncolumns * sizeof(*cols));
		for (k = 0; k < x->ncolumns; k++)
			cols[k] = x->columns[k] == NULL || x->is_expr[k] ||
			                  mg_ident_refusal(x->columns[k]) != NULL
			              ? NULL
			              : mg_rc_sql_name(d, x->columns[k]);
		memset(&ix, 0, sizeof(ix));
		ix.name = x->name;
		ix.table = x->table;
		ix.schema = x->schema ? x->schema : op->schema;
		ix.columns = cols;
		ix.ncolumns = x->ncolumns;
		ix.unique = 1;
		if (mg_rc_index_code(d, m, &ix, 1, g) != 0) {
			g->note = "no code given: a name cannot be written into code";
			continue;
		}
		/* Dropping the constraint drops its index: downgrade() needs nothing new. */
		g->downgrade = NULL;
		mg_buf_puts(&sql, "ALTER TABLE ");
		mg_ident_sql_qualified(&sql, ix.schema, x->table);
		mg_buf_puts(&sql, " ADD CONSTRAINT ");
		mg_ident_sql(&sql, x->name);
		mg_buf_printf(&sql, " %s USING INDEX ", kind);
		mg_ident_sql(&sql, x->name);
		g->code = mg_rc_execute_code(d, m, g->code, sql.s, 0);
		mg_buf_free(&sql);
		if (op->source == MG_SRC_SQL) {
			g->where = mg_arena_printf(&d->arena,
			                           "%s(), instead of the ADD CONSTRAINT in "
			                           "the op.execute(...) at line %u",
			                           mg_rc_function(m, op),
			                           (unsigned)m->ops[op->parent].span.line);
			g->not_applied =
			    "the constraint is added by SQL inside op.execute(): edit that "
			    "SQL by hand";
		} else {
			g->where = mg_arena_printf(&d->arena, "%s(), instead of %s",
			                           mg_rc_function(m, op), mg_rc_describe(d, m, op));
			if (op->batch) {
				g->where = mg_arena_printf(
				    &d->arena,
				    "%s(), after the `with op.batch_alter_table('%s')` block, "
				    "instead of "
				    "its batch_op.create_%s(...)",
				    mg_rc_function(m, op), x->table,
				    x->kind == MG_IX_PRIMARY_KEY ? "primary_key"
				                                 : "unique_constraint");
				g->not_applied =
				    "the statement is a batch_op call: move it by hand";
			} else if (op->in_loop)
				g->not_applied = "the statement is in a loop or nested function";
			else if (!o->use_concurrently)
				g->not_applied =
				    "--write rewrites it only with --use-concurrently (the "
				    "autocommit block commits what runs before it)";
		}
		g->fix = g->not_applied == NULL ? MG_FIX_REPLACE : MG_FIX_NONE;
	}
}

const struct mg_rule mg_rule_unique_constraint_locks = {
    "unique-constraint-locks",
    "a unique constraint or primary key added to a table with rows builds its index under "
    "ACCESS EXCLUSIVE",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
