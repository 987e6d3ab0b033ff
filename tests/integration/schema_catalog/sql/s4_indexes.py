"""s4_indexes.py

Revision ID: s4
Revises: 's3'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's4'
down_revision = 's3'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id)")
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_uid ON orders (uid)")
    op.execute("CREATE UNIQUE INDEX ix_customers_lower_email ON customers (lower(email))")
    op.execute("CREATE INDEX ix_orders_open ON orders (customer_id, shipped_at) WHERE shipped_at IS NULL AND mood <> 'sad'")
    op.execute("CREATE INDEX ix_orders_total ON orders USING hash (total)")
    op.execute("CREATE INDEX ix_customers_tags ON customers USING gin (tags)")
    op.execute("CREATE INDEX ix_orders_expr ON orders (customer_id, (total * 2), date_trunc('day', shipped_at AT TIME ZONE 'UTC'))")
    op.execute("CREATE INDEX ON audit_log (at)")  # PostgreSQL names it audit_log_at_idx
    op.execute("CREATE INDEX ON audit_log (lower(msg))")  # audit_log_lower_idx
    op.execute("CREATE INDEX ON pairs (c)")  # pairs_c_idx
    op.execute("CREATE INDEX ON pairs (c)")  # pairs_c_idx1
    op.execute("CREATE INDEX ON pairs (a, c)")  # pairs_a_c_idx
    op.execute("ALTER TABLE customers ADD COLUMN region_id smallint REFERENCES regions")


def downgrade():
    raise NotImplementedError
