"""helpers, loops and SQL made at run time

Revision ID: o2
Revises: o1
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'o2'
down_revision = 'o1'
branch_labels = None
depends_on = None

TABLES = ["gadgets", "widgets"]


def add_created_at(table):
    op.add_column(table, sa.Column("created_at", sa.DateTime(timezone=True),
                                   server_default=sa.func.now()))


def upgrade():
    add_created_at("widgets")
    for table in TABLES:
        op.add_column(table, sa.Column("touched_at", sa.DateTime()))
    name = "widgets"
    op.execute("CREATE INDEX ix_%s_name ON %s (name)" % (name, name))
    op.get_bind().execute(sa.text("CREATE INDEX ix_widgets_made ON widgets (id, name)"))
    op.execute(sa.schema.CreateSequence(sa.Sequence("order_number_seq", start=100)))


def downgrade():
    raise NotImplementedError
