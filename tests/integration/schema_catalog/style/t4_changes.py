"""renames and drops through op.*

Revision ID: t4
Revises: t3
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 't4'
down_revision = 't3'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("plain", "simple")
    op.alter_column("simple", "code", new_column_name="short_code")
    op.drop_constraint("fk_plain_items_ref", "simple", type_="foreignkey")
    op.drop_constraint("plain_slug_key", "simple", type_="unique")
    op.drop_index("ix_plain_code", table_name="simple")
    op.drop_column("items", "search")
    op.drop_column("items", "meta")  # takes ix_items_meta
    op.drop_column("items", "kind")  # takes uq_items_title_kind
    op.drop_table("tags")
    op.drop_constraint("ck_refunds_amount", "refunds", type_="check")
    op.drop_index("ix_payments_status", table_name="payments", schema="billing")
    op.alter_column("payments", "amount", new_column_name="total",
                    schema="billing")
    op.execute("DROP TYPE item_kind")
    # A renamed key column: the primary key, the foreign key pointing at it
    # (fk_refunds_payment's ref_columns) follow; the sequence keeps its name.
    op.alter_column("payments", "id", new_column_name="payment_id",
                    schema="billing")
    op.rename_table("payments", "charges", schema="billing")
    # The unique constraints on it follow too.
    op.alter_column("items", "sku", new_column_name="stock_code")


def downgrade():
    raise NotImplementedError
