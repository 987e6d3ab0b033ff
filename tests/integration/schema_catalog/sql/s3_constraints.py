"""s3_constraints.py

Revision ID: s3
Revises: 's2'
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's3'
down_revision = 's2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID")
    op.execute("ALTER TABLE orders ADD CONSTRAINT orders_weight_check CHECK (weight > 0) NOT VALID")
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive")
    op.execute(
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer_cascade "
        "FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID"
    )
    op.execute("ALTER TABLE customers ADD CONSTRAINT customers_name_uq UNIQUE (name, kind)")
    op.execute("ALTER TABLE customers ADD UNIQUE (\"Nick\")")
    op.execute("ALTER TABLE orders ADD CHECK (shipped_at > '2020-01-01')")
    op.execute("ALTER TABLE customers ALTER COLUMN email SET NOT NULL, ALTER COLUMN name DROP NOT NULL")


def downgrade():
    raise NotImplementedError
