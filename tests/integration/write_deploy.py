#!/usr/bin/python3
"""Driver of write_deploy.sh: every migration `migen enhance --write` writes is deployed.

For each case (a migration with fixes, and the flags it is enhanced with) the
file is written by `migen enhance --write`, then run by Alembic on its own
copy of a seeded database (PGHOST/PGPORT from lib/pg.sh):
  - online with psycopg2 (alembic init's env.py): upgrade, downgrade, upgrade,
    every index valid after each upgrade, the seed's indexes (no more) after
    the downgrade;
  - online with asyncpg (the env.py of `alembic init -t async`): the same;
  - offline: `alembic upgrade head --sql` prints the script.
For the index-option cases, the original migration runs in one database and
the written one in another, and pg_get_indexdef() of every index must match.

Usage: write_deploy.py MIGEN WORKDIR [CASE...]; prints `N passed, N failed` last.
"""
import os
import re
import shutil
import subprocess
import sys

PY = "/usr/bin/python3"
migen = os.path.abspath(sys.argv[1])
work = sys.argv[2]
only = set(sys.argv[3:])
top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
host, port = os.environ["PGHOST"], os.environ["PGPORT"]

ROWS = int(os.environ.get("ROWS", "3000"))  # more than one backfill batch

# Ids of the autogen fixtures are strings (they come from SQLite models).
SEED_AUTOGEN = """
CREATE TABLE tenants (id varchar(36) PRIMARY KEY, name text);
INSERT INTO tenants SELECT 't' || g, 'tenant ' || g FROM generate_series(1, 20) g;
CREATE TABLE users (id varchar(36) PRIMARY KEY, tenant_id varchar(36) REFERENCES tenants,
                    email varchar(255), name text, phone varchar(32));
INSERT INTO users SELECT 'u' || g, 't' || (g % 20 + 1), 'u' || g || '@example.com', 'user ' || g,
                         '+1555' || g FROM generate_series(1, :rows) g;
CREATE TABLE notifications (id serial PRIMARY KEY, tenant_id varchar(36) NOT NULL, title text);
INSERT INTO notifications (tenant_id, title) SELECT 't' || (g % 20 + 1), 'n' || g
FROM generate_series(1, :rows) g;
"""
SEED_WRITE = """
CREATE EXTENSION pg_trgm;
CREATE TABLE tenants (id varchar(36) PRIMARY KEY, name text);
INSERT INTO tenants SELECT 't' || g, 'tenant ' || g FROM generate_series(1, 20) g;
CREATE TABLE spaces (id varchar(36) PRIMARY KEY, tenant_id varchar(36));
INSERT INTO spaces SELECT 's' || g, 't' || (g % 20 + 1) FROM generate_series(1, 20) g;
CREATE TABLE users (id serial PRIMARY KEY, tenant_id varchar(36), email text, name text,
                    phone varchar(32), a int, b int, created_at timestamptz DEFAULT now(),
                    deleted_at timestamptz);
INSERT INTO users (tenant_id, email, name, phone, a, b)
SELECT 't' || (g % 20 + 1), 'u' || g || '@example.com', 'user ' || g, '+1555' || g, g % 7, g % 11
FROM generate_series(1, :rows) g;
CREATE TABLE docs (id serial PRIMARY KEY, body jsonb);
INSERT INTO docs (body) SELECT jsonb_build_object('k', g) FROM generate_series(1, :rows) g;
"""

W = "fixtures/write/"
# name, file, flags, seed, compare index definitions with the original's (True)
# or with those this SQL builds
CASES = [
    ("nested-fk", W + "nested_fk_not_valid.py", ["--use-concurrently"], "write", False),
    ("nested-index", W + "nested_index_in_block.py", ["--use-concurrently"], "write", False),
    ("drop-only-first", W + "drop_only_first.py", ["--use-concurrently"], "write", False),
    # The same, after a failed earlier run left ix_b INVALID: the shared block's one
    # guard must drop it, or IF NOT EXISTS keeps it (every index valid is checked).
    ("shared-guard-retry", W + "drop_only_first.py", ["--use-concurrently"], "write", False),
    ("from-imports", W + "from_imports.py", ["--use-concurrently"], "write", False),
    ("not-atomic", W + "not_atomic.py", ["--use-concurrently"], "write", False),
    ("index-options", W + "index_options.py", ["--use-concurrently"], "write", True),
    # SQLAlchemy 1.4 (Debian's) refuses postgresql_nulls_not_distinct, so the
    # original cannot run here: its index is compared with the SQL
    # SQLAlchemy 2 renders for it instead.
    ("index-nnd", W + "index_nulls_not_distinct.py", ["--use-concurrently"], "write",
     "CREATE UNIQUE INDEX uq_users_tenant_phone ON users (tenant_id, phone) NULLS NOT DISTINCT"),
    ("example", "examples/add_notifications.py",
     ["--use-concurrently", "--add-tenant-indexes", "--default", "active", "--key", "id"], "write", False),
    # A constant: the server_default form (one statement, the default dropped again).
    ("autogen-07", "fixtures/autogen/07_add_users_status_not_null.py",
     ["--default", "active"], "autogen", False),
    # A computed value: nullable column, batched backfill, NOT NULL.
    ("autogen-07-sql", "fixtures/autogen/07_add_users_status_not_null.py",
     ["--default-sql", "lower(name)", "--key", "id"], "autogen", False),
    # No value: the validate-only NOT NULL (every phone is filled in the seed).
    ("autogen-09", "fixtures/autogen/09_make_users_phone_not_null.py", [], "autogen", False),
    ("autogen-10", "fixtures/autogen/10_add_index_users_email.py",
     ["--use-concurrently"], "autogen", False),
    ("autogen-11", "fixtures/autogen/11_add_notifications_user_id_fk.py",
     ["--use-concurrently", "--add-tenant-indexes"], "autogen", False),
]

# SQL run before the first upgrade, expected to fail part-way (a failed build).
PRE = {
    "shared-guard-retry": "CREATE UNIQUE INDEX CONCURRENTLY ix_b ON users (b);",
}

# What must hold after each upgrade, as SQL that returns true.
CHECKS = {
    "autogen-07": [
        # Every existing row has the value, no default is left on the column, and
        # the table was not rewritten (a database made from a template keeps the
        # template's file numbers).
        "SELECT count(*) = 0 FROM users WHERE status IS DISTINCT FROM 'active'",
        "SELECT NOT atthasdef AND attnotnull FROM pg_attribute "
        "WHERE attrelid = 'users'::regclass AND attname = 'status'",
        "SELECT relfilenode = :'seed_filenode' FROM pg_class WHERE oid = 'users'::regclass",
    ],
    "autogen-07-sql": [
        "SELECT count(*) = 0 FROM users WHERE status IS DISTINCT FROM lower(name)",
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'status'",
    ],
    "autogen-09": [
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'phone'",
        "SELECT count(*) = 0 FROM pg_constraint WHERE conname LIKE 'ck_users_phone%'",
    ],
}

# Failures of the original migration itself, which --write leaves as they are.
ORIGINAL_FAILS = {
    # autogenerate's op.drop_constraint(None, ...) can never run (an unnamed
    # constraint cannot be dropped): reported by the rules, not rewritten.
    ("autogen-11", "downgrade"): re.compile(r"Can.t emit DROP CONSTRAINT for constraint .*; it has no name"),
}

passed = failed = 0


def sh(args, cwd=None, env=None):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def psql(db, sql, variables=()):
    args = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-v", "rows=%d" % ROWS]
    for v in variables:
        args += ["-v", v]
    p = subprocess.run(args + ["-d", db], input=sql, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("psql %s: %s" % (db, p.stderr.strip()))
    return p.stdout


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok    %s" % name)
        return
    failed += 1
    print("FAIL  %s" % name)
    for line in detail.strip().splitlines()[-12:]:
        print("      " + line)


def project(path, template, db, migration):
    """An Alembic project in path (alembic init), its only revision the migration."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    args = [PY, "-m", "alembic", "init"] + (["-t", "async"] if template == "async" else []) + ["mig"]
    p = sh(args, cwd=path)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    drv = "asyncpg" if template == "async" else "psycopg2"
    url = "postgresql+%s://postgres@/%s?host=%s&port=%s" % (drv, db, host, port)
    ini = os.path.join(path, "alembic.ini")
    text = open(ini).read().replace("driver://user:pass@localhost/dbname", url)
    open(ini, "w").write(text)
    # The only revision: its parent (the autogen chain's) is not in this project.
    text = open(migration).read()
    text = re.sub(r"(?m)^down_revision\b.*$", "down_revision = None", text)
    open(os.path.join(path, "mig", "versions", os.path.basename(migration)), "w").write(text)


def alembic(path, *args):
    return sh([PY, "-m", "alembic"] + list(args), cwd=path)


def all_valid(db):
    return psql(db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid OR NOT indisready").strip() == "0"


def indexdefs(db):
    out = psql(db, "SELECT c.relname || ' ' || pg_get_indexdef(i.indexrelid) FROM pg_index i "
                   "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = 'public' AND NOT i.indisprimary ORDER BY 1")
    return out.strip().splitlines()


def make_db(db, seed):
    psql("postgres", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s TEMPLATE seed_%s" % (db, db, seed))


def online(name, written, seed, template):
    driver = "asyncpg" if template == "async" else "psycopg2"
    db = re.sub(r"\W", "_", "d_%s_%s" % (name, driver))
    make_db(db, seed)
    if name in PRE:
        subprocess.run(["psql", "-X", "-q", "-d", db], input=PRE[name], capture_output=True, text=True)
        if all_valid(db):
            result("%s %s: the set-up leaves an INVALID index" % (name, driver), False)
            return
    path = os.path.join(work, db)
    project(path, template, db, written)
    for step in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        p = alembic(path, *step)
        known = ORIGINAL_FAILS.get((name, step[0]))
        if p.returncode != 0 and known is not None and known.search(p.stderr):
            result("%s %s: upgrade (the original's %s cannot run: %s)"
                   % (name, driver, step[0], known.pattern), True)
            return
        if p.returncode != 0:
            result("%s %s: alembic %s" % (name, driver, " ".join(step)), False, p.stderr)
            return
        if step[0] == "upgrade" and not all_valid(db):
            result("%s %s: every index valid after %s" % (name, driver, " ".join(step)), False)
            return
        if step[0] == "upgrade":
            filenode = psql("seed_" + seed,
                            "SELECT relfilenode FROM pg_class WHERE oid = 'users'::regclass").strip()
            for check in CHECKS.get(name, []):
                got = psql(db, check + ";", ["seed_filenode=" + filenode]).strip()
                if got != "t":
                    result("%s %s: after %s: %s" % (name, driver, " ".join(step), check), False, got)
                    return
        # downgrade() undoes upgrade(): no index it built is left behind.
        if step[0] == "downgrade" and indexdefs(db) != indexdefs("seed_" + seed):
            left = sorted(set(indexdefs(db)) - set(indexdefs("seed_" + seed)))
            result("%s %s: downgrade leaves the seed's indexes" % (name, driver), False,
                   "\n".join(left))
            return
    result("%s %s: upgrade, downgrade, upgrade" % (name, driver), True)


def offline(name, written):
    path = os.path.join(work, "off_" + re.sub(r"\W", "_", name))
    project(path, "generic", "offline", written)
    p = alembic(path, "upgrade", "head", "--sql")
    ok = p.returncode == 0 and "COMMIT" in p.stdout
    result("%s offline: upgrade --sql" % name, ok, p.stderr)


def same_indexes(name, original, written, seed, compare):
    dbs = []
    for tag, f in (("orig", original), ("written", written)):
        db = re.sub(r"\W", "_", "c_%s_%s" % (name, tag))
        make_db(db, seed)
        if tag == "orig" and isinstance(compare, str):
            psql(db, compare)
            dbs.append(db)
            continue
        path = os.path.join(work, db)
        project(path, "generic", db, f)
        p = alembic(path, "upgrade", "head")
        if p.returncode != 0:
            result("%s: %s migration upgrades" % (name, tag), False, p.stderr)
            return
        dbs.append(db)
    a, b = indexdefs(dbs[0]), indexdefs(dbs[1])
    detail = "\n".join(["original: " + x for x in a if x not in b] + ["migen:    " + x for x in b if x not in a])
    result("%s: pg_get_indexdef equal for %d indexes" % (name, len(a)), a == b and len(a) > 0, detail)


def main():
    for seed, sql in (("autogen", SEED_AUTOGEN), ("write", SEED_WRITE)):
        psql("postgres", "CREATE DATABASE seed_%s" % seed)
        psql("seed_%s" % seed, sql)
    for name, rel, flags, seed, compare in CASES:
        if only and name not in only:
            continue
        src = os.path.join(top, rel)
        d = os.path.join(work, "w_" + re.sub(r"\W", "_", name))
        os.makedirs(d, exist_ok=True)
        written = os.path.join(d, os.path.basename(src))
        shutil.copy(src, written)
        p = sh([migen, "enhance"] + flags + ["--write", written])
        if p.returncode != 0 or open(written, "rb").read() == open(src, "rb").read():
            result("%s: enhance --write changed the file" % name, False, p.stdout + p.stderr)
            continue
        online(name, written, seed, "generic")
        online(name, written, seed, "async")
        offline(name, written)
        if compare:
            same_indexes(name, src, written, seed, compare)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
