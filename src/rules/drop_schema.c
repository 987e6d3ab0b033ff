/*
 * drop-schema: DROP SCHEMA and DROP DATABASE in op.execute().
 *
 * DROP SCHEMA ... CASCADE drops every object in the schema (tables with
 * their rows, views, functions, types), none of them named by the
 * migration; without CASCADE PostgreSQL refuses a schema that still holds
 * anything, so the statement either fails or drops what other migrations
 * made. DROP DATABASE drops a whole database. Data loss no downgrade()
 * brings back: error. In upgrade() only: a downgrade() that drops a schema
 * is, as a rule, the reverse of its upgrade() creating it.
 *
 * That DROP DATABASE cannot run inside a transaction block is the
 * maintenance-in-transaction rule's finding; this one is about the data.
 * No code: the fix is a decision (drop the objects one by one, in
 * migrations the deploy order allows, or not at all).
 */
#include <string.h>

#include "common.h"

#define RULE "drop-schema"

static int
is(const struct mg_op *op, const char *name)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, name) == 0;
}

/* The tables of schema name in the replayed schema, as "'a', 'b'", or NULL: none known. */
static const char *
tables_in(struct mg_diags *d, const struct mg_options *o, const char *name)
{
	struct mg_buf b = {0};
	const char *out = NULL;
	size_t i, n = 0;

	if (o->schema == NULL || name == NULL)
		return NULL;
	for (i = 0; i < o->schema->ntables; i++) {
		const struct mg_stable *t = &o->schema->tables[i];
		if (t->schema == NULL || strcmp(t->schema, name) != 0)
			continue;
		if (n++ < 5)
			mg_buf_printf(&b, "%s'%s'", n > 1 ? ", " : "", t->name);
	}
	if (n > 5)
		mg_buf_printf(&b, " and %zu more", n - 5);
	if (n > 0)
		out = mg_arena_strdup(&d->arena, b.s);
	mg_buf_free(&b);
	return out;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		const char *name = op->object ? op->object : "?";
		struct mg_diag *g;

		if (op->dir != MG_UPGRADE)
			continue; /* a downgrade dropping what its upgrade made is its reverse */
		if (is(op, "drop_schema")) {
			const char *known = tables_in(d, o, op->object);
			g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
			if (op->cascade)
				g->message = mg_arena_printf(
				    &d->arena,
				    "DROP SCHEMA %s CASCADE drops every object in it (tables with "
				    "their rows, views, functions, types) and what depends on them "
				    "elsewhere%s%s%s; no downgrade() brings the data back",
				    name, known ? ", among them " : "", known ? known : "",
				    known ? " (replayed schema)" : "");
			else if (known != NULL)
				g->message = mg_arena_printf(
				    &d->arena,
				    "DROP SCHEMA %s fails at deploy: it still holds %s (replayed "
				    "schema), and PostgreSQL refuses to drop a schema that is not "
				    "empty without CASCADE",
				    name, known);
			else
				g->message = mg_arena_printf(
				    &d->arena,
				    "DROP SCHEMA %s drops the schema for good, and fails at deploy "
				    "if "
				    "it still holds any object (without CASCADE PostgreSQL refuses "
				    "to drop a schema that is not empty)",
				    name);
		} else if (is(op, "drop_database")) {
			g = mg_rc_op_diag(d, RULE, MG_ERROR, m, i);
			g->message = mg_arena_printf(
			    &d->arena,
			    "DROP DATABASE %s drops a whole database with every table in it; no "
			    "downgrade() brings it back",
			    name);
		} else {
			continue;
		}
		g->note = "no code given: drop the objects one by one (op.drop_table, ...) in "
		          "migrations the deploy order allows, after no running code uses them, "
		          "or leave the schema alone; suppress with a reason if this really is "
		          "meant";
	}
}

const struct mg_rule mg_rule_drop_schema = {
    RULE,
    "DROP SCHEMA (every object in it with CASCADE) or DROP DATABASE",
    MG_ERROR,
    check,
    MG_RULE_POSTGRESQL,
};
