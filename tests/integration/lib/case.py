"""One integration case: migen's own output, run by Debian's real Alembic on
a real PostgreSQL 15, with a second connection writing to the same table.

For one case this script
  1. creates a database from the seeded template (>= 50,000 users) and runs
     the case's --pre-sql;
  2. builds an Alembic project (`alembic init`'s files, untouched env.py) whose
     migrations are exactly what `migen ARGS...` prints, one per --migration;
  3. runs `alembic upgrade head` while a load thread inserts and updates rows
     of the table, timing every statement;
  4. checks the catalog (--check: SQL that must return true), then
     `alembic downgrade -1` (--check-down), then `alembic upgrade head` again
     (--check once more);
  5. does 3 and 4 again, without the load, on a fresh database through the
     asyncpg driver with the env.py that `alembic init -t async` writes
     (SQLAlchemy's postgresql+asyncpg://, server-side parameter binding);
  6. offline: `alembic upgrade head --sql` must succeed and print SQL, which
     psql then runs on a fresh database (--check); likewise
     `alembic downgrade HEAD:PREVIOUS --sql` (--check-down) and the upgrade
     again (--check).
Passes 5 and 6 run unless --passes leaves them out (control cases, whose
migrations are not migen's, run the first pass only).

The load verdict: the case fails when the load completed no statement during
the upgrade, or when one statement waited for more than half of the upgrade
(it was blocked for the run, as in a single-transaction backfill). With
--expect-blocked that verdict is inverted, which is how the suite shows that
the check can fail.

It prints one line per failed check and exits non-zero on failure; a JSON line
with the figures is appended to --results.

Run by tests/integration/templates.sh; needs PGHOST/PGPORT/PGUSER set.
"""

import argparse
import contextlib
import io
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid

import psycopg2
import psycopg2.errors

PY = "/usr/bin/python3"
T_START = time.monotonic()

HEADER = '''"""{title}

Revision ID: {rev}
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


'''


def connect(db):
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


def q(db, sql):
    conn = connect(db)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchone() if cur.description else None
    finally:
        conn.close()


class Load(threading.Thread):
    """A second application connection: inserts and updates, timed."""

    def __init__(self, db, table, rows, extra):
        super().__init__(daemon=True)
        self.db, self.table, self.rows, self.extra = db, table, rows, extra
        self.stop = threading.Event()
        self.ops = []  # (start, end, ok)
        self.errors = {}

    def run(self):
        conn = connect(self.db)
        cur = conn.cursor()
        cur.execute("SET statement_timeout = '120s'")
        rnd = random.Random(7)
        n = 0
        while not self.stop.is_set():
            n += 1
            if n % 2:
                cols = ["tenant_id", "email", "status"]
                vals = [rnd.randint(1, 100), "load-%s@example.com" % uuid.uuid4(), "active"]
                for k, v in self.extra:
                    cols.append(k)
                    vals.append(v)
                sql = "INSERT INTO %s (%s) VALUES (%s)" % (
                    self.table, ", ".join(cols), ", ".join(["%s"] * len(vals)))
                args = vals
            else:
                sql = "UPDATE %s SET counter = counter + 1 WHERE id = %%s" % self.table
                args = [rnd.randint(1, self.rows)]
            t0 = time.monotonic()
            ok = True
            try:
                cur.execute(sql, args)
            except psycopg2.errors.UndefinedColumn:
                # The column the new code writes does not exist yet (step 1
                # of --add-column): write the row as the old code would.
                ok = False
                if self.extra:
                    cols = cols[:3]
                    try:
                        cur.execute("INSERT INTO %s (%s) VALUES (%%s, %%s, %%s)" % (
                            self.table, ", ".join(cols)), vals[:3])
                        ok = True
                    except psycopg2.Error as e:
                        self.errors[type(e).__name__] = self.errors.get(type(e).__name__, 0) + 1
            except psycopg2.Error as e:
                ok = False
                self.errors[type(e).__name__] = self.errors.get(type(e).__name__, 0) + 1
            self.ops.append((t0, time.monotonic(), ok))
        conn.close()


def alembic(project, *args, stdout_only=False):
    """Runs Alembic in project; returns (exit status, output, start, end).
    With stdout_only, the output is stdout alone (the SQL of --sql), and
    stderr (the log) is appended to it only when Alembic failed."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([PY, "-m", "alembic", "-c", os.path.join(project, "alembic.ini")]
                           + list(args), cwd=project, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE if stdout_only else subprocess.STDOUT,
                           universal_newlines=True, timeout=180)
        rc, out = p.returncode, p.stdout
        if stdout_only and rc != 0:
            out += p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = -1, "timed out after 180 s (a loop that never ends?)\n%s" % (e.output or "")
    return rc, out, t0, time.monotonic()


def project_for(a, name, template, driver, db):
    """A copy of an `alembic init` project, pointed at db through driver."""
    project = os.path.join(a.work, a.name, name)
    shutil.copytree(template, project)
    with open(os.path.join(project, "alembic.ini")) as f:
        ini = f.read()
    # A Unix-socket folder goes in the query: psycopg2 passes host= to libpq,
    # and SQLAlchemy's asyncpg dialect hands it to asyncpg.connect(host=...),
    # which takes a path starting with '/' for a socket folder.
    url = "postgresql+%s:///%s?host=%s&port=%s&user=%s" % (
        driver, db, os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"])
    ini = ini.replace("driver://user:pass@localhost/dbname", url)
    with open(os.path.join(project, "alembic.ini"), "w") as f:
        f.write(ini)
    return project


def psql_file(db, path):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=180)
    return p.returncode, p.stdout


class Timeout(Exception):
    pass


def alembic_here(project, *args, stdout_only=False):
    """As alembic(), but in this process: the passes without the load run
    several Alembic commands each, and importing SQLAlchemy, Alembic and the
    driver once instead of once per command keeps the suite fast."""
    import alembic.config

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()

    def expire(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(180)
    t0 = time.monotonic()
    rc = 0
    try:
        os.chdir(project)
        # env.py's fileConfig() builds its log handler on sys.stderr as it is now.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                alembic.config.main(argv=["-c", os.path.join(project, "alembic.ini")]
                                    + list(args))
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 1
            except Timeout:
                rc = -1
                err.write("timed out after 180 s (a loop that never ends?)\n")
            except Exception:
                rc = 1
                traceback.print_exc(file=err)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        os.chdir(cwd)
    t1 = time.monotonic()
    if stdout_only:
        text = out.getvalue() + (err.getvalue() if rc != 0 else "")
    else:
        text = out.getvalue() + err.getvalue()
    return rc, text, t0, t1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--migen", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--template-project", required=True)
    ap.add_argument("--async-template-project",
                    help="`alembic init -t async` files (needed for the asyncpg pass)")
    ap.add_argument("--passes", default="psycopg2,asyncpg,offline",
                    help="comma-separated: psycopg2 (with the load), asyncpg, offline")
    ap.add_argument("--seed-db", default="seed")
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--migration", action="append", default=[],
                    help="migen arguments (shell words) whose output is one migration")
    ap.add_argument("--migration-file", action="append", default=[],
                    help="a file whose text is one migration (a control case)")
    ap.add_argument("--pre-sql", action="append", default=[])
    ap.add_argument("--check", action="append", default=[])
    ap.add_argument("--check-down", action="append", default=[])
    ap.add_argument("--check-load", action="append", default=[],
                    help="as --check, but about the load's writes: the psycopg2 pass only")
    ap.add_argument("--break-sql", help="before the first upgrade; that upgrade must fail")
    ap.add_argument("--fix-sql", help="after the failed upgrade; the next one must succeed")
    ap.add_argument("--check-broken", action="append", default=[],
                    help="must hold after the failed upgrade, before --fix-sql")
    ap.add_argument("--expect-fail", metavar="TEXT",
                    help="the upgrade must fail (in time), with TEXT in Alembic's output")
    ap.add_argument("--output-has", action="append", default=[],
                    help="text Alembic's output of a (successful) online upgrade must show")
    ap.add_argument("--offline-has", action="append", default=[],
                    help="text `alembic upgrade head --sql` must print")
    ap.add_argument("--no-load", action="store_true")
    ap.add_argument("--load-table", default="users")
    ap.add_argument("--load-set", action="append", default=[], help="COLUMN=VALUE the load writes")
    ap.add_argument("--expect-blocked", action="store_true")
    ap.add_argument("--upgrade-may-fail", metavar="TEXT",
                    help="a failed upgrade with TEXT in Alembic's output ends the case "
                         "without failing it (the control case's deadlock)")
    ap.add_argument("--allow-load-error", action="append", default=[],
                    help="an error class the load may meet (psycopg2.errors name)")
    ap.add_argument("--log-has", action="append", default=[],
                    help="text the server log must show during the first upgrade "
                         "(logged at debug1 for this database; needs PG_SERVER_LOG)")
    ap.add_argument("--results")
    a = ap.parse_args()
    passes = [x for x in a.passes.split(",") if x]

    failures = []
    base = "c_" + a.name.replace("-", "_")
    root = os.path.join(a.work, a.name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)

    # The migrations: migen's output, verbatim, under Alembic's header.
    bodies = []
    for m in a.migration:
        p = subprocess.run([a.migen] + shlex.split(m), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if p.returncode != 0:
            print("FAIL %s: migen %s: exit %d: %s" % (a.name, m, p.returncode, p.stderr.strip()))
            return 1
        bodies.append((m, p.stdout))
    for path in a.migration_file:
        with open(path) as f:
            bodies.append((path, f.read()))
    revs = []

    def write_versions(project):
        down = None
        del revs[:]
        for i, (title, body) in enumerate(bodies):
            rev = "%s_%d" % (a.name.replace("-", "_")[:20], i + 1)
            with open(os.path.join(project, "migrations", "versions", "%s.py" % rev), "w") as f:
                f.write(HEADER.format(title=title, rev=rev, down=down) + body)
            revs.append(rev)
            down = rev

    def fresh_db(db):
        q("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        q("postgres", "CREATE DATABASE %s TEMPLATE %s" % (db, a.seed_db))
        for sql in a.pre_sql:
            q(db, sql)

    def check(db, when, sqls):
        for sql in sqls:
            try:
                r = q(db, sql)
            except psycopg2.Error as e:
                failures.append("%s: %s: %s" % (when, sql, str(e).strip()))
                continue
            if not r or r[0] is not True:
                failures.append("%s: not true: %s (got %r)" % (when, sql, r and r[0]))

    def upgrade(project, db, when, with_load, run=alembic):
        load = None
        if with_load:
            extra = [tuple(s.split("=", 1)) for s in a.load_set]
            load = Load(db, a.load_table, a.rows, extra)
            load.start()
            time.sleep(0.3)  # let it reach its stride
        rc, out, t0, t1 = run(project, "upgrade", "head")
        if rc == 0 and not when.endswith("again"):
            for text in a.output_has:
                if text not in out:
                    failures.append("%s: Alembic's output lacks %r:\n%s" % (
                        when, text, out[-2000:]))
        fig = None
        if load is not None:
            time.sleep(0.3)
            load.stop.set()
            load.join()
            during = [o for o in load.ops if o[1] > t0 and o[0] < t1]
            done_inside = [o for o in during if t0 <= o[1] <= t1 and o[2]]
            longest = max([o[1] - o[0] for o in during] or [0.0])
            fig = {
                "case": a.name, "when": when, "rows": a.rows,
                "upgrade_s": round(t1 - t0, 3),
                "load_ops": len(done_inside),
                "load_ops_per_s": round(len(done_inside) / (t1 - t0), 1),
                "longest_wait_ms": round(longest * 1000, 1),
                "load_errors": load.errors,
            }
            blocked = not done_inside or longest > 0.5 * (t1 - t0)
            fig["blocked"] = blocked
            if blocked and not a.expect_blocked:
                failures.append("%s: the load was blocked: longest wait %.0f ms of a %.0f ms "
                                "upgrade, %d statements done during it" % (
                                    when, longest * 1000, (t1 - t0) * 1000, len(done_inside)))
            if not blocked and a.expect_blocked:
                failures.append("%s: expected the load to be blocked, it was not "
                                "(longest wait %.0f ms of %.0f ms)" % (
                                    when, longest * 1000, (t1 - t0) * 1000))
            unexpected = {k: v for k, v in load.errors.items() if k not in a.allow_load_error}
            if unexpected and not a.expect_blocked:
                failures.append("%s: load statements failed: %r" % (when, unexpected))
            if a.results:
                with open(a.results, "a") as f:
                    f.write(json.dumps(fig) + "\n")
        return rc, out

    def online(label, project, db, with_load, run=alembic):
        """Steps 3 and 4 (and the broken run first, with --break-sql)."""
        write_versions(project)
        fresh_db(db)
        log_start = 0
        if a.break_sql:
            q(db, a.break_sql)
            rc, out = upgrade(project, db, label + ": broken upgrade", False, run)
            if rc == 0:
                failures.append("%s: broken upgrade: succeeded, expected a failure" % label)
            check(db, label + ": after broken upgrade", a.check_broken)
            if a.fix_sql:
                q(db, a.fix_sql)
        if a.log_has:
            q("postgres", "ALTER DATABASE %s SET log_min_messages = debug1" % db)
            log_start = os.path.getsize(os.environ["PG_SERVER_LOG"])
        rc, out = upgrade(project, db, label + ": upgrade", with_load, run)
        if a.log_has:
            with open(os.environ["PG_SERVER_LOG"], errors="replace") as f:
                f.seek(log_start)
                log = f.read()
            for text in a.log_has:
                if text not in log:
                    failures.append("%s: the server log lacks %r" % (label, text))
        if a.expect_fail is not None:
            if rc == 0:
                failures.append("%s: upgrade: succeeded, expected a failure" % label)
            elif rc < 0 or a.expect_fail not in out:
                failures.append("%s: upgrade: did not fail as expected (%r):\n%s" % (
                    label, a.expect_fail, out[-3000:]))
            check(db, label + ": after failed upgrade", a.check)
        elif rc != 0 and a.upgrade_may_fail is not None and a.upgrade_may_fail in out:
            print("note %s: upgrade failed as it may: %s" % (a.name, a.upgrade_may_fail))
        elif rc != 0:
            failures.append("%s: upgrade: alembic exit %d:\n%s" % (label, rc, out[-3000:]))
        else:
            check(db, label + ": after upgrade", a.check)
            if with_load:
                check(db, label + ": after upgrade", a.check_load)
            rc, out, _, _ = run(project, "downgrade", "-1")
            if rc != 0:
                failures.append("%s: downgrade: alembic exit %d:\n%s" % (
                    label, rc, out[-3000:]))
            else:
                check(db, label + ": after downgrade", a.check_down)
                rc, out = upgrade(project, db, label + ": upgrade again", False, run)
                if rc != 0:
                    failures.append("%s: upgrade again: alembic exit %d:\n%s" % (
                        label, rc, out[-3000:]))
                else:
                    check(db, label + ": after upgrade again", a.check)

    def offline(project, db):
        """Step 6: the SQL that --sql prints, run by psql."""
        write_versions(project)
        fresh_db(db)
        if a.fix_sql:
            q(db, a.fix_sql)  # no broken run offline: start from the fixed data
        prev = revs[-2] if len(revs) > 1 else "base"
        steps = [("upgrade", ["upgrade", "head", "--sql"], a.check),
                 ("downgrade", ["downgrade", "%s:%s" % (revs[-1], prev), "--sql"],
                  a.check_down),
                 ("upgrade again", ["upgrade", "%s:head" % prev, "--sql"], a.check)]
        for when, args, checks in steps:
            rc, out, _, _ = alembic_here(project, *args, stdout_only=True)
            label = "offline %s" % when
            if rc != 0:
                failures.append("%s: alembic %s: exit %d:\n%s" % (
                    label, " ".join(args), rc, out[-3000:]))
                return
            statements = [l for l in out.splitlines() if l.rstrip().endswith(";")
                          and "alembic_version" not in l
                          and l.strip() not in ("BEGIN;", "COMMIT;")]
            if not statements:
                failures.append("%s: no SQL printed:\n%s" % (label, out[-3000:]))
                return
            if when == "upgrade":
                for text in a.offline_has:
                    if text not in out:
                        failures.append("%s: the SQL lacks %r" % (label, text))
            path = os.path.join(root, "offline-%s.sql" % when.replace(" ", "-"))
            with open(path, "w") as f:
                f.write(out)
            rc, msg = psql_file(db, path)
            if a.expect_fail is not None and when == "upgrade":
                # No Python runs offline: the script stops where PostgreSQL refuses.
                if rc == 0 or a.expect_fail not in msg:
                    failures.append("%s: psql did not fail as expected (%r):\n%s" % (
                        label, a.expect_fail, msg[-2000:]))
                return
            if rc != 0:
                failures.append("%s: psql -f %s: exit %d:\n%s" % (label, path, rc, msg[-3000:]))
                return
            check(db, label, checks)

    dbs = []
    timing = []

    def timed(label, fn, *args):
        t0 = time.monotonic()
        fn(*args)
        timing.append("%s %.1f s" % (label, time.monotonic() - t0))

    try:
        if "psycopg2" in passes:
            db = base
            dbs.append(db)
            timed("psycopg2", online, "psycopg2",
                  project_for(a, "project", a.template_project, "psycopg2", db), db,
                  not a.no_load)
        if "asyncpg" in passes:
            db = base + "_async"
            dbs.append(db)
            a.log_has = []
            timed("asyncpg", online, "asyncpg", project_for(
                a, "project-async", a.async_template_project, "asyncpg", db), db, False,
                alembic_here)
        if "offline" in passes:
            db = base + "_offline"
            dbs.append(db)
            timed("offline", offline,
                  project_for(a, "project-offline", a.template_project, "psycopg2", db), db)
    finally:
        # DROP DATABASE takes about a second each (it waits for every backend
        # to let go of the files): leave it to a psql of its own, in the
        # background, so that the next case need not wait.
        drops = []
        for db in dbs:
            drops += ["-c", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db]
        if drops:
            subprocess.Popen(["psql", "-X", "-q", "-d", "postgres"] + drops,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    if os.environ.get("CASE_TIMING"):
        print("time %s: %s (total %.1f s)" % (a.name, ", ".join(timing),
                                               time.monotonic() - T_START))
    for f in failures:
        print("FAIL %s: %s" % (a.name, f))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
