/*
 * add-foreign-key-validates: a foreign key added to a table that already
 * holds rows, without NOT VALID (op.create_foreign_key, sa.ForeignKey in
 * op.add_column, SQL ADD ... FOREIGN KEY / ADD COLUMN ... REFERENCES).
 * PostgreSQL takes SHARE ROW EXCLUSIVE on the table and on the referenced
 * table and reads every row of the table to check it, and both locks are
 * held until the migration commits: writes to either table wait
 * (tests/integration/locks.sh measures it). The fix adds the key NOT VALID
 * (no read of the rows; new rows are checked from then on) and validates
 * it in its own transaction, which takes SHARE UPDATE EXCLUSIVE on the
 * table and ROW SHARE on the referenced one: writes go on.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

/*
 * The name PostgreSQL gives an unnamed key: <table>_<col>..._fkey, cut as
 * makeObjectName() cuts it; NULL when a column is unknown or, under lint,
 * the table already has a constraint or index of that name (PostgreSQL
 * would then add a number).
 */
static const char *
default_name(struct mg_diags *d, const struct mg_options *o, const struct mg_fkey *fk)
{
	const struct mg_stable *t;
	struct mg_buf b = {0};
	const char *name;
	size_t i;

	if (fk->ncolumns == 0 || fk->columns == NULL)
		return NULL;
	for (i = 0; i < fk->ncolumns; i++) {
		if (fk->columns[i] == NULL) {
			mg_buf_free(&b);
			return NULL;
		}
		mg_buf_printf(&b, "%s%s", i ? "_" : "", fk->columns[i]);
	}
	name = mg_schema_object_name(&d->arena, fk->table, b.s, "fkey");
	mg_buf_free(&b);
	t = mg_rc_schema_table(o, fk->schema, fk->table);
	if (t != NULL && (mg_stable_fkey(t, name) != NULL || mg_stable_check(t, name) != NULL ||
	                  mg_stable_index(t, name) != NULL))
		return NULL;
	return name;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nfkeys; i++) {
		const struct mg_fkey *fk = &m->fkeys[i];
		const struct mg_op *op = &m->ops[fk->op];
		const char *fn, *validate, *name, *both;
		struct mg_diag *g;

		if (fk->source == MG_SRC_TABLE || fk->not_valid ||
		    !mg_rc_table_existing(m, o, fk->op, fk->schema ? fk->schema : op->schema,
		                          fk->table))
			continue;
		fn = mg_rc_function(m, op);
		g = mg_diags_add(d, "add-foreign-key-validates", MG_WARNING);
		g->table = fk->table;
		g->column = fk->ncolumns == 1 ? fk->columns[0] : NULL;
		g->line = fk->line;
		g->col = fk->col;
		g->op = fk->op;
		name = fk->name;
		if (name == NULL && fk->name_expr == NULL)
			name = default_name(d, o, fk);
		if (op->kind == MG_OP_ADD_COLUMN)
			/* ADD COLUMN takes ACCESS EXCLUSIVE on the table itself (measured). */
			both = mg_arena_printf(
			    &d->arena,
			    "'%s' (ACCESS EXCLUSIVE there, for the new column) and %s%s%s",
			    fk->table, fk->ref_table ? "'" : "",
			    fk->ref_table ? fk->ref_table : "the referenced table",
			    fk->ref_table ? "'" : "");
		else if (fk->ref_table != NULL && strcmp(fk->ref_table, fk->table) == 0)
			both = mg_arena_printf(&d->arena, "'%s'", fk->table);
		else
			both = mg_arena_printf(
			    &d->arena, "'%s' and %s%s%s", fk->table, fk->ref_table ? "'" : "",
			    fk->ref_table ? fk->ref_table : "the referenced table",
			    fk->ref_table ? "'" : "");
		g->message = mg_arena_printf(
		    &d->arena,
		    "foreign key %s on existing table '%s' is checked as it is added: SHARE ROW "
		    "EXCLUSIVE on %s while every row of '%s' is read, held until the migration "
		    "commits (writes wait); add it NOT VALID and VALIDATE it in its own "
		    "transaction",
		    fk->name ? fk->name
		    : name != NULL
		        ? mg_arena_printf(&d->arena, "(unnamed: PostgreSQL names it %s)", name)
		        : "(unnamed)",
		    fk->table, both, fk->table);
		validate = mg_rc_validate_code(d, m, fk->schema ? fk->schema : op->schema,
		                               fk->table, name);
		if (validate == NULL) {
			g->note = name == NULL
			              ? "no code given: the constraint has no name in the file "
			                "(name it to VALIDATE it)"
			              : "no code given: the names cannot be written into code";
			continue;
		}
		if (op->kind == MG_OP_CREATE_FOREIGN_KEY && op->source == MG_SRC_OP && !op->batch) {
			mg_rc_not_valid_code(d, m, g, op, fn, validate);
			continue;
		}
		/* The other forms: the VALIDATE is the code; NOT VALID is an edit by hand. */
		g->code = validate;
		g->not_applied = "NOT VALID is added by hand first (see where the code goes)";
		if (op->batch)
			g->where = mg_arena_printf(
			    &d->arena,
			    "%s(), after the `with op.batch_alter_table('%s')` block, with "
			    "postgresql_not_valid=True added to batch_op.create_foreign_key(...)",
			    fn, fk->table);
		else if (fk->source == MG_SRC_SQL)
			g->where =
			    mg_arena_printf(&d->arena,
			                    "%s(), after the op.execute(...) at line %u, with NOT "
			                    "VALID added to its ADD CONSTRAINT ... FOREIGN KEY",
			                    fn, (unsigned)m->ops[op->parent].span.line);
		else
			g->where = mg_arena_printf(
			    &d->arena,
			    "%s(), after %s, once the column is added without sa.ForeignKey(...) "
			    "and "
			    "the key by op.create_foreign_key(..., postgresql_not_valid=True)",
			    fn, mg_rc_describe(d, m, op));
	}
}

const struct mg_rule mg_rule_add_foreign_key_validates = {
    "add-foreign-key-validates",
    "a foreign key added to a table with rows without NOT VALID locks both tables while it "
    "reads every row",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
