#!/usr/bin/python3
"""Writes an Alembic project with a linear chain of N revisions into OUT.

    bench/gen_chain.py OUT N

The migrations are the committed autogen fixtures (fixtures/autogen/*.py,
real Alembic 1.8.1 output) in rotation, each with a fresh revision id and
down_revision, so file sizes and shapes are those of real migrations.
Deterministic: the same N gives the same bytes. Nothing here is committed
output; the benchmark writes it into a temporary folder.
"""
import hashlib
import os
import re
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out, n = sys.argv[1], int(sys.argv[2])
src = os.path.join(top, "fixtures", "autogen")
# The merge revision and the two branch files carry tuple/odd parents: the
# linear chain uses the others.
bodies = []
for name in sorted(os.listdir(src)):
    if name.endswith(".py") and not name.startswith(("14_", "15_", "16_")):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            bodies.append((name[3:-3], f.read()))

os.makedirs(os.path.join(out, "versions"), exist_ok=True)
with open(os.path.join(out, "alembic.ini"), "w") as f:
    f.write("[alembic]\nscript_location = %(here)s\n"
            "sqlalchemy.url = sqlite://\n")
with open(os.path.join(out, "env.py"), "w") as f:
    f.write("# not run by `alembic heads` or `migen doctor`\n")
with open(os.path.join(out, "script.py.mako"), "w") as f:
    f.write('"""${message}"""\n')

rev_re = re.compile(r"^revision = .*$", re.M)
down_re = re.compile(r"^down_revision = .*$", re.M)
id_re = re.compile(r"^(Revision ID|Revises): .*$", re.M)


def rid(i):
    return hashlib.sha1(b"migen-bench-%d" % i).hexdigest()[:12]


prev = None
for i in range(n):
    slug, text = bodies[i % len(bodies)]
    r = rid(i)
    text = rev_re.sub("revision = '%s'" % r, text, count=1)
    text = down_re.sub("down_revision = %s" % ("None" if prev is None else "'%s'" % prev),
                       text, count=1)
    text = id_re.sub(lambda m: "%s: %s" % (m.group(1), r if m.group(1) == "Revision ID"
                                          else (prev or "")), text)
    with open(os.path.join(out, "versions", "%s_%05d_%s.py" % (r, i, slug)), "w") as f:
        f.write(text)
    prev = r
