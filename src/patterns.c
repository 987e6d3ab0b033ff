/*
 * The pattern table (see patterns.h). Each pattern is code for one Alembic
 * migration, written against the tables it names in `assumes`; the
 * integration tests create exactly those tables, seed them, and run every
 * pattern's upgrade, downgrade and upgrade again while another connection
 * writes to the table. Index builds and backfills come from snippet.c, so
 * they are the code the templates print.
 */
#include <string.h>

#include "migen/patterns.h"
#include "migen/snippet.h"

static const struct mg_style st = {"    ", 1, '"'};

/* ---- multi-tenant-table ---- */

static void
mt_up(struct mg_buf *o)
{
	mg_buf_puts(o,
	            "    op.create_table(\n"
	            "        \"projects\",\n"
	            "        sa.Column(\"id\", sa.BigInteger(), sa.Identity(), primary_key=True),\n"
	            "        sa.Column(\"tenant_id\", sa.BigInteger(), nullable=False),\n"
	            "        sa.Column(\"name\", sa.Text(), nullable=False),\n"
	            "        sa.Column(\n"
	            "            \"created_at\",\n"
	            "            sa.DateTime(timezone=True),\n"
	            "            server_default=sa.text(\"now()\"),\n"
	            "            nullable=False,\n"
	            "        ),\n"
	            "        sa.ForeignKeyConstraint(\n"
	            "            [\"tenant_id\"], [\"tenants.id\"], "
	            "name=\"fk_projects_tenant_id\", ondelete=\"CASCADE\"\n"
	            "        ),\n"
	            "    )\n"
	            "    # Every query filters by tenant, and PostgreSQL does not index foreign\n"
	            "    # keys by itself: lead the index with tenant_id. The table is new and\n"
	            "    # empty, so a plain CREATE INDEX in the migration's transaction is\n"
	            "    # instant (CONCURRENTLY would gain nothing and cannot run there).\n"
	            "    op.create_index(\n"
	            "        \"ix_projects_tenant_id_created_at\", \"projects\", [\"tenant_id\", "
	            "\"created_at\"]\n"
	            "    )\n");
}

static void
mt_down(struct mg_buf *o)
{
	mg_buf_puts(o, "    # Drops its indexes and foreign key with it.\n"
	               "    op.drop_table(\"projects\")\n");
}

/* ---- concurrent-index ---- */

static const char *const ci_cols[] = {"tenant_id", "email"};
static const struct mg_index_spec ci_ix = {
    "ix_users_tenant_id_email", "users", NULL, ci_cols, 2, 0, NULL, NULL, NULL,
};

static void
ci_up(struct mg_buf *o)
{
	mg_snippet_index_concurrently(o, &ci_ix, &st);
}

static void
ci_down(struct mg_buf *o)
{
	mg_snippet_drop_index_concurrently(o, &ci_ix, &st);
}

/* ---- add-not-null-column ---- */

static const struct mg_backfill_spec nn_bf = {
    "users", NULL, "plan", "id", "\"free\"", NULL, "sa.Text()", 5000, "0.01", 0, 0, 0,
};

static void
nn_up(struct mg_buf *o)
{
	mg_snippet_not_null(o, &nn_bf, MG_NN_BACKFILL, 1, &st);
}

static void
nn_down(struct mg_buf *o)
{
	mg_snippet_backfill_downgrade(o, &nn_bf, 1, &st);
}

/* ---- soft-delete ---- */

static const struct mg_index_spec sd_ix = {
    "ix_users_tenant_id_email_live",
    "users",
    NULL,
    ci_cols,
    2,
    1,
    NULL,
    "deleted_at IS NULL",
    "Step 2: email is unique per tenant among live rows only, and lookups skip deleted rows.",
};

static void
sd_up(struct mg_buf *o)
{
	mg_buf_puts(o,
	            "    # Step 1: a nullable column without a default changes the catalog only:\n"
	            "    # no table rewrite, a brief lock.\n"
	            "    op.add_column(\"users\", sa.Column(\"deleted_at\", "
	            "sa.DateTime(timezone=True), nullable=True))\n"
	            "\n");
	mg_snippet_index_concurrently(o, &sd_ix, &st);
}

static void
sd_down(struct mg_buf *o)
{
	mg_snippet_drop_index_concurrently(o, &sd_ix, &st);
	mg_buf_puts(o,
	            "    # The deletion marks are lost: soft-deleted rows come back as live rows.\n"
	            "    op.drop_column(\"users\", \"deleted_at\")\n");
}

/* ---- check-from-enum ---- */

static void
ck_up(struct mg_buf *o)
{
	mg_buf_puts(
	    o,
	    "    # The values of the application's enum; keep them in step with it.\n"
	    "    with op.get_context().autocommit_block():\n"
	    "        # A run that failed in VALIDATE left the constraint behind.\n"
	    "        op.execute(\"ALTER TABLE users DROP CONSTRAINT IF EXISTS ck_users_status\")\n"
	    "        # NOT VALID: a brief lock, and rows written from now on are checked.\n"
	    "        op.execute(\n"
	    "            \"ALTER TABLE users ADD CONSTRAINT ck_users_status \"\n"
	    "            \"CHECK (status IN ('active', 'invited', 'disabled')) NOT VALID\"\n"
	    "        )\n"
	    "        # VALIDATE checks the existing rows while reads and writes go on.\n"
	    "        op.execute(\"ALTER TABLE users VALIDATE CONSTRAINT ck_users_status\")\n");
}

static void
ck_down(struct mg_buf *o)
{
	mg_buf_puts(o, "    op.drop_constraint(\"ck_users_status\", \"users\", type_=\"check\")\n");
}

/* ---- fk-not-valid ---- */

static void
fk_up(struct mg_buf *o)
{
	mg_buf_puts(
	    o,
	    "    with op.get_context().autocommit_block():\n"
	    "        # A run that failed in VALIDATE left the constraint behind.\n"
	    "        op.execute(\"ALTER TABLE users DROP CONSTRAINT IF EXISTS "
	    "fk_users_tenant_id\")\n"
	    "        # NOT VALID: a brief lock on both tables; new rows are checked from now on.\n"
	    "        op.execute(\n"
	    "            \"ALTER TABLE users ADD CONSTRAINT fk_users_tenant_id \"\n"
	    "            \"FOREIGN KEY (tenant_id) REFERENCES tenants (id) NOT VALID\"\n"
	    "        )\n"
	    "        # VALIDATE checks the existing rows while reads and writes go on.\n"
	    "        op.execute(\"ALTER TABLE users VALIDATE CONSTRAINT fk_users_tenant_id\")\n");
}

static void
fk_down(struct mg_buf *o)
{
	mg_buf_puts(
	    o, "    op.drop_constraint(\"fk_users_tenant_id\", \"users\", type_=\"foreignkey\")\n");
}

/* ---- rename-column-expand / rename-column-contract ---- */

/* Keeps name and full_name equal whichever one a statement writes. */
static const char rn_trigger[] =
    "    op.execute(\n"
    "        \"\"\"\n"
    "        CREATE OR REPLACE FUNCTION users_sync_full_name() RETURNS trigger\n"
    "        LANGUAGE plpgsql AS $$\n"
    "        BEGIN\n"
    "            IF TG_OP = 'INSERT' THEN\n"
    "                NEW.full_name := COALESCE(NEW.full_name, NEW.name);\n"
    "                NEW.name := COALESCE(NEW.name, NEW.full_name);\n"
    "            ELSIF NEW.name IS DISTINCT FROM OLD.name THEN\n"
    "                NEW.full_name := NEW.name;\n"
    "            ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name THEN\n"
    "                NEW.name := NEW.full_name;\n"
    "            END IF;\n"
    "            RETURN NEW;\n"
    "        END\n"
    "        $$\n"
    "        \"\"\"\n"
    "    )\n"
    "    op.execute(\n"
    "        \"CREATE TRIGGER users_sync_full_name BEFORE INSERT OR UPDATE ON users \"\n"
    "        \"FOR EACH ROW EXECUTE FUNCTION users_sync_full_name()\"\n"
    "    )\n";

static const char rn_untrigger[] =
    "    op.execute(\"DROP TRIGGER IF EXISTS users_sync_full_name ON users\")\n"
    "    op.execute(\"DROP FUNCTION IF EXISTS users_sync_full_name()\")\n";

static const struct mg_backfill_spec rn_new = {
    "users", NULL, "full_name", "id", NULL, "name", NULL, 5000, "0.01", 0, 0, 0,
};
static const struct mg_backfill_spec rn_old = {
    "users", NULL, "name", "id", NULL, "full_name", NULL, 5000, "0.01", 0, 0, 0,
};

static void
rne_up(struct mg_buf *o)
{
	mg_buf_puts(
	    o,
	    "    # Step 1: the new column, and a trigger that copies every write of\n"
	    "    # either column to the other, so old and new code can run side by side.\n"
	    "    op.add_column(\"users\", sa.Column(\"full_name\", sa.Text(), nullable=True))\n");
	mg_buf_puts(o, rn_trigger);
	mg_buf_putc(o, '\n');
	mg_snippet_backfill(o, &rn_new, &st);
}

static void
rne_down(struct mg_buf *o)
{
	mg_buf_puts(o, rn_untrigger);
	mg_buf_puts(o, "    op.drop_column(\"users\", \"full_name\")\n");
}

static void
rnc_up(struct mg_buf *o)
{
	mg_buf_puts(o,
	            "    # Only once no running code reads or writes users.name. DROP COLUMN\n"
	            "    # rewrites nothing but needs an ACCESS EXCLUSIVE lock: the lock_timeout\n"
	            "    # stops it from waiting behind a long transaction while every other\n"
	            "    # query waits behind it (it lasts until this transaction ends).\n"
	            "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n");
	mg_buf_puts(o, rn_untrigger);
	mg_buf_puts(o, "    op.drop_column(\"users\", \"name\")\n");
}

static void
rnc_down(struct mg_buf *o)
{
	mg_buf_puts(
	    o, "    # The expand step the other way round: bring name back, keep both in\n"
	       "    # step, and fill it from full_name.\n"
	       "    op.add_column(\"users\", sa.Column(\"name\", sa.Text(), nullable=True))\n");
	mg_buf_puts(o, rn_trigger);
	mg_buf_putc(o, '\n');
	mg_snippet_backfill(o, &rn_old, &st);
}

/* ---- change-column-type ---- */

static const struct mg_backfill_spec ty_bf = {
    "users", NULL, "score_new", "id", NULL, "score", NULL, 5000, "0.01", 0, 0, 0,
};

static void
ty_up(struct mg_buf *o)
{
	mg_buf_puts(
	    o, "    # Step 1: the new column, and a trigger that copies every write of the\n"
	       "    # old one into it.\n"
	       "    op.add_column(\"users\", sa.Column(\"score_new\", sa.BigInteger(), "
	       "nullable=True))\n"
	       "    op.execute(\n"
	       "        \"\"\"\n"
	       "        CREATE OR REPLACE FUNCTION users_sync_score() RETURNS trigger\n"
	       "        LANGUAGE plpgsql AS $$\n"
	       "        BEGIN\n"
	       "            NEW.score_new := NEW.score;\n"
	       "            RETURN NEW;\n"
	       "        END\n"
	       "        $$\n"
	       "        \"\"\"\n"
	       "    )\n"
	       "    op.execute(\n"
	       "        \"CREATE TRIGGER users_sync_score BEFORE INSERT OR UPDATE ON users \"\n"
	       "        \"FOR EACH ROW EXECUTE FUNCTION users_sync_score()\"\n"
	       "    )\n"
	       "\n");
	mg_snippet_backfill(o, &ty_bf, &st);
	mg_buf_puts(o,
	            "\n"
	            "    # Step 3: swap the columns in one short transaction. Code that reads\n"
	            "    # and writes users.score keeps working: only its type changed.\n"
	            "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	            "    op.execute(\"LOCK TABLE users IN ACCESS EXCLUSIVE MODE\")\n"
	            "    op.execute(\"DROP TRIGGER users_sync_score ON users\")\n"
	            "    op.execute(\"DROP FUNCTION users_sync_score()\")\n"
	            "    op.drop_column(\"users\", \"score\")\n"
	            "    op.alter_column(\"users\", \"score_new\", new_column_name=\"score\")\n");
}

static void
ty_down(struct mg_buf *o)
{
	mg_buf_puts(o, "    # Back to integer in place: a table rewrite under an ACCESS EXCLUSIVE\n"
	               "    # lock, and it fails if a value no longer fits. On a big table, run\n"
	               "    # the upgrade's steps the other way round instead.\n"
	               "    op.alter_column(\n"
	               "        \"users\",\n"
	               "        \"score\",\n"
	               "        type_=sa.Integer(),\n"
	               "        existing_type=sa.BigInteger(),\n"
	               "        postgresql_using=\"score::integer\",\n"
	               "    )\n");
}

/* ---- unique-constraint ---- */

static const char *const uq_cols[] = {"email"};
static const struct mg_index_spec uq_ix = {
    "uq_users_email",
    "users",
    NULL,
    uq_cols,
    1,
    1,
    NULL,
    NULL,
    "Step 1: build the unique index without blocking writes.",
};

static void
uq_up(struct mg_buf *o)
{
	mg_snippet_index_concurrently(o, &uq_ix, &st);
	mg_buf_puts(o,
	            "\n"
	            "    # Step 2: turn the index into a constraint (ON CONFLICT ON CONSTRAINT\n"
	            "    # and foreign keys can name it). The index is built and valid, so this\n"
	            "    # only takes a brief lock.\n"
	            "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	            "    op.execute(\"ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING "
	            "INDEX uq_users_email\")\n");
}

static void
uq_down(struct mg_buf *o)
{
	mg_buf_puts(o, "    # Drops the index with it.\n"
	               "    op.drop_constraint(\"uq_users_email\", \"users\", type_=\"unique\")\n");
}

/* ---- drop-column ---- */

static void
dc_up(struct mg_buf *o)
{
	mg_buf_puts(o,
	            "    # Only once no running code reads or writes the column (remove it from\n"
	            "    # the SQLAlchemy model and deploy first). DROP COLUMN rewrites nothing\n"
	            "    # but needs an ACCESS EXCLUSIVE lock: the lock_timeout stops it from\n"
	            "    # waiting behind a long transaction while every other query waits\n"
	            "    # behind it (it lasts until this transaction ends).\n"
	            "    op.execute(\"SET LOCAL lock_timeout = '5s'\")\n"
	            "    op.drop_column(\"users\", \"legacy_note\")\n");
}

static void
dc_down(struct mg_buf *o)
{
	mg_buf_puts(
	    o,
	    "    # The column comes back empty: its data went with the upgrade.\n"
	    "    op.add_column(\"users\", sa.Column(\"legacy_note\", sa.Text(), nullable=True))\n");
}

const struct mg_pattern mg_patterns[] = {
    {"multi-tenant-table", "a tenant-owned table: tenant_id foreign key, index led by tenant_id",
     "a tenants table with a bigint id.",
     "Every row belongs to a tenant and every query filters by tenant_id, so the\n"
     "column is NOT NULL, references tenants (ON DELETE CASCADE), and leads a\n"
     "composite index. PostgreSQL does not index a foreign key by itself: without\n"
     "the index each tenant query, and each tenant delete's cascade, scans the\n"
     "table.\n",
     mt_up, mt_down},
    {"concurrent-index", "build an index without blocking writes (CREATE INDEX CONCURRENTLY)",
     "a users table with tenant_id and email columns.",
     "A plain CREATE INDEX holds a SHARE lock that stops every INSERT, UPDATE and\n"
     "DELETE on the table until the build ends. CONCURRENTLY lets writes go on;\n"
     "it cannot run inside a transaction, hence the autocommit block. A failed\n"
     "concurrent build leaves an INVALID index that IF NOT EXISTS would keep, so\n"
     "the upgrade drops it first. Same code as `migen index-template`.\n",
     ci_up, ci_down},
    {"add-not-null-column",
     "add a NOT NULL column to a big table: add nullable, backfill, NOT NULL",
     "a users table with a unique, ordered id; no plan column yet.",
     "Filling a new column with one UPDATE locks every row until it commits, and\n"
     "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock. Here the\n"
     "column is added nullable (instant), filled in batches that each commit,\n"
     "and made NOT NULL through a validated CHECK so that SET NOT NULL skips its\n"
     "scan. Deploy code that writes the column before running it. Same code as\n"
     "`migen backfill-template --add-column`. (For a constant default alone,\n"
     "PostgreSQL 11+ can add the column with server_default and NOT NULL at once\n"
     "without a rewrite.)\n",
     nn_up, nn_down},
    {"soft-delete", "soft delete: a deleted_at column and partial indexes over live rows",
     "a users table with tenant_id and email; no deleted_at column yet.",
     "Rows are marked deleted instead of removed. Queries and uniqueness then\n"
     "concern live rows only: a partial index WHERE deleted_at IS NULL is smaller\n"
     "than a full one, and a unique one lets a deleted email be used again.\n"
     "Every query must add WHERE deleted_at IS NULL to use it.\n",
     sd_up, sd_down},
    {"check-from-enum", "a CHECK constraint from an enum's values, added NOT VALID then validated",
     "a users table with a text status column whose values are all in the list.",
     "A text column with a CHECK is easier to change than a PostgreSQL ENUM type\n"
     "(adding a value is a constraint swap, not ALTER TYPE). Adding the CHECK\n"
     "plainly scans the table under an ACCESS EXCLUSIVE lock; NOT VALID takes\n"
     "the lock only briefly, and VALIDATE CONSTRAINT scans under a lock that lets\n"
     "reads and writes go on.\n",
     ck_up, ck_down},
    {"fk-not-valid", "a foreign key added NOT VALID, then validated",
     "users.tenant_id and tenants.id, every tenant_id present in tenants.",
     "ADD FOREIGN KEY checks every row while holding locks that block writes on\n"
     "both tables. NOT VALID adds it with a brief lock and checks new rows from\n"
     "then on; VALIDATE CONSTRAINT checks the old rows while writes go on. Index\n"
     "the referencing column too (see concurrent-index): deletes in the\n"
     "referenced table look it up.\n",
     fk_up, fk_down},
    {"rename-column-expand", "rename a column, step 1 of 2: add the new one, sync, backfill",
     "a users table with a text name column and a unique, ordered id.",
     "Renaming in place breaks every running instance of the old code at once.\n"
     "Step 1 adds full_name, keeps both columns equal with a trigger, and copies\n"
     "the existing rows in batches. Deploy code that uses full_name, then run\n"
     "rename-column-contract in a later migration.\n",
     rne_up, rne_down},
    {"rename-column-contract", "rename a column, step 2 of 2: drop the trigger and the old column",
     "rename-column-expand has run and no running code uses users.name.",
     "Once all code uses the new name, the trigger and the old column go. The\n"
     "downgrade restores the old column, the trigger and its data.\n",
     rnc_up, rnc_down},
    {"change-column-type", "change a column's type without a rewrite under lock (int to bigint)",
     "a users table with an integer score column (no index, default, view or "
     "constraint on it) and a unique, ordered id.",
     "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS\n"
     "EXCLUSIVE lock that blocks reads too. Instead: add a bigint column kept\n"
     "in step by a trigger, copy the old rows in batches, then swap the columns\n"
     "in one short transaction. The column moves to the end of the table.\n",
     ty_up, ty_down},
    {"unique-constraint", "a unique constraint through a concurrently built unique index",
     "a users table whose email values are unique.",
     "ADD CONSTRAINT ... UNIQUE builds its index under a lock that blocks writes.\n"
     "Building the unique index CONCURRENTLY first and then attaching it with\n"
     "ADD CONSTRAINT ... USING INDEX takes only a brief lock. If a duplicate\n"
     "exists the build fails and leaves an INVALID index, which the next run\n"
     "drops and rebuilds.\n",
     uq_up, uq_down},
    {"drop-column", "drop a column safely: code first, then a lock_timeout-guarded DROP",
     "a users table with a legacy_note column nothing uses any more.",
     "Dropping a column that running code still selects breaks that code, so the\n"
     "code goes first. The DROP itself is instant but needs an ACCESS EXCLUSIVE\n"
     "lock; waiting for it behind a long transaction would stall every query on\n"
     "the table, so a lock_timeout makes it fail fast instead (retry later).\n",
     dc_up, dc_down},
    {NULL, NULL, NULL, NULL, NULL, NULL},
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
mg_pattern_render(struct mg_buf *out, const struct mg_pattern *p)
{
	const char *s, *nl;

	mg_buf_printf(out, "# Pattern %s: %s\n#\n", p->name, p->title);
	for (s = p->why; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		mg_buf_printf(out, "# %.*s\n", (int)(nl - s), s);
	}
	wrap(out, "Assumes ", p->assumes);
	mg_buf_puts(out, "\n\ndef upgrade() -> None:\n");
	p->upgrade(out);
	mg_buf_puts(out, "\n\ndef downgrade() -> None:\n");
	p->downgrade(out);
}
