"""op.* calls

Revision ID: t3
Revises: t2
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 't3'
down_revision = 't2'
branch_labels = None
depends_on = None


def upgrade():
    # add_column with a foreign key and unique: Alembic adds the unnamed
    # constraints too (plain_owner_id_fkey, plain_slug_key).
    op.add_column("plain", sa.Column("owner_id", sa.Integer(),
                                     sa.ForeignKey("items.id"), nullable=True))
    op.add_column("plain", sa.Column("slug", sa.String(30), unique=True))
    op.add_column("plain", sa.Column("n", sa.Integer(), server_default="5",
                                     nullable=False))
    op.create_foreign_key("fk_plain_items_ref", "plain", "items", ["ref"],
                          ["id"], ondelete="SET NULL", postgresql_not_valid=True)
    op.create_unique_constraint("uq_items_title_kind", "items", ["title", "kind"])
    op.create_check_constraint("ck_items_price", "items", "price >= 0")
    op.create_index("ix_items_title_lower", "items", [sa.text("lower(title)")],
                    postgresql_where=sa.text("active"))
    op.create_index("ix_items_meta", "items", ["meta"], postgresql_using="gin")
    op.create_index("ix_items_at", "items", ["at"], postgresql_using="brin")
    # INCLUDE columns are not key columns.
    op.create_index("ix_items_sku_cover", "items", ["sku"],
                    postgresql_include=["price", "title"])
    op.create_unique_constraint(None, "items", ["title", "sku"])  # items_title_sku_key
    op.create_table(
        "nopk",
        sa.Column("a", sa.Integer(), nullable=False),
        sa.Column("b", sa.Text()),
    )
    op.create_primary_key("pk_nopk", "nopk", ["a"])
    # A generated column: no default.
    op.add_column("items", sa.Column("price_x2", sa.Numeric(12, 2),
                                     sa.Computed("price * 2")))
    # Names past 63 bytes: PostgreSQL shortens the longer part of the names
    # it makes (the sequence, the foreign key, the unique constraint).
    op.create_table(
        "subscription_renewal_reminder_notifications_for_enterprise_plans",
        sa.Column("notification_identifier_for_subscription_renewal",
                  sa.Integer(), primary_key=True),
        sa.Column("subscription_renewal_reminder_template_item_id",
                  sa.Integer(), sa.ForeignKey("items.id")),
        sa.Column("external_reference_code_for_billing_department",
                  sa.String(10), unique=True),
    )
    op.alter_column("items", "body", type_=sa.String(2000),
                    existing_type=sa.Text())
    op.alter_column("items", "small", type_=sa.BigInteger(),
                    postgresql_using="small::bigint")
    op.alter_column("items", "title", server_default="untitled")
    op.alter_column("items", "price", server_default=None)
    op.alter_column("items", "updated", nullable=False,
                    server_default=sa.text("now()"))


def downgrade():
    raise NotImplementedError
