"""sqlite-alter-needs-batch on a real SQLite database through Alembic.

1. Each call migen flags in fixtures/revert/sqlite, alone in a revision
   after s1, fails on SQLite; each call migen leaves alone (a rename, a
   plain drop_column) succeeds.
2. The project after `migen lint --fix` (the batch form) runs upgrade head,
   downgrade base, upgrade head on SQLite, and migen has nothing left to say.

usage: sqlite_batch.py MIGEN FIXTURE WORKDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

MIGEN, FIXTURE, WORK = sys.argv[1:4]


def alembic(root, *args):
    return subprocess.run([sys.executable, "-m", "alembic", "-c",
                           os.path.join(root, "alembic.ini"), *args],
                          cwd=root, capture_output=True, text=True)


def lint(root, *extra):
    p = subprocess.run([MIGEN, "lint", "-c", os.path.join(root, "alembic.ini"), "--format",
                        "json", "--fail-on", "never", "--no-cache", *extra],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("migen lint failed (%d): %s" % (p.returncode, p.stderr))
    return json.loads(p.stdout) if not extra else p


def fresh(name):
    root = os.path.join(WORK, name)
    shutil.copytree(FIXTURE, root)
    return root


def upgrade_lines(lines):
    start = lines.index("def upgrade():") + 1
    end = lines.index("def downgrade():")
    return start, [i + 1 for i in range(start, end) if lines[i].startswith("    op.")]


def main():
    bad = 0
    root = fresh("orig")
    vers = os.path.join(root, "migrations", "versions")
    found = [f for f in lint(root)["findings"] if f["rule"] == "sqlite-alter-needs-batch"]
    fixed = fresh("fixed")
    lint(fixed, "--fix")
    order = ["s1_create.py", "s2_alter.py", "s3_drop.py"]
    ncalls = 0
    for n, fname in enumerate(order[1:], 1):
        lines = open(os.path.join(vers, fname)).read().split("\n")
        flagged = {f["line"]: f["code"] for f in found if f["path"].endswith(fname)}
        start, body = upgrade_lines(lines)
        ncalls += len(body)
        for k, ln in enumerate(body):
            # The revision's earlier calls as fixed (migen's code), then this call as written.
            one = fresh("%s_%d" % (fname[:2], ln))
            ov = os.path.join(one, "migrations", "versions")
            for later in order[n:]:
                os.remove(os.path.join(ov, later))
            for prev in order[1:n]:
                shutil.copy(os.path.join(fixed, "migrations", "versions", prev), ov)
            pre = []
            for p in body[:k]:
                pre.append(flagged[p].rstrip("\n") if p in flagged and flagged[p]
                           else lines[p - 1])
            text = "\n".join(lines[:start] + pre + [lines[ln - 1]] +
                             ["", "", "def downgrade():", "    pass", ""])
            open(os.path.join(ov, fname), "w").write(text)
            r = alembic(one, "upgrade", "head")
            err = [x for x in r.stderr.strip().splitlines() if "Error" in x] or ["?"]
            fails = r.returncode != 0
            ok = fails == (ln in flagged)
            print("%s %s:%d %s: sqlite %s; migen %s" % (
                "ok  " if ok else "FAIL", fname, ln, lines[ln - 1].strip()[:50],
                "fails (%s)" % err[-1][:80] if fails else "runs",
                "flags it" if ln in flagged else "silent"))
            bad += not ok
    print("sqlite_batch: %d findings; %d upgrade() calls run alone" % (len(found), ncalls))
    left = lint(fixed)["findings"]
    for args in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        r = alembic(fixed, *args)
        print("%s fixed project: alembic %s%s" % ("ok  " if r.returncode == 0 else "FAIL",
                                                  " ".join(args), "" if r.returncode == 0
                                                  else ": " + r.stderr.strip()[-300:]))
        bad += r.returncode != 0
    if any(f["rule"] == "sqlite-alter-needs-batch" for f in left):
        print("FAIL findings left after --fix")
        bad += 1
    if not re.search(r"batch_op\.alter_column", open(os.path.join(
            fixed, "migrations", "versions", "s2_alter.py")).read()):
        print("FAIL --fix did not write the batch form")
        bad += 1
    print("sqlite_batch: %d failures" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
