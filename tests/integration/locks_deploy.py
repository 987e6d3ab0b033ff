#!/usr/bin/python3
"""Driver of locks_deploy.sh: the code the lock rules write deploys.

For each project (PROJECTS below: a fixture and the rules whose fixes are
applied), `migen lint --fix --select RULES` rewrites a copy, and Alembic
runs the result on PostgreSQL 15:
  - online with psycopg2 (`alembic init`'s env.py) and with asyncpg (the
    env.py of `alembic init -t async`): upgrade head, downgrade base,
    upgrade head, after inserting rows once the first revision made the
    tables; after each upgrade every index is valid and every constraint
    validated (pg_constraint.convalidated);
  - offline: `alembic upgrade head --sql` run by psql on an empty database,
    then `alembic downgrade head:base --sql`, then the upgrade again.
The rewritten files must differ from the fixture (the fixes were applied).

Usage: locks_deploy.py MIGEN WORKDIR; prints `N passed, N failed` last.
"""
import os
import re
import shutil
import subprocess
import sys

PY = "/usr/bin/python3"
migen = os.path.abspath(sys.argv[1])
work = sys.argv[2]
top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
host, port = os.environ["PGHOST"], os.environ["PGPORT"]
LOCK_RULES = ("add-foreign-key-validates,add-check-validates,drop-index-locks,set-not-null-scans,"
              "unique-constraint-locks")

ROWS = ("INSERT INTO customers (id, email) SELECT g, 'c' || g || '@x' "
        "FROM generate_series(1, 2000) g;"
        "INSERT INTO orders (id, customer_id, total, status, note) "
        "SELECT g, g, g, 'open', 'n' || g FROM generate_series(1, 2000) g;")

PROJECTS = [
    # (name, fixture folder, rules fixed, first revision, rows SQL after it)
    ("locks", "fixtures/lint/locks", LOCK_RULES, "l1", ROWS),
    # The code printed for the forms --fix leaves alone, pasted by hand: no
    # --fix; the lock rules must be silent on it.
    ("locks_manual", "fixtures/lint/locks-manual", None, "l1", ROWS),
]

passed = failed = 0


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name)
        if detail:
            print("     " + detail.strip().replace("\n", "\n     ")[-3000:])


def sh(args, cwd=None, inp=None):
    return subprocess.run(args, cwd=cwd, input=inp, capture_output=True, text=True, timeout=300)


def psql(db, sql):
    p = sh(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db], inp=sql)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return p.stdout


def project(path, template, db, versions):
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
    for f in os.listdir(versions):
        if f.endswith(".py"):
            shutil.copy(os.path.join(versions, f), os.path.join(path, "mig", "versions", f))


def alembic(path, *args):
    return sh([PY, "-m", "alembic"] + list(args), cwd=path)


def healthy(db):
    bad = psql(db, "SELECT string_agg(c.relname, ', ') FROM pg_index i JOIN pg_class c "
                   "ON c.oid = i.indexrelid WHERE NOT i.indisvalid OR NOT i.indisready")
    nv = psql(db, "SELECT string_agg(conname, ', ') FROM pg_constraint WHERE NOT convalidated")
    return (bad.strip() + " " + nv.strip()).strip()


def fresh(db):
    psql("postgres", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s" % (db, db))


def online(name, fixed, first, rows, template):
    drv = "asyncpg" if template == "async" else "psycopg2"
    db = "d_%s_%s" % (name, drv)
    fresh(db)
    path = os.path.join(work, db)
    project(path, template, db, fixed)
    steps = [["upgrade", first], ["rows"], ["upgrade", "head"], ["downgrade", "base"],
             ["upgrade", "head"]]
    for step in steps:
        if step == ["rows"]:
            psql(db, rows)
            continue
        p = alembic(path, *step)
        if p.returncode != 0:
            result("%s %s: alembic %s" % (name, drv, " ".join(step)), False, p.stderr)
            return
        if step[0] == "upgrade" and healthy(db):
            result("%s %s: after %s, invalid: %s" % (name, drv, " ".join(step), healthy(db)),
                   False)
            return
    result("%s %s: upgrade, rows, upgrade, downgrade, upgrade" % (name, drv), True)


def offline(name, fixed):
    db = "d_%s_offline" % name
    fresh(db)
    path = os.path.join(work, db)
    project(path, "generic", db, fixed)
    for step in (["upgrade", "head", "--sql"], ["downgrade", "head:base", "--sql"],
                 ["upgrade", "head", "--sql"]):
        p = alembic(path, *step)
        if p.returncode != 0:
            result("%s offline: alembic %s" % (name, " ".join(step)), False, p.stderr)
            return
        q = sh(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db], inp=p.stdout)
        if q.returncode != 0:
            result("%s offline: psql runs alembic %s" % (name, " ".join(step)), False,
                   q.stderr)
            return
    result("%s offline: upgrade, downgrade, upgrade through psql" % name, True)


def main():
    for name, fixture, rules, first, rows in PROJECTS:
        copy = os.path.join(work, "fixed_" + name)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(os.path.join(top, fixture), copy)
        versions = os.path.join(copy, "migrations", "versions")
        if rules is None:
            p = sh([migen, "lint", "-c", os.path.join(copy, "alembic.ini"), "--select", LOCK_RULES,
                    "--format", "concise"])
            result("%s: the lock rules are silent" % name, p.returncode == 0 and not p.stdout,
                   p.stdout + p.stderr)
        else:
            p = sh([migen, "lint", "-c", os.path.join(copy, "alembic.ini"), "--fix", "--select",
                    rules, "--format", "concise"])
            orig = os.path.join(top, fixture, "migrations", "versions")
            changed = [f for f in sorted(os.listdir(versions)) if f.endswith(".py") and
                       open(os.path.join(versions, f)).read() !=
                       open(os.path.join(orig, f)).read()]
            result("%s: --fix rewrote %s" % (name, ", ".join(changed) or "nothing"),
                   bool(changed), p.stdout + p.stderr)
        for template in ("generic", "async"):
            online(name, versions, first, rows, template)
        offline(name, versions)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
