"""DDL that changes none of the facts compared: views, functions, triggers, comments, grants

Revision ID: s8
Revises: s7
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 's8'
down_revision = 's7'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE VIEW open_purchases AS SELECT id, buyer_id FROM purchases WHERE mood <> 'blue'")
    op.execute("""
        CREATE OR REPLACE FUNCTION touch_purchase() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.weight := coalesce(NEW.weight, 1);
            RETURN NEW;
        END;
        $$
    """)
    op.execute(
        "CREATE TRIGGER purchases_touch BEFORE INSERT OR UPDATE ON purchases "
        "FOR EACH ROW EXECUTE FUNCTION touch_purchase()"
    )
    op.execute("COMMENT ON TABLE purchases IS 'what customers bought'")
    op.execute("COMMENT ON COLUMN purchases.weight IS 'kg'")
    op.execute("GRANT SELECT ON purchases TO PUBLIC")
    op.execute("ANALYZE purchases")
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("UPDATE purchases SET weight = 1 WHERE weight IS NULL")
    op.create_table_comment("customers", "people who buy")


def downgrade():
    raise NotImplementedError
