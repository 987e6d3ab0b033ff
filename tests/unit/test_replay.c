/*
 * Unit tests for replay.c: small migrations analysed and replayed onto a
 * schema, fact by fact — every op.* kind, every SQL statement the replay
 * reads, PostgreSQL's default names, and the uncertain facts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "migen/analyze.h"
#include "migen/schema.h"

#define HEAD                                                                                \
	"from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import " \
	"postgresql\n\n"

/* Replays `def upgrade():` with body (indented by the caller) onto s as revision rev. */
static void
replay(struct mg_schema *s, const char *rev, const char *body)
{
	char src[8192];
	struct mg_model *m;

	snprintf(src, sizeof(src), HEAD "def upgrade():\n%s\n\ndef downgrade():\n    pass\n", body);
	m = mg_analyze("m.py", src, strlen(src), MG_ANALYZE_FULL);
	mg_replay_model(s, m, rev, NULL);
	mg_model_free(m);
}

static struct mg_stable *
table(struct mg_schema *s, const char *name)
{
	struct mg_stable *t = mg_schema_table(s, NULL, name);
	if (t == NULL)
		fail_msg("no table %s", name);
	return t;
}

static struct mg_scolumn *
column(struct mg_schema *s, const char *t, const char *c)
{
	struct mg_scolumn *col = mg_stable_column(table(s, t), c);
	if (col == NULL)
		fail_msg("no column %s.%s", t, c);
	return col;
}

/* Whether the table has an uncertain fact whose reason holds text. */
static int
uncertain(const struct mg_uncertain *v, size_t n, const char *text)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(v[i].reason, text) != NULL)
			return 1;
	return 0;
}

static const char users[] =
    "    op.create_table(\n"
    "        'users',\n"
    "        sa.Column('id', sa.Integer(), nullable=False),\n"
    "        sa.Column('email', sa.String(255), nullable=False, unique=True),\n"
    "        sa.Column('tenant_id', sa.BigInteger(), sa.ForeignKey('tenants.id', "
    "ondelete='CASCADE')),\n"
    "        sa.Column('state', sa.Enum('on', 'off', name='user_state'), server_default='on'),\n"
    "        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.text('now()')),\n"
    "        sa.Column('n', sa.Integer(), index=True),\n"
    "        sa.PrimaryKeyConstraint('id'),\n"
    "        sa.CheckConstraint('n > 0'),\n"
    "        sa.CheckConstraint('n < email_len', name='ck_n'),\n"
    "    )\n";

static const char tenants[] = "    op.create_table('tenants', sa.Column('id', sa.BigInteger(), "
                              "primary_key=True))\n";

static struct mg_schema *
base(void)
{
	struct mg_schema *s = mg_schema_new();

	replay(s, "r1", tenants);
	replay(s, "r2", users);
	return s;
}

static void
test_create_table(void **state)
{
	struct mg_schema *s = base();
	struct mg_stable *t = table(s, "users");
	struct mg_scolumn *c;
	struct mg_senum *e;

	(void)state;
	assert_int_equal(t->ncolumns, 6);
	c = column(s, "users", "id");
	assert_string_equal(c->type, "integer");
	assert_int_equal(c->nullable, MG_NO);
	/* SQLAlchemy's SERIAL: the sequence and its default. */
	assert_string_equal(c->dflt, "nextval('users_id_seq'::regclass)");
	assert_non_null(mg_schema_sequence(s, NULL, "users_id_seq"));
	assert_string_equal(column(s, "users", "email")->type, "character varying(255)");
	assert_int_equal(column(s, "users", "tenant_id")->nullable, MG_YES);
	assert_string_equal(column(s, "users", "state")->type, "user_state");
	assert_string_equal(column(s, "users", "state")->dflt, "'on'");
	assert_string_equal(column(s, "users", "created")->dflt, "now()");
	assert_string_equal(column(s, "users", "created")->rev.created, "r2");
	e = mg_schema_enum(s, NULL, "user_state");
	assert_non_null(e);
	assert_int_equal(e->nlabels, 2);
	assert_non_null(mg_stable_index(t, "users_pkey"));
	assert_int_equal(mg_stable_pkey(t)->ncolumns, 1);
	assert_non_null(mg_stable_index(t, "users_email_key"));
	assert_int_equal(mg_stable_index(t, "users_email_key")->kind, MG_IX_UNIQUE);
	assert_non_null(mg_stable_index(t, "ix_users_n"));
	assert_non_null(mg_stable_fkey(t, "users_tenant_id_fkey"));
	assert_string_equal(mg_stable_fkey(t, "users_tenant_id_fkey")->on_delete, "CASCADE");
	assert_string_equal(mg_stable_fkey(t, "users_tenant_id_fkey")->ref_columns[0], "id");
	assert_non_null(mg_stable_check(t, "users_n_check"));
	assert_non_null(mg_stable_check(t, "ck_n"));
	assert_true(mg_stable_has_index_leading(t, "n", 1));
	/* a bigint primary key of its own: bigserial */
	assert_string_equal(column(s, "tenants", "id")->dflt,
	                    "nextval('tenants_id_seq'::regclass)");
	assert_int_equal(t->nuncertain, 0);
	mg_schema_free(s);
}

static void
test_columns(void **state)
{
	struct mg_schema *s = base();
	struct mg_stable *t;

	(void)state;
	replay(s, "r3",
	       "    op.add_column('users', sa.Column('nick', sa.String(50), unique=True))\n"
	       "    op.add_column('users', sa.Column('org_id', sa.Integer(), "
	       "sa.ForeignKey('tenants.id'), index=True))\n"
	       "    op.alter_column('users', 'email', nullable=True, type_=sa.Text(), "
	       "server_default='x')\n"
	       "    op.alter_column('users', 'created', server_default=None)\n"
	       "    op.alter_column('users', 'n', new_column_name='count')\n"
	       "    op.drop_column('users', 'state')\n");
	t = table(s, "users");
	assert_non_null(mg_stable_index(t, "users_nick_key"));
	assert_non_null(mg_stable_index(t, "ix_users_org_id"));
	assert_non_null(mg_stable_fkey(t, "users_org_id_fkey"));
	assert_string_equal(column(s, "users", "email")->type, "text");
	assert_int_equal(column(s, "users", "email")->nullable, MG_YES);
	assert_string_equal(column(s, "users", "email")->dflt, "'x'");
	assert_string_equal(column(s, "users", "email")->rev.changed, "r3");
	assert_null(column(s, "users", "created")->dflt);
	assert_non_null(mg_stable_column(t, "count"));
	assert_null(mg_stable_column(t, "n"));
	assert_string_equal(mg_stable_index(t, "ix_users_n")->columns[0], "count");
	assert_null(mg_stable_column(t, "state"));
	/* The enum type stays: DROP COLUMN does not drop it. */
	assert_non_null(mg_schema_enum(s, NULL, "user_state"));
	assert_int_equal(t->nuncertain, 0);
	mg_schema_free(s);
}

static void
test_constraints_indexes(void **state)
{
	struct mg_schema *s = base();
	struct mg_stable *t;

	(void)state;
	replay(s, "r3",
	       "    op.create_index('ix_users_email_live', 'users', ['email'], unique=True, "
	       "postgresql_where=sa.text('n > 1'), postgresql_using='btree')\n"
	       "    op.create_index(op.f('ix_users_lower'), 'users', [sa.text('lower(email)')])\n"
	       "    op.create_unique_constraint('uq_users_tenant_n', 'users', ['tenant_id', "
	       "'n'])\n"
	       "    op.create_foreign_key('fk_x', 'users', 'tenants', ['tenant_id'], ['id'], "
	       "ondelete='set null')\n"
	       "    op.create_check_constraint('ck_email', 'users', 'length(email) > 3')\n"
	       "    op.drop_constraint('ck_n', 'users', type_='check')\n"
	       "    op.drop_constraint('users_email_key', 'users', type_='unique')\n"
	       "    op.drop_index('ix_users_n', table_name='users')\n");
	t = table(s, "users");
	assert_string_equal(mg_stable_index(t, "ix_users_email_live")->where, "n > 1");
	assert_true(mg_stable_index(t, "ix_users_email_live")->unique);
	assert_true(mg_stable_index(t, "ix_users_lower")->is_expr[0]);
	assert_int_equal(mg_stable_index(t, "uq_users_tenant_n")->kind, MG_IX_UNIQUE);
	assert_string_equal(mg_stable_fkey(t, "fk_x")->on_delete, "SET NULL");
	assert_string_equal(mg_stable_check(t, "ck_email")->expr, "length(email) > 3");
	assert_null(mg_stable_check(t, "ck_n"));
	assert_null(mg_stable_index(t, "users_email_key"));
	assert_null(mg_stable_index(t, "ix_users_n"));
	assert_false(mg_stable_has_index_leading(t, "email", 1)); /* partial only */
	assert_true(mg_stable_has_index_leading(t, "email", 0));
	assert_int_equal(t->nuncertain, 0);
	/* create_primary_key makes the columns NOT NULL. */
	replay(
	    s, "r4",
	    "    op.create_table('p', sa.Column('a', sa.Integer()), sa.Column('b', sa.Integer()))\n"
	    "    op.create_primary_key('pk_p', 'p', ['a', 'b'])\n");
	assert_int_equal(column(s, "p", "a")->nullable, MG_NO);
	assert_string_equal(mg_stable_pkey(table(s, "p"))->name, "pk_p");
	mg_schema_free(s);
}

static void
test_tables(void **state)
{
	struct mg_schema *s = base();

	(void)state;
	replay(s, "r3", "    op.rename_table('tenants', 'orgs')\n");
	assert_null(mg_schema_table(s, NULL, "tenants"));
	assert_non_null(mg_stable_index(table(s, "orgs"), "tenants_pkey")); /* names stay */
	assert_string_equal(mg_stable_fkey(table(s, "users"), "users_tenant_id_fkey")->ref_table,
	                    "orgs");
	replay(s, "r4", "    op.drop_table('users')\n");
	assert_null(mg_schema_table(s, NULL, "users"));
	assert_null(mg_schema_sequence(s, NULL, "users_id_seq"));
	/* batch_op: the batch's table. */
	replay(s, "r5",
	       "    with op.batch_alter_table('orgs', schema=None) as batch_op:\n"
	       "        batch_op.add_column(sa.Column('name', sa.Text()))\n"
	       "        batch_op.create_index('ix_orgs_name', ['name'])\n"
	       "        batch_op.alter_column('name', nullable=False)\n");
	assert_int_equal(column(s, "orgs", "name")->nullable, MG_NO);
	assert_non_null(mg_stable_index(table(s, "orgs"), "ix_orgs_name"));
	/* A schema. */
	replay(s, "r6",
	       "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), "
	       "schema='app')\n");
	assert_non_null(mg_schema_table(s, "app", "t"));
	assert_string_equal(mg_stable_column(mg_schema_table(s, "app", "t"), "id")->dflt,
	                    "nextval('app.t_id_seq'::regclass)");
	mg_schema_free(s);
}

static void
test_identity_computed(void **state)
{
	struct mg_schema *s = mg_schema_new();

	(void)state;
	replay(s, "r1",
	       "    op.create_table('t',\n"
	       "        sa.Column('id', sa.BigInteger(), sa.Identity(always=True), "
	       "primary_key=True),\n"
	       "        sa.Column('a', sa.Integer()),\n"
	       "        sa.Column('b', sa.Integer(), sa.Computed('a * 2')),\n"
	       "        sa.Column('c', sa.Integer(), primary_key=True, autoincrement=False))\n");
	assert_true(column(s, "t", "id")->identity);
	assert_null(column(s, "t", "id")->dflt);
	assert_non_null(mg_schema_sequence(s, NULL, "t_id_seq"));
	assert_true(column(s, "t", "b")->generated);
	/* A composite key: no SERIAL. */
	assert_null(column(s, "t", "c")->dflt);
	mg_schema_free(s);
}

static void
test_sql(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t;
	struct mg_senum *e;

	(void)state;
	replay(s, "r1",
	       "    op.execute('''\n"
	       "    CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
	       "    CREATE TABLE Items (\n"
	       "        id serial PRIMARY KEY,\n"
	       "        \"Name\" varchar(20) NOT NULL UNIQUE,\n"
	       "        price numeric(8, 2) DEFAULT 0 CHECK (price >= 0),\n"
	       "        at timestamptz,\n"
	       "        m mood,\n"
	       "        owner int REFERENCES items (id) ON DELETE SET NULL\n"
	       "    );\n"
	       "    CREATE INDEX ON items (lower(\"Name\"));\n"
	       "    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_items_at ON items USING brin (at) "
	       "WHERE at IS NOT NULL;\n"
	       "    CREATE SEQUENCE counter;\n"
	       "    ''')\n");
	t = table(s, "items");
	assert_string_equal(column(s, "items", "id")->type, "integer");
	assert_string_equal(column(s, "items", "id")->dflt, "nextval('items_id_seq'::regclass)");
	assert_string_equal(column(s, "items", "Name")->type, "character varying(20)");
	assert_int_equal(column(s, "items", "Name")->nullable, MG_NO);
	assert_string_equal(column(s, "items", "price")->type, "numeric(8,2)");
	assert_string_equal(column(s, "items", "price")->dflt, "0");
	assert_string_equal(column(s, "items", "at")->type, "timestamp with time zone");
	assert_string_equal(column(s, "items", "m")->type, "mood");
	assert_non_null(mg_stable_index(t, "items_pkey"));
	assert_non_null(mg_stable_index(t, "items_Name_key"));
	assert_non_null(mg_stable_check(t, "items_price_check"));
	assert_string_equal(mg_stable_fkey(t, "items_owner_fkey")->on_delete, "SET NULL");
	assert_non_null(mg_stable_index(t, "items_lower_idx"));
	assert_string_equal(mg_stable_index(t, "ix_items_at")->method, "brin");
	assert_string_equal(mg_stable_index(t, "ix_items_at")->where, "at IS NOT NULL");
	assert_non_null(mg_schema_sequence(s, NULL, "counter"));
	e = mg_schema_enum(s, NULL, "mood");
	assert_int_equal(e->nlabels, 2);

	replay(s, "r2",
	       "    op.execute(\"ALTER TYPE mood ADD VALUE 'happy' AFTER 'sad'\")\n"
	       "    op.execute(\"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok'\")\n"
	       "    op.execute('ALTER TABLE items ADD COLUMN qty int NOT NULL DEFAULT 1')\n"
	       "    op.execute('ALTER TABLE items ALTER COLUMN qty TYPE bigint, ALTER COLUMN at "
	       "SET NOT NULL')\n"
	       "    op.execute('ALTER TABLE items ALTER COLUMN qty DROP DEFAULT')\n"
	       "    op.execute('ALTER TABLE items ADD CONSTRAINT ck_qty CHECK (qty > 0) NOT "
	       "VALID')\n"
	       "    op.execute('ALTER TABLE items ADD CONSTRAINT fk_o FOREIGN KEY (owner) "
	       "REFERENCES items NOT VALID')\n"
	       "    op.execute('ALTER TABLE items VALIDATE CONSTRAINT ck_qty')\n"
	       "    op.execute('ALTER TABLE items DROP CONSTRAINT items_price_check')\n"
	       "    op.execute('ALTER TABLE items RENAME COLUMN price TO cost')\n"
	       "    op.execute('ALTER TABLE items RENAME CONSTRAINT fk_o TO fk_owner')\n"
	       "    op.execute('ALTER INDEX ix_items_at RENAME TO ix_items_when')\n"
	       "    op.execute('ALTER TABLE items RENAME TO goods')\n"
	       "    op.execute('DROP INDEX IF EXISTS nothing_here')\n"
	       "    op.execute('DROP SEQUENCE counter')\n");
	t = table(s, "goods");
	e = mg_schema_enum(s, NULL, "mood");
	assert_int_equal(e->nlabels, 3);
	assert_string_equal(e->labels[1], "happy");
	assert_string_equal(column(s, "goods", "qty")->type, "bigint");
	assert_null(column(s, "goods", "qty")->dflt);
	assert_int_equal(column(s, "goods", "at")->nullable, MG_NO);
	assert_true(mg_stable_check(t, "ck_qty")->validated);
	assert_false(mg_stable_fkey(t, "fk_owner")->validated);
	assert_string_equal(mg_stable_fkey(t, "fk_owner")->ref_columns[0], "id");
	assert_null(mg_stable_check(t, "items_price_check"));
	assert_non_null(mg_stable_column(t, "cost"));
	assert_non_null(mg_stable_index(t, "ix_items_when"));
	assert_null(mg_schema_sequence(s, NULL, "counter"));
	assert_int_equal(t->nuncertain, 0);

	replay(s, "r3",
	       "    op.execute('ALTER TABLE goods DROP COLUMN \"Name\"')\n"
	       "    op.execute('DROP TYPE mood CASCADE')\n"
	       "    op.execute('DROP TABLE goods')\n");
	assert_null(mg_schema_table(s, NULL, "goods"));
	assert_null(mg_schema_enum(s, NULL, "mood"));
	mg_schema_free(s);
}

static void
test_uncertain(void **state)
{
	struct mg_schema *s = base();
	struct mg_stable *t;

	(void)state;
	replay(s, "r3",
	       "    name = get_name()\n"
	       "    op.create_index(name, 'users', ['n'])\n"
	       "    op.add_column('users', sa.Column('u', myapp.GUID()))\n"
	       "    if context.config.get_main_option('x'):\n"
	       "        op.add_column('users', sa.Column('maybe', sa.Text()))\n"
	       "    op.execute(sql_text)\n"
	       "    op.execute('DO $$ BEGIN PERFORM 1; END $$')\n"
	       "    op.drop_column(TABLE, 'x')\n"
	       "    op.alter_column('users', 'email', nullable=flag)\n"
	       "    op.add_column('users', sa.Column('w', sa.Text(), unique=UNIQ))\n"
	       "    op.create_foreign_key('fk_q', 'users', 'tenants', ['n'], ['id'], "
	       "ondelete=ACTION)\n"
	       "    helper()\n");
	t = table(s, "users");
	assert_true(uncertain(t->uncertain, t->nuncertain, "name migen cannot read"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "type `myapp.GUID()`"));
	assert_null(column(s, "users", "u")->type);
	assert_true(uncertain(t->uncertain, t->nuncertain, "runs only if"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "not a literal"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "SQL migen does not replay"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "drop_column on a table"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "nullable= is not a literal"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "index= or unique= is not a literal"));
	assert_true(uncertain(t->uncertain, t->nuncertain, "ondelete= is not a literal"));
	assert_null(mg_stable_fkey(t, "fk_q")->on_delete);
	/* The other tables may be touched too. */
	t = table(s, "tenants");
	assert_true(uncertain(t->uncertain, t->nuncertain, "op.execute() with SQL"));
	/* Dropping what the replay never saw. */
	replay(s, "r4", "    op.drop_constraint('ghost', 'tenants')\n");
	t = table(s, "tenants");
	assert_true(uncertain(t->uncertain, t->nuncertain, "drops constraint ghost"));
	mg_schema_free(s);
}

/* PostgreSQL's own behaviour: long names, unnamed constraints, DROP ... CASCADE. */
static void
test_postgresql_names(void **state)
{
	struct mg_schema *s = base();
	struct mg_stable *t;

	(void)state;
	replay(s, "r3",
	       "    op.create_table('subscription_renewal_reminder_notifications_for_enterprise_"
	       "plans', sa.Column('id', sa.Integer()))\n"
	       "    op.add_column('subscription_renewal_reminder_notifications_for_enterprise_"
	       "plans', sa.Column('x', sa.Integer()))\n"
	       "    op.create_unique_constraint(None, 'users', ['email', 'n'])\n"
	       "    op.create_foreign_key(None, 'users', 'tenants', ['n'], ['id'])\n"
	       "    op.create_index(None, 'users', ['n'])\n");
	t = mg_schema_table(s, NULL,
	                    "subscription_renewal_reminder_notifications_for_enterprise_plan");
	assert_non_null(t);
	assert_int_equal(strlen(t->name), 63);
	assert_int_equal(t->ncolumns, 2);
	t = table(s, "users");
	assert_non_null(mg_stable_index(t, "users_email_n_key"));
	assert_non_null(mg_stable_fkey(t, "users_n_fkey"));
	/* op.create_index(None, ...) needs env.py's naming convention: not known. */
	assert_true(uncertain(t->uncertain, t->nuncertain, "naming convention"));
	/* Dropping a table drops the foreign keys that point at it. */
	replay(s, "r4", "    op.execute('DROP TABLE tenants CASCADE')\n");
	assert_null(mg_stable_fkey(table(s, "users"), "users_n_fkey"));
	assert_null(mg_stable_fkey(table(s, "users"), "users_tenant_id_fkey"));
	assert_non_null(column(s, "users", "tenant_id"));
	/* DROP TYPE ... CASCADE drops the columns of that type. */
	replay(s, "r5", "    op.execute('DROP TYPE user_state CASCADE')\n");
	assert_null(mg_stable_column(table(s, "users"), "state"));
	mg_schema_free(s);
}

/* Renames of types and sequences, USING INDEX, identity added later. */
static void
test_sql_more(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_stable *t;

	(void)state;
	replay(
	    s, "r1",
	    "    op.execute(\"CREATE TYPE mood AS ENUM ('sad', 'ok')\")\n"
	    "    op.execute('CREATE SEQUENCE n_seq')\n"
	    "    op.execute(\"CREATE TABLE t (id bigint NOT NULL, m mood, ms mood[], "
	    "n int DEFAULT nextval('n_seq'))\")\n"
	    "    op.execute('CREATE UNIQUE INDEX t_idx ON t (id)')\n"
	    "    op.execute('ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx')\n"
	    "    op.execute('ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS "
	    "IDENTITY')\n"
	    "    op.execute(\"ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'\")\n"
	    "    op.execute('ALTER TYPE mood RENAME TO feeling')\n"
	    "    op.execute('ALTER SEQUENCE n_seq RENAME TO number_seq')\n");
	t = table(s, "t");
	assert_null(mg_stable_index(t, "t_idx"));
	assert_int_equal(mg_stable_index(t, "t_pkey")->kind, MG_IX_PRIMARY_KEY);
	assert_true(column(s, "t", "id")->identity);
	assert_non_null(mg_schema_sequence(s, NULL, "t_id_seq"));
	assert_string_equal(column(s, "t", "m")->type, "feeling");
	assert_string_equal(column(s, "t", "ms")->type, "feeling[]");
	assert_null(mg_schema_enum(s, NULL, "mood"));
	assert_string_equal(mg_schema_enum(s, NULL, "feeling")->labels[0], "blue");
	assert_non_null(mg_schema_sequence(s, NULL, "number_seq"));
	assert_string_equal(column(s, "t", "n")->dflt, "nextval('number_seq'::regclass)");
	assert_int_equal(t->nuncertain, 0);
	mg_schema_free(s);
}

/* Habits of real projects: a module-level ENUM created on its own, mixed-case names. */
static void
test_habits(void **state)
{
	struct mg_schema *s = mg_schema_new();
	char src[2048];
	struct mg_model *m;

	(void)state;
	snprintf(src, sizeof(src), "%s",
	         HEAD "priority = postgresql.ENUM('low', 'high', name='priority')\n\n"
	              "def upgrade():\n"
	              "    priority.create(op.get_bind(), checkfirst=True)\n"
	              "    op.create_table('AuditEntry',\n"
	              "        sa.Column('ID', sa.Integer(), primary_key=True),\n"
	              "        sa.Column('p', postgresql.ENUM(name='priority', "
	              "create_type=False)),\n"
	              "        sa.Column('stamp', sa.DateTime(), "
	              "server_default=sa.func.current_timestamp()))\n");
	m = mg_analyze("m.py", src, strlen(src), MG_ANALYZE_FULL);
	mg_replay_model(s, m, "r1", NULL);
	mg_model_free(m);
	assert_non_null(mg_schema_enum(s, NULL, "priority"));
	assert_int_equal(mg_schema_enum(s, NULL, "priority")->nlabels, 2);
	assert_string_equal(column(s, "AuditEntry", "ID")->dflt,
	                    "nextval('\"AuditEntry_ID_seq\"'::regclass)");
	assert_string_equal(column(s, "AuditEntry", "stamp")->dflt, "CURRENT_TIMESTAMP");
	assert_string_equal(column(s, "AuditEntry", "p")->type, "priority");
	mg_schema_free(s);
}

/* DROP COLUMN / DROP CONSTRAINT ... CASCADE take the foreign keys pointing at them; dedent(). */
static void
test_cascade(void **state)
{
	struct mg_schema *s = mg_schema_new();

	(void)state;
	replay(s, "r1",
	       "    op.execute(textwrap.dedent('''\n"
	       "        CREATE TABLE hubs (id int PRIMARY KEY, code text UNIQUE);\n"
	       "        CREATE TABLE spokes (id int, hub_code text REFERENCES hubs (code),\n"
	       "                             hub_id int REFERENCES hubs);\n"
	       "    '''))\n");
	assert_int_equal(table(s, "spokes")->nfkeys, 2);
	assert_int_equal(table(s, "spokes")->nuncertain, 0);
	replay(s, "r2",
	       "    op.execute('ALTER TABLE hubs DROP COLUMN code CASCADE')\n"
	       "    op.execute('ALTER TABLE hubs DROP CONSTRAINT hubs_pkey CASCADE')\n");
	assert_int_equal(table(s, "spokes")->nfkeys, 0);
	assert_null(mg_stable_pkey(table(s, "hubs")));
	mg_schema_free(s);
}

/* Only upgrade() is replayed. */
static void
test_downgrade_ignored(void **state)
{
	struct mg_schema *s = mg_schema_new();
	const char *src =
	    HEAD "def upgrade():\n    op.create_table('a', sa.Column('x', sa.Text()))\n"
	         "\ndef downgrade():\n    op.drop_table('a')\n";
	struct mg_model *m = mg_analyze("m.py", src, strlen(src), MG_ANALYZE_FULL);

	(void)state;
	mg_replay_model(s, m, "r1", NULL);
	assert_non_null(mg_schema_table(s, NULL, "a"));
	mg_model_free(m);
	mg_schema_free(s);
}

/* upgrade() then downgrade() on a copy, and how the result differs from s. */
static void
up_down(struct mg_schema *s, const char *up, const char *down, struct mg_schema_diff *d)
{
	char src[8192];
	struct mg_model *m;
	struct mg_schema *c = mg_schema_copy(s);

	snprintf(src, sizeof(src), HEAD "def upgrade():\n%s\n\ndef downgrade():\n%s\n", up, down);
	m = mg_analyze("m.py", src, strlen(src), MG_ANALYZE_FULL);
	mg_replay_model_dir(c, m, "r2", NULL, MG_UPGRADE);
	mg_replay_model_dir(c, m, "r2", NULL, MG_DOWNGRADE);
	mg_schema_diff(s, c, d);
	mg_model_free(m);
	mg_schema_free(c);
}

static void
test_downgrade_diff(void **state)
{
	struct mg_schema *s = mg_schema_new();
	struct mg_schema_diff d;

	(void)state;
	replay(s, "r1",
	       "    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True),\n"
	       "        sa.Column('email', sa.String(100), nullable=False),\n"
	       "        sa.Column('age', sa.Integer()))\n"
	       "    op.create_index('ix_users_age', 'users', ['age'])\n");
	/* Undone exactly: nothing differs (the index goes with its column). */
	up_down(s, "    op.add_column('users', sa.Column('x', sa.Integer()))\n",
	        "    op.drop_column('users', 'x')\n", &d);
	assert_int_equal(d.n, 0);
	assert_false(d.uncertain);
	mg_schema_diff_free(&d);
	/* A type not restored, an index left behind, a column dropped and not added back. */
	up_down(s,
	        "    op.alter_column('users', 'email', type_=sa.String(200))\n"
	        "    op.create_index('ix_users_email', 'users', ['email'])\n"
	        "    op.drop_column('users', 'age')\n",
	        "    op.alter_column('users', 'email', type_=sa.String(150))\n", &d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.v[0].kind, "column");
	assert_string_equal(d.v[0].object, "public.users.email");
	assert_string_equal(d.v[0].what, "type character varying(150), was character varying(100)");
	assert_string_equal(d.v[1].object, "public.users.age");
	assert_string_equal(d.v[1].what, "dropped and not added back");
	assert_string_equal(d.v[2].kind, "index");
	assert_string_equal(d.v[2].object, "public.ix_users_age");
	assert_string_equal(d.v[3].object, "public.ix_users_email");
	assert_string_equal(d.v[3].what, "created and not dropped");
	mg_schema_diff_free(&d);
	/* What migen cannot follow: silent, and says so. */
	up_down(s, "    op.add_column(TABLE, sa.Column('x', sa.Integer()))\n",
	        "    op.drop_column('users', 'x')\n", &d);
	assert_int_equal(d.n, 0);
	assert_true(d.uncertain);
	mg_schema_diff_free(&d);
	mg_schema_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_table),
	    cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_constraints_indexes),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_identity_computed),
	    cmocka_unit_test(test_sql),
	    cmocka_unit_test(test_uncertain),
	    cmocka_unit_test(test_downgrade_ignored),
	    cmocka_unit_test(test_postgresql_names),
	    cmocka_unit_test(test_sql_more),
	    cmocka_unit_test(test_habits),
	    cmocka_unit_test(test_cascade),
	    cmocka_unit_test(test_downgrade_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
