/*
 * One migration's upgrade() (or downgrade()) applied to the schema (see schema.h): every
 * op.* / batch_op.* call and every statement the SQL of op.execute() holds,
 * in source order, as Alembic and PostgreSQL would run them. Where migen
 * cannot know what runs (a name that is not a literal, a helper function,
 * opaque SQL, a type it cannot name), the tables it may touch get an
 * uncertain fact with the reason and the line, and nothing is guessed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migen/schema.h"

struct rctx {
	struct mg_schema *s;
	const struct mg_model *m;
	const char *rev;
	const struct mg_typemap *map;
	struct mg_arena tmp; /* types parsed, names built: freed after the migration */
	/* Per op, its indexes, foreign keys and checks (lists in model order). */
	size_t *ix_at, *ix, *fk_at, *fk, *ck_at, *ck;
};

static const char *
path(const struct rctx *c)
{
	return c->m->path;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The table an op works on, or NULL with the reason recorded. The op may
 * change it: in an overlay, it gets its own lists (mg_schema_own).
 */
static struct mg_stable *
op_table(struct rctx *c, const struct mg_op *op)
{
	struct mg_stable *t;

	if (op->table == NULL) {
		char *why =
		    mg_arena_printf(&c->tmp, "%s on a table whose name is not a literal%s%s%s",
		                    op->name, op->name_expr ? " (`" : "",
		                    op->name_expr ? op->name_expr : "", op->name_expr ? "`)" : "");
		mg_schema_uncertain_all(c->s, path(c), op->span.line, why);
		return NULL;
	}
	t = mg_schema_table(c->s, op->schema, op->table);
	if (t == NULL && !op->if_exists)
		mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
		                    "%s on %s.%s, a table the replay has not seen created",
		                    op->name, mg_schema_name(op->schema), op->table);
	return mg_schema_own(c->s, t);
}

/* A column's type as PostgreSQL names it; an enum Alembic creates with the table. */
static const char *
column_type(struct rctx *c, const struct mg_column *col, struct mg_type_enum *en)
{
	memset(en, 0, sizeof(*en));
	if (col->pg_type != NULL)
		return col->pg_type;
	return mg_type_pg(&c->tmp, col->type_expr ? col->type_expr : col->type, c->m, c->map, en);
}

static int
integer_type(const char *t)
{
	return t != NULL && (strcmp(t, "integer") == 0 || strcmp(t, "bigint") == 0 ||
	                     strcmp(t, "smallint") == 0);
}

/* A sequence owned by t.col (serial, identity), named as PostgreSQL names it. */
static const char *
owned_sequence(struct rctx *c, struct mg_stable *t, struct mg_scolumn *sc)
{
	const char *one[1];
	const char *name;
	struct mg_ssequence *q;

	one[0] = sc->name;
	name = mg_schema_default_name(c->s, t->schema, t->name, one, 1, "seq");
	q = mg_schema_add_sequence(c->s, t->schema, name, c->rev);
	q->owner_table = mg_schema_str(c->s, t->name);
	q->owner_column = mg_schema_str(c->s, sc->name);
	sc->seq = q->name;
	return q->name;
}

/* An identifier as quote_ident() writes it: quoted unless plain lower case. */
static const char *
quote_ident(struct mg_arena *a, const char *s)
{
	struct mg_buf b = {0};
	const char *p, *out;
	int plain = (*s >= 'a' && *s <= 'z') || *s == '_';

	for (p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (plain)
		return s;
	mg_buf_putc(&b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			mg_buf_putc(&b, '"');
		else if (*p == '\'')
			mg_buf_putc(&b, '\'');
		mg_buf_putc(&b, *p);
	}
	mg_buf_putc(&b, '"');
	out = mg_arena_strndup(a, b.s, b.len);
	mg_buf_free(&b);
	return out;
}

/* nextval('seq'::regclass) as PostgreSQL prints a column default. */
static const char *
nextval(struct rctx *c, const char *schema, const char *seq)
{
	if (strcmp(schema, "public") == 0)
		return mg_schema_str(c->s, mg_arena_printf(&c->tmp, "nextval('%s'::regclass)",
		                                           quote_ident(&c->tmp, seq)));
	return mg_schema_str(c->s, mg_arena_printf(&c->tmp, "nextval('%s.%s'::regclass)",
	                                           quote_ident(&c->tmp, schema),
	                                           quote_ident(&c->tmp, seq)));
}

static void
make_serial(struct rctx *c, struct mg_stable *t, struct mg_scolumn *sc)
{
	const char *seq = owned_sequence(c, t, sc);

	sc->dflt = nextval(c, t->schema, seq);
	sc->nullable = MG_NO;
}

static void
create_enum(struct rctx *c, const struct mg_type_enum *en, uint32_t line)
{
	struct mg_senum *e;
	size_t i;

	(void)line;
	if (mg_schema_enum(c->s, en->schema, en->name) != NULL)
		return; /* one type shared by several columns or tables */
	e = mg_schema_add_enum(c->s, en->schema, en->name, c->rev);
	e->labels_known = en->labels_known;
	for (i = 0; i < en->nlabels; i++)
		mg_senum_add_label(c->s, e, en->labels[i]);
}

/* A column of create_table or add_column into t. */
static struct mg_scolumn *
add_column(struct rctx *c, struct mg_stable *t, const struct mg_column *col, int with_table,
           uint32_t line)
{
	struct mg_type_enum en;
	struct mg_scolumn *sc;
	const char *type;

	if (col->name == NULL) {
		mg_schema_uncertain(c->s, t, path(c), line ? line : col->line,
		                    "a column whose name is not a literal");
		return NULL;
	}
	if (mg_stable_column(t, col->name) != NULL) {
		mg_schema_uncertain(c->s, t, path(c), col->line,
		                    "column %s is added again (PostgreSQL refuses it)", col->name);
		return NULL;
	}
	type = column_type(c, col, &en);
	sc = mg_stable_add_column(c->s, t, col->name, c->rev);
	sc->type = mg_schema_str(c->s, type);
	if (type == NULL)
		mg_schema_uncertain(c->s, t, path(c), col->line,
		                    "column %s: type `%s` is not one migen can name (map it in "
		                    "[tool.migen.types])",
		                    col->name,
		                    col->type_expr ? col->type_expr
		                    : col->type    ? col->type
		                                   : "?");
	if (en.name != NULL && en.create && with_table)
		create_enum(c, &en, col->line);
	if (col->flags_unknown || col->primary_key == MG_UNKNOWN)
		mg_schema_uncertain(c->s, t, path(c), col->line,
		                    "column %s: primary_key=, index= or unique= is not a literal",
		                    col->name);
	sc->nullable = col->nullable;
	if (col->primary_key == MG_YES)
		sc->nullable = MG_NO;
	if (col->has_server_default == MG_YES)
		sc->dflt =
		    mg_schema_str(c->s, col->server_default == NULL ? "?"
		                        : col->pg_type != NULL
		                            ? col->server_default
		                            : mg_type_default_sql(&c->tmp, col->server_default));
	sc->identity = col->identity;
	sc->generated = col->computed;
	if (col->identity) {
		owned_sequence(c, t, sc);
		sc->nullable = MG_NO;
	}
	return sc;
}

static const char *
ondelete(const char *s)
{
	static const char *const actions[] = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT",
	                                      "NO ACTION"};
	size_t i;

	if (s == NULL)
		return "NO ACTION";
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcasecmp(s, actions[i]) == 0)
			return actions[i];
	return NULL;
}

/*
 * The name PostgreSQL's FigureColname gives an index expression: a function
 * call's name (`lower(email)` -> lower), else "expr".
 */
static const char *
expr_name(struct mg_arena *a, const char *e)
{
	const char *p = e, *start, *end;

	if (e == NULL)
		return "expr";
	while (*p == ' ' || *p == '(')
		p++;
	start = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_')
		p++;
	end = p;
	while (*p == ' ')
		p++;
	if (end == start || *p != '(' || (*start >= '0' && *start <= '9'))
		return "expr";
	return mg_schema_ident(a, start, (size_t)(end - start));
}

/* An index, primary key or unique constraint of the model onto t. */
static void
apply_index(struct rctx *c, struct mg_stable *t, const struct mg_index *ix)
{
	struct mg_sindex *sx;
	const char *name = ix->name;
	size_t i;

	/* An unnamed op.create_index needs a naming convention (env.py's, not seen);
	 * an unnamed constraint is named by PostgreSQL (no convention assumed). */
	if (name == NULL &&
	    (ix->name_expr != NULL || (ix->source == MG_SRC_OP && ix->kind == MG_IX_INDEX))) {
		mg_schema_uncertain(c->s, t, path(c), ix->line,
		                    "an index or constraint whose name migen cannot read%s%s%s",
		                    ix->name_expr ? " (`" : "", ix->name_expr ? ix->name_expr : "",
		                    ix->name_expr ? "`)" : " (a naming convention names it)");
	} else if (name == NULL) {
		const char *label = ix->kind == MG_IX_PRIMARY_KEY ? "pkey"
		                    : ix->kind == MG_IX_UNIQUE    ? "key"
		                                                  : "idx";
		const char **cols = mg_arena_alloc(&c->tmp, (ix->ncolumns + 1) * sizeof(*cols));
		for (i = 0; i < ix->ncolumns; i++)
			cols[i] =
			    ix->is_expr[i] ? expr_name(&c->tmp, ix->columns[i]) : ix->columns[i];
		name =
		    mg_schema_default_name(c->s, t->schema, t->name, cols,
		                           ix->kind == MG_IX_PRIMARY_KEY ? 0 : ix->ncolumns, label);
	} else if (mg_schema_index(c->s, t->schema, name, NULL) != NULL) {
		if (!ix->if_not_exists)
			mg_schema_uncertain(c->s, t, path(c), ix->line,
			                    "index %s is created again (PostgreSQL refuses it)",
			                    name);
		return;
	}
	if (ix->kind == MG_IX_PRIMARY_KEY && mg_stable_pkey(t) != NULL) {
		mg_schema_uncertain(c->s, t, path(c), ix->line,
		                    "a second primary key (PostgreSQL refuses it)");
		return;
	}
	if (!ix->columns_known)
		mg_schema_uncertain(c->s, t, path(c), ix->line,
		                    "index %s: its columns are not literals", name ? name : "?");
	sx = mg_stable_add_index(c->s, t, c->rev);
	sx->name = mg_schema_id(c->s, name);
	sx->kind = ix->kind;
	sx->unique = ix->unique || ix->kind != MG_IX_INDEX;
	sx->where = mg_schema_str(c->s, ix->where);
	if (ix->using_method != NULL)
		sx->method = mg_schema_str(c->s, ix->using_method);
	sx->ncolumns = ix->ncolumns;
	sx->columns = mg_arena_alloc(&c->s->arena, (ix->ncolumns + 1) * sizeof(*sx->columns));
	sx->is_expr = mg_arena_alloc(&c->s->arena, (ix->ncolumns + 1) * sizeof(*sx->is_expr));
	for (i = 0; i < ix->ncolumns; i++) {
		sx->columns[i] = ix->is_expr[i] ? mg_schema_str(c->s, ix->columns[i])
		                                : mg_schema_id(c->s, ix->columns[i]);
		sx->is_expr[i] = ix->is_expr[i];
		/* A primary key makes its columns NOT NULL. */
		if (ix->kind == MG_IX_PRIMARY_KEY && !ix->is_expr[i]) {
			struct mg_scolumn *sc = mg_stable_column(t, ix->columns[i]);
			if (sc != NULL)
				sc->nullable = MG_NO;
		}
	}
}

static void
apply_fkey(struct rctx *c, struct mg_stable *t, const struct mg_fkey *fk)
{
	struct mg_sfkey *sf;
	const char *name = fk->name;
	size_t i;

	if (name == NULL && fk->name_expr != NULL) {
		mg_schema_uncertain(c->s, t, path(c), fk->line,
		                    "a foreign key whose name migen cannot read (`%s`)",
		                    fk->name_expr);
	} else if (name == NULL) {
		name = mg_schema_default_name(c->s, t->schema, t->name, fk->columns, fk->ncolumns,
		                              "fkey");
	}
	if (fk->columns == NULL || fk->ref_table == NULL)
		mg_schema_uncertain(c->s, t, path(c), fk->line,
		                    "foreign key %s: its columns or target are not literals",
		                    name ? name : "?");
	sf = mg_stable_add_fkey(c->s, t, c->rev);
	sf->name = mg_schema_id(c->s, name);
	sf->ncolumns = fk->columns ? fk->ncolumns : 0;
	sf->columns = mg_arena_alloc(&c->s->arena, (sf->ncolumns + 1) * sizeof(*sf->columns));
	for (i = 0; i < sf->ncolumns; i++)
		sf->columns[i] = mg_schema_id(c->s, fk->columns[i]);
	if (fk->ref_columns != NULL) {
		mg_sfkey_point(c->s, sf, fk->ref_schema, fk->ref_table, fk->ref_columns,
		               fk->nref_columns);
	} else {
		/* REFERENCES t without columns: t's primary key. */
		const struct mg_stable *rt = mg_schema_table(c->s, fk->ref_schema, fk->ref_table);
		const struct mg_sindex *pk = rt ? mg_stable_pkey(rt) : NULL;
		mg_sfkey_point(c->s, sf, fk->ref_schema, fk->ref_table, pk ? pk->columns : NULL,
		               pk ? pk->ncolumns : 0);
	}
	sf->on_delete = ondelete(fk->ondelete);
	if (sf->on_delete == NULL && strcmp(fk->ondelete, "?") == 0)
		mg_schema_uncertain(c->s, t, path(c), fk->line,
		                    "foreign key %s: its ondelete= is not a literal",
		                    name ? name : "?");
	else if (sf->on_delete == NULL)
		mg_schema_uncertain(
		    c->s, t, path(c), fk->line,
		    "foreign key %s: ON DELETE %s is not an action PostgreSQL knows",
		    name ? name : "?", fk->ondelete);
	sf->validated = !fk->not_valid;
}

static void
apply_check(struct rctx *c, struct mg_stable *t, const struct mg_check *k)
{
	struct mg_scheck *sk;
	const char *name = k->name;

	if (name == NULL && k->name_expr != NULL) {
		mg_schema_uncertain(c->s, t, path(c), k->line,
		                    "a check constraint whose name migen cannot read (`%s`)",
		                    k->name_expr);
	} else if (name == NULL) {
		name = mg_schema_default_name(c->s, t->schema, t->name, &k->column,
		                              k->column ? 1 : 0, "check");
	}
	if (k->expr == NULL)
		mg_schema_uncertain(c->s, t, path(c), k->line,
		                    "check constraint %s: its condition is not a literal",
		                    name ? name : "?");
	sk = mg_stable_add_check(c->s, t, c->rev);
	sk->name = mg_schema_id(c->s, name);
	sk->expr = mg_schema_str(c->s, k->expr);
	sk->validated = !k->not_valid;
}

/*
 * Groups n items by their op (a counting sort): items of op k are
 * list[at[k]] .. list[at[k + 1]), in model order.
 */
static void
bucket(size_t nops, size_t n, const void *items, size_t size, size_t op_offset, size_t **at,
       size_t **list)
{
	const char *p = items;
	size_t i, *fill;

	*at = mg_xcalloc(nops + 2, sizeof(**at));
	*list = mg_xcalloc(n + 1, sizeof(**list));
	fill = mg_xcalloc(nops + 1, sizeof(*fill));
	for (i = 0; i < n; i++) {
		size_t op = *(const size_t *)(p + i * size + op_offset);
		if (op < nops)
			(*at)[op + 1]++;
	}
	for (i = 0; i < nops; i++)
		(*at)[i + 1] += (*at)[i];
	for (i = 0; i < n; i++) {
		size_t op = *(const size_t *)(p + i * size + op_offset);
		if (op < nops)
			(*list)[(*at)[op] + fill[op]++] = i;
	}
	free(fill);
}

/* The indexes, foreign keys and checks operation opi made, onto t. */
static void
apply_parts(struct rctx *c, struct mg_stable *t, size_t opi)
{
	const struct mg_model *m = c->m;
	size_t i;

	/* Primary keys first: a foreign key without columns refers to one. */
	for (i = c->ix_at[opi]; i < c->ix_at[opi + 1]; i++)
		if (m->indexes[c->ix[i]].kind == MG_IX_PRIMARY_KEY)
			apply_index(c, t, &m->indexes[c->ix[i]]);
	for (i = c->ix_at[opi]; i < c->ix_at[opi + 1]; i++)
		if (m->indexes[c->ix[i]].kind != MG_IX_PRIMARY_KEY)
			apply_index(c, t, &m->indexes[c->ix[i]]);
	for (i = c->fk_at[opi]; i < c->fk_at[opi + 1]; i++)
		apply_fkey(c, t, &m->fkeys[c->fk[i]]);
	for (i = c->ck_at[opi]; i < c->ck_at[opi + 1]; i++)
		apply_check(c, t, &m->checks[c->ck[i]]);
}

/*
 * SQLAlchemy's SERIAL: the one integer primary key column of a new table,
 * autoincrement not False, no server default, no foreign key, no Identity
 * or Sequence.
 */
static void
serial_pk(struct rctx *c, struct mg_stable *t, const struct mg_table *mt)
{
	const struct mg_sindex *pk = mg_stable_pkey(t);
	const struct mg_column *col = NULL;
	struct mg_scolumn *sc;
	size_t i, k;

	if (pk == NULL || pk->ncolumns != 1 || pk->is_expr[0])
		return;
	for (i = 0; i < mt->ncolumns; i++)
		if (same(mt->columns[i].name, pk->columns[0]))
			col = &mt->columns[i];
	sc = mg_stable_column(t, pk->columns[0]);
	if (col == NULL || sc == NULL || !integer_type(sc->type) || col->autoincrement == MG_NO ||
	    col->has_server_default != MG_NO || col->identity || col->computed || col->has_sequence)
		return;
	if (col->foreign_key != NULL)
		return;
	for (i = 0; i < t->nfkeys; i++)
		for (k = 0; k < t->fkeys[i].ncolumns; k++)
			if (same(t->fkeys[i].columns[k], sc->name) && col->autoincrement != MG_YES)
				return;
	make_serial(c, t, sc);
}

static void
create_table(struct rctx *c, size_t opi)
{
	const struct mg_op *op = &c->m->ops[opi];
	const struct mg_table *mt =
	    op->table_index < c->m->ntables ? &c->m->tables[op->table_index] : NULL;
	struct mg_stable *t;
	size_t i;

	if (op->table == NULL || mt == NULL) {
		mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
		                    "create_table with a name that is not a literal%s%s%s",
		                    op->name_expr ? " (`" : "", op->name_expr ? op->name_expr : "",
		                    op->name_expr ? "`)" : "");
		return;
	}
	if ((t = mg_schema_table(c->s, op->schema, op->table)) != NULL) {
		if (!op->if_exists)
			mg_schema_uncertain(c->s, t, path(c), op->span.line,
			                    "created again (PostgreSQL refuses it)");
		return;
	}
	t = mg_schema_add_table(c->s, op->schema, op->table, c->rev);
	for (i = 0; i < mt->ncolumns; i++) {
		struct mg_scolumn *sc = add_column(c, t, &mt->columns[i], 1, op->span.line);
		/* serial, bigserial in SQL */
		if (sc != NULL && op->source == MG_SRC_SQL && mt->columns[i].generated &&
		    !sc->identity && !sc->generated)
			make_serial(c, t, sc);
	}
	if (!mt->columns_known)
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "create_table has arguments migen cannot read");
	if (op->opaque)
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "its columns come from another table or type (LIKE, INHERITS, "
		                    "PARTITION OF, OF)");
	apply_parts(c, t, opi);
	if (op->source == MG_SRC_OP)
		serial_pk(c, t, mt);
}

static void
add_column_op(struct rctx *c, struct mg_stable *t, size_t opi)
{
	const struct mg_op *op = &c->m->ops[opi];
	const struct mg_column *col = op->coldef;
	struct mg_scolumn *sc;

	if (col == NULL) {
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "add_column with a column migen cannot read");
		return;
	}
	if (op->if_exists && mg_stable_column(t, col->name) != NULL)
		return;
	if ((sc = add_column(c, t, col, 0, op->span.line)) == NULL)
		return;
	/* SERIAL, as SQLAlchemy renders an integer primary key column; serial in SQL. */
	if (col->generated && !col->identity && !col->computed && integer_type(sc->type))
		make_serial(c, t, sc);
	if (col->primary_key == MG_YES && op->source == MG_SRC_SQL) {
		struct mg_sindex *pk = mg_stable_add_index(c->s, t, c->rev);
		pk->kind = MG_IX_PRIMARY_KEY;
		pk->unique = 1;
		pk->name = mg_schema_default_name(c->s, t->schema, t->name, NULL, 0, "pkey");
		pk->columns = mg_arena_alloc(&c->s->arena, sizeof(*pk->columns));
		pk->is_expr = mg_arena_alloc(&c->s->arena, sizeof(*pk->is_expr));
		pk->columns[0] = sc->name;
		pk->ncolumns = 1;
	}
	/* Alembic adds the column's constraints and indexes after it. */
	if (col->unique || col->index) {
		struct mg_index ix;
		const char *one[1];

		memset(&ix, 0, sizeof(ix));
		one[0] = col->name;
		ix.columns = one;
		ix.is_expr = (int[1]){0};
		ix.ncolumns = 1;
		ix.columns_known = 1;
		ix.line = col->line;
		ix.source = MG_SRC_SQL; /* PostgreSQL names the constraint */
		ix.unique = col->unique;
		ix.kind = col->unique && !col->index ? MG_IX_UNIQUE : MG_IX_INDEX;
		if (col->index)
			ix.name = mg_arena_printf(&c->tmp, "ix_%s_%s", t->name, col->name);
		apply_index(c, t, &ix);
	}
	apply_parts(c, t, opi);
}

/* ADD CONSTRAINT c PRIMARY KEY|UNIQUE USING INDEX i: i becomes c's index, named c. */
static void
using_index(struct rctx *c, struct mg_stable *t, const struct mg_op *op)
{
	struct mg_sindex *ix = mg_stable_index(t, op->using_index);
	int primary = op->object_type != NULL && strcmp(op->object_type, "primary") == 0;
	size_t i;

	if (ix == NULL) {
		mg_schema_uncertain(
		    c->s, t, path(c), op->span.line,
		    "a constraint takes over index %s, which the replay has not seen",
		    op->using_index);
		return;
	}
	if (op->object != NULL)
		ix->name = mg_schema_id(c->s, op->object);
	ix->kind = primary ? MG_IX_PRIMARY_KEY : MG_IX_UNIQUE;
	ix->rev.changed = mg_schema_str(c->s, c->rev);
	for (i = 0; primary && i < ix->ncolumns; i++) {
		struct mg_scolumn *col =
		    ix->is_expr[i] ? NULL : mg_stable_column(t, ix->columns[i]);
		if (col != NULL)
			col->nullable = MG_NO;
	}
}

static void
alter_column(struct rctx *c, struct mg_stable *t, const struct mg_op *op)
{
	struct mg_scolumn *sc;

	if (op->column == NULL) {
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "%s on a column whose name is not a literal", op->name);
		return;
	}
	if ((sc = mg_stable_column(t, op->column)) == NULL) {
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "%s on column %s, which the replay has not seen added",
		                    op->name, op->column);
		return;
	}
	sc->rev.changed = mg_schema_str(c->s, c->rev);
	if (op->nullable == MG_YES || op->nullable == MG_NO)
		sc->nullable = op->nullable;
	if (op->pg_type != NULL) {
		sc->type = mg_schema_str(c->s, op->pg_type);
	} else if (op->type_expr != NULL) {
		const char *type = mg_type_pg(&c->tmp, op->type_expr, c->m, c->map, NULL);
		sc->type = mg_schema_str(c->s, type);
		if (type == NULL)
			mg_schema_uncertain(
			    c->s, t, path(c), op->span.line,
			    "column %s: type `%s` is not one migen can name (map it in "
			    "[tool.migen.types])",
			    sc->name, op->type_expr);
	}
	if (op->opaque)
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    op->source == MG_SRC_SQL
		                        ? "column %s: the new type is not one migen can name"
		                        : "column %s: alter_column's nullable= is not a literal",
		                    sc->name);
	if (op->default_change == MG_DEFAULT_SET)
		sc->dflt =
		    mg_schema_str(c->s, op->server_default == NULL ? "?"
		                        : op->source == MG_SRC_SQL
		                            ? op->server_default
		                            : mg_type_default_sql(&c->tmp, op->server_default));
	else if (op->default_change == MG_DEFAULT_DROP)
		sc->dflt = NULL;
	if (op->identity_change > 0 && !sc->identity) {
		sc->identity = 1;
		sc->nullable = MG_NO;
		owned_sequence(c, t, sc);
	} else if (op->identity_change < 0 && sc->identity) {
		struct mg_ssequence *q = mg_schema_sequence(c->s, t->schema, sc->seq);
		sc->identity = 0;
		if (q != NULL)
			mg_schema_drop_sequence(c->s, q);
		sc->seq = NULL;
	}
	if (op->new_name != NULL)
		mg_stable_rename_column(c->s, t, op->column, op->new_name);
}

/* A constraint (index, foreign key or check) of t by name. */
static int
rename_constraint(struct rctx *c, struct mg_stable *t, const char *from, const char *to)
{
	struct mg_sindex *ix = mg_stable_index(t, from);
	struct mg_sfkey *fk = mg_stable_fkey(t, from);
	struct mg_scheck *k = mg_stable_check(t, from);

	if (ix != NULL)
		ix->name = mg_schema_id(c->s, to), ix->rev.changed = mg_schema_str(c->s, c->rev);
	else if (fk != NULL)
		fk->name = mg_schema_id(c->s, to), fk->rev.changed = mg_schema_str(c->s, c->rev);
	else if (k != NULL)
		k->name = mg_schema_id(c->s, to), k->rev.changed = mg_schema_str(c->s, c->rev);
	return ix != NULL || fk != NULL || k != NULL;
}

static void
rename_table(struct rctx *c, struct mg_stable *t, const struct mg_op *op)
{
	if (op->new_name == NULL) {
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "renamed to a name that is not a literal");
		return;
	}
	if (mg_schema_table(c->s, t->schema, op->new_name) != NULL) {
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "renamed to %s, which exists (PostgreSQL refuses it)",
		                    op->new_name);
		return;
	}
	mg_schema_rename_table(c->s, t, op->new_name);
}

static void
drop_index(struct rctx *c, const struct mg_op *op)
{
	struct mg_stable *t = NULL;
	struct mg_sindex *ix;

	if (op->object == NULL) {
		if (op->table != NULL && (t = mg_schema_table(c->s, op->schema, op->table)) != NULL)
			mg_schema_uncertain(c->s, t, path(c), op->span.line,
			                    "drop_index of an index whose name is not a literal");
		else
			mg_schema_uncertain_all(
			    c->s, path(c), op->span.line,
			    "drop_index of an index whose name is not a literal");
		return;
	}
	ix = mg_schema_index(c->s, op->schema, op->object, &t);
	if (ix == NULL) {
		if (op->if_exists)
			return;
		t = op->table ? mg_schema_table(c->s, op->schema, op->table) : NULL;
		mg_schema_uncertain(c->s, t, path(c), op->span.line,
		                    "drops index %s, which the replay has not seen created",
		                    op->object);
		return;
	}
	mg_stable_drop_constraint(c->s, t, op->object);
	mg_stable_touch(c->s, t, c->rev);
}

static void
rename_index(struct rctx *c, const struct mg_op *op)
{
	struct mg_stable *t = NULL;
	struct mg_sindex *ix = mg_schema_index(c->s, op->schema, op->object, &t);
	size_t at;

	if (ix == NULL) {
		if (!op->if_exists)
			mg_schema_uncertain(
			    c->s, NULL, path(c), op->span.line,
			    "renames index %s, which the replay has not seen created",
			    op->object ? op->object : "?");
		return;
	}
	at = (size_t)(ix - t->indexes);
	ix = &mg_schema_own(c->s, t)->indexes[at]; /* the table's own copy */
	ix->name = mg_schema_id(c->s, op->new_name);
	ix->rev.changed = mg_schema_str(c->s, c->rev);
}

/* The columns of enum e (and arrays of it) named after its new name. */
static void
retype(struct rctx *c, const struct mg_senum *e, const char *to)
{
	const char *old = strcmp(e->schema, "public") == 0
	                      ? e->name
	                      : mg_arena_printf(&c->tmp, "%s.%s", e->schema, e->name);
	const char *now = strcmp(e->schema, "public") == 0
	                      ? to
	                      : mg_arena_printf(&c->tmp, "%s.%s", e->schema, to);
	size_t i, k, n = strlen(old);

	for (i = 0; i < c->s->ntables; i++)
		for (k = 0; k < c->s->tables[i].ncolumns; k++) {
			struct mg_scolumn *col = &c->s->tables[i].columns[k];
			if (col->type == NULL || strncmp(col->type, old, n) != 0 ||
			    (col->type[n] != '\0' && strcmp(col->type + n, "[]") != 0))
				continue;
			col = &mg_schema_own(c->s, &c->s->tables[i])->columns[k];
			col->type = mg_schema_str(
			    c->s, mg_arena_printf(&c->tmp, "%s%s", now, col->type + n));
		}
}

/* `my_enum.create(op.get_bind())` / `.drop(...)`: the type its expression names. */
static void
enum_call(struct rctx *c, const struct mg_op *op)
{
	struct mg_type_enum en;
	struct mg_senum *e;

	if (mg_type_pg(&c->tmp, op->type_expr, c->m, c->map, &en) == NULL || en.name == NULL) {
		mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
		                    "%s of a type migen cannot name", op->name);
		return;
	}
	e = mg_schema_enum(c->s, en.schema, en.name);
	if (op->kind == MG_OP_DROP_ENUM) {
		if (e != NULL)
			mg_schema_drop_enum(c->s, e);
		return;
	}
	if (e != NULL) {
		if (!op->if_exists)
			mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
			                    "type %s is created again (PostgreSQL refuses it)",
			                    en.name);
		return;
	}
	en.create = 1;
	create_enum(c, &en, op->span.line);
}

static void
enum_op(struct rctx *c, const struct mg_op *op)
{
	struct mg_senum *e = mg_schema_enum(c->s, op->schema, op->object);
	size_t i;

	if (op->type_expr != NULL && op->source == MG_SRC_OP) {
		enum_call(c, op);
		return;
	}

	switch (op->kind) {
	case MG_OP_CREATE_ENUM:
		if (e != NULL || op->object == NULL) {
			mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
			                    "type %s is created again (PostgreSQL refuses it)",
			                    op->object ? op->object : "?");
			return;
		}
		e = mg_schema_add_enum(c->s, op->schema, op->object, c->rev);
		for (i = 0; i < op->nlabels; i++)
			mg_senum_add_label(c->s, e, op->labels[i]);
		break;
	case MG_OP_ADD_ENUM_VALUE:
		if (e == NULL || op->nlabels == 0) {
			mg_schema_uncertain(
			    c->s, NULL, path(c), op->span.line,
			    "adds a value to type %s, which the replay has not seen",
			    op->object ? op->object : "?");
			return;
		}
		if (op->if_exists && e->nlabels > 0) {
			for (i = 0; i < e->nlabels; i++)
				if (same(e->labels[i], op->labels[0]))
					return;
		}
		mg_senum_add_label(c->s, e, op->labels[0]);
		/* BEFORE / AFTER a label: moved into place. */
		if (op->new_name != NULL && e->nlabels > 1) {
			const char *v = e->labels[e->nlabels - 1];
			size_t at;
			for (at = 0; at + 1 < e->nlabels && !same(e->labels[at], op->new_name);
			     at++)
				;
			if (at + 1 < e->nlabels) {
				if (op->object_type != NULL &&
				    strcmp(op->object_type, "after") == 0)
					at++;
				memmove(&e->labels[at + 1], &e->labels[at],
				        (e->nlabels - 1 - at) * sizeof(*e->labels));
				e->labels[at] = v;
			}
		}
		e->rev.changed = mg_schema_str(c->s, c->rev);
		break;
	case MG_OP_RENAME_ENUM_VALUE:
		for (i = 0; e != NULL && op->nlabels == 2 && i < e->nlabels; i++)
			if (same(e->labels[i], op->labels[0])) {
				e->labels[i] = mg_schema_str(c->s, op->labels[1]);
				e->rev.changed = mg_schema_str(c->s, c->rev);
				return;
			}
		mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
		                    "renames a value of type %s the replay has not seen",
		                    op->object ? op->object : "?");
		break;
	case MG_OP_RENAME_ENUM:
		if (e == NULL || op->new_name == NULL) {
			mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
			                    "renames type %s, which the replay has not seen",
			                    op->object ? op->object : "?");
			return;
		}
		retype(c, e, op->new_name);
		e->name = mg_schema_id(c->s, op->new_name);
		e->rev.changed = mg_schema_str(c->s, c->rev);
		break;
	case MG_OP_DROP_ENUM:
		if (e != NULL && op->opaque) {
			/* CASCADE: the columns of that type go too. */
			const char *qualified =
			    strcmp(e->schema, "public") == 0
			        ? e->name
			        : mg_arena_printf(&c->tmp, "%s.%s", e->schema, e->name);
			size_t k;
			for (i = 0; i < c->s->ntables; i++) {
				struct mg_stable *t = &c->s->tables[i];
				for (k = t->ncolumns; k-- > 0;)
					if (t->columns[k].type != NULL &&
					    (strcmp(t->columns[k].type, qualified) == 0 ||
					     (strncmp(t->columns[k].type, qualified,
					              strlen(qualified)) == 0 &&
					      strcmp(t->columns[k].type + strlen(qualified),
					             "[]") == 0)))
						mg_stable_drop_column(c->s, t, t->columns[k].name);
			}
		}
		if (e != NULL)
			mg_schema_drop_enum(c->s, e);
		else if (!op->if_exists)
			mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
			                    "drops type %s, which the replay has not seen",
			                    op->object ? op->object : "?");
		break;
	default:
		break;
	}
}

/*
 * A default nextval('seq') holds the sequence's OID: after a rename it
 * prints the new name.
 */
static void
resequence(struct rctx *c, const struct mg_ssequence *q, const char *to)
{
	const char *old = strcmp(q->schema, "public") == 0
	                      ? mg_arena_printf(&c->tmp, "'%s'", q->name)
	                      : mg_arena_printf(&c->tmp, "'%s.%s'", q->schema, q->name);
	const char *now = nextval(c, q->schema, to) + 8; /* 'to'::regclass) */
	size_t i, k;

	for (i = 0; i < c->s->ntables; i++)
		for (k = 0; k < c->s->tables[i].ncolumns; k++) {
			struct mg_scolumn *col = &c->s->tables[i].columns[k];
			const char *at = col->dflt ? strstr(col->dflt, old) : NULL;
			const char *end;
			if (at == NULL || strstr(col->dflt, "nextval(") == NULL)
				continue;
			col = &mg_schema_own(c->s, &c->s->tables[i])->columns[k];
			end = at + strlen(old);
			if (strncmp(end, "::regclass", 10) == 0)
				end += 10;
			col->dflt = mg_schema_str(
			    c->s, mg_arena_printf(&c->tmp, "%.*s%.*s%s", (int)(at - col->dflt),
			                          col->dflt, (int)(strlen(now) - 1), now, end));
			if (same(col->seq, q->name))
				col->seq = mg_schema_id(c->s, to);
		}
}

static void
sequence_op(struct rctx *c, const struct mg_op *op)
{
	struct mg_ssequence *q = mg_schema_sequence(c->s, op->schema, op->object);

	if (op->kind == MG_OP_CREATE_SEQUENCE) {
		if (q == NULL && op->object != NULL)
			mg_schema_add_sequence(c->s, op->schema, op->object, c->rev);
		else if (!op->if_exists)
			mg_schema_uncertain(c->s, NULL, path(c), op->span.line,
			                    "sequence %s is created again",
			                    op->object ? op->object : "?");
	} else if (op->kind == MG_OP_RENAME_SEQUENCE) {
		if (q == NULL || op->new_name == NULL) {
			if (!op->if_exists)
				mg_schema_uncertain(
				    c->s, NULL, path(c), op->span.line,
				    "renames sequence %s, which the replay has not seen",
				    op->object ? op->object : "?");
			return;
		}
		resequence(c, q, op->new_name);
		q->name = mg_schema_id(c->s, op->new_name);
	} else if (q != NULL) {
		mg_schema_drop_sequence(c->s, q);
	}
}

/* op.* methods that change nothing the schema records. */
static const char *const harmless[] = {
    "get_bind",
    "get_context",
    "f",
    "inline_literal",
    "batch_alter_table",
    "create_table_comment",
    "drop_table_comment",
    "bulk_insert",
    "execute",
    "implementation_for",
    NULL,
};

static void
other(struct rctx *c, const struct mg_op *op)
{
	struct mg_stable *t;
	size_t i;
	const char *why;

	if (op->source == MG_SRC_OP) {
		for (i = 0; harmless[i] != NULL; i++)
			if (strcmp(harmless[i], op->name) == 0)
				return;
		why =
		    mg_arena_printf(&c->tmp, "op.%s() is not an operation migen replays", op->name);
	} else if (!op->opaque) {
		return;
	} else {
		why = mg_arena_printf(&c->tmp, "SQL migen does not replay (%s)", op->name);
	}
	t = op->table ? mg_schema_table(c->s, op->schema, op->table) : NULL;
	if (t != NULL)
		mg_schema_uncertain(c->s, t, path(c), op->span.line, "%s", why);
	else
		mg_schema_uncertain_all(c->s, path(c), op->span.line, why);
}

static void
execute(struct rctx *c, size_t opi)
{
	const struct mg_op *op = &c->m->ops[opi];

	if (op->sql_error) {
		mg_schema_uncertain_all(c->s, path(c), op->span.line,
		                        "op.execute() with SQL that does not parse");
		return;
	}
	if (op->sql != NULL)
		return; /* its statements follow it */
	/* sa.update(t)... / t.delete(): a data change, its op follows. */
	if (opi + 1 < c->m->nops && c->m->ops[opi + 1].parent == opi &&
	    c->m->ops[opi + 1].source == MG_SRC_SQL)
		return;
	mg_schema_uncertain_all(c->s, path(c), op->span.line,
	                        "op.execute() with SQL that is not a literal");
}

static void
apply_op(struct rctx *c, size_t opi)
{
	const struct mg_op *op = &c->m->ops[opi];
	struct mg_stable *t = NULL;

	switch (op->kind) {
	case MG_OP_CREATE_TABLE:
		create_table(c, opi);
		t = op->table ? mg_schema_table(c->s, op->schema, op->table) : NULL;
		break;
	case MG_OP_DROP_TABLE:
		if ((t = op_table(c, op)) != NULL)
			mg_schema_drop_table(c->s, t);
		return;
	case MG_OP_RENAME_TABLE:
		if ((t = op_table(c, op)) != NULL)
			rename_table(c, t, op);
		break;
	case MG_OP_CREATE_INDEX:
		if (op->index < c->m->nindexes && (t = op_table(c, op)) != NULL)
			apply_index(c, t, &c->m->indexes[op->index]);
		break;
	case MG_OP_DROP_INDEX:
		drop_index(c, op);
		return;
	case MG_OP_ADD_COLUMN:
		if ((t = op_table(c, op)) != NULL)
			add_column_op(c, t, opi);
		break;
	case MG_OP_DROP_COLUMN:
		if ((t = op_table(c, op)) == NULL)
			break;
		if (op->column == NULL)
			mg_schema_uncertain(c->s, t, path(c), op->span.line,
			                    "drop_column of a column whose name is not a literal");
		else if (mg_stable_column(t, op->column) != NULL)
			mg_stable_drop_column(c->s, t, op->column);
		else if (!op->if_exists)
			mg_schema_uncertain(c->s, t, path(c), op->span.line,
			                    "drops column %s, which the replay has not seen added",
			                    op->column);
		break;
	case MG_OP_ALTER_COLUMN:
		if ((t = op_table(c, op)) != NULL)
			alter_column(c, t, op);
		break;
	case MG_OP_RENAME_COLUMN:
		if ((t = op_table(c, op)) == NULL)
			break;
		if (mg_stable_column(t, op->column) == NULL)
			mg_schema_uncertain(
			    c->s, t, path(c), op->span.line,
			    "renames column %s, which the replay has not seen added",
			    op->column ? op->column : "?");
		else if (op->new_name != NULL)
			mg_stable_rename_column(c->s, t, op->column, op->new_name);
		break;
	case MG_OP_CREATE_FOREIGN_KEY:
	case MG_OP_CREATE_UNIQUE_CONSTRAINT:
	case MG_OP_CREATE_CHECK_CONSTRAINT:
		if ((t = op_table(c, op)) != NULL && op->using_index != NULL)
			using_index(c, t, op);
		else if (t != NULL)
			apply_parts(c, t, opi);
		break;
	case MG_OP_DROP_CONSTRAINT:
		if ((t = op_table(c, op)) == NULL)
			break;
		if (op->object == NULL)
			mg_schema_uncertain(
			    c->s, t, path(c), op->span.line,
			    "drop_constraint of a constraint whose name is not a literal");
		else if (!mg_stable_drop_constraint(c->s, t, op->object) && !op->if_exists)
			mg_schema_uncertain(
			    c->s, t, path(c), op->span.line,
			    "drops constraint %s, which the replay has not seen created",
			    op->object);
		break;
	case MG_OP_RENAME_CONSTRAINT:
		if ((t = op_table(c, op)) != NULL &&
		    !rename_constraint(c, t, op->object, op->new_name))
			mg_schema_uncertain(
			    c->s, t, path(c), op->span.line,
			    "renames constraint %s, which the replay has not seen created",
			    op->object ? op->object : "?");
		break;
	case MG_OP_VALIDATE_CONSTRAINT:
		if ((t = op_table(c, op)) != NULL) {
			struct mg_sfkey *fk = mg_stable_fkey(t, op->object);
			struct mg_scheck *k = mg_stable_check(t, op->object);
			if (fk != NULL)
				fk->validated = 1, fk->rev.changed = mg_schema_str(c->s, c->rev);
			else if (k != NULL)
				k->validated = 1, k->rev.changed = mg_schema_str(c->s, c->rev);
			else
				mg_schema_uncertain(
				    c->s, t, path(c), op->span.line,
				    "validates constraint %s, which the replay has not seen",
				    op->object ? op->object : "?");
		}
		break;
	case MG_OP_RENAME_INDEX:
		rename_index(c, op);
		return;
	case MG_OP_CREATE_ENUM:
	case MG_OP_ADD_ENUM_VALUE:
	case MG_OP_DROP_ENUM:
		enum_op(c, op);
		return;
	case MG_OP_CREATE_SEQUENCE:
	case MG_OP_DROP_SEQUENCE:
	case MG_OP_RENAME_SEQUENCE:
		sequence_op(c, op);
		return;
	case MG_OP_RENAME_ENUM:
	case MG_OP_RENAME_ENUM_VALUE:
		enum_op(c, op);
		return;
	case MG_OP_EXECUTE:
		execute(c, opi);
		return;
	case MG_OP_OTHER:
		other(c, op);
		return;
	case MG_OP_BULK_INSERT:
	case MG_OP_UPDATE:
	case MG_OP_EMPTY_TABLE:
		return;
	}
	if (t == NULL)
		return;
	mg_stable_touch(c->s, t, c->rev);
	/* What runs only under a condition may not run at all. */
	if (op->guard != NULL)
		mg_schema_uncertain(c->s, t, path(c), op->span.line, "%s runs only if %s", op->name,
		                    op->guard);
	if (op->source == MG_SRC_SQL && op->parent < c->m->nops &&
	    c->m->ops[op->parent].guard != NULL)
		mg_schema_uncertain(c->s, t, path(c), op->span.line, "%s runs only if %s", op->name,
		                    c->m->ops[op->parent].guard);
}

int
mg_replay_model(struct mg_schema *s, const struct mg_model *m, const char *rev,
                const struct mg_typemap *map)
{
	return mg_replay_model_dir(s, m, rev, map, MG_UPGRADE);
}

int
mg_replay_model_dir(struct mg_schema *s, const struct mg_model *m, const char *rev,
                    const struct mg_typemap *map, enum mg_direction dir)
{
	const char *fn = dir == MG_UPGRADE ? "upgrade" : "downgrade";
	struct rctx c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.m = m;
	c.rev = rev;
	c.map = map;
	bucket(m->nops, m->nindexes, m->indexes, sizeof(*m->indexes), offsetof(struct mg_index, op),
	       &c.ix_at, &c.ix);
	bucket(m->nops, m->nfkeys, m->fkeys, sizeof(*m->fkeys), offsetof(struct mg_fkey, op),
	       &c.fk_at, &c.fk);
	bucket(m->nops, m->nchecks, m->checks, sizeof(*m->checks), offsetof(struct mg_check, op),
	       &c.ck_at, &c.ck);
	for (i = 0; i < m->nops; i++)
		if (m->ops[i].dir == dir)
			apply_op(&c, i);
	/* Helpers the function calls: what they do is not seen. */
	for (i = 0; i < m->nnotes; i++)
		if (strncmp(m->notes[i].message, fn, strlen(fn)) == 0 &&
		    strstr(m->notes[i].message, "calls helper") != NULL)
			mg_schema_uncertain_all(s, m->path, m->notes[i].line, m->notes[i].message);
	if (m->syntax_errors)
		mg_schema_uncertain_all(
		    s, m->path, m->nerrors ? m->errors[0].line : 0,
		    "the file has syntax errors: what follows them is not known");
	mg_arena_free(&c.tmp);
	free(c.ix_at);
	free(c.ix);
	free(c.fk_at);
	free(c.fk);
	free(c.ck_at);
	free(c.ck);
	return 0;
}
