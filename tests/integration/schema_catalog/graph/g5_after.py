"""g5_after.py

Revision ID: g5
Revises: 'g4'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g5'
down_revision = 'g4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_b_items_a_item_id", "b_items", ["a_item_id"])
    op.drop_column("users", "a_flag")
    op.alter_column("a_items", "label", nullable=False, server_default="none")


def downgrade():
    raise NotImplementedError
