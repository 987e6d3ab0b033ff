"""g1_users.py

Revision ID: g1
Revises: None
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("legacy", sa.Text()),
        sa.Column("nick", sa.Text()),
    )
    op.create_index("ix_users_legacy", "users", ["legacy"])


def downgrade():
    raise NotImplementedError
