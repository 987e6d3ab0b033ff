"""g2b_b_items.py

Revision ID: g2b
Revises: 'g1'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g2b'
down_revision = 'g1'
branch_labels = ('beta',)
depends_on = None


def upgrade():
    # Branch beta. Only this branch drops legacy (and its index): after the
    # merge it is gone, though the other parent still has it.
    op.drop_column("users", "legacy")
    op.add_column("users", sa.Column("b_flag", sa.Boolean()))
    op.create_table(
        "b_items",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE")),
    )


def downgrade():
    raise NotImplementedError
