/*
 * drop-unnamed-constraint: op.drop_constraint(None, ...), which autogenerate
 * writes into downgrade() for a constraint created without a name (an
 * unnamed sa.ForeignKey, op.create_foreign_key(None, ...)). Alembic cannot
 * build `ALTER TABLE ... DROP CONSTRAINT` without a name: the call raises
 * before it reaches the database, so the downgrade always fails. The fix is
 * the name PostgreSQL gave the constraint (`<table>_<column>_fkey` for a
 * foreign key), or a naming convention in the MetaData so that autogenerate
 * writes names on both sides.
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

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *name;
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
		if ((name = fkey_name(d, m, op)) != NULL) {
			struct mg_buf b = {0};
			struct mg_style st;

			mg_rules_style(m, &st);
			mg_buf_printf(&b, "%sop.drop_constraint(", st.indent);
			mg_snippet_pystr(&b, name, st.quote);
			mg_buf_puts(&b, ", ");
			mg_snippet_pystr(&b, op->table, st.quote);
			mg_buf_puts(&b, ", type_=");
			mg_snippet_pystr(&b, "foreignkey", st.quote);
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
};
