"""s5_renames_drops.py

Revision ID: s5
Revises: 's4'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's5'
down_revision = 's4'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE orders RENAME TO purchases")
    op.execute("ALTER TABLE purchases RENAME COLUMN customer_id TO buyer_id")
    op.execute("ALTER INDEX ix_orders_customer RENAME TO ix_purchases_buyer")
    op.execute("ALTER TABLE purchases RENAME CONSTRAINT orders_total_positive TO purchases_total_positive")
    op.execute("ALTER TABLE customers DROP CONSTRAINT customers_name_uq")
    op.execute("DROP INDEX ix_orders_total")
    op.execute("DROP INDEX IF EXISTS ix_no_such_index")
    op.execute("ALTER TABLE customers DROP COLUMN tags")  # takes ix_customers_tags
    op.execute("ALTER TABLE purchases DROP COLUMN shipped_at")  # takes ix_orders_open, ix_orders_expr, orders_shipped_at_check
    op.execute("DROP TABLE audit_log")
    # Takes customers_region_id_fkey with it; the column stays.
    op.execute("DROP TABLE regions CASCADE")
    op.execute("CREATE TYPE size AS ENUM ('s', 'm'); DROP TYPE size")
    op.execute("ALTER TABLE purchases ALTER COLUMN weight SET DEFAULT 1.5, ALTER COLUMN uid DROP NOT NULL")


def downgrade():
    raise NotImplementedError
