"""s1_create.py

Revision ID: s1
Revises: None
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Unquoted identifiers fold to lower case; unnamed constraints get
    # PostgreSQL's names (customers_pkey, customers_email_key,
    # customers_score_check, orders_customer_id_fkey).
    op.execute("""
        CREATE TABLE Customers (
            Id bigserial PRIMARY KEY,
            email text NOT NULL UNIQUE,
            name varchar(100),
            created_at timestamptz NOT NULL DEFAULT now(),
            kind char(1) DEFAULT 'a',
            score numeric(10, 2) CHECK (score >= 0),
            "Nick" text,
            tags text[] DEFAULT '{}',
            ratio double precision,
            flags bit varying(8),
            born date,
            at time with time zone,
            span interval
        )
    """)
    op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok')")
    op.execute("CREATE SEQUENCE invoice_no_seq START 1000")
    op.execute(sa.text("""
        CREATE TABLE orders (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            customer_id bigint REFERENCES customers (id) ON DELETE RESTRICT,
            mood mood,
            total numeric(12, 2) NOT NULL DEFAULT 0,
            invoice_no bigint DEFAULT nextval('invoice_no_seq'),
            note text,
            CONSTRAINT orders_note_len CHECK (char_length(note) < 1000)
        );
        CREATE TABLE audit_log (id serial, msg text NOT NULL, at timestamp(0) DEFAULT CURRENT_TIMESTAMP)
    """))
    # Unnamed constraints: pairs_pkey, pairs_b_c_key, pairs_c_check and
    # pairs_c_check1 (the second on the same column), pairs_check (two
    # columns).
    op.execute("""
        CREATE TABLE IF NOT EXISTS pairs (
            a int, b int,
            c int CHECK (c > 0) CHECK (c < 100),
            PRIMARY KEY (a, b),
            UNIQUE (b, c),
            CHECK (a < b)
        )
    """)
    op.execute("CREATE TABLE regions (id smallint PRIMARY KEY, name text)")


def downgrade():
    raise NotImplementedError
