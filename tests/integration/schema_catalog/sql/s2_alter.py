"""s2_alter.py

Revision ID: s2
Revises: 's1'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's2'
down_revision = 's1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE orders ADD COLUMN shipped_at timestamptz")
    op.execute("ALTER TABLE orders ADD COLUMN IF NOT EXISTS weight real, ADD COLUMN uid uuid NOT NULL DEFAULT gen_random_uuid()")
    op.execute("ALTER TABLE orders DROP COLUMN note")  # takes orders_note_len
    op.execute("ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2)")
    op.execute("ALTER TABLE orders ALTER COLUMN total DROP DEFAULT")
    op.execute("ALTER TABLE orders ALTER COLUMN mood SET NOT NULL")
    op.execute("ALTER TABLE orders ALTER COLUMN mood SET DEFAULT 'ok'")
    op.execute("ALTER TABLE customers ALTER COLUMN name SET DATA TYPE varchar(200), ALTER COLUMN kind DROP DEFAULT")
    op.execute("ALTER TABLE audit_log ADD PRIMARY KEY (id)")
    op.execute("ALTER TYPE mood ADD VALUE 'happy'")
    op.execute("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'")
    op.execute("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad'")


def downgrade():
    raise NotImplementedError
