"""g2a_a_items.py

Revision ID: g2a
Revises: 'g1'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g2a'
down_revision = 'g1'
branch_labels = ('alpha',)
depends_on = None


def upgrade():
    # Branch alpha.
    op.create_table(
        "a_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label", sa.String(50)),
    )
    op.add_column("users", sa.Column("a_flag", sa.Boolean(), server_default=sa.false()))
    # Only this branch changes nick; the merge keeps the change.
    op.alter_column("users", "nick", type_=sa.String(50), existing_type=sa.Text())


def downgrade():
    raise NotImplementedError
