/*
 * enum-add-value: ALTER TYPE ... ADD VALUE inside the migration's
 * transaction. Before PostgreSQL 12 it fails there ("ALTER TYPE ... ADD
 * cannot run inside a transaction block"). From 12 it runs, but the new
 * value cannot be used until the transaction commits: a later statement of
 * the same migration that uses it fails ("unsafe use of new value"). Both
 * errors; otherwise a note (the value exists only once the migration has
 * committed).
 *
 * Silent when the enum type is created in the same migration (PostgreSQL
 * allows both then) and inside an autocommit block. The fix moves the
 * statement into `with op.get_context().autocommit_block():`, which commits
 * it before what follows.
 */
#include <string.h>

#include "common.h"

#define RULE "enum-add-value"

/* Whether text holds the label as an SQL or Python string literal. */
static int
quotes_label(const char *text, const char *label)
{
	const char *p;
	size_t n = strlen(label);

	if (text == NULL || n == 0)
		return 0;
	for (p = strstr(text, label); p != NULL; p = strstr(p + 1, label))
		if (p > text && (p[-1] == '\'' || p[-1] == '"') && p[n] == p[-1])
			return 1;
	return 0;
}

/* Whether the type's source text names an enum called name: sa.Enum(..., name="x"). */
static int
type_names_enum(const char *type, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (type == NULL || (strstr(type, "Enum") == NULL && strstr(type, "ENUM") == NULL))
		return 0;
	for (p = strstr(type, "name="); p != NULL; p = strstr(p + 1, "name=")) {
		const char *v = p + 5;
		if ((*v == '"' || *v == '\'') && strncmp(v + 1, name, n) == 0 && v[1 + n] == *v)
			return 1;
	}
	return 0;
}

/* The enum is created in this migration (same direction, before op i). */
static int
created_here(const struct mg_model *m, size_t i, const char *name)
{
	size_t j, k;

	for (j = 0; j < i; j++) {
		const struct mg_op *p = &m->ops[j];
		if (p->dir != m->ops[i].dir)
			continue;
		if (p->kind == MG_OP_CREATE_ENUM && p->object != NULL &&
		    strcmp(p->object, name) == 0)
			return 1;
		if (p->coldef != NULL && type_names_enum(p->coldef->type, name))
			return 1;
		if (p->kind == MG_OP_CREATE_TABLE && p->table_index < m->ntables)
			for (k = 0; k < m->tables[p->table_index].ncolumns; k++)
				if (type_names_enum(m->tables[p->table_index].columns[k].type,
				                    name))
					return 1;
	}
	return 0;
}

/* The first later statement of the same direction that uses the label, or NULL. */
static const struct mg_op *
used_later(const struct mg_model *m, size_t i, const char *label)
{
	const struct mg_op *op = &m->ops[i];
	size_t j;

	for (j = i + 1; j < m->nops; j++) {
		const struct mg_op *p = &m->ops[j];
		if (p->dir != op->dir || p->autocommit || p->parent == op->parent)
			continue;
		if (quotes_label(p->sql, label) || quotes_label(p->server_default, label) ||
		    (p->coldef != NULL && quotes_label(p->coldef->server_default, label)))
			return p;
	}
	/* A later statement of the same op.execute() string. */
	if (op->parent < m->nops && m->ops[op->parent].sql != NULL) {
		const char *sql = m->ops[op->parent].sql, *at = strstr(sql, label);
		/* The ADD VALUE itself quotes it once; a second quoted use is a use. */
		if (at != NULL && quotes_label(at + strlen(label), label))
			return &m->ops[op->parent];
	}
	return NULL;
}

/*
 * The wrapped statement with `ADD VALUE IF NOT EXISTS`: the autocommit block
 * commits it at once, so a retry after a later failure must not fail on it.
 * Only when ADD VALUE appears once, as written in upper or lower case.
 */
static const char *
if_not_exists(struct mg_diags *d, const char *code)
{
	static const char *const forms[][2] = {{"ADD VALUE ", "ADD VALUE IF NOT EXISTS "},
	                                       {"add value ", "add value if not exists "}};
	size_t i;

	if (code == NULL || strstr(code, "IF NOT EXISTS") != NULL ||
	    strstr(code, "if not exists") != NULL)
		return code;
	for (i = 0; i < 2; i++) {
		const char *at = strstr(code, forms[i][0]);
		if (at != NULL && strstr(at + 1, forms[i][0]) == NULL)
			return mg_arena_printf(&d->arena, "%.*s%s%s", (int)(at - code), code,
			                       forms[i][1], at + strlen(forms[i][0]));
	}
	return code;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	int pg = mg_rc_pg_version(o);
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_op *use;
		const char *label, *type;
		struct mg_diag *g;

		if (op->kind != MG_OP_ADD_ENUM_VALUE || op->autocommit || op->nlabels < 1 ||
		    op->object == NULL)
			continue;
		if (created_here(m, i, op->object))
			continue;
		label = op->labels[0];
		type = op->object;
		use = pg >= 12 ? used_later(m, i, label) : NULL;
		if (pg < 12) {
			g = mg_diags_add(d, RULE, MG_ERROR);
			g->message = mg_arena_printf(
			    &d->arena,
			    "ALTER TYPE %s ADD VALUE '%s' runs inside the migration's transaction: "
			    "PostgreSQL %d refuses it (\"cannot run inside a transaction block\"; "
			    "allowed from PostgreSQL 12)",
			    type, label, pg);
		} else if (use != NULL) {
			g = mg_diags_add(d, RULE, MG_ERROR);
			g->message = mg_arena_printf(
			    &d->arena,
			    "enum value '%s' is added to %s inside the migration's transaction and "
			    "used at line %u before it commits: PostgreSQL fails there (\"unsafe "
			    "use "
			    "of new value\")",
			    label, type, (unsigned)use->span.line);
		} else {
			g = mg_diags_add(d, RULE, MG_NOTE);
			g->message = mg_arena_printf(
			    &d->arena,
			    "enum value '%s' is added to %s inside the migration's transaction: it "
			    "cannot be used until the migration commits (an autocommit block "
			    "commits "
			    "it at once)",
			    label, type);
		}
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = op->source == MG_SRC_SQL ? op->parent : i;
		g->code = if_not_exists(d, mg_rc_wrap_autocommit(d, m, &m->ops[g->op]));
		if (g->code == NULL)
			continue;
		g->where = mg_arena_printf(&d->arena, "%s(), instead of the statement at line %u",
		                           op->function ? op->function : "upgrade",
		                           (unsigned)m->ops[g->op].stmt.line);
		if (m->ops[g->op].in_loop)
			g->not_applied = "the statement is in a loop or nested function";
		else if (op->source == MG_SRC_SQL && i + 1 < m->nops &&
		         m->ops[i + 1].parent == op->parent)
			g->not_applied =
			    "its op.execute() runs more statements: move ADD VALUE into an "
			    "op.execute() of its own first";
		else if (g->severity == MG_NOTE)
			g->not_applied = "a note: --write changes only what fails";
		g->fix = g->not_applied != NULL ? MG_FIX_NONE : MG_FIX_REPLACE;
	}
}

const struct mg_rule mg_rule_enum_add_value = {
    RULE,
    "ALTER TYPE ... ADD VALUE in the migration's transaction: fails before PostgreSQL 12, "
    "the value unusable until commit from 12",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
