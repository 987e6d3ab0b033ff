/*
 * narrowing-change: upgrade() changes a column of an existing table to a
 * type that cannot hold every value the old one could (varchar(100) to
 * varchar(50), bigint to integer, text to an enum or a number), or adds a
 * UNIQUE or CHECK constraint over rows migen cannot see. PostgreSQL checks
 * or converts every existing row: one value that does not fit fails the
 * migration (after a scan or rewrite under an ACCESS EXCLUSIVE lock), and a
 * smaller numeric scale rounds values without a word. The old type comes
 * from the schema replayed before the migration: when it is not known, or
 * something migen could not follow touched the table, the rule is silent.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum family { F_OTHER, F_STRING, F_INT, F_NUMERIC };

struct ptype {
	enum family f;
	long len;   /* string: its length limit, -1 none; int: its bytes */
	long whole; /* numeric: digits before the point, -1 unlimited */
	long scale; /* numeric: digits after it, -1 unlimited */
};

static int
prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* format_type()'s name as a family and its limits. */
static struct ptype
classify(const char *t)
{
	struct ptype p = {F_OTHER, -1, -1, -1};
	const char *paren = strchr(t, '(');

	if (strcmp(t, "text") == 0 || strcmp(t, "character varying") == 0 ||
	    strcmp(t, "citext") == 0) {
		p.f = F_STRING;
	} else if (prefix(t, "character varying(") || prefix(t, "character(")) {
		p.f = F_STRING;
		p.len = strtol(paren + 1, NULL, 10);
	} else if (strcmp(t, "smallint") == 0) {
		p.f = F_INT;
		p.len = 2;
	} else if (strcmp(t, "integer") == 0) {
		p.f = F_INT;
		p.len = 4;
	} else if (strcmp(t, "bigint") == 0) {
		p.f = F_INT;
		p.len = 8;
	} else if (strcmp(t, "numeric") == 0) {
		p.f = F_NUMERIC;
	} else if (prefix(t, "numeric(")) {
		const char *comma = strchr(paren, ',');
		long prec = strtol(paren + 1, NULL, 10);

		p.f = F_NUMERIC;
		p.scale = comma != NULL ? strtol(comma + 1, NULL, 10) : 0;
		p.whole = prec - p.scale;
	}
	return p;
}

/* The range an integer of n bytes holds, as SQL. */
static const char *
int_range(int bytes)
{
	return bytes == 2 ? "-32768 AND 32767" : "-2147483648 AND 2147483647";
}

/*
 * Why the change from old to new can fail or lose data, with a query that
 * counts the rows it would hit; NULL when it cannot (or migen cannot tell).
 */
static const char *
narrows(struct mg_diags *d, const char *old, const char *new, int new_enum, const char *col,
        const char *table, const char **query)
{
	struct ptype a = classify(old), b = classify(new);
	const char *c = mg_rc_sql_name(d, col), *t = mg_rc_sql_name(d, table);

	if (a.f == F_STRING && b.f == F_STRING && b.len >= 0 && (a.len < 0 || b.len < a.len)) {
		*query = mg_arena_printf(
		    &d->arena, "SELECT count(*) FROM %s WHERE length(%s) > %ld", t, c, b.len);
		return mg_arena_printf(&d->arena, "a value longer than %ld characters fails it",
		                       b.len);
	}
	if (a.f == F_INT && b.f == F_INT && b.len < a.len) {
		*query =
		    mg_arena_printf(&d->arena, "SELECT count(*) FROM %s WHERE %s NOT BETWEEN %s", t,
		                    c, int_range((int)b.len));
		return "a value outside the new type's range fails it";
	}
	if (a.f == F_NUMERIC && b.f == F_NUMERIC && b.whole >= 0 &&
	    (a.whole < 0 || b.whole < a.whole)) {
		*query = NULL;
		return mg_arena_printf(
		    &d->arena, "a value with more than %ld digits before the point fails it",
		    b.whole);
	}
	if (a.f == F_NUMERIC && b.f == F_NUMERIC && b.scale >= 0 &&
	    (a.scale < 0 || b.scale < a.scale)) {
		*query = NULL;
		if (b.scale == 0)
			return "fractions are rounded away without an error";
		return mg_arena_printf(
		    &d->arena,
		    "values with more than %ld digits after the point are rounded "
		    "without an error",
		    b.scale);
	}
	if (a.f == F_STRING && new_enum) {
		*query = NULL;
		return "a value that is not one of the enum's labels fails it";
	}
	if (a.f == F_STRING && b.f != F_STRING && b.f != F_OTHER) {
		*query = NULL;
		return "a value that does not convert fails it";
	}
	if ((a.f == F_NUMERIC || (a.f == F_OTHER && (strcmp(old, "double precision") == 0 ||
	                                             strcmp(old, "real") == 0))) &&
	    b.f == F_INT) {
		*query = NULL;
		return "fractions are rounded without an error, and a value outside the integer "
		       "range fails it";
	}
	return NULL;
}

static void
types(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d, size_t i)
{
	const struct mg_op *op = &m->ops[i];
	const struct mg_stable *t = mg_rc_schema_table(o, op->schema, op->table);
	const struct mg_scolumn *c;
	struct mg_type_enum en;
	const char *new, *why, *query = NULL;
	int is_enum = 0;
	struct mg_diag *g;

	if (t == NULL || t->nuncertain > 0 || op->column == NULL ||
	    (c = mg_stable_column(t, op->column)) == NULL || c->type == NULL)
		return;
	memset(&en, 0, sizeof(en));
	if (op->pg_type != NULL)
		new = op->pg_type;
	else if (op->type_expr != NULL)
		new = mg_type_pg(&d->arena, op->type_expr, m, NULL, &en);
	else
		return;
	if (new == NULL || strcmp(new, c->type) == 0)
		return;
	is_enum = en.name != NULL || mg_schema_enum(o->schema, op->schema, new) != NULL;
	if ((why = narrows(d, c->type, new, is_enum, op->column, op->table, &query)) == NULL)
		return;
	g = mg_rc_op_diag(d, "narrowing-change", MG_WARNING, m, i);
	g->column = op->column;
	g->message =
	    mg_arena_printf(&d->arena,
	                    "changes %s.%s from %s to %s on existing rows: %s (migen cannot "
	                    "see the data)",
	                    op->table, op->column, c->type, new, why);
	g->note = query != NULL
	              ? mg_arena_printf(&d->arena,
	                                "count the rows that do not fit before you deploy: %s; fix "
	                                "them in a data migration first, or keep the wider type",
	                                query)
	              : "check the existing values before you deploy; fix them in a data migration "
	                "first, or keep the old type";
}

/* A new UNIQUE constraint or unique index on an existing table's existing columns. */
static void
unique(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i, k;

	for (i = 0; i < m->nindexes; i++) {
		const struct mg_index *x = &m->indexes[i];
		struct mg_buf cols = {0};
		struct mg_diag *g;
		int added = 0;

		if (x->dir != MG_UPGRADE || !x->unique || x->table == NULL || !x->columns_known ||
		    x->ncolumns == 0 || x->op >= m->nops || !mg_rc_existing(m, o, &m->ops[x->op]))
			continue;
		if (m->ops[x->op].kind != MG_OP_CREATE_INDEX &&
		    m->ops[x->op].kind != MG_OP_CREATE_UNIQUE_CONSTRAINT)
			continue;
		for (k = 0; k < x->ncolumns; k++) {
			if (x->columns[k] == NULL || (x->is_expr != NULL && x->is_expr[k]))
				added = 1; /* an expression: no simple query to offer */
			else
				added |= mg_rc_column_added(m, x->table, x->columns[k], x->op);
		}
		if (added)
			continue;
		for (k = 0; k < x->ncolumns; k++)
			mg_buf_printf(&cols, "%s%s", k ? ", " : "",
			              mg_rc_sql_name(d, x->columns[k]));
		g = mg_rc_op_diag(d, "narrowing-change", MG_NOTE, m, x->op);
		g->message = mg_arena_printf(&d->arena,
		                             "makes (%s) unique over the existing rows of %s: one "
		                             "duplicate fails the migration "
		                             "(migen cannot see the data)",
		                             cols.s, x->table);
		g->note = mg_arena_printf(
		    &d->arena,
		    "look for duplicates before you deploy: SELECT %s, count(*) FROM %s%s GROUP BY "
		    "%s HAVING count(*) > 1",
		    cols.s, mg_rc_sql_name(d, x->table),
		    x->where != NULL ? mg_arena_printf(&d->arena, " WHERE %s", x->where) : "",
		    cols.s);
		mg_buf_free(&cols);
	}
}

/* A new CHECK constraint (validated at once) on an existing table's existing rows. */
static void
checks(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nchecks; i++) {
		const struct mg_check *x = &m->checks[i];
		struct mg_diag *g;

		if (x->dir != MG_UPGRADE || x->not_valid || x->table == NULL || x->op >= m->nops ||
		    !mg_rc_existing(m, o, &m->ops[x->op]))
			continue;
		if (x->column != NULL && mg_rc_column_added(m, x->table, x->column, x->op + 1))
			continue;
		g = mg_rc_op_diag(d, "narrowing-change", MG_NOTE, m, x->op);
		g->message = mg_arena_printf(&d->arena,
		                             "adds a CHECK constraint%s%s over the existing rows "
		                             "of %s: one row that breaks it "
		                             "fails the migration (migen cannot see the data)",
		                             x->name ? " " : "", x->name ? x->name : "", x->table);
		if (x->expr != NULL && x->source == MG_SRC_SQL)
			g->note = mg_arena_printf(&d->arena,
			                          "count the rows that break it before you deploy: "
			                          "SELECT count(*) FROM %s "
			                          "WHERE NOT (%s)",
			                          mg_rc_sql_name(d, x->table), x->expr);
		else
			g->note =
			    "count the rows that break it before you deploy (SELECT count(*) ... "
			    "WHERE NOT (condition)), and fix them first";
	}
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	size_t i;

	for (i = 0; i < m->nops; i++) {
		const struct mg_op *op = &m->ops[i];

		if (op->kind != MG_OP_ALTER_COLUMN || !mg_rc_existing(m, o, op) ||
		    o->schema == NULL)
			continue;
		if (mg_rc_column_added(m, op->table, op->column, i))
			continue;
		types(m, o, d, i);
	}
	unique(m, o, d);
	checks(m, o, d);
}

const struct mg_rule mg_rule_narrowing_change = {
    "narrowing-change",
    "a type, length, UNIQUE or CHECK that existing rows may not fit",
    MG_WARNING,
    check,
    0,
};
