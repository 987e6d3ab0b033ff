"""edges: comments in SQL, serial added later, CASCADE, primary keys

Revision ID: s7
Revises: s6
Create Date: 2026-11-30 03:00:00.000000

"""
import textwrap

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's7'
down_revision = 's6'
branch_labels = None
depends_on = None


def upgrade():
    # textwrap.dedent() of a literal: still a literal.
    op.execute(textwrap.dedent("""
        -- A serial column added later: its sequence, default and NOT NULL.
        ALTER TABLE billing_runs ADD COLUMN seq_no serial;
    """))
    op.execute("""
        /* one table that references the other's keys */
        CREATE TABLE hubs (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE spokes (id int, hub_code text REFERENCES hubs (code), hub_id int REFERENCES hubs);
    """)
    # DROP COLUMN ... CASCADE takes the foreign key of the other table that
    # uses the unique constraint on it (spokes_hub_code_fkey).
    op.execute("ALTER TABLE hubs DROP COLUMN code CASCADE")
    # A primary key made on a nullable column makes it NOT NULL; dropping
    # the key leaves it NOT NULL.
    op.create_primary_key("spokes_pkey", "spokes", ["id"])
    # The foreign key that needs the primary key goes with it (CASCADE);
    # hubs.id stays NOT NULL.
    op.execute("ALTER TABLE hubs DROP CONSTRAINT hubs_pkey CASCADE")


def downgrade():
    raise NotImplementedError
