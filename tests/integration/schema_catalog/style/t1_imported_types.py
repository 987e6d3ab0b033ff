"""types imported by name

Revision ID: t1
Revises:
Create Date: 2026-11-30 03:00:00.000000

"""
from alembic import op
from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Enum,
                        ForeignKey, Integer, Numeric, String, Text, text)
from sqlalchemy.dialects.postgresql import (ARRAY, BIT, BYTEA, CIDR,
                                            DATERANGE, MACADDR, TSTZRANGE,
                                            DOUBLE_PRECISION, ENUM, INET,
                                            INTERVAL, JSON, JSONB, MONEY,
                                            TIMESTAMP, TSVECTOR, UUID)
import sqlalchemy as types

# revision identifiers, used by Alembic.
revision = 't1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "items",
        Column("id", Integer, primary_key=True),
        Column("sku", String(32), nullable=False, unique=True),
        Column("title", String, nullable=False),
        Column("body", Text),
        Column("price", Numeric(10, 2), nullable=False, server_default=text("0")),
        Column("meta", JSONB, server_default=text("'{}'")),
        Column("raw", JSON),
        Column("ident", UUID(as_uuid=True), nullable=False, unique=True,
               server_default=text("gen_random_uuid()")),
        Column("labels", ARRAY(String(20))),
        Column("grid", ARRAY(Integer, dimensions=2)),
        Column("at", TIMESTAMP(timezone=True), server_default=text("CURRENT_TIMESTAMP")),
        Column("host", INET),
        Column("blob", BYTEA),
        Column("weight", DOUBLE_PRECISION),
        Column("cost", MONEY),
        Column("ttl", INTERVAL),
        Column("search", TSVECTOR),
        Column("active", Boolean, nullable=False, server_default="true"),
        Column("small", types.SmallInteger),
        Column("kind", ENUM("book", "toy", name="item_kind"), nullable=False,
               server_default="book"),
        Column("state", Enum("new", "sold", name="item_state")),
        Column("updated", DateTime),
        # Not a PostgreSQL enum: VARCHAR as long as the longest label.
        Column("grade", Enum("a", "bbbb", "cc", name="grade", native_enum=False)),
        Column("big", BigInteger().with_variant(Integer, "sqlite")),
        Column("f53", types.Float(53)),
        Column("f10", types.Float(precision=10)),
        Column("utext", types.UnicodeText),
        Column("ttz", types.Time(timezone=True)),
        Column("ts6", TIMESTAMP(timezone=True, precision=6)),
        Column("uuids", ARRAY(UUID(as_uuid=True))),
        Column("during", TSTZRANGE),
        Column("days", DATERANGE),
        Column("net", CIDR),
        Column("mac", MACADDR),
        Column("bits", BIT(3)),
        Column("secs", INTERVAL(precision=2)),
    )
    # A lone SMALLINT primary key: SMALLSERIAL.
    op.create_table(
        "levels",
        Column("id", types.SmallInteger, primary_key=True),
        Column("name", String(20), nullable=False),
    )
    # An explicit Sequence: a plain INTEGER (SQLAlchemy calls nextval itself)
    # and Alembic's create_table does not create the sequence.
    op.create_table(
        "tickets",
        Column("id", Integer, types.Sequence("ticket_id_seq"), primary_key=True),
        Column("title", Text),
    )
    op.create_table(
        "tags",
        Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"),
               primary_key=True),
        Column("name", String(40), primary_key=True),
        # No SERIAL: only a lone integer primary key autoincrements.
        Column("pos", BigInteger, nullable=False),
    )
    op.create_table(
        "plain",
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("code", String(8), index=True),
        Column("ref", Integer, unique=True, index=True),
    )


def downgrade():
    raise NotImplementedError
