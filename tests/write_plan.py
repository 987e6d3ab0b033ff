#!/usr/bin/python3
"""One plan for `enhance --write` and `enhance --diff`, and written files that import what they use.

For every fixture migration and for COUNT seeded generated ones (random orders
of index creates in upgrade(), random subsets and orders of drops in
downgrade(), autocommit blocks around some of them, `import sqlalchemy as sa`
or names imported one by one), with several flag sets:
  - `--diff | patch -p1` gives byte for byte what `--write` writes;
  - the written file compiles, and pyflakes finds no undefined name in it that
    the original did not have (Debian's python3-pyflakes);
  - a second `--write` changes nothing.

Usage: tests/write_plan.py path/to/migen [COUNT] [SEED]
"""
import ast
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile

import pyflakes.checker
import pyflakes.messages

migen = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 10
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(seed)
FLAGS = [
    ["--use-concurrently"],
    ["--use-concurrently", "--add-tenant-indexes"],
    ["--add-tenant-indexes", "--use-concurrently", "--default", "active"],
]


def generate(n):
    sa_style = rng.random() < 0.6
    quote = rng.choice(['"', "'"])
    q = lambda s: quote + s + quote  # noqa: E731
    tables = ["users", "orders", "accounts"]
    ups, idx = [], []
    for i in range(rng.randint(1, 6)):
        r = rng.random()
        t = rng.choice(tables)
        if r < 0.55:
            name = "ix_%s_c%d" % (t, i)
            cols = ", ".join(q("c%d" % rng.randint(0, 3)) for _ in range(rng.randint(1, 2)))
            ups.append("op.create_index(%s, %s, [%s])" % (q(name), q(t), cols))
            idx.append((name, t))
        elif r < 0.7:
            col = "sa.Column" if sa_style else "Column"
            typ = "sa.Integer()" if sa_style else "Integer()"
            ups.append("op.add_column(%s, %s(%s, %s, nullable=True))" % (q(t), col, q("n%d" % i), typ))
        elif r < 0.8:
            ups.append("op.create_foreign_key(%s, %s, %s, [%s], [%s])" % (
                q("fk_%s_%d" % (t, i)), q(t), q("tenants"), q("tenant_id"), q("id")))
        elif r < 0.9:
            ups.append("op.execute(%s)" % q("CREATE INDEX ix_sql_%d ON %s (c1)" % (i, t)))
        else:
            ups.append("op.execute(%s)" % q("UPDATE %s SET c1 = 1" % t))
    drops = [("op.drop_index(%s, table_name=%s)" % (q(a), q(b))) for a, b in idx if rng.random() < 0.6]
    rng.shuffle(drops)
    if rng.random() < 0.3:
        drops.insert(rng.randint(0, len(drops)), "op.execute(%s)" % q("SELECT 1"))

    def block(stmts):
        out, i = [], 0
        while i < len(stmts):
            if rng.random() < 0.2:
                k = rng.randint(1, 3)
                out.append("    with op.get_context().autocommit_block():")
                out += ["        " + s for s in stmts[i:i + k]]
                i += k
            else:
                out.append("    " + stmts[i])
                i += 1
        return out or ["    pass"]

    head = [
        '"""generated %d' % n, "", "Revision ID: g%d" % n, "Revises:", '"""',
        "from alembic import op",
        "import sqlalchemy as sa" if sa_style else "from sqlalchemy import Column, Integer",
        "", "revision = %s" % q("g%d" % n), "down_revision = None",
        "branch_labels = None", "depends_on = None", "", "",
    ]
    lines = head + ["def upgrade():"] + block(ups) + ["", "", "def downgrade():"] + block(drops)
    return "\n".join(lines) + "\n"


def undefined(path):
    """The undefined names pyflakes reports in the file."""
    found = []
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), path)
    for msg in pyflakes.checker.Checker(tree, filename=path).messages:
        if isinstance(msg, pyflakes.messages.UndefinedName):
            found.append(msg.message_args[0])
    return sorted(set(found))


def run(args, cwd, **kw):
    return subprocess.run([migen, "enhance"] + args, cwd=cwd, capture_output=True, **kw)


def crashed(p):
    """migen died (a signal, a sanitizer abort) or reported an internal error."""
    return p.returncode < 0 or p.returncode > 3 or b"internal error" in p.stderr


def check_one(src_path, flags, tmp, failures):
    """Checks one file with one set of flags; returns 1 when --write changed it."""
    name = "m.py"
    w, p = os.path.join(tmp, "w"), os.path.join(tmp, "p")
    for d in (w, p):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        shutil.copy(src_path, os.path.join(d, name))
    dp = run(flags + ["--diff", name], p)
    diff = dp.stdout
    wr = run(flags + ["--write", name], w)
    label = "%s %s" % (os.path.relpath(src_path, top), " ".join(flags))
    for what, proc in (("--diff", dp), ("--write", wr)):
        if crashed(proc):
            failures.append("%s: %s exited %d: %s" % (label, what, proc.returncode,
                                                     proc.stderr.decode(errors="replace")[-300:]))
            return 0
    if diff:
        pr = subprocess.run(["patch", "-s", "-p1"], cwd=p, input=diff, capture_output=True)
        if pr.returncode != 0:
            failures.append("%s: patch -p1 failed: %s" % (label, pr.stdout + pr.stderr))
            return 0
    a = open(os.path.join(w, name), "rb").read()
    b = open(os.path.join(p, name), "rb").read()
    if a != b:
        failures.append("%s: --write and --diff|patch differ" % label)
        return 0
    if a == open(src_path, "rb").read():
        return 0
    try:
        compile(a, name, "exec")
    except SyntaxError as e:
        failures.append("%s: written file does not compile: %s" % (label, e))
        return 1
    new = set(undefined(os.path.join(w, name))) - set(undefined(src_path))
    if new:
        failures.append("%s: undefined names after --write: %s" % (label, sorted(new)))
    run(flags + ["--write", name], w)
    if open(os.path.join(w, name), "rb").read() != a:
        failures.append("%s: a second --write changed the file" % label)
    return 1


def main():
    tmp = tempfile.mkdtemp()
    failures, checked, changed = [], 0, 0
    files = sorted(glob.glob(os.path.join(top, "fixtures", "**", "*.py"), recursive=True))
    files += sorted(glob.glob(os.path.join(top, "examples", "*.py")))
    files = [f for f in files if "/gen/" not in f and not f.endswith("env.py")]
    gen = os.path.join(tmp, "gen")
    os.makedirs(gen)
    for n in range(count):
        path = os.path.join(gen, "g%04d.py" % n)
        with open(path, "w") as f:
            f.write(generate(n))
        files.append(path)
    for f in files:
        for flags in FLAGS if "/gen/" not in f else [rng.choice(FLAGS)]:
            checked += 1
            changed += check_one(f, flags, tmp, failures)
    # Checks of files --write leaves alone prove nothing: most must change.
    if changed < checked // 4:
        failures.append("only %d of %d runs changed a file" % (changed, checked))
    for x in failures:
        print("FAIL", x)
    shutil.rmtree(tmp, ignore_errors=True)
    print("write plan: %d runs, %d changed a file" % (checked, changed))
    print("write plan: %d passed, %d failed" % (checked - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


main()
