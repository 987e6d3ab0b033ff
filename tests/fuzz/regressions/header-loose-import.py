# migen fixture: the docstring header says "Revises: zzz" and "Revision ID:
# www" but the code says revision = "xxx", down_revision = "yyy". Alembic
# only uses the variables; the tool must trust the code, not the docstring.
"""add spaces.slug

Revision ID: www
Revises: zzz
Create Date: 2024-03-20 10:30:00.000000

"""
from alembic import op
import sqy Alembic.
revision = "xxx"
down_revision = "yyy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('spaces', sa.Column('slug', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column(


def downgrade() -> None:
    op.drop_column('spaces', 'slug')
