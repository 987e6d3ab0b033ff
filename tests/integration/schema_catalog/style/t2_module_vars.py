"""types and enums kept in module variables

Revision ID: t2
Revises: t1
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 't2'
down_revision = 't1'
branch_labels = None
depends_on = None

Money = sa.Numeric(12, 2)
status_enum = sa.Enum("pending", "paid", "void", name="payment_status")
# The type exists once: the second table must not create it again.
status_existing = postgresql.ENUM("pending", "paid", "void",
                                  name="payment_status", create_type=False)
Stamp = sa.DateTime(timezone=True)
Json = postgresql.JSONB(astext_type=sa.Text())


def upgrade():
    op.execute("CREATE SCHEMA billing")
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("amount", Money, nullable=False),
        sa.Column("status", status_enum, nullable=False,
                  server_default="pending"),
        sa.Column("at", Stamp, server_default=sa.func.now()),
        sa.Column("data", Json),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("public.items.id")),
        schema="billing",
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), sa.Identity(start=100), primary_key=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=False),
        sa.Column("status", status_existing, nullable=False),
        sa.Column("amount", Money),
        sa.ForeignKeyConstraint(["payment_id"], ["billing.payments.id"],
                                name="fk_refunds_payment", ondelete="CASCADE"),
        sa.CheckConstraint("amount > 0", name="ck_refunds_amount"),
    )
    op.create_index("ix_payments_status", "payments", ["status"],
                    schema="billing", postgresql_using="hash")


def downgrade():
    raise NotImplementedError
