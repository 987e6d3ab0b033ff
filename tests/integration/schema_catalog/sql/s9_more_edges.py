"""identity dropped, renames inside predicates and checks, multi-table DROP

Revision ID: s9
Revises: s8
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 's9'
down_revision = 's8'
branch_labels = None
depends_on = None


def upgrade():
    # Its sequence (billing_runs_run_id_seq) goes with the identity.
    op.execute("ALTER TABLE billing_runs ALTER COLUMN run_id DROP IDENTITY")
    # The partial index's predicate and the check name the new column name.
    op.execute("CREATE INDEX ix_purchases_heavy ON purchases (buyer_id) WHERE weight > 10")
    op.execute("ALTER TABLE purchases RENAME COLUMN weight TO mass")
    op.execute("ALTER TABLE purchases RENAME COLUMN total TO amount")
    # An enum column turned into text (the view that reads it first): the
    # type stays, unused.
    op.execute("DROP VIEW open_purchases")
    op.execute("ALTER TABLE purchases ALTER COLUMN mood TYPE text USING mood::text")
    op.execute("ALTER TABLE purchases ALTER COLUMN mood SET DEFAULT 'ok'")
    op.execute("CREATE TABLE tmp_a (id int); CREATE TABLE tmp_b (id int)")
    op.execute("DROP TABLE IF EXISTS tmp_a, tmp_b")
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_purchases_buyer")


def downgrade():
    raise NotImplementedError
