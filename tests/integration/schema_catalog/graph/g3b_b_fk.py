"""g3b_b_fk.py

Revision ID: g3b
Revises: 'g2b'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g3b'
down_revision = 'g2b'
branch_labels = None
depends_on = 'g2a'


def upgrade():
    # Needs a_items from the other branch: depends_on runs g2a first (but
    # not g3a).
    op.add_column("b_items", sa.Column("a_item_id", sa.Integer()))
    op.create_foreign_key("fk_b_items_a_item", "b_items", "a_items",
                          ["a_item_id"], ["id"], ondelete="SET NULL")


def downgrade():
    raise NotImplementedError
