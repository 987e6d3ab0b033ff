#!/usr/bin/python3
"""Write a whole Alembic project of N revisions for the lint benchmark.

    bench/gen_project.py OUT N [--seed S]

OUT gets alembic.ini, migrations/env.py (offline and online, as `alembic
init` writes it), migrations/script.py.mako and migrations/versions/ with
N migrations: the 17 committed autogen fixtures (fixtures/autogen/, real
Alembic 1.8.1 output: create_table with foreign keys and indexes, a
branch and its merge) as the root, then N - 17 - k revisions from
bench/gen_migrations.py (create_table with FKs and op.f() indexes,
add_column, alter_column, create_index, CONCURRENTLY in autocommit_block,
create_foreign_key, op.execute with DDL and UPDATE backfills, batch ops,
drops; forks and merge revisions; about 1.9 kB a file), then k merge
revisions so that the project has one head and `alembic upgrade head
--sql` runs on it. Deterministic: the same N and seed give the same bytes.

Stdlib only; Alembic itself is not imported.
"""
import argparse
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_migrations as gm  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# SQLAlchemy 1.4 (Debian's) has no sa.Uuid: the PostgreSQL type, as
# autogenerate writes it there.
gm.TYPES = tuple(t if not t[0].startswith("sa.Uuid") else
                 ("postgresql.UUID(as_uuid=True)", "postgresql.UUID()", "uuid")
                 for t in gm.TYPES)

INI = """\
[alembic]
script_location = migrations
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = postgresql://localhost/bench

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = WARN
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV = '''\
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


# SQLAlchemy refuses names longer than PostgreSQL's 63 bytes (op.f() too);
# a team shortens them, as this does, the same way in upgrade and downgrade.
LONG_NAME = re.compile(r"\b(?:ix|uq|fk|ck|pk)_[a-z0-9_]{57,}")


def shorten(m):
    name = m.group(0)
    return name[:50] + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=2)
    a = ap.parse_args()
    autogen = sorted(f for f in os.listdir(os.path.join(TOP, "fixtures", "autogen"))
                     if f.endswith(".py"))
    if a.n < len(autogen) + 1:
        ap.error("N must be at least %d" % (len(autogen) + 1))
    versions = os.path.join(a.out, "migrations", "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(a.out, "alembic.ini"), "w") as f:
        f.write(INI)
    with open(os.path.join(a.out, "migrations", "env.py"), "w") as f:
        f.write(ENV)
    with open(os.path.join(a.out, "migrations", "script.py.mako"), "w") as f:
        f.write(MAKO)
    total = 0
    for name in autogen:
        with open(os.path.join(TOP, "fixtures", "autogen", name), encoding="utf-8") as f:
            text = f.read()
        # Autogenerate writes JSONB(astext_type=Text()) without importing
        # Text; every team fixes it by hand before the migration runs.
        text = text.replace("astext_type=Text()", "astext_type=sa.Text()")
        with open(os.path.join(versions, "0000_" + name), "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text.encode())

    g = gm.Gen(a.seed)
    heads = ["85a81973fc03"]  # fixtures/autogen/17_empty.py, the last revision there
    width = max(4, len(str(a.n)))
    i = 0
    left = a.n - len(autogen)
    while left > 0:
        rev = g.rev()
        # Near the end, only merges: one head when the N files are written.
        if len(heads) >= 2 and (left <= len(heads) - 1 or g.r.random() < 0.25):
            down_rev, merge = (heads[0], heads[1]), True
            heads[0:2] = [rev]
        else:
            merge = False
            h = g.r.randrange(len(heads))
            down_rev = heads[h]
            if left > len(heads) + 2 and g.r.random() < 0.04:
                heads.append(rev)
            else:
                heads[h] = rev
        slug, text = g.migration(i, rev, down_rev, merge)
        text = LONG_NAME.sub(shorten, text)
        name = "%0*d_%s_%s.py" % (width, i + 1, rev, slug[:40])
        with open(os.path.join(versions, name), "w") as f:
            f.write(text)
        total += len(text.encode())
        i += 1
        left -= 1
    assert len(heads) == 1, heads
    print("%d revisions, %d bytes, head %s" % (a.n, total, heads[0]))


if __name__ == "__main__":
    sys.exit(main())
