"""Hostile input: random strings built from the characters that break out of
SQL, Python strings or SQLAlchemy's text() (quotes, backslashes, ';', ':name',
comments, dollar quotes, control characters, non-ASCII), fed to every option
that takes text. Each run must either refuse (exit 2, nothing on stdout) or
print code that compiles as Python and binds no parameter migen did not put
there. Deterministic (fixed seeds).

    /usr/bin/python3 tests/integration/hostile.py build/migen [ROUNDS]
"""
import random
import re
import subprocess
import sys

BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
OURS = {"name", "names", "value", "last_key", "max_key", "batch_size", "seconds"}
PIECES = list("abc(),'\"\\;:$-/* \n\t.=xy_") + [
    "DESC", '"""', "'''", "--", "/*", ":x", "$$", "\u00e9", "\x7f", "\r", "NULL", "%s", "%(x)s"]


def main():
    migen = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rnd = random.Random(20240601)
    refused = accepted = bad = 0
    for _ in range(rounds):
        s = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 10)))
        which = rnd.choice(["columns", "where", "table", "name", "default-sql", "default", "type",
                            "column", "key", "schema", "soft-delete", "pattern-table",
                            "pattern-column"])
        if which.startswith("pattern-"):
            name = rnd.choice(["fk-cascade", "trigram-index", "rename-column-expand",
                               "change-column-type", "audit-timestamps", "check-from-enum",
                               "tenant-pagination-index", "multi-tenant-table"])
            if which == "pattern-table":
                args = ["patterns", name, "--table", s]
            elif name in ("rename-column-expand",):
                args = ["patterns", name, "--column", s, "--column", "b"]
            elif name == "tenant-pagination-index":
                args = ["patterns", name, "--column", "a", "--column", s, "--column", "b"]
            elif name == "audit-timestamps":
                args = ["patterns", name, "--table", "t", "--ref-table", s]
            else:
                args = ["patterns", name, "--column", s]
        elif which in ("columns", "where", "table", "name", "schema", "soft-delete"):
            args = {"columns": ["--table", "t", "--columns", s],
                    "where": ["--table", "t", "--columns", "a", "--where", s],
                    "table": ["--table", s, "--columns", "a"],
                    "name": ["--table", "t", "--columns", "a", "--name", s],
                    "schema": ["--table", "t", "--columns", "a", "--schema", s],
                    "soft-delete": ["--table", "t", "--columns", "a", "--soft-delete=" + s],
                    }[which]
            args = ["index-template"] + args
        else:
            base = ["backfill-template", "--table", "t", "--column", "c"]
            args = base + {"default-sql": ["--default-sql", s],
                           "default": ["--default", s],
                           "type": ["--default", "1", "--add-column", "--type", s],
                           "column": ["--default", "1", "--add-column", "--type", "sa.Text()"],
                           "key": ["--default", "1", "--key", s],
                           }[which]
            if which == "column":
                args[4] = s
        p = subprocess.run([migen] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode == 2:
            refused += 1
            if p.stdout:
                print("BAD refused but printed: %s %r" % (which, s))
                bad += 1
            continue
        if p.returncode != 0:
            print("BAD exit %d: %s %r" % (p.returncode, which, s))
            bad += 1
            continue
        accepted += 1
        out = p.stdout.decode("utf-8")
        try:
            compile("from alembic import op\nimport sqlalchemy as sa\n" + out, "out", "exec")
        except SyntaxError as e:
            print("BAD python: %s %r: %s" % (which, s, e))
            bad += 1
            continue
        # A --default value is a Python string, bound, not SQL: skip its line.
        sql = "\n".join(l for l in out.splitlines()
                        if '"value":' not in l and "bindparams(value=" not in l)
        extra = set(BIND.findall(sql)) - OURS
        if extra:
            print("BAD parameters %r from %s %r" % (extra, which, s))
            bad += 1
    print("hostile: %d accepted, %d refused, %d bad" % (accepted, refused, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
