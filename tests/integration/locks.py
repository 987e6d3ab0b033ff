#!/usr/bin/python3
"""What a migration statement locks, scans and rewrites on PostgreSQL 15,
measured, not taken from the documentation.

A case (CASES below, plain data: add yours at the end) is setup SQL (tables
with rows), the statements a writer keeps running, and forms: the form a
rule flags and migen's fix. A form is a list of steps; each step is one
Alembic revision (env.py runs one transaction per revision), so the locks a
step holds at its end are the locks it holds until it commits.

For each form, on a fresh database, `alembic upgrade head` runs while
  - a writer thread loops over the case's INSERT/UPDATE statements, timing
    each one;
  - the sampler (this thread) holds a pair of advisory locks per step. The
    migration waits on the first before its step; the sampler lets it go.
    A transactional step then waits on the second right after its
    statement, inside its transaction: the sampler reads pg_locks for the
    migration's backend (the locks the step holds until commit), keeps it
    there for PAUSE seconds while the writer runs, and lets it go. A step
    in an autocommit block (CONCURRENTLY) cannot be held after its
    statement: for those the sampler holds an open transaction with ROW
    EXCLUSIVE on the step's table before letting the step go, so the
    concurrent build/drop waits for it (as it waits for any open writer),
    and reads pg_locks while it waits.
  - the migration itself records, before and after each step, from inside
    its own transaction, each case table's relfilenode (a new one = the
    table was rewritten) and its sequential scans in this transaction
    (pg_stat_xact_user_tables: the step read the whole table).

Each step carries claims that must hold, so the flagged form must show the
hazard the rule claims and the fix must not:
    lock REL MODE      the step holds MODE on REL
    nolock REL MODE    it does not
    scan REL / noscan REL          REL was (not) read in full by the step
    rewrite REL / norewrite REL    REL got (did not get) a new relfilenode
    writes-blocked     a writer statement waited >= PAUSE/2 in the step
    writes-flow        writer statements completed and none waited that long

Usage (run by tests/integration/locks.sh, which starts the server):
    locks.py WORKDIR OUT.json [--update-docs | --check-docs] [CASE...]
Exit status 1 when a claim fails or docs/rules.md does not show the
measured table (--update-docs rewrites the generated blocks).
"""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

import psycopg2

PY = "/usr/bin/python3"
PAUSE = float(os.environ.get("LOCKS_PAUSE", "0.4"))
ROWS = int(os.environ.get("LOCKS_ROWS", "20000"))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Two tables most cases share: a parent with rows and a child with rows
# pointing at it, no foreign key yet.
BASE = """
CREATE TABLE customers (id bigserial PRIMARY KEY, email varchar(100), name text);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint, total integer NOT NULL DEFAULT 0,
                     note varchar(50), status text, amount numeric(10,2), code integer);
INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', 'name ' || g
  FROM generate_series(1, {rows}) g;
INSERT INTO orders (customer_id, total, note, status, amount, code)
  SELECT 1 + g % {rows}, g, 'note ' || g, 'open', g / 100.0, g FROM generate_series(1, {rows}) g;
CREATE INDEX orders_status_idx ON orders (status);
ANALYZE customers; ANALYZE orders;
"""
WRITES = [
    "INSERT INTO orders (customer_id, total, note, status, amount, code) "
    "VALUES (1 + {n} % 1000, 1, 'w', 'open', 1, NULL)",
    "UPDATE orders SET total = total + 1 WHERE id = 1 + {n} % 1000",
]


def step(label, code, claims, concurrent=None):
    """One revision. concurrent: the table a CONCURRENTLY step works on."""
    return dict(label=label, code=code, claims=claims, concurrent=concurrent)


def type_case(pair, old, new, rewrite, using=""):
    """ALTER COLUMN TYPE: orders.<col> from old to new type; rewrite or not."""
    col = "c_" + re.sub(r"\W+", "_", pair)
    setup = BASE + ("ALTER TABLE orders ADD COLUMN {c} {old};\n"
                    "UPDATE orders SET {c} = (code % 100)::text::{old};\n").format(c=col, old=old)
    sql = "ALTER TABLE orders ALTER COLUMN {c} TYPE {new}{using}".format(c=col, new=new, using=using)
    claims = ["lock orders ACCESS EXCLUSIVE"]
    claims += ["rewrite orders"] if rewrite else ["norewrite orders"]
    return dict(id="type-" + pair, rule="column-type-rewrites", tables=["orders", "customers"],
                setup=setup, writes=WRITES, title="%s → %s" % (old, new),
                forms=[dict(form="measured", steps=[step(
                    "ALTER COLUMN TYPE %s → %s" % (old, new),
                    "op.execute(%r)" % sql, claims)])])


CASES = [
    dict(id="add-foreign-key", rule="add-foreign-key-validates", tables=["orders", "customers"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD CONSTRAINT … FOREIGN KEY (op.create_foreign_key)",
                 'op.create_foreign_key("orders_customer_id_fkey", "orders", "customers", '
                 '["customer_id"], ["id"])',
                 ["lock orders SHARE ROW EXCLUSIVE", "lock customers SHARE ROW EXCLUSIVE",
                  "scan orders", "norewrite orders", "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("ADD CONSTRAINT … FOREIGN KEY … NOT VALID",
                      'op.create_foreign_key("orders_customer_id_fkey", "orders", "customers", '
                      '["customer_id"], ["id"], postgresql_not_valid=True)',
                      ["noscan orders", "norewrite orders"]),
                 step("VALIDATE CONSTRAINT (own transaction)",
                      'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey")',
                      ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders SHARE ROW EXCLUSIVE",
                       "lock customers ROW SHARE", "nolock customers SHARE ROW EXCLUSIVE",
                       "scan orders", "writes-flow"])])]),
    dict(id="add-column-foreign-key", rule="add-foreign-key-validates",
         tables=["orders", "customers"], setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD COLUMN … REFERENCES (op.add_column with sa.ForeignKey)",
                 'op.add_column("orders", sa.Column("referrer_id", sa.BigInteger(), '
                 'sa.ForeignKey("customers.id", name="fk_orders_referrer")))',
                 ["lock orders ACCESS EXCLUSIVE", "lock customers SHARE ROW EXCLUSIVE",
                  "scan orders", "norewrite orders", "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("ADD COLUMN, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID",
                      'op.add_column("orders", sa.Column("referrer_id", sa.BigInteger()))\n    '
                      'op.create_foreign_key("fk_orders_referrer", "orders", "customers", '
                      '["referrer_id"], ["id"], postgresql_not_valid=True)',
                      ["noscan orders", "norewrite orders"]),
                 step("VALIDATE CONSTRAINT (own transaction)",
                      'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_referrer")',
                      ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                       "nolock customers SHARE ROW EXCLUSIVE", "writes-flow"])])]),
    dict(id="add-check", rule="add-check-validates", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD CONSTRAINT … CHECK (op.create_check_constraint)",
                 'op.create_check_constraint("orders_total_positive", "orders", "total >= 0")',
                 ["lock orders ACCESS EXCLUSIVE", "scan orders", "norewrite orders",
                  "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("ADD CONSTRAINT … CHECK … NOT VALID",
                      'op.create_check_constraint("orders_total_positive", "orders", "total >= 0", '
                      'postgresql_not_valid=True)',
                      ["noscan orders", "norewrite orders"]),
                 step("VALIDATE CONSTRAINT (own transaction)",
                      'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive")',
                      ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                       "scan orders", "writes-flow"])])]),
    dict(id="set-not-null", rule="set-not-null-scans", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ALTER COLUMN … SET NOT NULL (op.alter_column nullable=False)",
                 'op.alter_column("orders", "customer_id", existing_type=sa.BigInteger(), '
                 'nullable=False)',
                 ["lock orders ACCESS EXCLUSIVE", "scan orders", "norewrite orders",
                  "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("ADD CONSTRAINT … CHECK (customer_id IS NOT NULL) NOT VALID",
                      'op.execute("ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null '
                      'CHECK (customer_id IS NOT NULL) NOT VALID")',
                      ["noscan orders", "norewrite orders"]),
                 step("VALIDATE CONSTRAINT (own transaction)",
                      'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT '
                      'orders_customer_id_not_null")',
                      ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                       "scan orders", "writes-flow"]),
                 step("SET NOT NULL with the validated CHECK, then DROP CONSTRAINT",
                      'op.alter_column("orders", "customer_id", existing_type=sa.BigInteger(), '
                      'nullable=False)\n    '
                      'op.drop_constraint("orders_customer_id_not_null", "orders", type_="check")',
                      ["lock orders ACCESS EXCLUSIVE", "noscan orders", "norewrite orders"])])]),
    dict(id="unique-constraint", rule="unique-constraint-locks", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD CONSTRAINT … UNIQUE (op.create_unique_constraint)",
                 'op.create_unique_constraint("orders_code_key", "orders", ["code"])',
                 ["lock orders SHARE", "lock orders ACCESS EXCLUSIVE", "scan orders",
                  "norewrite orders", "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("CREATE UNIQUE INDEX CONCURRENTLY (autocommit block)",
                      'with op.get_context().autocommit_block():\n        '
                      'op.create_index("orders_code_key", "orders", ["code"], unique=True, '
                      'postgresql_concurrently=True)',
                      ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders SHARE",
                       "nolock orders ACCESS EXCLUSIVE", "norewrite orders", "writes-flow"],
                      concurrent="orders"),
                 step("ADD CONSTRAINT … UNIQUE USING INDEX",
                      'op.execute("ALTER TABLE orders ADD CONSTRAINT orders_code_key '
                      'UNIQUE USING INDEX orders_code_key")',
                      ["lock orders ACCESS EXCLUSIVE", "noscan orders", "norewrite orders"])])]),
    dict(id="drop-index", rule="drop-index-locks", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "DROP INDEX (op.drop_index)",
                 'op.drop_index("orders_status_idx", table_name="orders")',
                 ["lock orders ACCESS EXCLUSIVE", "noscan orders", "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "DROP INDEX CONCURRENTLY (autocommit block)",
                 'with op.get_context().autocommit_block():\n        '
                 'op.execute("DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx")',
                 ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                  "writes-flow"], concurrent="orders")])]),
    type_case("int-bigint", "integer", "bigint", True),
    type_case("text-jsonb", "text", "jsonb", True, " USING to_jsonb({c})"),
    type_case("varchar-enum", "varchar(20)", "mood", True, " USING {c}::mood"),
    type_case("varchar-widen", "varchar(20)", "varchar(40)", False),
    type_case("varchar-narrow", "varchar(20)", "varchar(10)", True),
    type_case("varchar-text", "varchar(20)", "text", False),
    type_case("text-varchar", "text", "varchar(20)", True),
    type_case("numeric-widen", "numeric(10,2)", "numeric(12,2)", False),
    type_case("numeric-scale", "numeric(10,2)", "numeric(10,4)", True),
    type_case("bigint-int", "bigint", "integer", True),
]
for _c in CASES:
    if _c["id"].startswith("type-"):
        for _f in _c["forms"]:
            for _s in _f["steps"]:
                col = "c_" + re.sub(r"\W+", "_", _c["id"][5:])
                _s["code"] = _s["code"].replace("{c}", col)
        if "mood" in _c["title"]:
            _c["setup"] = "CREATE TYPE mood AS ENUM (%s);\n" % ", ".join(
                "'%d'" % i for i in range(100)) + _c["setup"]

# ---- locks-b's rules ---------------------------------------------------------
# One batch of migen's batched backfill, as it runs in its own transaction:
# rows the writer does not touch (ids above 10000), 5000 of them.
BATCH = ('op.execute("UPDATE orders SET {set} WHERE id IN (SELECT id FROM orders '
         'WHERE id > 10000 ORDER BY id LIMIT 5000)")')
CASES += [
    dict(id="unbatched-backfill", rule="unbatched-backfill", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "UPDATE orders SET note = … (every row, one statement)",
                 'op.execute("UPDATE orders SET note = \'n\'")',
                 ["lock orders ROW EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                  "norewrite orders", "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "one batch of the batched form (5,000 rows, own transaction)",
                 BATCH.format(set="note = \'n\'"),
                 ["lock orders ROW EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                  "norewrite orders", "writes-flow"])])]),
    dict(id="volatile-default", rule="volatile-default-rewrites", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD COLUMN … DEFAULT clock_timestamp() (volatile)",
                 'op.add_column("orders", sa.Column("seen_at", sa.DateTime(timezone=True), '
                 'server_default=sa.text("clock_timestamp()")))',
                 ["lock orders ACCESS EXCLUSIVE", "rewrite orders", "writes-blocked"])]),
             dict(form="flagged", steps=[step(
                 "ADD COLUMN … GENERATED BY DEFAULT AS IDENTITY (sa.Identity())",
                 'op.add_column("orders", sa.Column("seq", sa.BigInteger(), sa.Identity()))',
                 ["lock orders ACCESS EXCLUSIVE", "rewrite orders", "writes-blocked"])]),
             dict(form="flagged", steps=[step(
                 "ADD COLUMN … GENERATED ALWAYS AS (…) STORED (sa.Computed)",
                 'op.add_column("orders", sa.Column("double", sa.Integer(), '
                 'sa.Computed("total * 2")))',
                 ["lock orders ACCESS EXCLUSIVE", "rewrite orders", "writes-blocked"])]),
             dict(form="not flagged", steps=[step(
                 "ADD COLUMN … DEFAULT now() (stable: stored once)",
                 'op.add_column("orders", sa.Column("seen_at", sa.DateTime(timezone=True), '
                 'server_default=sa.text("now()")))',
                 ["lock orders ACCESS EXCLUSIVE", "norewrite orders", "noscan orders"])]),
             dict(form="fix", steps=[
                 step("ADD COLUMN, nullable, no default",
                      'op.add_column("orders", sa.Column("seen_at", sa.DateTime(timezone=True), '
                      'nullable=True))',
                      ["norewrite orders", "noscan orders"]),
                 step("ALTER COLUMN SET DEFAULT clock_timestamp() (new rows only)",
                      'op.alter_column("orders", "seen_at", '
                      'server_default=sa.text("clock_timestamp()"))',
                      ["norewrite orders", "noscan orders"]),
                 step("one batch of the backfill (5,000 rows, own transaction)",
                      BATCH.format(set="seen_at = clock_timestamp()"),
                      ["lock orders ROW EXCLUSIVE", "nolock orders ACCESS EXCLUSIVE",
                       "norewrite orders", "writes-flow"])])]),
    # A transaction that touched the table (here: holds ROW EXCLUSIVE on it)
    # is open while the migration's ALTER asks for ACCESS EXCLUSIVE.
    dict(id="lock-timeout", rule="missing-lock-timeout", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD COLUMN behind an open transaction, no lock_timeout",
                 'op.add_column("orders", sa.Column("extra", sa.Text()))',
                 ["writes-blocked"], concurrent="orders")]),
             dict(form="fix", expect_error="canceling statement due to lock timeout", steps=[step(
                 "SET lock_timeout = '100ms' (env.py), then ADD COLUMN: it gives up",
                 'op.execute("SET lock_timeout = \'100ms\'")\n    '
                 'op.add_column("orders", sa.Column("extra", sa.Text()))',
                 ["writes-flow"], concurrent="orders")])]),
    dict(id="maintenance", rule="maintenance-in-transaction", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "CLUSTER orders USING orders_pkey",
                 'op.execute("CLUSTER orders USING orders_pkey")',
                 ["lock orders ACCESS EXCLUSIVE", "rewrite orders", "writes-blocked"])]),
             dict(form="flagged", steps=[step(
                 "REINDEX TABLE orders",
                 'op.execute("REINDEX TABLE orders")',
                 ["lock orders SHARE", "nolock orders ROW EXCLUSIVE", "norewrite orders",
                  "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "REINDEX TABLE CONCURRENTLY orders (autocommit block)",
                 'with op.get_context().autocommit_block():\n        '
                 'op.execute("REINDEX TABLE CONCURRENTLY orders")',
                 ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders SHARE",
                  "nolock orders ACCESS EXCLUSIVE", "norewrite orders", "writes-flow"],
                 concurrent="orders")])]),
    dict(id="slow-step", rule="lock-held-across-slow-step", tables=["orders", "customers"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD COLUMN on customers, then CREATE INDEX on orders (one transaction)",
                 'op.add_column("customers", sa.Column("level", sa.Integer()))\n    '
                 'op.create_index("orders_note_idx", "orders", ["note"])',
                 ["lock customers ACCESS EXCLUSIVE", "lock orders SHARE", "writes-blocked"])]),
             dict(form="fix", steps=[
                 step("CREATE INDEX on orders first (own transaction)",
                      'op.create_index("orders_note_idx", "orders", ["note"])',
                      ["lock orders SHARE", "nolock customers ACCESS EXCLUSIVE"]),
                 step("then ADD COLUMN on customers (own transaction)",
                      'op.add_column("customers", sa.Column("level", sa.Integer()))',
                      ["lock customers ACCESS EXCLUSIVE", "nolock orders SHARE",
                       "noscan orders"])])]),
]

# ---- beyond-a's rules: LOCK TABLE, materialized views, partitions, EXCLUDE ---
# A materialized view over orders with the unique index CONCURRENTLY needs;
# its "writer" reads the view (the REFRESH blocks readers) and writes orders.
MATVIEW = BASE + """
CREATE MATERIALIZED VIEW order_totals AS
  SELECT customer_id, sum(total) AS total, count(*) AS n FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX order_totals_customer ON order_totals (customer_id);
"""
MATVIEW_WRITES = ["SELECT total FROM order_totals WHERE customer_id = 1 + {n} % 1000"] + WRITES
# A partitioned table with rows in two partitions; the writer writes the one
# that stays (rows of a partition being detached concurrently go nowhere).
PARTS = """
CREATE TABLE events (id bigserial, at date NOT NULL, note text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events (at, note) SELECT date '2024-01-01' + g % 730, 'e' || g
  FROM generate_series(1, {rows}) g;
ANALYZE events;
"""
PART_WRITES = [
    "INSERT INTO events (at, note) VALUES (date '2025-06-01' + {n} % 100, 'w')",
    "UPDATE events SET note = 'u' WHERE at = date '2025-03-01' + {n} % 100 AND id = {n} % 1000",
]
RANGES = BASE + """
ALTER TABLE orders ADD COLUMN during int4range;
UPDATE orders SET during = int4range(id::int, id::int + 1);
ANALYZE orders;
"""
CASES += [
    dict(id="lock-table", rule="lock-table", tables=["orders"],
         setup=BASE, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "LOCK TABLE orders (ACCESS EXCLUSIVE)",
                 'op.execute("LOCK TABLE orders")',
                 ["lock orders ACCESS EXCLUSIVE", "noscan orders", "norewrite orders",
                  "writes-blocked"])]),
             dict(form="flagged", steps=[step(
                 "LOCK TABLE orders IN SHARE MODE",
                 'op.execute("LOCK TABLE orders IN SHARE MODE")',
                 ["lock orders SHARE", "nolock orders ACCESS EXCLUSIVE", "writes-blocked"])]),
             dict(form="not flagged", steps=[step(
                 "LOCK TABLE orders IN ROW SHARE MODE",
                 'op.execute("LOCK TABLE orders IN ROW SHARE MODE")',
                 ["lock orders ROW SHARE", "nolock orders SHARE", "writes-flow"])]),
             dict(form="not flagged", steps=[step(
                 "LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE",
                 'op.execute("LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE")',
                 ["lock orders SHARE UPDATE EXCLUSIVE", "nolock orders SHARE",
                  "writes-flow"])])]),
    dict(id="refresh-matview", rule="refresh-materialized-view-locks",
         tables=["order_totals", "orders"], setup=MATVIEW, writes=MATVIEW_WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "REFRESH MATERIALIZED VIEW order_totals (readers of the view checked)",
                 'op.execute("REFRESH MATERIALIZED VIEW order_totals")',
                 ["lock order_totals ACCESS EXCLUSIVE", "rewrite order_totals",
                  "nolock orders ROW EXCLUSIVE", "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals (in the migration's "
                 "transaction)",
                 'op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals")',
                 ["lock order_totals EXCLUSIVE", "nolock order_totals ACCESS EXCLUSIVE",
                  "norewrite order_totals", "writes-flow"])])]),
    dict(id="detach-partition", rule="detach-partition-locks",
         tables=["events", "events_2024", "events_2025"], setup=PARTS, writes=PART_WRITES,
         forms=[
             dict(form="flagged", steps=[step(
                 "ALTER TABLE events DETACH PARTITION events_2024",
                 'op.execute("ALTER TABLE events DETACH PARTITION events_2024")',
                 ["lock events ACCESS EXCLUSIVE", "lock events_2024 ACCESS EXCLUSIVE",
                  "noscan events_2024", "norewrite events_2024", "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "DETACH PARTITION events_2024 CONCURRENTLY (autocommit block)",
                 'with op.get_context().autocommit_block():\n        '
                 'op.execute("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY")',
                 ["nolock events ACCESS EXCLUSIVE", "nolock events_2024 ACCESS EXCLUSIVE",
                  "writes-flow"],
                 concurrent="events")])]),
    dict(id="exclusion-constraint", rule="exclusion-constraint-locks", tables=["orders"],
         setup=RANGES, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ADD CONSTRAINT … EXCLUDE USING gist (op.execute)",
                 'op.execute("ALTER TABLE orders ADD CONSTRAINT orders_during_excl '
                 'EXCLUDE USING gist (during WITH &&)")',
                 ["lock orders ACCESS EXCLUSIVE", "scan orders", "norewrite orders",
                  "writes-blocked"])]),
             dict(form="flagged", steps=[step(
                 "op.create_exclude_constraint(…, using=\"gist\")",
                 'op.create_exclude_constraint("orders_during_excl", "orders", '
                 '(sa.column("during"), "&&"), using="gist")',
                 ["lock orders ACCESS EXCLUSIVE", "scan orders", "norewrite orders",
                  "writes-blocked"])])]),
]


# ---- beyond-b's rules: TRUNCATE ... CASCADE, domain constraints ----------------
# orders gets its foreign key to customers; a domain column on orders.
CASCADE_SETUP = BASE + """
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id)
  REFERENCES customers (id);
"""
DOMAIN_SETUP = BASE + """
CREATE DOMAIN positive_amount AS numeric(10,2);
ALTER TABLE orders ADD COLUMN paid positive_amount;
UPDATE orders SET paid = amount;
ANALYZE orders;
"""
CASES += [
    dict(id="truncate-cascade", rule="truncate-cascade", tables=["customers", "orders"],
         setup=CASCADE_SETUP, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "TRUNCATE customers CASCADE (orders references it)",
                 'op.execute("TRUNCATE customers CASCADE")',
                 ["lock customers ACCESS EXCLUSIVE", "lock orders ACCESS EXCLUSIVE",
                  "writes-blocked"])]),
             dict(form="fix", steps=[step(
                 "TRUNCATE customers, orders (every table named)",
                 'op.execute("TRUNCATE customers, orders")',
                 ["lock customers ACCESS EXCLUSIVE", "lock orders ACCESS EXCLUSIVE"])])]),
    dict(id="domain-constraint", rule="domain-constraint-validates", tables=["orders"],
         setup=DOMAIN_SETUP, writes=WRITES, forms=[
             dict(form="flagged", steps=[step(
                 "ALTER DOMAIN positive_amount ADD CONSTRAINT … CHECK (VALUE >= 0)",
                 'op.execute("ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check '
                 'CHECK (VALUE >= 0)")',
                 ["lock orders SHARE", "nolock orders ACCESS EXCLUSIVE", "scan orders",
                  "norewrite orders", "writes-blocked"])]),
             dict(form="not flagged", steps=[step(
                 "CREATE DOMAIN … CHECK (a new domain: no column uses it)",
                 'op.execute("CREATE DOMAIN small_amount AS numeric(10,2) CHECK (VALUE < 100)")',
                 ["nolock orders SHARE", "nolock orders ACCESS EXCLUSIVE", "noscan orders",
                  "writes-flow"])]),
             dict(form="fix", steps=[
                 step("ADD CONSTRAINT … CHECK (VALUE >= 0) NOT VALID",
                      'op.execute("ALTER DOMAIN positive_amount ADD CONSTRAINT '
                      'positive_amount_check CHECK (VALUE >= 0) NOT VALID")',
                      ["nolock orders SHARE", "noscan orders", "norewrite orders",
                       "writes-flow"]),
                 step("ALTER DOMAIN … VALIDATE CONSTRAINT (own transaction): still SHARE",
                      'op.execute("ALTER DOMAIN positive_amount VALIDATE CONSTRAINT '
                      'positive_amount_check")',
                      ["lock orders SHARE", "scan orders", "writes-blocked"])])]),
]

ENV_PY = '''
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    # One transaction per revision: a step's locks are held to its commit.
    context.configure(connection=connection, target_metadata=None,
                      transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
'''

HEADER = '''"""{label}"""
import json
import os

from alembic import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None
TABLES = {tables!r}


def _probe(phase):
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT c.relname, c.relfilenode, coalesce(s.seq_scan, 0) FROM pg_class c "
        "LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid "
        "WHERE c.relname = ANY(%(t)s) AND c.relkind IN ('r', 'm')", {{"t": TABLES}}).fetchall()
    with open(os.environ["LOCKS_PROBES"], "a") as f:
        f.write(json.dumps({{"step": {idx}, "phase": phase,
                            "rels": {{r[0]: [r[1], r[2]] for r in rows}}}}) + "\\n")


def _wait(key):
    bind = op.get_bind()
    bind.exec_driver_sql("SELECT pg_advisory_lock(%d)" % key)
    bind.exec_driver_sql("SELECT pg_advisory_unlock(%d)" % key)


def upgrade():
    op.get_bind().exec_driver_sql("SET application_name = 'locks:{idx}'")
    _wait({pre})
    _probe("pre")
    {code}
    _probe("post")
    {post_wait}


def downgrade():
    pass
'''

STRONG = ["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
          "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"]


def mode_name(m):
    # pg_locks says AccessExclusiveLock; the docs say ACCESS EXCLUSIVE.
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m[:-4]).upper()


def connect(db):
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


class Writer(threading.Thread):
    def __init__(self, db, writes):
        super().__init__(daemon=True)
        self.db, self.writes = db, writes
        self.stop = threading.Event()
        self.ops = []  # (start, end, ok)

    def run(self):
        conn = connect(self.db)
        cur = conn.cursor()
        cur.execute("SET statement_timeout = '60s'")
        rnd = random.Random(12)
        n = 0
        while not self.stop.is_set():
            n += 1
            sql = self.writes[n % len(self.writes)].format(n=rnd.randint(1, 10 ** 6))
            t0 = time.monotonic()
            ok = True
            try:
                cur.execute(sql)
            except psycopg2.Error:
                ok = False
            self.ops.append((t0, time.monotonic(), ok))
            time.sleep(0.002)
        conn.close()


def build_project(work, db, case, form):
    project = os.path.join(work, "%s-%s" % (case["id"], form["form"]))
    shutil.rmtree(project, ignore_errors=True)
    os.makedirs(os.path.join(project, "versions"))
    url = "postgresql+psycopg2:///%s?host=%s&port=%s&user=%s" % (
        db, os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"])
    with open(os.path.join(project, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %s\nsqlalchemy.url = %s\n" % (project, url))
    with open(os.path.join(project, "env.py"), "w") as f:
        f.write(ENV_PY)
    down = None
    for i, s in enumerate(form["steps"]):
        rev = "step%02d" % i
        post = "" if s["concurrent"] else "_wait(%d)" % (2000 + i)
        with open(os.path.join(project, "versions", rev + ".py"), "w") as f:
            f.write(HEADER.format(label=s["label"].replace('"', "'"), rev=rev, down=down,
                                  tables=case["tables"], idx=i, pre=1000 + i, code=s["code"],
                                  post_wait=post))
        down = rev
    return project


def waiting_on(cur, key_kind):
    """The migration's pid when it waits on an advisory lock (key_kind
    'advisory') or on anything else ('other'), with its step."""
    cur.execute("SELECT a.pid, a.application_name, l.locktype, l.objid FROM pg_stat_activity a "
                "JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted "
                "WHERE a.application_name LIKE 'locks:%'")
    for pid, app, locktype, objid in cur.fetchall():
        if (locktype == "advisory") == (key_kind == "advisory"):
            return pid, int(app.split(":")[1]), (objid if locktype == "advisory" else None)
    return None


def held(cur, pid):
    cur.execute("SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = %s AND l.granted AND l.locktype = 'relation' "
                "AND c.relkind IN ('r', 'p', 'm') "
                "AND c.relnamespace <> 'pg_catalog'::regnamespace", (pid,))
    out = {}
    for rel, mode in cur.fetchall():
        out.setdefault(rel, set()).add(mode_name(mode))
    return {r: sorted(m, key=STRONG.index) for r, m in out.items()}


def poll(pred, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = pred()
        if r:
            return r
        time.sleep(0.003)
    return None


def run_form(work, case, form, n):
    db = "locks_%d" % n
    admin = connect("postgres")
    acur = admin.cursor()
    acur.execute("DROP DATABASE IF EXISTS %s" % db)
    acur.execute("CREATE DATABASE %s" % db)
    admin.close()
    setup = connect(db)
    setup.cursor().execute(case["setup"].format(rows=ROWS))
    setup.close()
    project = build_project(work, db, case, form)
    probes = os.path.join(project, "probes.jsonl")
    env = dict(os.environ, LOCKS_PROBES=probes)

    steps = form["steps"]
    sampler = connect(db)
    scur = sampler.cursor()
    for i in range(len(steps)):
        scur.execute("SELECT pg_advisory_lock(%s), pg_advisory_lock(%s)", (1000 + i, 2000 + i))
    writer = Writer(db, case["writes"])
    writer.start()
    # The writer must be running before the first step starts.
    poll(lambda: len(writer.ops) >= 5, timeout=10.0)
    proc = subprocess.Popen([PY, "-m", "alembic", "-c", os.path.join(project, "alembic.ini"),
                             "upgrade", "head"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    obs = []
    failure = None
    for i, s in enumerate(steps):
        got = poll(lambda: proc.poll() is None and waiting_on(scur, "advisory"))
        if not got or got[1] != i or got[2] != 1000 + i:
            failure = "step %d never reached its start (%r)" % (i, got)
            if proc.poll() is not None:
                failure += ": alembic exited with status %d:\n%s" % (proc.returncode,
                                                                     proc.stdout.read())
            break
        pid = got[0]
        holder = None
        if s["concurrent"]:
            holder = connect(db)
            holder.autocommit = False
            holder.cursor().execute("LOCK TABLE %s IN ROW EXCLUSIVE MODE" % s["concurrent"])
        t_start = time.monotonic()
        scur.execute("SELECT pg_advisory_unlock(%s)", (1000 + i,))
        if s["concurrent"]:
            ok = poll(lambda: waiting_on(scur, "other"))
        else:
            ok = poll(lambda: (lambda w: w and w[2] == 2000 + i)(waiting_on(scur, "advisory")))
        t_reached = time.monotonic()
        locks = held(scur, pid) if ok else {}
        time.sleep(PAUSE)
        if holder:
            holder.commit()
            holder.close()
        scur.execute("SELECT pg_advisory_unlock(%s)", (2000 + i,))
        t_end = time.monotonic()
        if not ok:
            failure = "step %d: the sampler never saw it paused" % i
        obs.append(dict(label=s["label"], locks=locks, t=(t_start, t_reached, t_end)))
        if failure:
            break
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    writer.stop.set()
    writer.join()
    sampler.close()
    # A form may be meant to fail (a lock timeout): only with that error.
    expected = form.get("expect_error")
    if expected and (proc.returncode == 0 or expected not in out) and not failure:
        failure = "alembic upgrade did not fail with %r:\n%s" % (expected, out)
    elif proc.returncode != 0 and not failure and not (expected and expected in out):
        failure = "alembic upgrade failed:\n" + out
    probe = {}
    if os.path.exists(probes):
        with open(probes) as f:
            for line in f:
                p = json.loads(line)
                probe[(p["step"], p["phase"])] = p["rels"]
    for i, o in enumerate(obs):
        pre, post = probe.get((i, "pre"), {}), probe.get((i, "post"), {})
        o["rewritten"] = sorted(r for r in pre if r in post and pre[r][0] != post[r][0])
        if steps[i]["concurrent"]:
            o["scanned"] = None  # the probes ran in other transactions
        else:
            o["scanned"] = sorted(r for r in pre if r in post and post[r][1] > pre[r][1])
        t0, _, t1 = o.pop("t")
        # Statements started in the step's window (one blocked by the step
        # before ends in this window but started in the last one).
        window = [(b - a, ok) for a, b, ok in writer.ops if t0 <= a <= t1]
        o["writer_max_ms"] = round(1000 * max([d for d, _ in window] or [0]))
        o["writer_done"] = sum(1 for a, b, ok in writer.ops if ok and t0 <= b <= t1)
        o["writes_blocked"] = any(d >= PAUSE / 2 for d, _ in window)
    return obs, failure


def check_claims(step_def, o):
    bad = []
    for c in step_def["claims"]:
        w = c.split(" ", 2)
        if w[0] in ("lock", "nolock"):
            has = w[2] in o["locks"].get(w[1], [])
            if has != (w[0] == "lock"):
                bad.append(c)
        elif w[0] in ("scan", "noscan"):
            if o["scanned"] is None:
                bad.append(c + " (not measurable in an autocommit step)")
            elif (w[1] in o["scanned"]) != (w[0] == "scan"):
                bad.append(c)
        elif w[0] in ("rewrite", "norewrite"):
            if (w[1] in o["rewritten"]) != (w[0] == "rewrite"):
                bad.append(c)
        elif c == "writes-blocked":
            if not o["writes_blocked"]:
                bad.append(c)
        elif c == "writes-flow":
            if o["writes_blocked"] or o["writer_done"] == 0:
                bad.append(c)
        else:
            bad.append("unknown claim " + c)
    return bad


# ---- docs/rules.md: one generated block per case --------------------------

BLOCK = re.compile(r"(<!-- locks: ([\w.-]+) -->\n)(.*?)(<!-- end locks -->)", re.S)


def fmt_locks(locks, tables):
    parts = []
    for t in tables:
        if t in locks:
            parts.append("%s: %s" % (t, ", ".join(locks[t])))
    return "; ".join(parts) or "none on the tables"


def render(case, result):
    lines = ["Measured on PostgreSQL 15 by `tests/integration/locks.sh` (generated; %s rows,"
             % format(ROWS, ","),
             "a second session inserting and updating throughout):", "",
             "| form | statement | locks held until commit | reads the whole table | "
             "rewrites | concurrent writes (checked) |",
             "|---|---|---|---|---|---|"]
    for form, fdef in zip(result, case["forms"]):
        for o, sdef in zip(form["steps"], fdef["steps"]):
            # Only what a claim made the test check goes into the docs:
            # the writer's latency of an unclaimed step depends on timing.
            writes = ("blocked" if "writes-blocked" in sdef["claims"] else
                      "not blocked" if "writes-flow" in sdef["claims"] else "—")
            scan = "—" if o["scanned"] is None else (", ".join(o["scanned"]) or "no")
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                form["form"], o["label"], fmt_locks(o["locks"], case["tables"]), scan,
                ", ".join(o["rewritten"]) or "no", writes))
    return "\n".join(lines) + "\n"


def render_types(cases, results):
    lines = ["Measured on PostgreSQL 15 by `tests/integration/locks.sh` (generated; %s rows;"
             % format(ROWS, ","),
             "every form takes ACCESS EXCLUSIVE on the table):", "",
             "| old type → new type | table rewritten |", "|---|---|"]
    for c in cases:
        o = results[c["id"]][0]["steps"][0]
        lines.append("| `%s` | %s |" % (c["title"].replace(" → ", "` → `"),
                                        "yes" if o["rewritten"] else "no (metadata only)"))
    return "\n".join(lines) + "\n"


def docs(results, update):
    path = os.path.join(TOP, "docs", "rules.md")
    with open(path) as f:
        text = f.read()
    by_id = {c["id"]: c for c in CASES}
    types = [c for c in CASES if c["id"].startswith("type-") and c["id"] in results]
    seen, stale = set(), []

    def sub(m):
        cid = m.group(2)
        seen.add(cid)
        if cid == "column-types":
            for c in types:
                seen.add(c["id"])
            if len(types) != sum(1 for c in CASES if c["id"].startswith("type-")):
                return m.group(0)  # only some pairs were run
            new = render_types(types, results)
        elif cid in results:
            new = render(by_id[cid], results[cid])
        elif cid in by_id:
            return m.group(0)  # not run this time (a CASE list was given)
        else:
            stale.append("docs/rules.md: a locks block for unknown case %s" % cid)
            return m.group(0)
        if new != m.group(3):
            stale.append("docs/rules.md: the locks block %s differs from the measurement" % cid)
        return m.group(1) + new + m.group(4)

    text2 = BLOCK.sub(sub, text)
    for cid in results:
        # A case of a rule not documented yet (no "## rule" section) is
        # measured and checked, and goes into the docs with its rule.
        if cid not in seen and "\n## %s\n" % by_id[cid]["rule"] in text:
            stale.append("docs/rules.md: no `<!-- locks: %s -->` block" % cid)
    if update:
        if text2 != text:
            with open(path, "w") as f:
                f.write(text2)
        return [s for s in stale if "no `<!--" in s or "unknown" in s]
    return stale


def main():
    args = sys.argv[1:]
    update = "--update-docs" in args
    args = [a for a in args if a != "--update-docs"]
    work, out_path, only = args[0], args[1], args[2:]
    os.makedirs(work, exist_ok=True)
    failures, results, n = [], {}, 0
    for case in CASES:
        if only and case["id"] not in only:
            continue
        res = []
        for form in case["forms"]:
            n += 1
            t = time.monotonic()
            obs, failure = run_form(work, case, form, n)
            if failure:
                failures.append("%s %s: %s" % (case["id"], form["form"], failure))
            for s, o in zip(form["steps"], obs):
                bad = check_claims(s, o)
                status = "FAIL" if bad else "ok"
                print("%-4s %s %s: %s | locks %s | scanned %s | rewritten %s | writer max %d ms" % (
                    status, case["id"], form["form"], s["label"],
                    json.dumps(o["locks"], sort_keys=True), o["scanned"], o["rewritten"],
                    o["writer_max_ms"]), flush=True)
                if bad:
                    failures.append("%s %s step %r: claims not observed: %s" % (
                        case["id"], form["form"], s["label"], "; ".join(bad)))
            res.append(dict(form=form["form"], steps=obs, seconds=round(time.monotonic() - t, 2)))
        results[case["id"]] = res
    with open(out_path, "w") as f:
        json.dump(dict(postgresql=15, rows=ROWS, pause_s=PAUSE, cases=results), f, indent=1,
                  sort_keys=True)
    failures += docs(results, update)
    for f in failures:
        print("FAIL " + f)
    print("locks: %d forms measured, %d failures; observations in %s" % (n, len(failures),
                                                                        out_path))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
