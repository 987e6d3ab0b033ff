"""what teams write

Revision ID: t5
Revises: t4
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 't5'
down_revision = 't4'
branch_labels = None
depends_on = None

priority = postgresql.ENUM("low", "normal", "high", name="priority")


def upgrade():
    # The type made through the bind, then used without creating it again.
    priority.create(op.get_bind(), checkfirst=True)
    op.add_column("items", sa.Column(
        "priority", postgresql.ENUM(name="priority", create_type=False),
        nullable=False, server_default="normal"))
    # Mixed case and reserved words: SQLAlchemy quotes them.
    levels = op.create_table(
        "AuditEntry",
        sa.Column("ID", sa.Integer(), primary_key=True),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(40)),
        sa.Column("item_id", sa.Integer(),
                  sa.ForeignKey("items.id", ondelete="cascade")),
        sa.Column("charge_id", sa.BigInteger()),
        sa.Column("at", sa.DateTime(),
                  server_default=sa.text("(now() at time zone 'utc')")),
        sa.Column("seen", sa.Boolean(), server_default="false"),
        sa.Column("n", sa.Integer(), server_default=sa.literal_column("0")),
        sa.Column("stamp", sa.DateTime(timezone=True),
                  server_default=sa.func.current_timestamp()),
        sa.PrimaryKeyConstraint("ID", name="audit_entry_pk"),
        sa.CheckConstraint('"order" >= 0', name="ck_audit_order"),
    )
    op.bulk_insert(levels, [{"ID": 1, "order": 0}])
    op.create_foreign_key("fk_audit_charge", "AuditEntry", "charges",
                          ["charge_id"], ["payment_id"],
                          referent_schema="billing", ondelete="set null")
    op.create_index("ix_audit_order_user", "AuditEntry", ["order", "user"])
    with op.get_context().autocommit_block():
        op.create_index("ix_audit_item", "AuditEntry", ["item_id"],
                        postgresql_concurrently=True)
        op.drop_index("ix_items_at", table_name="items",
                      postgresql_concurrently=True)
    op.add_column("charges", sa.Column("note", sa.Text()), schema="billing")
    op.create_index("ix_charges_note", "charges", ["note"], schema="billing",
                    postgresql_where=sa.text("note IS NOT NULL"))


def downgrade():
    raise NotImplementedError
