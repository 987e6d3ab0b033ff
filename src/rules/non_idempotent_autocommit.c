/*
 * non-idempotent-autocommit: DDL inside `with op.get_context().autocommit_block():`
 * without IF [NOT] EXISTS (or an `if` guard). The block commits at once;
 * when anything after it fails, Alembic has not recorded the revision, and
 * running the migration again repeats the statement: "already exists" or
 * "does not exist", and the retry fails until someone fixes the database by
 * hand. tests/integration/autocommit_retry.sh shows the retry failing on
 * PostgreSQL and the IF [NOT] EXISTS form passing.
 */
#define _GNU_SOURCE /* strcasestr */
#include <string.h>

#include "common.h"

/* What the statement needs to be repeatable, or NULL when it already is (or is not DDL). */
static const char *
needs(const struct mg_model *m, const struct mg_op *op)
{
	switch (op->kind) {
	case MG_OP_CREATE_INDEX:
		if (op->if_exists ||
		    (op->index < m->nindexes && m->indexes[op->index].if_not_exists))
			return NULL;
		return "CREATE INDEX ... IF NOT EXISTS";
	case MG_OP_DROP_INDEX:
		return op->if_exists ? NULL : "DROP INDEX ... IF EXISTS";
	case MG_OP_CREATE_TABLE:
		return op->if_exists ? NULL : "CREATE TABLE IF NOT EXISTS";
	case MG_OP_DROP_TABLE:
		return op->if_exists ? NULL : "DROP TABLE IF EXISTS";
	case MG_OP_ADD_COLUMN:
		return op->if_exists ? NULL : "ADD COLUMN IF NOT EXISTS";
	case MG_OP_DROP_COLUMN:
		return op->if_exists ? NULL : "DROP COLUMN IF EXISTS";
	case MG_OP_ADD_ENUM_VALUE:
		return op->if_exists ? NULL : "ALTER TYPE ... ADD VALUE IF NOT EXISTS";
	case MG_OP_DROP_CONSTRAINT:
		return op->if_exists ? NULL : "DROP CONSTRAINT IF EXISTS";
	case MG_OP_CREATE_SEQUENCE:
		return op->if_exists ? NULL : "CREATE SEQUENCE IF NOT EXISTS";
	case MG_OP_DROP_SEQUENCE:
	case MG_OP_DROP_ENUM:
		return op->if_exists ? NULL : "DROP ... IF EXISTS";
	case MG_OP_CREATE_ENUM:
		return "a guard (PostgreSQL has no CREATE TYPE IF NOT EXISTS: check pg_type first)";
	case MG_OP_CREATE_FOREIGN_KEY:
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
	case MG_OP_CREATE_CHECK_CONSTRAINT:
		return "a guard (ADD CONSTRAINT has no IF NOT EXISTS: drop it IF EXISTS first)";
	default:
		return NULL;
	}
}

/* Whether anything runs after op i in its function (that may fail after it committed). */
static int
followed(const struct mg_model *m, size_t i)
{
	const struct mg_op *op = &m->ops[i];
	size_t j;

	for (j = i + 1; j < m->nops; j++)
		if (m->ops[j].dir == op->dir && m->ops[j].function != NULL &&
		    op->function != NULL && strcmp(m->ops[j].function, op->function) == 0)
			return 1;
	for (j = 0; j < m->nhelper_calls; j++)
		if (m->helper_calls[j].dir == op->dir &&
		    m->helper_calls[j].span.start > op->span.end)
			return 1;
	return 0;
}

/* Whether an earlier statement of the function drops the constraint IF EXISTS (a guard). */
static int
dropped_first(const struct mg_model *m, size_t i)
{
	const struct mg_op *op = &m->ops[i];
	const char *name = op->object;
	size_t j, k;

	if (name == NULL) /* ADD CONSTRAINT from SQL: its name is on its check or key */
		for (k = 0; k < m->nchecks && name == NULL; k++)
			if (m->checks[k].op == i)
				name = m->checks[k].name;
	for (k = 0; k < m->nfkeys && name == NULL; k++)
		if (m->fkeys[k].op == i)
			name = m->fkeys[k].name;
	if (name == NULL)
		return 0;
	for (j = 0; j < i; j++)
		if (m->ops[j].kind == MG_OP_DROP_CONSTRAINT && m->ops[j].if_exists &&
		    m->ops[j].object != NULL && strcmp(m->ops[j].object, name) == 0 &&
		    m->ops[j].dir == op->dir)
			return 1;
	return 0;
}

/* A concurrent index build that fails leaves an INVALID index of its name behind. */
static int
concurrent_build(const struct mg_model *m, const struct mg_op *op)
{
	return op->kind == MG_OP_CREATE_INDEX &&
	       (op->concurrently ||
	        (op->index < m->nindexes && m->indexes[op->index].concurrently));
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	(void)o;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const struct mg_op *outer =
		    op->source == MG_SRC_SQL && op->parent < m->nops ? &m->ops[op->parent] : op;
		const char *fix;
		struct mg_diag *g;

		if (!(op->autocommit || outer->autocommit) || op->guard != NULL ||
		    outer->guard != NULL)
			continue;
		if (op->kind == MG_OP_CREATE_INDEX && op->source == MG_SRC_OP &&
		    op->index >= m->nindexes)
			continue;
		if ((fix = needs(m, op)) == NULL)
			continue;
		/* SQL the parser reads without its IF [NOT] EXISTS (ADD COLUMN): say less. */
		if (op->source == MG_SRC_SQL && outer->sql != NULL &&
		    (strcasestr(outer->sql, "if not exists") != NULL ||
		     strcasestr(outer->sql, "if exists") != NULL))
			continue;
		if ((op->kind == MG_OP_CREATE_FOREIGN_KEY ||
		     op->kind == MG_OP_CREATE_CHECK_CONSTRAINT ||
		     op->kind == MG_OP_CREATE_UNIQUE_CONSTRAINT) &&
		    dropped_first(m, i))
			continue;
		if (!followed(m, i) && !concurrent_build(m, op))
			continue; /* the last statement: nothing can fail after it commits */
		g = mg_diags_add(d, "non-idempotent-autocommit", MG_WARNING);
		g->table = op->table;
		g->line = op->span.line;
		g->col = op->span.col;
		g->op = i;
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s%s%s in an autocommit block is not repeatable: %s running the migration "
		    "again fails here",
		    op->source == MG_SRC_SQL ? "SQL (" : "op.", op->name,
		    op->source == MG_SRC_SQL ? ")" : "()",
		    followed(m, i) ? "it commits at once, and when the migration fails after it,"
		                   : "a concurrent build that fails leaves an INVALID index of "
		                     "that name, and");
		g->note = mg_arena_printf(&d->arena, "write it with %s%s", fix,
		                          op->source == MG_SRC_OP
		                              ? " (as SQL in op.execute(), or behind an `if` that "
		                                "asks the catalog)"
		                              : "");
	}
}

const struct mg_rule mg_rule_non_idempotent_autocommit = {
    "non-idempotent-autocommit",
    "DDL in an autocommit block without IF [NOT] EXISTS: a retry after a failure fails on it",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
