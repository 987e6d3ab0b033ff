"""g4_merge.py

Revision ID: g4
Revises: ('g3a', 'g3b')
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g4'
down_revision = ('g3a', 'g3b')
branch_labels = None
depends_on = None


def upgrade():
    # A merge revision that also changes the schema.
    op.add_column("users", sa.Column("merged_at", sa.DateTime(timezone=True)))
    op.create_unique_constraint("uq_users_email", "users", ["email"])


def downgrade():
    raise NotImplementedError
