"""The database behaviour the rolling-deploy rules claim, on a real PostgreSQL.

Run by tests/integration/deploy_rules.sh (PGHOST/PGPORT/PGUSER set):
    deploy_rules.py MIGEN WORKDIR
Prints one line per check and exits non-zero when one failed.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import psycopg2
import psycopg2.errors as E

PY = "/usr/bin/python3"
MIGEN, WORK = sys.argv[1], sys.argv[2]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failed = []


def ok(name, cond, detail=""):
    print("%s %s%s" % ("ok  " if cond else "FAIL", name, (": " + detail) if detail and not cond else ""))
    if not cond:
        failed.append(name)


def db(name):
    c = psycopg2.connect(dbname="postgres")
    c.autocommit = True
    c.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    c.cursor().execute("CREATE DATABASE %s" % name)
    c.close()
    c = psycopg2.connect(dbname=name)
    c.autocommit = True
    return c


def raises(cur, sql, err):
    """Whether sql fails with err (a psycopg2.errors class)."""
    try:
        cur.execute(sql)
    except err:
        return True
    except psycopg2.Error as e:
        print("     got %s: %s" % (type(e).__name__, str(e).strip()))
        return False
    return False


def behaviour():
    cur = db("deploy_claims").cursor()
    cur.execute("CREATE TABLE users (id serial PRIMARY KEY, name text, legacy text, "
                "email varchar(100), score bigint, amount numeric(12,2), code text, "
                "weight int)")
    cur.execute("INSERT INTO users (name, legacy, email, score, amount, code, weight) VALUES "
                "('a', 'x', repeat('e', 60), 2^40, 1.5, 'dup', -1), "
                "('b', 'y', 'short', 1, 2.25, 'dup', 5)")
    old_select = "SELECT id, name, legacy FROM users"
    cur.execute(old_select)

    # rename-column / drop-column: the old version's query, after the change.
    cur.execute("ALTER TABLE users RENAME COLUMN name TO full_name")
    ok("rename-column: the old version's SELECT fails after the rename",
       raises(cur, old_select, E.UndefinedColumn))
    cur.execute("ALTER TABLE users RENAME COLUMN full_name TO name")
    cur.execute("ALTER TABLE users DROP COLUMN legacy")
    ok("drop-column: the old version's SELECT fails after the drop",
       raises(cur, old_select, E.UndefinedColumn))

    # rename-table: the old name fails; a view with it bridges reads and writes.
    cur.execute("CREATE TABLE audit (id serial PRIMARY KEY, what text NOT NULL, "
                "at timestamptz NOT NULL DEFAULT now())")
    cur.execute("ALTER TABLE audit RENAME TO audit_log")
    ok("rename-table: the old version's INSERT fails after the rename",
       raises(cur, "INSERT INTO audit (what) VALUES ('x')", E.UndefinedTable))
    cur.execute("CREATE VIEW audit AS SELECT * FROM audit_log")
    cur.execute("INSERT INTO audit (what) VALUES ('through the view') RETURNING id, at")
    row = cur.fetchone()
    cur.execute("UPDATE audit SET what = 'updated' WHERE id = %s", [row[0]])
    cur.execute("SELECT what FROM audit_log WHERE id = %s", [row[0]])
    ok("rename-table: the view takes the old version's INSERT (defaults filled) and UPDATE",
       row[1] is not None and cur.fetchone()[0] == "updated")
    cur.execute("DELETE FROM audit WHERE id = %s", [row[0]])
    cur.execute("SELECT count(*) FROM audit_log")
    ok("rename-table: the view takes the old version's DELETE", cur.fetchone()[0] == 0)

    # narrowing-change: existing rows that do not fit fail the ALTER; a smaller scale rounds.
    ok("narrowing-change: varchar(100) -> varchar(50) fails on a longer value",
       raises(cur, "ALTER TABLE users ALTER COLUMN email TYPE varchar(50)",
              E.StringDataRightTruncation))
    ok("narrowing-change: bigint -> integer fails on a value out of range",
       raises(cur, "ALTER TABLE users ALTER COLUMN score TYPE integer",
              E.NumericValueOutOfRange))
    cur.execute("ALTER TABLE users ALTER COLUMN amount TYPE numeric(12,0)")
    cur.execute("SELECT array_agg(amount ORDER BY id)::text FROM users")
    ok("narrowing-change: numeric(12,2) -> numeric(12,0) rounds without an error",
       cur.fetchone()[0] == "{2,2}")
    ok("narrowing-change: a new UNIQUE fails on duplicates",
       raises(cur, "ALTER TABLE users ADD CONSTRAINT uq_code UNIQUE (code)", E.UniqueViolation))
    ok("narrowing-change: a new CHECK fails on a row that breaks it",
       raises(cur, "ALTER TABLE users ADD CONSTRAINT ck_w CHECK (weight >= 0)", E.CheckViolation))

    # truncate: DELETE without WHERE leaves nothing for the old version.
    cur.execute("DELETE FROM users")
    cur.execute("SELECT count(*) FROM users")
    ok("truncate: DELETE without WHERE leaves the table empty", cur.fetchone()[0] == 0)


def types():
    cur = db("deploy_types").cursor()
    cur.execute("CREATE TABLE t (id int, body json, tag char(3))")
    cur.execute("""INSERT INTO t VALUES (1, '{"a": 1}', 'ab ')""")
    ok("prefer-jsonb: SELECT DISTINCT on json fails",
       raises(cur, "SELECT DISTINCT body FROM t", E.UndefinedFunction))
    cur.execute("SELECT DISTINCT body::jsonb FROM t")
    cur.execute("SELECT length(tag), tag = 'ab' FROM t")
    ok("ban-char: char(3) drops the padding in length() and comparisons",
       cur.fetchone() == (2, True))
    # prefer-identity: what SQLAlchemy creates for the keys the rule reports, and does not.
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    def ddl(*cols):
        t = sa.Table("x", sa.MetaData(), *cols)
        return str(CreateTable(t).compile(dialect=postgresql.dialect()))
    ok("prefer-identity: an autogenerated BigInteger key is BIGSERIAL",
       "id BIGSERIAL" in ddl(sa.Column("id", sa.BigInteger(), nullable=False),
                             sa.PrimaryKeyConstraint("id")))
    ok("prefer-identity: a composite key and sa.Identity() are not serial",
       "SERIAL" not in ddl(sa.Column("a", sa.Integer(), primary_key=True),
                           sa.Column("b", sa.Integer(), primary_key=True))
       and "SERIAL" not in ddl(sa.Column("id", sa.BigInteger(), sa.Identity(),
                                         primary_key=True)))
    a = "ix_customer_accounts_billing_address_postal_code_and_country_code_a"
    b = a[:-1] + "b"
    cur.execute("CREATE INDEX %s ON t (id)" % a)
    cur.execute("SELECT relname FROM pg_class WHERE relname LIKE 'ix_customer%'")
    ok("identifier-too-long: PostgreSQL cuts the name to 63 bytes",
       cur.fetchone()[0] == a[:63])
    ok("identifier-too-long: a second name with the same 63 bytes fails",
       raises(cur, "CREATE INDEX %s ON t (tag)" % b, E.DuplicateTable))


def needed_index():
    """The foreign key check's plan (ri_triggers.c's query) with and without the index."""
    conn = db("deploy_index")
    cur = conn.cursor()
    cur.execute("CREATE TABLE users (id int PRIMARY KEY)")
    cur.execute("CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users)")
    cur.execute("CREATE INDEX ix_orders_user_id ON orders (user_id)")
    cur.execute("INSERT INTO users SELECT g FROM generate_series(1, 2000) g")
    cur.execute("INSERT INTO orders (user_id) SELECT g % 2000 + 1 FROM generate_series(1, 50000) g")
    cur.execute("ANALYZE users")
    cur.execute("ANALYZE orders")
    cur.execute("SET plan_cache_mode = force_generic_plan")
    cur.execute("PREPARE ri(int) AS SELECT 1 FROM ONLY orders x WHERE $1 = user_id "
                "FOR KEY SHARE OF x")

    def plan():
        cur.execute("EXPLAIN EXECUTE ri(1)")
        return " ".join(r[0] for r in cur.fetchall())
    with_index = plan()
    cur.execute("DROP INDEX ix_orders_user_id")
    cur.execute("DEALLOCATE ri")
    cur.execute("PREPARE ri(int) AS SELECT 1 FROM ONLY orders x WHERE $1 = user_id "
                "FOR KEY SHARE OF x")
    without = plan()
    ok("drops-needed-index: the foreign key check uses the index, and scans orders without it",
       "ix_orders_user_id" in with_index and "Seq Scan on orders" in without,
       "%s / %s" % (with_index, without))


def alembic(project, *args):
    p = subprocess.run([PY, "-m", "alembic"] + list(args), cwd=project,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout


def fixture():
    """fixtures/deploy through Alembic: the names and counting queries migen offers."""
    conn = db("deploy_fixture")
    cur = conn.cursor()
    project = os.path.join(WORK, "deploy_fixture")
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(os.path.join(TOP, "fixtures", "deploy"), project)
    versions = os.path.join(project, "migrations", "versions")
    for name in os.listdir(versions):  # d1 and d2 are enough (d6 imports the app)
        if not name.startswith(("d1_", "d2_")):
            os.remove(os.path.join(versions, name))
    shutil.copy(os.path.join(WORK, "tpl", "migrations", "env.py"),
                os.path.join(project, "migrations", "env.py"))
    url = "postgresql://%s@/deploy_fixture?host=%s&port=%s" % (
        os.environ.get("PGUSER", "postgres"), os.environ["PGHOST"], os.environ["PGPORT"])
    ini = os.path.join(project, "alembic.ini")
    shutil.copy(os.path.join(WORK, "tpl", "alembic.ini"), ini)  # with its logging sections
    with open(ini) as f:
        text = re.sub(r"sqlalchemy.url = .*", lambda _: "sqlalchemy.url = " + url, f.read())
    with open(ini, "w") as f:
        f.write(text)
    rc, out = alembic(project, "upgrade", "d1")
    ok("fixtures/deploy: d1 runs on PostgreSQL", rc == 0, out[-400:])

    lint = subprocess.run([MIGEN, "lint", "-c", os.path.join(TOP, "fixtures/deploy/alembic.ini"),
                           "--format", "json", "--select",
                           "drop-unnamed-constraint,narrowing-change"],
                          stdout=subprocess.PIPE, universal_newlines=True)
    found = json.loads(lint.stdout)["findings"]
    d2 = [f for f in found if f["revision"] == "d2"]
    names = [re.search(r"named it (\w+)\)", f["message"]).group(1)
             for f in d2 if f["rule"] == "drop-unnamed-constraint"]
    cur.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'links'::regclass "
                "AND contype = 'f'")
    ok("drop-unnamed-constraint: the name offered is PostgreSQL's",
       names == [r[0] for r in cur.fetchall()], "%r" % names)

    # The counting query of the varchar(50) finding finds the long rows.
    cur.execute("INSERT INTO users (email) VALUES (repeat('e', 60)), ('short')")
    query = [re.search(r"before you deploy: (SELECT [^;]*);", f["help"] or "").group(1)
             for f in d2 if f["rule"] == "narrowing-change" and "users.email" in f["message"]]
    cur.execute(query[0])
    ok("narrowing-change: migen's counting query finds the row that does not fit",
       cur.fetchone()[0] == 1, query[0])

    rc, out = alembic(project, "upgrade", "d2")
    ok("narrowing-change: d2 fails on the long email, as the finding says",
       rc != 0 and "value too long for type character varying(50)" in out, out[-400:])
    cur.execute("DELETE FROM users")

    # drop-unnamed-constraint --fix: the fixed d2 deploys, and downgrades.
    p = subprocess.run([MIGEN, "lint", "-c", ini, "--fix", "--select", "drop-unnamed-constraint",
                        os.path.join(project, "migrations/versions/d2_op_forms.py")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    with open(os.path.join(project, "migrations/versions/d2_op_forms.py")) as f:
        fixed = f.read()
    ok("drop-unnamed-constraint --fix writes PostgreSQL's name",
       "op.drop_constraint('links_user_id_fkey', 'links', type_='foreignkey')" in fixed,
       p.stdout)
    rc, out = alembic(project, "upgrade", "d2")
    ok("drop-unnamed-constraint: the fixed d2 upgrades", rc == 0, out[-400:])
    rc, out = alembic(project, "downgrade", "d1")
    ok("drop-unnamed-constraint: and downgrades", rc == 0, out[-400:])
    rc, out = alembic(project, "upgrade", "d2")
    ok("drop-unnamed-constraint: and upgrades again", rc == 0, out[-400:])


# The statements duplicate-column-assignment and drop-schema report as failing
# at deploy, and the refusals their docs name, each as the one statement of a
# revision on top of fixtures/sqlhazards' base, run through Alembic.
HAZARDS = [
    # (name, rule migen must report, upgrade body, expected error or None, downgrade body)
    ("UPDATE SET a twice", "duplicate-column-assignment",
     'op.execute("UPDATE customers SET email = lower(email), email = trim(email) WHERE id = 1")',
     'multiple assignments to same column "email"', "pass"),
    ("INSERT (a, a)", "duplicate-column-assignment",
     'op.execute("INSERT INTO audit_log (id, note, note) VALUES (1, \'a\', \'b\')")',
     'column "note" specified more than once', "pass"),
    ("CREATE TABLE (a, a)", "duplicate-column-assignment",
     'op.execute("CREATE TABLE tags (id bigint PRIMARY KEY, name text, name varchar(20))")',
     'column "name" specified more than once', "pass"),
    ("DROP DATABASE in the transaction", "drop-schema",
     'op.execute("DROP DATABASE IF EXISTS old_reports")',
     "DROP DATABASE cannot run inside a transaction block", "pass"),
    ("DROP SCHEMA of a schema with a table, no CASCADE", "drop-schema",
     'op.execute("DROP SCHEMA reporting")',
     "cannot drop schema reporting because other objects depend on it", "pass"),
    ("TRUNCATE of a referenced table, no CASCADE", "truncate",
     'op.execute("TRUNCATE customers")',
     "cannot truncate a table referenced in a foreign key constraint", "pass"),
    # SQLAlchemy 1.4 keeps the last sa.Column of a name (2.0 refuses the Table).
    ("op.create_table with two sa.Column of one name", "duplicate-column-assignment",
     'op.create_table("labels", sa.Column("id", sa.BigInteger, primary_key=True),\n'
     '                    sa.Column("title", sa.Text), sa.Column("title", sa.String(50)))',
     None, 'op.drop_table("labels")'),
]
REVISION = '''"""{name}"""
from alembic import op
import sqlalchemy as sa

revision = "c0hazard0001"
down_revision = "c0c0c0c0c001"
branch_labels = None
depends_on = None


def upgrade():
    {up}


def downgrade():
    {down}
'''


def sqlhazards():
    """Each flagged statement, alone in a revision: migen reports it, PostgreSQL refuses it."""
    conn = db("sqlhazards")
    cur = conn.cursor()
    project = os.path.join(WORK, "sqlhazards")
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(os.path.join(TOP, "fixtures", "sqlhazards", "project"), project)
    versions = os.path.join(project, "migrations", "versions")
    for name in os.listdir(versions):
        if name != "c0_base.py":
            os.remove(os.path.join(versions, name))
    shutil.copy(os.path.join(WORK, "tpl", "migrations", "env.py"),
                os.path.join(project, "migrations", "env.py"))
    url = "postgresql://%s@/sqlhazards?host=%s&port=%s" % (
        os.environ.get("PGUSER", "postgres"), os.environ["PGHOST"], os.environ["PGPORT"])
    ini = os.path.join(project, "alembic.ini")
    shutil.copy(os.path.join(WORK, "tpl", "alembic.ini"), ini)
    with open(ini) as f:
        text = re.sub(r"sqlalchemy.url = .*", lambda _: "sqlalchemy.url = " + url, f.read())
    with open(ini, "w") as f:
        f.write(text)
    rc, out = alembic(project, "upgrade", "head")
    ok("fixtures/sqlhazards: the base runs on PostgreSQL", rc == 0, out[-400:])
    cur.execute("INSERT INTO customers (id, email) VALUES (1, 'A@x'), (2, 'b@x')")
    cur.execute("INSERT INTO orders (id, customer_id) VALUES (1, 1)")
    path = os.path.join(versions, "c0_hazard.py")
    for name, rule, up, err, down in HAZARDS:
        with open(path, "w") as f:
            f.write(REVISION.format(name=name, up=up, down=down))
        lint = subprocess.run([MIGEN, "lint", "-c", ini, "--format", "json", "--select", rule,
                               "--no-cache", path], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True)
        found = [f for f in json.loads(lint.stdout)["findings"] if f["rule"] == rule]
        ok("%s: migen reports %s" % (name, rule), len(found) == 1, lint.stdout[-400:])
        rc, out = alembic(project, "upgrade", "head")
        if err is not None:
            ok("%s: the upgrade fails (%s)" % (name, err), rc != 0 and err in out, out[-400:])
            continue
        cur.execute("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' "
                    "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'labels'::regclass "
                    "AND attnum > 0 AND NOT attisdropped")
        cols = cur.fetchone()[0] if rc == 0 else None
        ok("%s: SQLAlchemy 1.4 creates the table with the last definition only" % name,
           rc == 0 and cols == "id bigint, title character varying(50)", "%r %s" % (cols, out[-400:]))
        rc, out = alembic(project, "downgrade", "c0c0c0c0c001")
        ok("%s: downgrade" % name, rc == 0, out[-400:])
    os.remove(path)
    conn.close()


behaviour()
types()
needed_index()
fixture()
sqlhazards()
sys.exit(1 if failed else 0)
