/*
 * missing-fk-index: a foreign key whose columns lead no index. PostgreSQL
 * indexes the referenced side (a primary key) but not the referencing one,
 * so joins from the parent and every DELETE/UPDATE of a parent row scan the
 * child table. Join tables get one index per direction. A partial index
 * (with WHERE) does not count: the foreign key check
 * (`SELECT 1 FROM child WHERE fk = $1 FOR KEY SHARE`) has no predicate that
 * implies the index's, so the planner cannot use it.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct fkkey {
	const char *table, *column;
	size_t i;
};

/* Orders foreign keys by (table, first column, position). */
static int
fkcmp(const void *a, const void *b)
{
	const struct fkkey *x = a, *y = b;
	int r;

	if ((r = strcmp(x->table, y->table)) != 0 || (r = strcmp(x->column, y->column)) != 0)
		return r;
	return x->i < y->i ? -1 : 1;
}

static int
candidate(const struct mg_fkey *fk)
{
	return fk->dir == MG_UPGRADE && fk->table != NULL && fk->ncolumns > 0 &&
	       fk->columns[0] != NULL;
}

/*
 * Marks, in dup[], every foreign key that repeats an earlier one's (table,
 * first column): one index serves them all. Sorting keeps this O(n log n)
 * on generated files with thousands of keys.
 */
static void
duplicates(const struct mg_model *m, char *dup)
{
	struct fkkey *k = mg_xcalloc(m->nfkeys + 1, sizeof(*k));
	size_t n = 0, i;

	for (i = 0; i < m->nfkeys; i++)
		if (candidate(&m->fkeys[i])) {
			k[n].table = m->fkeys[i].table;
			k[n].column = m->fkeys[i].columns[0];
			k[n++].i = i;
		}
	qsort(k, n, sizeof(*k), fkcmp);
	for (i = 1; i < n; i++)
		if (strcmp(k[i - 1].table, k[i].table) == 0 &&
		    strcmp(k[i - 1].column, k[i].column) == 0)
			dup[k[i].i] = 1;
	free(k);
}

/* The columns as SQL names, quoted where PostgreSQL needs it. */
static const char **
quoted(struct mg_diags *d, const char *const *cols, size_t n)
{
	const char **q = mg_arena_alloc(&d->arena, n * sizeof(*q));
	size_t i;

	for (i = 0; i < n; i++)
		q[i] = mg_rc_sql_name(d, cols[i]);
	return q;
}

/* How the message names the foreign key: its name, else the line that makes it. */
static const char *
label(struct mg_diags *d, const struct mg_fkey *fk)
{
	if (fk->name != NULL)
		return mg_arena_printf(&d->arena, "foreign key '%s'", fk->name);
	return mg_arena_printf(&d->arena, "unnamed foreign key on line %u", (unsigned)fk->line);
}

/* table.column, or table (a, b) for a composite key. */
static const char *
columns(struct mg_diags *d, const struct mg_fkey *fk)
{
	struct mg_buf b = {0};
	const char *r;
	size_t i;

	if (fk->ncolumns == 1)
		return mg_arena_printf(&d->arena, "%s.%s", fk->table, fk->columns[0]);
	mg_buf_printf(&b, "%s (", fk->table);
	for (i = 0; i < fk->ncolumns; i++)
		mg_buf_printf(&b, "%s%s", i ? ", " : "", fk->columns[i] ? fk->columns[i] : "?");
	mg_buf_puts(&b, ")");
	r = mg_arena_strndup(&d->arena, b.s, b.len);
	mg_buf_free(&b);
	return r;
}

static void
check(const struct mg_model *m, const struct mg_options *o, struct mg_diags *d)
{
	char *dup;
	size_t i;

	/* PostgreSQL's: MySQL (InnoDB) indexes a foreign key's columns itself, and the fix
	 * builds the index CONCURRENTLY. */
	dup = mg_xcalloc(m->nfkeys + 1, 1);
	duplicates(m, dup);
	for (i = 0; i < m->nfkeys; i++) {
		const struct mg_fkey *fk = &m->fkeys[i];
		const struct mg_op *op = &m->ops[fk->op];
		const struct mg_table *created;
		struct mg_index_spec ix;
		struct mg_diag *g;
		int existing;

		if (!candidate(fk) || dup[i])
			continue;
		if (mg_model_has_full_index_leading(m, fk->table, fk->columns[0]) ||
		    mg_rc_schema_index_leading(o, op->schema, fk->table, fk->columns[0], 1))
			continue;
		created = mg_model_created_table(m, fk->table);
		/* The tenant rule's index leads with the tenant column already, but
		 * only serves the foreign key when it is not partial. */
		if (created != NULL && strcmp(fk->columns[0], o->tenant_column) == 0 &&
		    mg_rc_tenant_index_full(m, o, created))
			continue;
		existing = !mg_rc_table_new(m, o, fk->table);
		g = mg_diags_add(d, "missing-fk-index", MG_WARNING);
		g->table = fk->table;
		g->column = fk->columns[0];
		g->line = fk->line;
		g->col = fk->col;
		g->op = fk->op;
		g->message = mg_arena_printf(
		    &d->arena,
		    "%s (%s -> %s) has no index leading with %s%s: deletes and key "
		    "updates on '%s', and joins from it, scan '%s'",
		    label(d, fk), columns(d, fk), fk->ref_table ? fk->ref_table : "?",
		    fk->columns[0],
		    mg_model_has_index_leading(m, fk->table, fk->columns[0]) ||
		            mg_rc_schema_index_leading(o, op->schema, fk->table, fk->columns[0], 0)
		        ? " (a partial index does not serve the foreign key check)"
		        : "",
		    fk->ref_table ? fk->ref_table : "the parent", fk->table);
		if (!mg_rc_safe(fk->columns, fk->ncolumns))
			continue;
		memset(&ix, 0, sizeof(ix));
		ix.name = mg_rc_index_name(d, fk->table, fk->columns, fk->ncolumns);
		ix.table = fk->table;
		ix.schema = created != NULL ? created->schema : op->schema;
		ix.columns = quoted(d, fk->columns, fk->ncolumns);
		ix.ncolumns = fk->ncolumns;
		/* A batch block runs its operations when it closes: after the block. */
		g->where =
		    op->batch && op->table != NULL
		        ? mg_arena_printf(&d->arena,
		                          "upgrade(), after the `with op.batch_alter_table('%s')` "
		                          "block",
		                          op->table)
		        : mg_arena_printf(&d->arena, "upgrade(), after %s",
		                          mg_rc_describe(d, m, op));
		/* On an existing table a plain CREATE INDEX blocks writes while it builds.
		 * NULL when a name is not safe to put into code: the finding stays. */
		if (mg_rc_index_code(d, m, &ix, existing, g) != 0)
			continue;
		g->downgrade_where =
		    created == NULL
		        ? "downgrade(), at the start"
		        : mg_arena_printf(&d->arena, "downgrade(), before op.drop_table('%s')",
		                          fk->table);
		g->fix = MG_FIX_INSERT_AFTER;
	}
	free(dup);
}

const struct mg_rule mg_rule_missing_fk_index = {
    "missing-fk-index", "a foreign-key column leads no index", MG_WARNING, check,
    MG_RULE_POSTGRESQL,
};
