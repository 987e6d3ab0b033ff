/*
 * The pattern table (see patterns.h). Each pattern is code for one Alembic
 * migration, written as a template over the names it takes (the table, its
 * columns, a referenced table); the integration tests create the tables the
 * defaults name, seed them, and run every pattern's upgrade, downgrade and
 * upgrade again while another connection writes to the table, online through
 * psycopg2 and asyncpg and offline. Index builds and backfills come from
 * snippet.c, so they are the code the templates print.
 *
 * In a template, {key} is a name as it goes inside a Python string (names
 * hold no quote or backslash), {key:sql} the same name quoted for SQL as
 * PostgreSQL needs, escaped for a double-quoted Python string.
 */
#include <stdlib.h>
#include <string.h>

#include "migen/ident.h"
#include "migen/patterns.h"
#include "migen/snippet.h"

/* ---- templates ---- */

#define MAXVARS 24

struct vars {
	const char *key[MAXVARS];
	const char *val[MAXVARS];
	char *own[MAXVARS];
	size_t n;
};

static void
vset(struct vars *v, const char *key, const char *val)
{
	if (v->n == MAXVARS)
		abort(); /* a pattern with too many names: a programming error */
	v->key[v->n] = key;
	v->val[v->n] = val;
	v->own[v->n++] = NULL;
}

/* key = prefix_part_part..., cut to 63 bytes with a hash as index names are. */
static const char *
vderive(struct vars *v, const char *key, const char *prefix, const char *const *parts, size_t n)
{
	int shortened;
	char *s = mg_ident_index_name(prefix, parts, n, &shortened);

	vset(v, key, s);
	v->own[v->n - 1] = s;
	return s;
}

static void
vfree(struct vars *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->own[i]);
	v->n = 0;
}

static const char *
vget(const struct vars *v, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strlen(v->key[i]) == len && strncmp(v->key[i], key, len) == 0)
			return v->val[i];
	abort(); /* a template names a variable nobody set: a programming error */
}

/* Appends template t with its {key} and {key:sql} filled in. */
static void
put(struct mg_buf *o, const struct vars *v, const char *t)
{
	while (*t) {
		const char *open = strchr(t, '{'), *close, *val;
		size_t len;
		int sql;

		if (open == NULL) {
			mg_buf_puts(o, t);
			return;
		}
		mg_buf_add(o, t, (size_t)(open - t));
		close = strchr(open, '}');
		len = (size_t)(close - open - 1);
		sql = len > 4 && strncmp(close - 4, ":sql", 4) == 0;
		val = vget(v, open + 1, sql ? len - 4 : len);
		if (sql) {
			struct mg_buf q = {0};
			const char *p;

			mg_ident_sql(&q, val);
			for (p = q.s; *p; p++) {
				if (*p == '"')
					mg_buf_putc(o, '\\');
				mg_buf_putc(o, *p);
			}
			mg_buf_free(&q);
		} else {
			mg_buf_puts(o, val);
		}
		t = close + 1;
	}
}

/* The names every template can use: table, column, column2.., ref_table, ref_column. */
static void
base(struct vars *v, const struct mg_pattern_names *n)
{
	static const char *const ckeys[] = {"column",  "column2", "column3", "column4",
	                                    "column5", "column6", "column7", "column8"};
	size_t i;

	v->n = 0;
	vset(v, "table", n->table);
	for (i = 0; i < n->ncolumns; i++)
		vset(v, ckeys[i], n->columns[i]);
	if (n->ref_table != NULL)
		vset(v, "ref_table", n->ref_table);
	if (n->ref_column != NULL)
		vset(v, "ref_column", n->ref_column);
}

/* An index over the given columns (each SQL-quoted, then suffix[i] if any). */
struct ixh {
	struct mg_index_spec ix;
	char *cols[MG_PATTERN_MAX_COLUMNS];
	char *name;
};

static void
ixh_init(struct ixh *h, const char *table, const char *const *cols, size_t n,
         const char *const *suffix, const char *prefix, const char *tail)
{
	const char *parts[MG_PATTERN_MAX_COLUMNS + 2];
	size_t i, np = 0;
	int shortened;

	memset(h, 0, sizeof(*h));
	parts[np++] = table;
	for (i = 0; i < n; i++) {
		struct mg_buf b = {0};

		mg_ident_sql(&b, cols[i]);
		if (suffix != NULL && suffix[i] != NULL)
			mg_buf_puts(&b, suffix[i]);
		h->cols[i] = mg_buf_detach(&b);
		parts[np++] = cols[i];
	}
	if (tail != NULL)
		parts[np++] = tail;
	h->name = mg_ident_index_name(prefix, parts, np, &shortened);
	h->ix.name = h->name;
	h->ix.table = table;
	h->ix.columns = (const char *const *)h->cols;
	h->ix.ncolumns = n;
}

static void
ixh_free(struct ixh *h)
{
	size_t i;

	for (i = 0; i < h->ix.ncolumns; i++)
		free(h->cols[i]);
	free(h->name);
}

/* A backfill spec over the pattern's table; batch 5000, sleep 0.01. */
static struct mg_backfill_spec
bf_spec(const char *table, const char *column, const char *value_python, const char *value_sql,
        const char *type)
{
	struct mg_backfill_spec bf;

	memset(&bf, 0, sizeof(bf));
	bf.table = table;
	bf.column = column;
	bf.key = "id";
	bf.value_python = value_python;
	bf.value_sql = value_sql;
	bf.type_python = type;
	bf.batch_size = 5000;
	bf.sleep = "0.01";
	return bf;
}

/* Appends template t over the base names and those vars() derives (NULL: none). */
typedef void varsfn(struct vars *, const struct mg_pattern_names *);

static void
fill(struct mg_buf *o, const struct mg_pattern_names *n, varsfn *vars, const char *t)
{
	struct vars v;

	if (vars != NULL)
		vars(&v, n);
	else
		base(&v, n);
	put(o, &v, t);
	vfree(&v);
}

/* The index a pattern builds concurrently, and its drop. */
typedef void ixfn(struct ixh *, const struct mg_pattern_names *);

static void
index_up(struct mg_buf *o, const struct mg_pattern_names *n, ixfn *f)
{
	struct ixh h;

	f(&h, n);
	mg_snippet_index_concurrently(o, &h.ix, &mg_style_default);
	ixh_free(&h);
}

static void
index_down(struct mg_buf *o, const struct mg_pattern_names *n, ixfn *f)
{
	struct ixh h;

	f(&h, n);
	mg_snippet_drop_index_concurrently(o, &h.ix, &mg_style_default);
	ixh_free(&h);
}

static const char untrigger[] =
    "    op.execute(\"DROP TRIGGER IF EXISTS {fn:sql} ON {table:sql}\")\n"
    "    op.execute(\"DROP FUNCTION IF EXISTS {fn:sql}()\")\n";

/* ---- multi-tenant-table ---- */

static void
mt_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;
	const char *fkp[2] = {n->table, n->columns[0]};
	const char *ixp[3] = {n->table, n->columns[0], "created_at"};

	base(&v, n);
	vderive(&v, "fk", "fk", fkp, 2);
	vderive(&v, "ix", "ix", ixp, 3);
	put(o, &v,
	    "    op.create_table(\n"
	    "        \"{table}\",\n"
	    "        sa.Column(\"id\", sa.BigInteger(), sa.Identity(), primary_key=True),\n"
	    "        sa.Column(\"{column}\", sa.BigInteger(), nullable=False),\n"
	    "        sa.Column(\"name\", sa.Text(), nullable=False),\n"
	    "        sa.Column(\n"
	    "            \"created_at\",\n"
	    "            sa.DateTime(timezone=True),\n"
	    "            server_default=sa.text(\"now()\"),\n"
	    "            nullable=False,\n"
	    "        ),\n"
	    "        sa.ForeignKeyConstraint(\n"
	    "            [\"{column}\"],\n"
	    "            [\"{ref_table}.{ref_column}\"],\n"
	    "            name=\"{fk}\",\n"
	    "            ondelete=\"CASCADE\",\n"
	    "        ),\n"
	    "    )\n"
	    "    # Every query filters by tenant, and PostgreSQL does not index foreign\n"
	    "    # keys by itself: lead the index with {column}. The table is new and\n"
	    "    # empty, so a plain CREATE INDEX in the migration's transaction is\n"
	    "    # instant (CONCURRENTLY would gain nothing and cannot run there).\n"
	    "    op.create_index(\n"
	    "        \"{ix}\", \"{table}\", [\"{column}\", \"created_at\"]\n"
	    "    )\n");
	vfree(&v);
}

static void
mt_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, NULL,
	     "    # Drops its indexes and foreign key with it.\n"
	     "    op.drop_table(\"{table}\")\n");
}

/* ---- concurrent-index ---- */

static void
ci_index(struct ixh *h, const struct mg_pattern_names *n)
{
	ixh_init(h, n->table, n->columns, n->ncolumns, NULL, "ix", NULL);
}

static void
ci_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	index_up(o, n, ci_index);
}

static void
ci_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	index_down(o, n, ci_index);
}

/* ---- add-not-null-column ---- */

static void
nn_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct mg_backfill_spec bf =
	    bf_spec(n->table, n->columns[0], "\"free\"", NULL, "sa.Text()");

	mg_snippet_not_null(o, &bf, MG_NN_BACKFILL, 1, &mg_style_default);
}

static void
nn_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct mg_backfill_spec bf = bf_spec(n->table, n->columns[0], NULL, NULL, NULL);

	mg_snippet_backfill_downgrade(o, &bf, 1, &mg_style_default);
}

/* ---- soft-delete ---- */

static void
sd_index(struct ixh *h, const struct mg_pattern_names *n)
{
	ixh_init(h, n->table, n->columns, n->ncolumns, NULL, "ix", "live");
	h->ix.unique = 1;
	h->ix.where = "deleted_at IS NULL";
	h->ix.comment = "Step 2 of 2: unique among live rows only; lookups skip deleted rows.";
}

static void
sd_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct mg_backfill_spec bf =
	    bf_spec(n->table, "deleted_at", NULL, NULL, "sa.DateTime(timezone=True)");

	bf.step = 1;
	bf.steps = 2;
	mg_snippet_add_nullable_column(o, &bf, &mg_style_default);
	mg_buf_putc(o, '\n');
	index_up(o, n, sd_index);
}

static void
sd_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	index_down(o, n, sd_index);
	fill(o, n, NULL,
	     "    # The deletion marks are lost: soft-deleted rows come back as live rows.\n"
	     "    op.drop_column(\"{table}\", \"deleted_at\")\n");
}

/* ---- check-from-enum ---- */

/* {key}: the constraint's name, key_<table>_<column>. */
static void
con_vars(struct vars *v, const struct mg_pattern_names *n, const char *key)
{
	const char *p[2] = {n->table, n->columns[0]};

	base(v, n);
	vderive(v, key, key, p, 2);
}

static void
ck_vars(struct vars *v, const struct mg_pattern_names *n)
{
	con_vars(v, n, "ck");
}

static void
ck_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, ck_vars,
	     "    # The values of the application's enum; keep them in step with it.\n"
	     "    with op.get_context().autocommit_block():\n"
	     "        # A run that failed in VALIDATE left the constraint behind.\n"
	     "        op.execute(\"ALTER TABLE {table:sql} DROP CONSTRAINT IF EXISTS {ck:sql}\")\n"
	     "        # NOT VALID: a brief lock, and rows written from now on are checked.\n"
	     "        op.execute(\n"
	     "            \"ALTER TABLE {table:sql} ADD CONSTRAINT {ck:sql} \"\n"
	     "            \"CHECK ({column:sql} IN ('active', 'invited', 'disabled')) NOT VALID\"\n"
	     "        )\n"
	     "        # VALIDATE checks the existing rows while reads and writes go on.\n"
	     "        op.execute(\"ALTER TABLE {table:sql} VALIDATE CONSTRAINT {ck:sql}\")\n");
}

static void
ck_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, ck_vars,
	     "    op.execute(\"ALTER TABLE {table:sql} DROP CONSTRAINT IF EXISTS {ck:sql}\")\n");
}

/* ---- fk-not-valid, fk-cascade, fk-set-null ---- */

static void
fk_vars(struct vars *v, const struct mg_pattern_names *n)
{
	con_vars(v, n, "fk");
}

static void
fk_add(struct mg_buf *o, const struct mg_pattern_names *n, const char *on_delete)
{
	struct vars v;

	fk_vars(&v, n);
	vset(&v, "on_delete", on_delete);
	put(o, &v,
	    "    with op.get_context().autocommit_block():\n"
	    "        # A run that failed in VALIDATE left the constraint behind.\n"
	    "        op.execute(\"ALTER TABLE {table:sql} DROP CONSTRAINT IF EXISTS {fk:sql}\")\n"
	    "        # NOT VALID: a brief lock on both tables; new rows are checked from now on.\n"
	    "        op.execute(\n"
	    "            \"ALTER TABLE {table:sql} ADD CONSTRAINT {fk:sql} \"\n"
	    "            \"FOREIGN KEY ({column:sql}) REFERENCES {ref_table:sql} "
	    "({ref_column:sql})\"\n"
	    "            \"{on_delete} NOT VALID\"\n"
	    "        )\n"
	    "        # VALIDATE checks the existing rows while reads and writes go on.\n"
	    "        op.execute(\"ALTER TABLE {table:sql} VALIDATE CONSTRAINT {fk:sql}\")\n");
	vfree(&v);
}

static void
fk_drop(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, fk_vars,
	     "    op.execute(\"ALTER TABLE {table:sql} DROP CONSTRAINT IF EXISTS {fk:sql}\")\n");
}

static void
fk_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fk_add(o, n, "");
}

static void
fkc_index(struct ixh *h, const struct mg_pattern_names *n)
{
	ixh_init(h, n->table, n->columns, 1, NULL, "ix", NULL);
	h->ix.comment = "Step 1 of 2: the index: PostgreSQL makes none for a foreign key, and "
	                "each delete in the referenced table looks the referencing rows up.";
}

static void
fkc_up_with(struct mg_buf *o, const struct mg_pattern_names *n, const char *on_delete)
{
	index_up(o, n, fkc_index);
	mg_buf_puts(o, "\n    # Step 2 of 2: the foreign key, added NOT VALID, then validated.\n");
	fk_add(o, n, on_delete);
}

static void
fkc_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fkc_up_with(o, n, " ON DELETE CASCADE");
}

static void
fkn_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fkc_up_with(o, n, " ON DELETE SET NULL");
}

static void
fkc_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fk_drop(o, n);
	index_down(o, n, fkc_index);
}

/* ---- rename-column-expand / rename-column-contract ---- */

/* columns: the old name, the new name. Keeps both equal whichever a statement writes. */
static void
rn_vars(struct vars *v, const struct mg_pattern_names *n)
{
	const char *q[2] = {"sync", n->columns[1]};

	base(v, n);
	vderive(v, "fn", n->table, q, 2);
}

static const char rn_trigger[] =
    "    op.execute(\n"
    "        \"\"\"\n"
    "        CREATE OR REPLACE FUNCTION {fn:sql}() RETURNS trigger\n"
    "        LANGUAGE plpgsql AS $$\n"
    "        BEGIN\n"
    "            IF TG_OP = 'INSERT' THEN\n"
    "                NEW.{column2:sql} := COALESCE(NEW.{column2:sql}, NEW.{column:sql});\n"
    "                NEW.{column:sql} := COALESCE(NEW.{column:sql}, NEW.{column2:sql});\n"
    "            ELSIF NEW.{column:sql} IS DISTINCT FROM OLD.{column:sql} THEN\n"
    "                NEW.{column2:sql} := NEW.{column:sql};\n"
    "            ELSIF NEW.{column2:sql} IS DISTINCT FROM OLD.{column2:sql} THEN\n"
    "                NEW.{column:sql} := NEW.{column2:sql};\n"
    "            END IF;\n"
    "            RETURN NEW;\n"
    "        END\n"
    "        $$\n"
    "        \"\"\"\n"
    "    )\n"
    "    op.execute(\"DROP TRIGGER IF EXISTS {fn:sql} ON {table:sql}\")\n"
    "    op.execute(\n"
    "        \"CREATE TRIGGER {fn:sql} BEFORE INSERT OR UPDATE ON {table:sql} \"\n"
    "        \"FOR EACH ROW EXECUTE FUNCTION {fn:sql}()\"\n"
    "    )\n";

/* Adds column `to` (guarded), the sync trigger, and fills `to` from `from`. */
static void
rn_expand(struct mg_buf *o, const struct mg_pattern_names *n, const char *to, const char *from,
          const char *intro)
{
	struct vars v;
	struct mg_buf from_sql = {0};
	struct mg_backfill_spec add = bf_spec(n->table, to, NULL, NULL, "sa.Text()");
	struct mg_backfill_spec bf;

	rn_vars(&v, n);
	put(o, &v, intro);
	mg_snippet_add_nullable_column(o, &add, &mg_style_default);
	put(o, &v, rn_trigger);
	mg_buf_putc(o, '\n');
	mg_ident_sql(&from_sql, from);
	bf = bf_spec(n->table, to, NULL, from_sql.s, NULL);
	mg_snippet_backfill(o, &bf, &mg_style_default);
	mg_buf_free(&from_sql);
	vfree(&v);
}

static void
rne_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	rn_expand(o, n, n->columns[1], n->columns[0],
	          "    # The new column, and a trigger that copies every write of either\n"
	          "    # column to the other, so old and new code can run side by side.\n");
}

static void
rne_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, rn_vars, untrigger);
	fill(o, n, NULL, "    op.drop_column(\"{table}\", \"{column2}\")\n");
}

static void
rnc_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;

	rn_vars(&v, n);
	put(o, &v,
	    "    # Only once no running code reads or writes {table}.{column}. DROP COLUMN\n"
	    "    # rewrites nothing but needs an ACCESS EXCLUSIVE lock: the lock_timeout\n"
	    "    # stops it from waiting behind a long transaction while every other\n"
	    "    # query waits behind it (it lasts until this transaction ends).\n"
	    "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n");
	put(o, &v, untrigger);
	put(o, &v, "    op.drop_column(\"{table}\", \"{column}\")\n");
	vfree(&v);
}

static void
rnc_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	rn_expand(o, n, n->columns[0], n->columns[1],
	          "    # The expand step the other way round: bring the old column back,\n"
	          "    # keep both in step, and fill it from the new one.\n");
}

/* ---- change-column-type ---- */

static void
ty_vars(struct vars *v, const struct mg_pattern_names *n)
{
	const char *p[1] = {"new"};
	const char *q[2] = {"sync", n->columns[0]};

	base(v, n);
	vderive(v, "new", n->columns[0], p, 1);
	vderive(v, "fn", n->table, q, 2);
}

static void
ty_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;
	struct mg_buf from = {0};
	struct mg_backfill_spec add, bf;
	const char *newcol;

	ty_vars(&v, n);
	newcol = vget(&v, "new", 3);
	add = bf_spec(n->table, newcol, NULL, NULL, "sa.BigInteger()");
	add.step = 1;
	add.steps = 3;
	mg_snippet_add_nullable_column(o, &add, &mg_style_default);
	put(o, &v,
	    "    # A trigger copies every write of the old column into the new one.\n"
	    "    op.execute(\n"
	    "        \"\"\"\n"
	    "        CREATE OR REPLACE FUNCTION {fn:sql}() RETURNS trigger\n"
	    "        LANGUAGE plpgsql AS $$\n"
	    "        BEGIN\n"
	    "            NEW.{new:sql} := NEW.{column:sql};\n"
	    "            RETURN NEW;\n"
	    "        END\n"
	    "        $$\n"
	    "        \"\"\"\n"
	    "    )\n"
	    "    op.execute(\"DROP TRIGGER IF EXISTS {fn:sql} ON {table:sql}\")\n"
	    "    op.execute(\n"
	    "        \"CREATE TRIGGER {fn:sql} BEFORE INSERT OR UPDATE ON {table:sql} \"\n"
	    "        \"FOR EACH ROW EXECUTE FUNCTION {fn:sql}()\"\n"
	    "    )\n"
	    "\n");
	mg_ident_sql(&from, n->columns[0]);
	bf = bf_spec(n->table, newcol, NULL, from.s, NULL);
	bf.step = 2;
	bf.steps = 3;
	mg_snippet_backfill(o, &bf, &mg_style_default);
	put(o, &v,
	    "\n"
	    "    # Step 3 of 3: swap the columns in one short transaction. Code that reads\n"
	    "    # and writes {table}.{column} keeps working: only its type changed.\n"
	    "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	    "    op.execute(\"LOCK TABLE {table:sql} IN ACCESS EXCLUSIVE MODE\")\n"
	    "    op.execute(\"DROP TRIGGER {fn:sql} ON {table:sql}\")\n"
	    "    op.execute(\"DROP FUNCTION {fn:sql}()\")\n"
	    "    op.drop_column(\"{table}\", \"{column}\")\n"
	    "    op.alter_column(\"{table}\", \"{new}\", new_column_name=\"{column}\")\n");
	mg_buf_free(&from);
	vfree(&v);
}

static void
ty_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, NULL,
	     "    # Back to integer in place: a table rewrite under an ACCESS EXCLUSIVE\n"
	     "    # lock, and it fails if a value no longer fits. On a big table, run\n"
	     "    # the upgrade's steps the other way round instead.\n"
	     "    op.alter_column(\n"
	     "        \"{table}\",\n"
	     "        \"{column}\",\n"
	     "        type_=sa.Integer(),\n"
	     "        existing_type=sa.BigInteger(),\n"
	     "        postgresql_using=\"{column:sql}::integer\",\n"
	     "    )\n");
}

/* ---- unique-constraint ---- */

static void
uq_index(struct ixh *h, const struct mg_pattern_names *n)
{
	ixh_init(h, n->table, n->columns, n->ncolumns, NULL, "uq", NULL);
	h->ix.unique = 1;
	h->ix.comment = "Step 1 of 2: build the unique index without blocking writes.";
}

static void
uq_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;
	struct ixh h;

	index_up(o, n, uq_index);
	uq_index(&h, n);
	base(&v, n);
	vset(&v, "uq", h.name);
	put(o, &v,
	    "\n"
	    "    # Step 2 of 2: turn the index into a constraint (ON CONFLICT ON CONSTRAINT\n"
	    "    # and foreign keys can name it). The index is built and valid, so this\n"
	    "    # only takes a brief lock.\n"
	    "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	    "    op.execute(\n"
	    "        \"ALTER TABLE {table:sql} ADD CONSTRAINT {uq:sql} \"\n"
	    "        \"UNIQUE USING INDEX {uq:sql}\"\n"
	    "    )\n");
	vfree(&v);
	ixh_free(&h);
}

static void
uq_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;
	struct ixh h;

	uq_index(&h, n);
	base(&v, n);
	vset(&v, "uq", h.name);
	put(o, &v,
	    "    # Drops the index with it.\n"
	    "    op.execute(\"ALTER TABLE {table:sql} DROP CONSTRAINT IF EXISTS {uq:sql}\")\n");
	vfree(&v);
	ixh_free(&h);
}

/* ---- drop-column ---- */

static void
dc_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, NULL,
	     "    # Only once no running code reads or writes the column (remove it from\n"
	     "    # the SQLAlchemy model and deploy first). DROP COLUMN rewrites nothing\n"
	     "    # but needs an ACCESS EXCLUSIVE lock: the lock_timeout stops it from\n"
	     "    # waiting behind a long transaction while every other query waits\n"
	     "    # behind it (it lasts until this transaction ends).\n"
	     "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	     "    op.drop_column(\"{table}\", \"{column}\")\n");
}

static void
dc_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, NULL,
	     "    # The column comes back empty: its data went with the upgrade.\n"
	     "    op.add_column(\"{table}\", sa.Column(\"{column}\", sa.Text(), nullable=True))\n");
}

/* ---- audit-timestamps ---- */

static void
au_vars(struct vars *v, const struct mg_pattern_names *n)
{
	const char *p[1] = {"set_updated_at"};

	base(v, n);
	vderive(v, "fn", n->table, p, 1);
}

static void
au_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	struct vars v;

	au_vars(&v, n);
	put(o, &v,
	    "    # Step 1 of 2: both columns with a default, NOT NULL at once. now() is\n"
	    "    # stable, so PostgreSQL 11+ stores it once in the catalog: no rewrite,\n"
	    "    # and existing rows read the time of this migration. The brief ACCESS\n"
	    "    # EXCLUSIVE lock must not wait behind a long transaction: lock_timeout.\n"
	    "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	    "    op.add_column(\n"
	    "        \"{table}\",\n"
	    "        sa.Column(\n"
	    "            \"created_at\",\n"
	    "            sa.DateTime(timezone=True),\n"
	    "            server_default=sa.text(\"now()\"),\n"
	    "            nullable=False,\n"
	    "        ),\n"
	    "    )\n"
	    "    op.add_column(\n"
	    "        \"{table}\",\n"
	    "        sa.Column(\n"
	    "            \"updated_at\",\n"
	    "            sa.DateTime(timezone=True),\n"
	    "            server_default=sa.text(\"now()\"),\n"
	    "            nullable=False,\n"
	    "        ),\n"
	    "    )\n"
	    "\n"
	    "    # Step 2 of 2: a trigger keeps updated_at current on every UPDATE,\n"
	    "    # whichever code writes the row.\n"
	    "    op.execute(\n"
	    "        \"\"\"\n"
	    "        CREATE OR REPLACE FUNCTION {fn:sql}() RETURNS trigger\n"
	    "        LANGUAGE plpgsql AS $$\n"
	    "        BEGIN\n"
	    "            NEW.updated_at := now();\n"
	    "            RETURN NEW;\n"
	    "        END\n"
	    "        $$\n"
	    "        \"\"\"\n"
	    "    )\n"
	    "    op.execute(\"DROP TRIGGER IF EXISTS {fn:sql} ON {table:sql}\")\n"
	    "    op.execute(\n"
	    "        \"CREATE TRIGGER {fn:sql} BEFORE UPDATE ON {table:sql} \"\n"
	    "        \"FOR EACH ROW EXECUTE FUNCTION {fn:sql}()\"\n"
	    "    )\n");
	vfree(&v);
}

static void
au_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, au_vars, untrigger);
	fill(o, n, NULL,
	     "    op.drop_column(\"{table}\", \"updated_at\")\n"
	     "    op.drop_column(\"{table}\", \"created_at\")\n");
}

/* ---- trigram-index ---- */

static void
tg_index(struct ixh *h, const struct mg_pattern_names *n)
{
	static const char *const ops[1] = {" gin_trgm_ops"};

	ixh_init(h, n->table, n->columns, 1, ops, "ix", "trgm");
	h->ix.using_method = "gin";
	h->ix.comment = "Step 2 of 2: the index, built without blocking writes.";
}

static void
tg_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	mg_buf_puts(o,
	            "    # Step 1 of 2: the trigram operator classes. pg_trgm ships with\n"
	            "    # PostgreSQL; it is a trusted extension (13+), so a user with CREATE on\n"
	            "    # the database may add it.\n"
	            "    op.execute(\"CREATE EXTENSION IF NOT EXISTS pg_trgm\")\n"
	            "\n");
	index_up(o, n, tg_index);
}

static void
tg_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	index_down(o, n, tg_index);
	mg_buf_puts(o, "    # pg_trgm stays: other indexes or queries may use it.\n");
}

/* ---- tenant-pagination-index ---- */

static void
pg_index(struct ixh *h, const struct mg_pattern_names *n)
{
	static const char *const order[3] = {NULL, " DESC", " DESC"};

	ixh_init(h, n->table, n->columns, 3, order, "ix", "live");
	h->ix.where = "deleted_at IS NULL";
}

static void
pg_up(struct mg_buf *o, const struct mg_pattern_names *n)
{
	fill(o, n, NULL,
	     "    # Keyset pagination of one tenant's live rows, newest first:\n"
	     "    #   WHERE {column} = $1 AND deleted_at IS NULL\n"
	     "    #     AND ({column2}, {column3}) < ($2, $3)  -- the last row seen\n"
	     "    #   ORDER BY {column2} DESC, {column3} DESC LIMIT 50\n"
	     "    # reads one range of this index and stops after 50 entries, on every page.\n");
	index_up(o, n, pg_index);
}

static void
pg_down(struct mg_buf *o, const struct mg_pattern_names *n)
{
	index_down(o, n, pg_index);
}

#define ONE_COLUMN 1, 1, "one column,"

const struct mg_pattern mg_patterns[] = {
    {"multi-tenant-table", "a tenant-owned table: tenant_id foreign key, index led by tenant_id",
     "a {ref_table} table with a bigint {ref_column}; no {table} table yet.",
     "Every row belongs to a tenant and every query filters by tenant_id, so the\n"
     "column is NOT NULL, references tenants (ON DELETE CASCADE), and leads a\n"
     "composite index. PostgreSQL does not index a foreign key by itself: without\n"
     "the index each tenant query, and each tenant delete's cascade, scans the\n"
     "table.\n",
     "projects", "tenant_id", ONE_COLUMN " referencing the tenant", "tenants", "id", mt_up,
     mt_down},
    {"concurrent-index", "build an index without blocking writes (CREATE INDEX CONCURRENTLY)",
     "table {table} with the indexed columns.",
     "A plain CREATE INDEX holds a SHARE lock that stops every INSERT, UPDATE and\n"
     "DELETE on the table until the build ends. CONCURRENTLY lets writes go on;\n"
     "it cannot run inside a transaction, hence the autocommit block. A failed\n"
     "concurrent build leaves an INVALID index that IF NOT EXISTS would keep, so\n"
     "the upgrade drops it first. Same code as `migen index-template`.\n",
     "users", "tenant_id,email", 1, MG_PATTERN_MAX_COLUMNS, "the indexed columns, in order", NULL,
     NULL, ci_up, ci_down},
    {"add-not-null-column",
     "add a NOT NULL column to a big table: add nullable, backfill, NOT NULL",
     "table {table} with a unique, ordered id; no {column} column yet.",
     "Filling a new column with one UPDATE locks every row until it commits, and\n"
     "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock. Here the\n"
     "column is added nullable (instant), filled in batches that each commit,\n"
     "and made NOT NULL through a validated CHECK so that SET NOT NULL skips its\n"
     "scan. Deploy code that writes the column before running it. Same code as\n"
     "`migen backfill-template --add-column`; for a constant value alone,\n"
     "`backfill-template --server-default` prints the one-statement form\n"
     "(PostgreSQL 11+, no rewrite).\n",
     "users", "plan", ONE_COLUMN " to add", NULL, NULL, nn_up, nn_down},
    {"soft-delete", "soft delete: a deleted_at column and partial indexes over live rows",
     "table {table} with the indexed columns; no deleted_at column yet.",
     "Rows are marked deleted instead of removed. Queries and uniqueness then\n"
     "concern live rows only: a partial index WHERE deleted_at IS NULL is smaller\n"
     "than a full one, and a unique one lets a deleted email be used again.\n"
     "Every query must add WHERE deleted_at IS NULL to use it.\n",
     "users", "tenant_id,email", 1, MG_PATTERN_MAX_COLUMNS, "the columns unique among live rows",
     NULL, NULL, sd_up, sd_down},
    {"check-from-enum", "a CHECK constraint from an enum's values, added NOT VALID then validated",
     "table {table} with a text {column} column whose values are all in the list.",
     "A text column with a CHECK is easier to change than a PostgreSQL ENUM type\n"
     "(adding a value is a constraint swap, not ALTER TYPE). Adding the CHECK\n"
     "plainly scans the table under an ACCESS EXCLUSIVE lock; NOT VALID takes\n"
     "the lock only briefly, and VALIDATE CONSTRAINT scans under a lock that lets\n"
     "reads and writes go on.\n",
     "users", "status", ONE_COLUMN " checked", NULL, NULL, ck_up, ck_down},
    {"fk-not-valid", "a foreign key added NOT VALID, then validated",
     "{table}.{column} and {ref_table}.{ref_column}, every {column} present in {ref_table}.",
     "ADD FOREIGN KEY checks every row while holding locks that block writes on\n"
     "both tables. NOT VALID adds it with a brief lock and checks new rows from\n"
     "then on; VALIDATE CONSTRAINT checks the old rows while writes go on. Index\n"
     "the referencing column too (see fk-cascade, which does): deletes in the\n"
     "referenced table look it up.\n",
     "users", "tenant_id", ONE_COLUMN " referencing", "tenants", "id", fk_up, fk_drop},
    {"fk-cascade", "a foreign key ON DELETE CASCADE with its index, added NOT VALID, validated",
     "{table}.{column} and {ref_table}.{ref_column}, every {column} present in {ref_table}.",
     "Deleting a parent row deletes its children. Each delete in the referenced\n"
     "table looks the children up by the referencing column, so it gets an index\n"
     "first, built concurrently; then the key is added NOT VALID (a brief lock)\n"
     "and validated while writes go on.\n",
     "users", "tenant_id", ONE_COLUMN " referencing", "tenants", "id", fkc_up, fkc_down},
    {"fk-set-null", "a foreign key ON DELETE SET NULL with its index, added NOT VALID, validated",
     "a nullable {table}.{column} whose values are all in {ref_table}.{ref_column}.",
     "Deleting a parent row leaves its children without one (the column must be\n"
     "nullable). Each delete in the referenced table looks the children up by the\n"
     "referencing column, so it gets an index first, built concurrently; then the\n"
     "key is added NOT VALID (a brief lock) and validated while writes go on.\n",
     "users", "manager_id", ONE_COLUMN " referencing", "users", "id", fkn_up, fkc_down},
    {"rename-column-expand", "rename a column, step 1 of 2: add the new one, sync, backfill",
     "table {table} with a text {column} column and a unique, ordered id.",
     "Renaming in place breaks every running instance of the old code at once.\n"
     "Step 1 adds the new column, keeps both columns equal with a trigger, and\n"
     "copies the existing rows in batches. Deploy code that uses the new name,\n"
     "then run rename-column-contract in a later migration.\n",
     "users", "name,full_name", 2, 2, "the old name, then the new name", NULL, NULL, rne_up,
     rne_down},
    {"rename-column-contract", "rename a column, step 2 of 2: drop the trigger and the old column",
     "rename-column-expand has run and no running code uses {table}.{column}.",
     "Once all code uses the new name, the trigger and the old column go. The\n"
     "downgrade restores the old column, the trigger and its data.\n",
     "users", "name,full_name", 2, 2, "the old name, then the new name", NULL, NULL, rnc_up,
     rnc_down},
    {"change-column-type", "change a column's type without a rewrite under lock (int to bigint)",
     "table {table} with an integer {column} column (no index, default, view or "
     "constraint on it) and a unique, ordered id.",
     "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS\n"
     "EXCLUSIVE lock that blocks reads too. Instead: add a bigint column kept\n"
     "in step by a trigger, copy the old rows in batches, then swap the columns\n"
     "in one short transaction. The column moves to the end of the table.\n",
     "users", "score", ONE_COLUMN " to widen", NULL, NULL, ty_up, ty_down},
    {"unique-constraint", "a unique constraint through a concurrently built unique index",
     "table {table} whose values in the columns are unique.",
     "ADD CONSTRAINT ... UNIQUE builds its index under a lock that blocks writes.\n"
     "Building the unique index CONCURRENTLY first and then attaching it with\n"
     "ADD CONSTRAINT ... USING INDEX takes only a brief lock. If a duplicate\n"
     "exists the build fails and leaves an INVALID index, which the next run\n"
     "drops and rebuilds.\n",
     "users", "email", 1, MG_PATTERN_MAX_COLUMNS, "the unique columns", NULL, NULL, uq_up, uq_down},
    {"drop-column", "drop a column safely: code first, then a lock_timeout-guarded DROP",
     "table {table} with a {column} column nothing uses any more.",
     "Dropping a column that running code still selects breaks that code, so the\n"
     "code goes first: a release whose model no longer reads or writes the\n"
     "column (removed, or `deferred()` while it is phased out: SQLAlchemy then\n"
     "leaves it out of SELECTs, and an INSERT that does not set it leaves it to\n"
     "its default), then this migration in a later release. The DROP itself is\n"
     "instant but needs an ACCESS EXCLUSIVE lock; waiting for it behind a long\n"
     "transaction would stall every query on the table, so a lock_timeout makes\n"
     "it fail fast instead (retry later).\n",
     "users", "legacy_note", ONE_COLUMN " to drop", NULL, NULL, dc_up, dc_down},
    {"audit-timestamps", "created_at and updated_at with server defaults and an update trigger",
     "table {table} without created_at and updated_at columns.",
     "Every row says when it was created and last changed, whichever code wrote\n"
     "it: the database fills both on INSERT (server defaults) and a trigger sets\n"
     "updated_at on every UPDATE. Added with a stable default, the columns cost\n"
     "no table rewrite (PostgreSQL 11+).\n",
     "tenants", NULL, 0, 0, NULL, NULL, NULL, au_up, au_down},
    {"trigram-index", "a trigram GIN index for LIKE '%...%' and similarity, with pg_trgm",
     "table {table} with a text {column} column.",
     "A B-tree index cannot serve LIKE '%term%', ILIKE or similarity searches; a\n"
     "GIN index over pg_trgm's trigrams can. It needs the extension, created if\n"
     "missing, and is built concurrently: GIN builds are slow, and a plain build\n"
     "would block writes throughout.\n",
     "users", "email", ONE_COLUMN " searched", NULL, NULL, tg_up, tg_down},
    {"tenant-pagination-index",
     "keyset pagination per tenant: (tenant_id, created_at DESC, id DESC) over live rows",
     "table {table} with {column}, {column2}, a unique {column3} and deleted_at.",
     "Listing a tenant's rows newest first with OFFSET reads and throws away every\n"
     "row before the page. Keyset pagination (after the last row seen) with an\n"
     "index in the same order reads just the page; the partial index leaves the\n"
     "soft-deleted rows out. The key breaks ties between equal timestamps.\n",
     "users", "tenant_id,created_at,id", 3, 3, "the tenant column, the time, the key", NULL, NULL,
     pg_up, pg_down},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

const struct mg_pattern *
mg_pattern_find(const char *name)
{
	const struct mg_pattern *p;

	for (p = mg_patterns; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/*
 * Fills the names not given with the pattern's defaults (n->columns then
 * point into *storage, which the caller frees with free()).
 */
static void
pattern_defaults(const struct mg_pattern *p, struct mg_pattern_names *n, char **storage)
{
	*storage = NULL;
	if (n->table == NULL)
		n->table = p->table;
	if (n->ref_table == NULL)
		n->ref_table = p->ref_table;
	if (n->ref_column == NULL)
		n->ref_column = p->ref_column;
	if (n->ncolumns == 0 && p->columns != NULL) {
		char *s = mg_xstrdup(p->columns), *c;

		*storage = s;
		for (c = strtok(s, ","); c != NULL && n->ncolumns < MG_PATTERN_MAX_COLUMNS;
		     c = strtok(NULL, ","))
			n->columns[n->ncolumns++] = c;
	}
}

const char *
mg_pattern_names_refusal(const struct mg_pattern *p, const struct mg_pattern_names *n,
                         const char **opt)
{
	size_t i, j;

	*opt = "--column";
	if (p->max_columns == 0 && n->ncolumns > 0)
		return "this pattern takes no column";
	if (n->ncolumns > 0 && n->ncolumns < p->min_columns)
		return "too few";
	if (n->ncolumns > p->max_columns)
		return "too many";
	for (i = 0; i < n->ncolumns; i++)
		for (j = 0; j < i; j++)
			if (strcmp(n->columns[i], n->columns[j]) == 0)
				return "the same column twice";
	*opt = "--ref-table";
	if (p->ref_table == NULL && n->ref_table != NULL)
		return "this pattern references no other table";
	*opt = "--ref-column";
	if (p->ref_column == NULL && n->ref_column != NULL)
		return "this pattern references no other table";
	*opt = NULL;
	return NULL;
}

/* Appends "# " + lead + text as comment lines of at most 78 columns. */
static void
wrap(struct mg_buf *out, const char *lead, const char *text)
{
	size_t col = 0;
	const char *w = text;

	mg_buf_puts(out, "#\n# ");
	mg_buf_puts(out, lead);
	col = 2 + strlen(lead);
	while (*w) {
		size_t n = strcspn(w, " ");

		if (col + n > 78 && col > 2) {
			mg_buf_puts(out, "\n# ");
			col = 2;
		}
		mg_buf_add(out, w, n);
		col += n;
		w += n;
		if (*w == ' ') {
			w++;
			if (*w && col + 1 + strcspn(w, " ") <= 78) {
				mg_buf_putc(out, ' ');
				col++;
			}
		}
	}
	mg_buf_putc(out, '\n');
}

void
mg_pattern_render(struct mg_buf *out, const struct mg_pattern *p,
                  const struct mg_pattern_names *given)
{
	struct mg_pattern_names n;
	struct mg_buf assumes = {0};
	struct vars v;
	const char *s, *nl;
	char *storage;

	memset(&n, 0, sizeof(n));
	if (given != NULL)
		n = *given;
	pattern_defaults(p, &n, &storage);
	mg_buf_printf(out, "# Pattern %s:\n# %s\n#\n", p->name, p->title);
	for (s = p->why; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		mg_buf_printf(out, "# %.*s\n", (int)(nl - s), s);
	}
	base(&v, &n);
	put(&assumes, &v, p->assumes);
	vfree(&v);
	wrap(out, "Assumes ", assumes.s);
	mg_buf_puts(out, "\n\ndef upgrade() -> None:\n");
	p->upgrade(out, &n);
	mg_buf_puts(out, "\n\ndef downgrade() -> None:\n");
	p->downgrade(out, &n);
	mg_buf_free(&assumes);
	free(storage);
}
