/*
 * domain-constraint-validates: ALTER DOMAIN ... ADD CONSTRAINT ... CHECK
 * without NOT VALID in op.execute(). PostgreSQL checks the new constraint
 * against every column of every table that uses the domain, holding SHARE
 * on each of those tables while it reads them all (measured on 15 by
 * tests/integration/locks.py): writes to them wait for the whole scan.
 *
 * The fix: ADD CONSTRAINT ... NOT VALID (no table lock, no scan; new values
 * are checked from then on), then ALTER DOMAIN ... VALIDATE CONSTRAINT in its
 * own transaction. Unlike a table's VALIDATE (SHARE UPDATE EXCLUSIVE), a
 * domain's VALIDATE also takes SHARE on the tables (measured): it splits the
 * scan from the deploy and holds nothing else meanwhile, it does not let
 * writes through. The finding says so; no code, as the VALIDATE is a step to
 * schedule rather than paste.
 *
 * CREATE DOMAIN ... CHECK is not flagged: no column uses a new domain, so
 * nothing is read or locked (measured: no lock on any table). Nor is an ALTER
 * DOMAIN on a domain this migration creates, or one the replayed schema shows
 * used only by tables that are new, or by no table at all (when it knows
 * every column's type).
 */
#include <string.h>

#include "common.h"

#define RULE "domain-constraint-validates"

static int
named(const struct mg_op *op, const char *name)
{
	return op->kind == MG_OP_OTHER && op->source == MG_SRC_SQL && op->name != NULL &&
	       strcmp(op->name, name) == 0;
}

/* Whether a CREATE DOMAIN of the same name runs earlier in the same function. */
static int
created_here(const struct mg_model *m, size_t before)
{
	const struct mg_op *op = &m->ops[before];
	size_t i;

	for (i = 0; i < before; i++) {
		const struct mg_op *p = &m->ops[i];
		if (named(p, "create_domain") && p->object != NULL && p->dir == op->dir &&
		    strcmp(p->object, op->object) == 0)
			return 1;
	}
	return 0;
}

/* Whether the replayed type name of a column is the domain (format_type: maybe qualified). */
static int
of_domain(const struct mg_scolumn *c, const char *schema, const char *name)
{
	size_t n;

	if (c->type == NULL)
		return 0;
	if (strcmp(c->type, name) == 0)
		return 1;
	if (schema == NULL)
		return 0;
	n = strlen(schema);
	return strncmp(c->type, schema, n) == 0 && c->type[n] == '.' &&
	       strcmp(c->type + n + 1, name) == 0;
}

/*
 * Whether the replayed schema knows the type of every column and names
 * every table it holds: then a domain no column has is used by no table.
 */
static int
all_typed(const struct mg_schema *s)
{
	size_t i, j;

	if (s->nuncertain > 0)
		return 0;
	for (i = 0; i < s->ntables; i++)
		for (j = 0; j < s->tables[i].ncolumns; j++)
			if (s->tables[i].columns[j].type == NULL)
				return 0;
	return 1;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i, k, j;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		struct mg_buf b = {0};
		size_t nused = 0, nexisting = 0;
		struct mg_diag *g;

		if (!named(op, "alter_domain_add_check") || op->not_valid || op->object == NULL ||
		    created_here(m, i))
			continue;
		if (o->schema != NULL) {
			for (k = 0; k < o->schema->ntables; k++) {
				const struct mg_stable *t = &o->schema->tables[k];
				for (j = 0; j < t->ncolumns; j++)
					if (of_domain(&t->columns[j], op->schema, op->object))
						break;
				if (j == t->ncolumns)
					continue;
				nused++;
				if (mg_rc_table_new(m, o, t->name))
					continue;
				if (nexisting++ < 5)
					mg_buf_printf(&b, "%s'%s'", nexisting > 1 ? ", " : "",
					              t->name);
			}
			if (nexisting > 5)
				mg_buf_printf(&b, " and %zu more", nexisting - 5);
			if ((nused > 0 && nexisting == 0) || (nused == 0 && all_typed(o->schema))) {
				mg_buf_free(&b);
				continue; /* only new tables use it, or none */
			}
		}
		g = mg_rc_op_diag(d, RULE, MG_WARNING, m, i);
		g->message = mg_arena_printf(
		    &d->arena,
		    "ALTER DOMAIN %s ADD CONSTRAINT ... CHECK without NOT VALID reads every "
		    "column of the domain in %s%s, holding SHARE on %s: writes to %s wait "
		    "until the whole check is done",
		    op->object, nexisting ? "" : "every table that uses it",
		    nexisting ? mg_arena_strdup(&d->arena, b.s) : "",
		    nexisting > 1 || !nexisting ? "each" : "it",
		    nexisting > 1 || !nexisting ? "them" : "it");
		mg_buf_free(&b);
		g->note = mg_arena_printf(
		    &d->arena,
		    "add it NOT VALID (no table lock, no scan; new values are checked from then "
		    "on), then run ALTER DOMAIN %s VALIDATE CONSTRAINT %s in its own transaction "
		    "at a quiet time: a domain's VALIDATE still holds SHARE on those tables while "
		    "it reads them (PostgreSQL 15), so it moves the wait, it does not remove it",
		    op->object, op->new_name ? op->new_name : "<name>");
	}
}

const struct mg_rule mg_rule_domain_constraint_validates = {
    RULE,
    "ALTER DOMAIN ... ADD CHECK without NOT VALID: checks every table using the domain",
    MG_WARNING,
    check,
    MG_RULE_POSTGRESQL,
};
