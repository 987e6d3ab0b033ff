"""batch by hand

Revision ID: b004
Revises: b003
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b004'
down_revision = 'b003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.alter_column("value", new_column_name="reading",
                              existing_type=sa.Float())
        batch_op.add_column(sa.Column("unit", sa.String(8), nullable=False,
                                      server_default="C"))
        batch_op.create_check_constraint("ck_readings_unit",
                                         "unit IN ('C', 'F')")
        batch_op.create_unique_constraint("uq_readings_device_at",
                                          ["device_id", "at"])
        batch_op.drop_constraint("fk_readings_device_id_devices",
                                 type_="foreignkey")
        batch_op.create_foreign_key("fk_readings_device", "devices",
                                    ["device_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("devices") as batch_op:
        batch_op.alter_column("registered_at", server_default=None)
        batch_op.alter_column("kind", type_=sa.Text(),
                              existing_type=sa.String(40))
        batch_op.create_index("ix_devices_kind", ["kind"],
                              postgresql_where=sa.text("kind <> 'test'"))
        batch_op.drop_column("serial")


def downgrade():
    raise NotImplementedError
