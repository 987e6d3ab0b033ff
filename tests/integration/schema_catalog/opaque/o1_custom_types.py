"""custom types

Revision ID: o1
Revises:
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import myapp.types
from myapp.types import UTCDateTime

import myapp.enums

# revision identifiers, used by Alembic.
revision = 'o1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gadgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        # Unknown without importing myapp: migen must not guess.
        sa.Column("guid", myapp.types.GUID(), nullable=False),
        # Mapped in pyproject.toml's [tool.migen.types].
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        # Labels from a Python enum class in the application: the type's
        # name is known, its labels are not.
        sa.Column("color", sa.Enum(myapp.enums.Color, name="color")),
    )
    op.create_table(
        "widgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def downgrade():
    raise NotImplementedError
