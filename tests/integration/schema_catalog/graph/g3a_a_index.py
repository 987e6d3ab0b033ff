"""g3a_a_index.py

Revision ID: g3a
Revises: 'g2a'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g3a'
down_revision = 'g2a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_a_items_user_id", "a_items", ["user_id"])
    op.alter_column("a_items", "label", type_=sa.String(120), existing_type=sa.String(50))


def downgrade():
    raise NotImplementedError
