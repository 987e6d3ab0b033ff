/*
 * identifier-too-long: a name upgrade() gives (a table, a column, an index,
 * a constraint) longer than 63 bytes. PostgreSQL cuts it to its first 63
 * bytes (at a character boundary) with only a NOTICE, so every later
 * reference must use the cut name, and Alembic's autogenerate compares the
 * full one with it. Two long names that share their first 63 bytes become
 * one: the second CREATE fails (`relation ... already exists`), or the
 * second column is refused. With the schema replayed before the migration
 * (lint) that collision is certain, and the finding is an error.
 */
#include <string.h>

#include "common.h"

#define MAXLEN 63

/* name as PostgreSQL keeps it, or NULL when it is short enough. */
static const char *
cut(struct mg_diags *d, const char *name)
{
	size_t n = MAXLEN;

	if (name == NULL || strlen(name) <= MAXLEN)
		return NULL;
	while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
		n--; /* not inside a UTF-8 character */
	return mg_arena_strndup(&d->arena, name, n);
}

/* What else is called `c` where name goes: a table or an index (relations) in schema. */
static const char *
relation_taken(const struct mg_options *o, const char *schema, const char *c)
{
	struct mg_stable *t = NULL;

	if (o->schema == NULL)
		return NULL;
	if (mg_schema_table(o->schema, schema, c) != NULL)
		return "a table";
	if (mg_schema_index(o->schema, schema, c, &t) != NULL)
		return "an index";
	if (mg_schema_sequence(o->schema, schema, c) != NULL)
		return "a sequence";
	return NULL;
}

struct seen {
	const char *cut,
	    *scope; /* scope: the table for columns and constraints, "" for relations */
	const char *name;
};

static void
report(struct mg_diags *d, const char *what, const char *name, const char *c, const char *clash,
       uint32_t line, uint32_t col, size_t op, const char *table)
{
	struct mg_diag *g = mg_diags_add(d, "identifier-too-long", clash ? MG_ERROR : MG_NOTE);

	g->table = table;
	g->line = line;
	g->col = col;
	g->op = op;
	if (clash != NULL)
		g->message = mg_arena_printf(&d->arena,
		                             "%s name %s is %zu bytes: PostgreSQL cuts it to %s, "
		                             "the name of %s already, and "
		                             "the migration fails",
		                             what, name, strlen(name), c, clash);
	else
		g->message =
		    mg_arena_printf(&d->arena,
		                    "%s name %s is %zu bytes: PostgreSQL cuts it to its first "
		                    "63, %s, and later references must use that",
		                    what, name, strlen(name), c);
	g->note = "give it a name of at most 63 bytes (op.f() does not shorten names; a naming "
	          "convention's names can be too long too)";
}

/* Checks one name; *v remembers the long ones of this migration per scope. */
static void
one(struct mg_diags *d, const struct mg_options *o, struct seen *v, size_t *nv, const char *what,
    const char *name, const char *schema, const char *scope, int relation, uint32_t line,
    uint32_t col, size_t op, const char *table)
{
	const char *c = cut(d, name), *clash = NULL;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < *nv && clash == NULL; i++)
		if (strcmp(v[i].cut, c) == 0 && strcmp(v[i].scope, scope) == 0 &&
		    strcmp(v[i].name, name) != 0)
			clash = mg_arena_printf(&d->arena, "%s, named earlier in this migration",
			                        v[i].name);
	if (clash == NULL && relation)
		clash = relation_taken(o, schema, c);
	v[*nv].cut = c;
	v[*nv].scope = scope;
	v[*nv].name = name;
	(*nv)++;
	report(d, what, name, c, clash, line, col, op, table);
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	const struct mg_rc_tcol *tc;
	size_t ntc = mg_rc_typed_columns(m, d, &tc);
	struct seen *v = mg_arena_alloc(
	    &d->arena, (m->nops + ntc + m->nindexes + m->nfkeys + m->nchecks + 1) * sizeof(*v));
	size_t i, nv = 0;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->dir != MG_UPGRADE)
			continue;
		if (op->kind == MG_OP_CREATE_TABLE)
			one(d, o, v, &nv, "table", op->table, op->schema, "", 1, op->span.line,
			    op->span.col, i, op->table);
		else if (op->kind == MG_OP_RENAME_TABLE)
			one(d, o, v, &nv, "table", op->new_name, op->schema, "", 1, op->span.line,
			    op->span.col, i, op->table);
	}
	for (i = 0; i < ntc; i++)
		if (tc[i].def != NULL)
			one(d, o, v, &nv, "column", tc[i].name, tc[i].schema, tc[i].table, 0,
			    tc[i].line, tc[i].col, tc[i].op, tc[i].table);
	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		if (x->dir == MG_UPGRADE && x->name != NULL)
			one(d, o, v, &nv, "index", x->name, x->schema, "", 1, x->line, x->col,
			    x->op, x->table);
	}
	for (i = 0; i < m->nfkeys; i++) {
		const struct mg_fkey *x = &m->fkeys[i];
		if (x->dir == MG_UPGRADE && x->name != NULL && x->table != NULL)
			one(d, o, v, &nv, "constraint", x->name, x->schema, x->table, 0, x->line,
			    x->col, x->op, x->table);
	}
	for (i = 0; i < m->nchecks; i++) {
		const struct mg_check *x = &m->checks[i];
		if (x->dir == MG_UPGRADE && x->name != NULL && x->table != NULL)
			one(d, o, v, &nv, "constraint", x->name, x->schema, x->table, 0, x->line, 1,
			    x->op, x->table);
	}
}

const struct mg_rule mg_rule_identifier_too_long = {
    "identifier-too-long",
    "a name over 63 bytes, which PostgreSQL cuts (an error when two then collide)",
    MG_NOTE,
    check,
    MG_RULE_POSTGRESQL,
};
