"""downgrade-mismatch and irreversible-downgrade against PostgreSQL.

For each revision of the projects in downgrade/gen.py: a fresh database at
the revision's parents (catalog A), `upgrade` to it, `downgrade -1`
(catalog B), `upgrade` again. PostgreSQL's verdict is A vs B: the objects
that differ. migen's verdict is its findings for the file. They must name
the same objects, both ways. Also `migen lint --stairway`: the re-upgrade
fails on PostgreSQL exactly where migen says it would.

usage: downgrade_pg.py MIGEN WORKDIR   (PGHOST/PGPORT/PGUSER set: lib/pg.sh)
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "downgrade"))
import gen  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

MIGEN, WORK = sys.argv[1], sys.argv[2]
HOST, PORT, USER = os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"]

ENV_PY = '''
import os
from alembic import context
from sqlalchemy import create_engine

def run_migrations_online():
    engine = create_engine(os.environ["DOWNGRADE_DB_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()

run_migrations_online()
'''


def url(db):
    return "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (USER, db, HOST, PORT)


TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fixture_drift(name, revs):
    """The golden fixture fixtures/revert/NAME is this project as migen reads
    it; the catalog check here vouches for it only while the files are the
    same. The names of the files that differ (none: no fixture, or equal)."""
    vers = os.path.join(TOP, "fixtures", "revert", name, "migrations", "versions")
    if not os.path.isdir(vers):
        return []
    want = {"%02d_%s.py" % (i, r[0]): gen.render(*r) for i, r in enumerate(revs)}
    have = {n for n in os.listdir(vers) if n.endswith(".py")}
    bad = sorted(have ^ set(want))
    for n in sorted(have & set(want)):
        with open(os.path.join(vers, n)) as f:
            if f.read() != want[n]:
                bad.append(n)
    return bad


def write_project(name, revs):
    root = os.path.join(WORK, name)
    vers = os.path.join(root, "migrations", "versions")
    os.makedirs(vers, exist_ok=True)
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = migrations\n"
                "sqlalchemy.url = postgresql://localhost/%s\n" % name)
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    for i, (rev, parents, up, down) in enumerate(revs):
        with open(os.path.join(vers, "%02d_%s.py" % (i, rev)), "w") as f:
            f.write(gen.render(rev, parents, up, down))
    return root


CATALOG = {
    "table": """SELECT 'public.' || c.relname, '' FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'""",
    "column": """SELECT 'public.' || c.relname || '.' || a.attname,
        format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' ||
        coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || a.attidentity::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0
        AND NOT a.attisdropped AND c.relname <> 'alembic_version'""",
    "index": """SELECT 'public.' || indexname,
        regexp_replace(indexdef, ' ON public\\.\\S+', '') || ' ' ||
        coalesce((SELECT contype::text FROM pg_constraint
                  WHERE conname = indexname AND contype IN ('p', 'u')), 'i')
        FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'alembic_version'""",
    "constraint": """SELECT 'public.' || c.relname || '.' || k.conname,
        pg_get_constraintdef(k.oid) || ' ' || k.convalidated
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND k.contype IN ('f', 'c')""",
    "type": """SELECT 'public.' || t.typname,
        string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = 'public'
        GROUP BY t.typname""",
    "sequence": """SELECT 'public.' || c.relname, '' FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'S'""",
}

# The table an index is on, to leave out what goes with a table dropped or left.
INDEX_TABLE = """SELECT 'public.' || indexname, 'public.' || tablename FROM pg_indexes
    WHERE schemaname = 'public'"""


def catalog(engine):
    out = {}
    with engine.connect() as c:
        for kind, q in CATALOG.items():
            for name, val in c.execute(sa.text(q)):
                out[(kind, name)] = val
        owners = dict(c.execute(sa.text(INDEX_TABLE)).fetchall())
    return out, owners


def pg_verdict(a, b):
    (ca, oa), (cb, ob) = a, b
    owners = dict(oa)
    owners.update(ob)
    diff = {k for k in set(ca) | set(cb) if ca.get(k) != cb.get(k)}
    gone = {n for (k, n) in diff if k == "table"}

    def inside(k, n):
        if k in ("column", "constraint"):
            return n.rsplit(".", 1)[0] in gone
        if k == "index":
            return owners.get(n) in gone
        return False
    return {(k, n) for (k, n) in diff if not inside(k, n)}


KIND = {"primary key": "index", "unique constraint": "index", "index": "index",
        "foreign key": "constraint", "check constraint": "constraint", "column": "column",
        "table": "table", "type": "type", "sequence": "sequence"}
MSG = re.compile(r"downgrade\(\) does not restore an? (.+?) (public\.\S+): ")


def migen_verdicts(root, stairway=False):
    args = [MIGEN, "lint", "-c", os.path.join(root, "alembic.ini"), "--format", "json",
            "--select", "downgrade-mismatch,irreversible-downgrade", "--fail-on", "never",
            "--no-cache"]
    if stairway:
        args.append("--stairway")
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("migen failed: %s\n%s" % (p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    out = {}
    for f in doc["findings"]:
        rev = os.path.basename(f["path"]).split("_", 1)[1][:-3]
        v = out.setdefault(rev, {"objects": set(), "irreversible": False, "stairway": 0})
        if f["rule"] == "irreversible-downgrade":
            v["irreversible"] = True
        elif f["message"].startswith("stairway:"):
            v["stairway"] += 1
        else:
            m = MSG.match(f["message"])
            if not m:
                sys.exit("unexpected message: " + f["message"])
            v["objects"].add((KIND[m.group(1)], m.group(2)))
    return out


def retry_checks(admin):
    """non-idempotent-autocommit: the retry after a failure, on PostgreSQL."""
    failures = 0
    for name, (block, flagged) in gen.RETRY_BLOCKS.items():
        root = write_project("retry_" + name, [gen.RETRY_BASE, gen.retry_revision(block)])
        p = subprocess.run([MIGEN, "lint", "-c", os.path.join(root, "alembic.ini"), "--format",
                            "json", "--select", "non-idempotent-autocommit", "--fail-on",
                            "never", "--no-cache"], capture_output=True, text=True)
        said = bool(json.loads(p.stdout)["findings"]) if p.returncode == 0 else None
        cfg = Config(os.path.join(root, "alembic.ini"))
        cfg.set_main_option("script_location", os.path.join(root, "migrations"))
        db = "dg_retry_" + name
        with admin.connect() as c:
            c.execute(sa.text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db))
            c.execute(sa.text('CREATE DATABASE "%s"' % db))
        os.environ["DOWNGRADE_DB_URL"] = url(db)
        command.upgrade(cfg, "r1")
        os.environ["FAIL_AFTER"] = "1"
        try:
            command.upgrade(cfg, "r2")
            first = "ran"
        except Exception:
            first = "failed after the block"
        del os.environ["FAIL_AFTER"]
        try:
            command.upgrade(cfg, "r2")
            retry, err = True, ""
        except Exception as e:
            retry, err = False, str(e).splitlines()[0]
        with admin.connect() as c:
            c.execute(sa.text('DROP DATABASE "%s" WITH (FORCE)' % db))
        ok = said == flagged and first != "ran" and retry == (not flagged)
        print("%s retry/%s: first run %s; retry %s; migen %s" % (
            "ok  " if ok else "FAIL", name, first,
            "passes" if retry else "fails (%s)" % err[:90],
            "flags it" if said else "silent"))
        failures += not ok
    return failures


def main():
    failures = 0
    checked = differing = 0
    admin = sa.create_engine(url("postgres"), isolation_level="AUTOCOMMIT")
    for name, revs in gen.PROJECTS.items():
        drift = fixture_drift(name, revs)
        if drift:
            print("FAIL fixtures/revert/%s differs from downgrade/gen.py: %s" % (name, ", ".join(drift)))
            failures += 1
        root = write_project(name, revs)
        verdicts = migen_verdicts(root)
        stair = migen_verdicts(root, stairway=True)
        cfg = Config(os.path.join(root, "alembic.ini"))
        cfg.set_main_option("script_location", os.path.join(root, "migrations"))
        for rev, parents, _, _ in revs:
            db = ("dg_%s_%s" % (name, rev)).lower()
            with admin.connect() as c:
                c.execute(sa.text('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db))
                c.execute(sa.text('CREATE DATABASE "%s"' % db))
            os.environ["DOWNGRADE_DB_URL"] = url(db)
            eng = sa.create_engine(url(db))
            for p in parents:
                command.upgrade(cfg, p)
            a = catalog(eng)
            command.upgrade(cfg, rev)
            down_ok = True
            try:
                # A merge: `downgrade -1` is ambiguous; down to one parent
                # removes the merge alone (checked below).
                command.downgrade(cfg, parents[0] if len(parents) > 1 else "-1")
            except Exception as e:  # a downgrade that raises
                down_ok = False
                print("  %s/%s: downgrade fails: %s" % (name, rev, str(e).splitlines()[0]))
            b = catalog(eng)
            if down_ok:
                with eng.connect() as c:
                    left = {r[0] for r in c.execute(sa.text(
                        "SELECT version_num FROM alembic_version"))}
                if left != set(parents):
                    sys.exit("%s/%s: downgrade left %s, not the parents" % (name, rev, left))
            reup_ok = True
            if down_ok:
                try:
                    command.upgrade(cfg, rev)
                except Exception as e:
                    reup_ok = False
                    print("  %s/%s: upgrade again fails: %s" % (name, rev,
                                                                str(e).splitlines()[0]))
            eng.dispose()
            pg = pg_verdict(a, b)
            mv = verdicts.get(rev, {"objects": set(), "irreversible": False})
            checked += 1
            differing += bool(pg) or not down_ok
            ok = True
            if mv["irreversible"]:
                ok = (not down_ok) or bool(pg)
                mine = "irreversible"
            else:
                ok = down_ok and pg == mv["objects"]
                mine = sorted(mv["objects"]) or "reversible"
            st = stair.get(rev, {}).get("stairway", 0)
            if down_ok and not mv["irreversible"] and bool(st) != (not reup_ok):
                ok = False
            print("%s %s/%s: postgresql %s; migen %s%s" % (
                "ok  " if ok else "FAIL", name, rev,
                sorted(pg) if pg else ("downgrade fails" if not down_ok else "reversible"),
                mine, "; stairway: re-upgrade fails" if st else ""))
            failures += not ok
            with admin.connect() as c:
                c.execute(sa.text('DROP DATABASE "%s" WITH (FORCE)' % db))
    failures += retry_checks(admin)
    print("downgrade_pg: %d revisions, %d not reversible on PostgreSQL, %d mismatches"
          % (checked, differing, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
