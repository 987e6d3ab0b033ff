#!/usr/bin/python3
"""Write one more migration onto a history: the new migration of a pull
request, for the lint benchmark (`--since`) and the cache tests.

    new_migration.py VERSIONS FILE REVISION [PARENT]

VERSIONS/FILE gets revision REVISION after PARENT (default: the history's
single head, the revision no file names as a parent). It adds a NOT NULL
text column note_REVISION to users and a plain index on it: on an existing
table, findings for lint to report.
"""
import glob
import re
import sys


def single_head(versions):
    revs, parents = set(), set()
    for f in glob.glob(versions + "/*.py"):
        t = open(f).read()
        revs.add(re.search(r"^revision = '(\w+)'", t, re.M).group(1))
        parents.update(re.findall(r"'(\w{12})'", re.search(r"^down_revision = (.*)$", t, re.M).group(1)))
    heads = revs - parents
    if len(heads) != 1:
        sys.exit("new_migration.py: %s has %d heads, not one" % (versions, len(heads)))
    return heads.pop()


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    versions, name, rev = sys.argv[1:4]
    parent = sys.argv[4] if len(sys.argv) == 5 else single_head(versions)
    col = "note_" + rev
    with open(versions + "/" + name, "w") as f:
        f.write('''"""add users %(col)s

Revision ID: %(rev)s
Revises: %(parent)s
"""
from alembic import op
import sqlalchemy as sa

revision = '%(rev)s'
down_revision = '%(parent)s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('%(col)s', sa.Text(), nullable=False))
    op.create_index('ix_users_%(col)s', 'users', ['%(col)s'])


def downgrade() -> None:
    op.drop_index('ix_users_%(col)s', table_name='users')
    op.drop_column('users', '%(col)s')
''' % {"col": col, "rev": rev, "parent": parent})


main()
