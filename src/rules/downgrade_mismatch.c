/*
 * downgrade-mismatch: upgrade() replayed on the schema before the revision,
 * then downgrade() on the result, should give that schema back. Every
 * object that differs is one finding: an index upgrade() creates and
 * downgrade() leaves behind, a column type not restored, a foreign key
 * re-created without its ON DELETE, an enum type left behind. This is what
 * pytest-alembic's up/down consistency test finds on a database; migen
 * finds it from the files. It needs the schema before the revision (lint:
 * o->schema); enhance, which sees one file, says nothing. Objects of a
 * table with facts migen could not see are left out.
 *
 * With --stairway (o->stairway), it also says where upgrade() fails when it
 * runs again on what downgrade() left, as pytest-alembic's stairway test
 * would: an object left behind is created again ("already exists"), an
 * object upgrade() drops by name is gone or has become another kind.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The line findings point at: downgrade()'s first statement. */
static uint32_t
down_line(const struct mg_model *m)
{
	size_t i;

	for (i = 0; i < m->nfunctions; i++)
		if (m->functions[i].dir == MG_DOWNGRADE)
			return m->functions[i].body_line;
	return 1;
}

static const char *
article(const char *kind)
{
	return kind[0] == 'i' ? "an" : "a"; /* index; never "unique" */
}

/* Whether upgrade() names the object (its last dotted part) in a drop. */
static int
upgrade_drops(const struct mg_model *m, const char *object)
{
	const char *name = strrchr(object, '.');
	size_t i;

	name = name != NULL ? name + 1 : object;
	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];
		if (op->dir != MG_UPGRADE)
			continue;
		if ((op->object != NULL && strcmp(op->object, name) == 0) ||
		    (op->kind == MG_OP_DROP_TABLE && op->table != NULL &&
		     strcmp(op->table, name) == 0) ||
		    (op->kind == MG_OP_DROP_COLUMN && op->column != NULL &&
		     strcmp(op->column, name) == 0))
			return 1;
	}
	return 0;
}

/*
 * --stairway: whether upgrade() fails when it runs again on what downgrade()
 * left: it creates again an object left behind ("already exists"), or drops
 * again by name an object that is gone or is now of another kind.
 */
static int
fails_again(const struct mg_model *m, const struct mg_schema_change *c)
{
	if (strcmp(c->what, "created and not dropped") == 0 ||
	    strcmp(c->what, "added and not dropped") == 0)
		return 1;
	if (strcmp(c->what, "dropped and not re-created") == 0 ||
	    strcmp(c->what, "dropped and not added back") == 0 || strncmp(c->what, "a ", 2) == 0 ||
	    strncmp(c->what, "an ", 3) == 0)
		return upgrade_drops(m, c->object);
	return 0;
}

/*
 * Whether a downgrade() body calls .drop( on something other than op (an
 * enum's or a Table's .drop(op.get_bind())): what it drops is not seen, so
 * objects "left behind" may not be.
 */
static int
drops_unseen(const struct mg_model *m)
{
	size_t i;

	if (m->src == NULL)
		return 1;
	for (i = 0; i < m->nfunctions; i++) {
		const char *p, *end = m->src + m->srclen;
		if (m->functions[i].dir != MG_DOWNGRADE || m->functions[i].body_start >= m->srclen)
			continue;
		for (p = m->src + m->functions[i].body_start; p < end; p++) {
			if (*p == '\n' && p + 1 < end && p[1] != ' ' && p[1] != '\t' &&
			    p[1] != '\n' && p[1] != '\r' && p[1] != '#')
				break; /* the function ends */
			if (*p == '.' && (size_t)(end - p) >= 6 && memcmp(p, ".drop(", 6) == 0)
				return 1;
		}
	}
	return 0;
}

struct table_name {
	const char *schema, *name;
};

/*
 * The tables that got uncertain facts from upgrade() (after vs before): if
 * downgrade() then drops one, its uncertainty goes with it, and so may
 * foreign keys elsewhere; the caller stays silent then.
 */
static struct table_name *
unsure_tables(const struct mg_schema *before, const struct mg_schema *after, size_t *n)
{
	struct table_name *v = mg_xcalloc(after->ntables + 1, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < after->ntables; i++) {
		const struct mg_stable *t = &after->tables[i];
		const struct mg_stable *b;
		/* Still before's lists (an overlay's borrowed table): nothing grew. */
		if (t->borrowed && t->nuncertain < MG_SCHEMA_MAX_UNCERTAIN)
			continue;
		b = mg_schema_table(before, t->schema, t->name);
		/* At the cap, a new fact no longer counts: take the table as unsure. */
		if (t->nuncertain > (b != NULL ? b->nuncertain : 0) ||
		    t->nuncertain >= MG_SCHEMA_MAX_UNCERTAIN) {
			v[*n].schema = t->schema; /* arena strings: they outlive the table */
			v[(*n)++].name = t->name;
		}
	}
	return v;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	struct mg_schema *s;
	struct mg_schema_diff diff;
	struct table_name *unsure;
	size_t i, nunsure;
	int down = 0, unseen;

	if (o->schema == NULL || o->no_downgrades || m->syntax_errors)
		return;
	for (i = 0; i < m->nops && !down; i++)
		down = m->ops[i].dir == MG_DOWNGRADE;
	if (!down)
		return;                   /* irreversible-downgrade's case */
	s = mg_schema_overlay(o->schema); /* copies what the revision changes */
	mg_replay_model_dir(s, m, m->rev.revision, o->types, MG_UPGRADE);
	unsure = unsure_tables(o->schema, s, &nunsure);
	mg_replay_model_dir(s, m, m->rev.revision, o->types, MG_DOWNGRADE);
	for (i = 0; i < nunsure; i++)
		if (mg_schema_table(s, unsure[i].schema, unsure[i].name) == NULL)
			break;
	free(unsure);
	if (i < nunsure) {
		/* A table upgrade() could not follow is gone: what went with it is not known. */
		mg_schema_free(s);
		return;
	}
	mg_schema_diff(o->schema, s, &diff);
	unseen = drops_unseen(m);
	for (i = 0; i < diff.n; i++) {
		const struct mg_schema_change *c = &diff.v[i];
		struct mg_diag *g;

		/* A serial's sequence is PostgreSQL's; elsewhere the table says it all. */
		if (!mg_dialect_postgresql(o) && strcmp(c->kind, "sequence") == 0 &&
		    c->table != NULL)
			continue;
		if (unseen && strcmp(c->what, "created and not dropped") == 0)
			continue;
		g = mg_diags_add(d, "downgrade-mismatch", MG_WARNING);

		g->table = c->table ? mg_arena_strdup(&d->arena, c->table) : NULL;
		g->line = down_line(m);
		g->col = 1;
		g->message = mg_arena_printf(&d->arena, "downgrade() does not restore %s %s %s: %s",
		                             article(c->kind), c->kind, c->object, c->what);
	}
	for (i = 0; o->stairway && i < diff.n; i++) {
		const struct mg_schema_change *c = &diff.v[i];
		struct mg_diag *g;
		if (!fails_again(m, c) ||
		    (unseen && strcmp(c->what, "created and not dropped") == 0))
			continue;
		g = mg_diags_add(d, "downgrade-mismatch", MG_WARNING);
		g->table = c->table ? mg_arena_strdup(&d->arena, c->table) : NULL;
		g->line = down_line(m);
		g->col = 1;
		g->message = mg_arena_printf(&d->arena,
		                             "stairway: upgrade() fails when it runs again after "
		                             "downgrade(): %s %s %s",
		                             article(c->kind), c->kind, c->object);
	}
	mg_schema_diff_free(&diff);
	mg_schema_free(s);
}

const struct mg_rule mg_rule_downgrade_mismatch = {
    "downgrade-mismatch",
    "upgrade() then downgrade() does not give back the schema before the revision",
    MG_WARNING,
    check,
    0,
};
