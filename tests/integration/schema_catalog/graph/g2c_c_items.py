"""g2c_c_items.py

Revision ID: g2c
Revises: 'g1'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g2c'
down_revision = 'g1'
branch_labels = ('gamma',)
depends_on = None


def upgrade():
    # A third branch, never merged: a second head.
    op.create_table(
        "c_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("n", sa.Integer(), server_default="1", nullable=False),
    )
    op.create_index("ix_c_items_user", "c_items", ["user_id"], unique=True)


def downgrade():
    raise NotImplementedError
