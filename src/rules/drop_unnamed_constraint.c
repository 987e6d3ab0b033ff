/*
 * drop-unnamed-constraint: op.drop_constraint(None, ...), which autogenerate
 * writes into downgrade() for a constraint created without a name (an
 * unnamed sa.ForeignKey, op.create_foreign_key(None, ...)). Alembic cannot
 * build `ALTER TABLE ... DROP CONSTRAINT` without a name: the call raises
 * before it reaches the database, so the downgrade always fails. The fix is
 * the name PostgreSQL gave the constraint (`<table>_<column>_fkey` for a
 * foreign key), or a naming convention in the MetaData so that autogenerate
 * writes names on both sides. In upgrade(), under lint, the schema replayed
 * before the migration holds the table's constraints with the names
 * PostgreSQL gave them: when exactly one is of the type_ dropped, that is
 * the name; otherwise the message lists them.
 */
#include <string.h>

#include "migen/ident.h"
#include "common.h"

/* Whether the constraint-name argument is written and is the literal None. */
static int
unnamed(const struct mg_model *m, const struct mg_op *op)
{
	const char *p, *end;

	if (op->object != NULL || m->src == NULL || op->span.end > m->srclen)
		return 0;
	/* The model keeps only literal names: look at the call for `(None` or `name=None`. */
	p = m->src + op->span.start;
	end = m->src + op->span.end;
	p = memchr(p, '(', (size_t)(end - p));
	if (p == NULL)
		return 0;
	for (p++; p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'); p++)
		;
	if (end - p >= 16 && memcmp(p, "constraint_name=", 16) == 0)
		p += 16;
	return end - p >= 4 && memcmp(p, "None", 4) == 0 &&
	       (end - p == 4 || p[4] == ',' || p[4] == ')' || p[4] == ' ' || p[4] == '\n' ||
	        p[4] == '\r');
}

/*
 * The name PostgreSQL gave the one unnamed foreign key upgrade() adds to the
 * table, `<table>_<col>..._fkey` (shorter than 64 bytes, or PostgreSQL would
 * have cut it): NULL when there is not exactly one, or a column is unknown.
 */
static const char *
fkey_name(struct mg_diags *d, const struct mg_model *m, const struct mg_op *drop)
{
	const struct mg_fkey *one = NULL;
	struct mg_buf b = {0};
	const char *r = NULL;
	size_t i;

	if (drop->table == NULL || drop->schema != NULL)
		return NULL;
	for (i = 0; i < m->nfkeys; i++) {
		const struct mg_fkey *fk = &m->fkeys[i];
		if (fk->dir != MG_UPGRADE || fk->table == NULL ||
		    strcmp(fk->table, drop->table) != 0)
			continue;
		if (fk->name != NULL)
			continue;
		if (one != NULL)
			return NULL;
		one = fk;
	}
	if (one == NULL || one->ncolumns == 0)
		return NULL;
	mg_buf_puts(&b, one->table);
	for (i = 0; i < one->ncolumns; i++) {
		if (one->columns[i] == NULL) {
			mg_buf_free(&b);
			return NULL;
		}
		mg_buf_printf(&b, "_%s", one->columns[i]);
	}
	mg_buf_puts(&b, "_fkey");
	if (b.len <= 63 && mg_ident_refusal(b.s) == NULL && mg_ident_refusal(one->table) == NULL)
		r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

/* Whether a constraint of this kind can be what drop_constraint(type_=type) drops. */
static int
kind_ok(const char *type, const char *want)
{
	return type == NULL || strcmp(type, want) == 0;
}

/*
 * The name of the one constraint of op's type_ on the table as the schema
 * has it, or NULL; *names lists every candidate ("a, b") when there are
 * several. A table with facts migen could not follow gives none.
 */
static const char *
schema_name(struct mg_diags *d, const struct mg_options *o, const struct mg_op *op,
            const char **names)
{
	const struct mg_stable *t;
	struct mg_buf b = {0};
	const char *one = NULL;
	size_t i, n = 0;

	*names = NULL;
	if (op->dir != MG_UPGRADE || op->table == NULL ||
	    (t = mg_rc_schema_table(o, op->schema, op->table)) == NULL || t->nuncertain > 0)
		return NULL;
	for (i = 0; i < t->nfkeys; i++)
		if (kind_ok(op->object_type, "foreignkey") && t->fkeys[i].name != NULL) {
			mg_buf_printf(&b, "%s%s", n++ ? ", " : "", t->fkeys[i].name);
			one = t->fkeys[i].name;
		}
	for (i = 0; i < t->nindexes; i++) {
		const struct mg_sindex *x = &t->indexes[i];
		if (x->name == NULL ||
		    !((x->kind == MG_IX_UNIQUE && kind_ok(op->object_type, "unique")) ||
		      (x->kind == MG_IX_PRIMARY_KEY && kind_ok(op->object_type, "primary"))))
			continue;
		mg_buf_printf(&b, "%s%s", n++ ? ", " : "", x->name);
		one = x->name;
	}
	for (i = 0; i < t->nchecks; i++)
		if (kind_ok(op->object_type, "check") && t->checks[i].name != NULL) {
			mg_buf_printf(&b, "%s%s", n++ ? ", " : "", t->checks[i].name);
			one = t->checks[i].name;
		}
	if (n > 1)
		*names = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	if (n != 1 || mg_ident_refusal(one) != NULL || mg_ident_refusal(op->table) != NULL)
		return NULL;
	return one;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *name, *names = NULL, *type;
		struct mg_diag *g;

		if (op->kind != MG_OP_DROP_CONSTRAINT || op->source != MG_SRC_OP || !unnamed(m, op))
			continue;
		g = mg_diags_add(d, "drop-unnamed-constraint", MG_ERROR);
		g->table = op->table;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message = mg_arena_printf(
		    &d->arena,
		    "op.drop_constraint(None, ...) in %s() always fails: a constraint cannot be "
		    "dropped without its name (PostgreSQL named it, e.g. <table>_<column>_fkey; "
		    "write that name, or give the MetaData a naming convention)",
		    op->function ? op->function : "downgrade");
		name = schema_name(d, o, op, &names);
		type = op->object_type;
		if (name == NULL && names == NULL && (name = fkey_name(d, m, op)) != NULL)
			type = "foreignkey";
		if (name != NULL)
			g->message =
			    mg_arena_printf(&d->arena,
			                    "op.drop_constraint(None, ...) in %s() always fails: "
			                    "a constraint cannot be dropped without its name "
			                    "(PostgreSQL named it %s)",
			                    op->function ? op->function : "upgrade", name);
		else if (names != NULL)
			g->message = mg_arena_printf(
			    &d->arena,
			    "op.drop_constraint(None, ...) in %s() always fails: a constraint "
			    "cannot be "
			    "dropped without its name (%s has: %s; write the one meant)",
			    op->function ? op->function : "upgrade", op->table, names);
		if (name != NULL) {
			struct mg_buf b = {0};
			struct mg_style st;

			mg_rules_style(m, &st);
			mg_buf_printf(&b, "%sop.drop_constraint(", st.indent);
			mg_snippet_pystr(&b, name, st.quote);
			mg_buf_puts(&b, ", ");
			mg_snippet_pystr(&b, op->table, st.quote);
			if (type != NULL) {
				mg_buf_puts(&b, ", type_=");
				mg_snippet_pystr(&b, type, st.quote);
			}
			mg_buf_puts(&b, ")\n");
			g->code = mg_arena_strndup(&d->arena, b.s, b.len);
			mg_buf_free(&b);
			g->where = mg_arena_printf(
			    &d->arena, "%s(), instead of op.drop_constraint(None, '%s', ...)",
			    op->function ? op->function : "downgrade", op->table);
			g->fix = op->in_loop ? MG_FIX_NONE : MG_FIX_REPLACE;
		}
	}
}

const struct mg_rule mg_rule_drop_unnamed_constraint = {
    "drop-unnamed-constraint",
    "op.drop_constraint(None, ...): a constraint without a name cannot be dropped",
    MG_ERROR,
    check,
    0,
};
