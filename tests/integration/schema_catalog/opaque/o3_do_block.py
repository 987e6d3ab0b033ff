"""a DO block

Revision ID: o3
Revises: o2
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'o3'
down_revision = 'o2'
branch_labels = None
depends_on = None


def upgrade():
    # PL/pgSQL run at migration time: what it does is not SQL migen reads.
    op.execute("""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_name = 'gadgets' AND column_name = 'serial_no') THEN
                EXECUTE 'ALTER TABLE gadgets ADD COLUMN serial_no text';
            END IF;
        END
        $$
    """)


def downgrade():
    raise NotImplementedError
