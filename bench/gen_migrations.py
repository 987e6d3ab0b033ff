#!/usr/bin/python3
"""Write N realistic, varied Alembic migrations for the migen benchmark.

    bench/gen_migrations.py OUTDIR N [--seed S]

Stdlib only. Deterministic: the same N and seed give the same bytes.
The shapes follow fixtures/autogen/ (real `alembic revision --autogenerate`
output, Alembic 1.8): op.create_table with sa.Column lines and table
constraints, op.create_index with op.f(), add_column, alter_column,
create_foreign_key, op.execute with SQL (UPDATE backfills, raw DDL, several
statements, sa.text), CONCURRENTLY inside autocommit_block, batch_alter_table,
drops, and a downgrade() that undoes each upgrade() in reverse order.

The files form one revision graph: every file's down_revision is an earlier
revision; now and then the chain forks into two heads and a later merge
revision (down_revision = a tuple) joins them again. Every file is checked
with ast.parse before it is written.

File names follow Alembic's default template: <rev>_<slug>.py, prefixed with
a zero-padded sequence number so that `ls` lists them in creation order.
Prints the number of files and of bytes written.
"""
import argparse
import ast
import datetime
import os
import random
import sys

NOUNS = (
    "account", "invoice", "payment", "subscription", "plan", "coupon", "order",
    "order_line", "product", "price", "warehouse", "shipment", "carrier",
    "customer", "contact", "address", "lead", "deal", "pipeline", "stage",
    "ticket", "comment", "attachment", "label", "project", "task", "sprint",
    "milestone", "board", "column_card", "channel", "message", "thread",
    "reaction", "mention", "invitation", "role", "permission", "api_key",
    "session", "device", "login_event", "report", "dashboard", "widget",
    "metric", "alert", "incident", "runbook", "deployment", "release",
    "environment", "secret", "feature_flag", "experiment", "variant",
    "survey", "response", "form", "field", "template", "email_campaign",
    "recipient", "bounce", "unsubscribe", "calendar", "event", "booking",
    "resource", "room", "asset", "license", "vendor", "contract",
    "approval", "expense", "receipt", "budget", "forecast", "timesheet",
)
# Tables that fixtures/autogen creates; later migrations touch them as well.
BASE_TABLES = ("tenants", "spaces", "users", "groups", "documents",
               "notifications", "webhooks")

TYPES = (
    ("sa.String(length={n})", "sa.VARCHAR(length={n})", "varchar({n})"),
    ("sa.Integer()", "sa.INTEGER()", "integer"),
    ("sa.BigInteger()", "sa.BIGINT()", "bigint"),
    ("sa.Boolean()", "sa.BOOLEAN()", "boolean"),
    ("sa.DateTime(timezone=True)", "postgresql.TIMESTAMP(timezone=True)", "timestamptz"),
    ("sa.Date()", "sa.DATE()", "date"),
    ("sa.Text()", "sa.TEXT()", "text"),
    ("sa.Numeric(precision=12, scale=2)", "sa.NUMERIC(precision=12, scale=2)", "numeric(12,2)"),
    ("postgresql.JSONB(astext_type=sa.Text())", "postgresql.JSONB(astext_type=sa.Text())", "jsonb"),
    ("sa.Uuid()", "sa.UUID()", "uuid"),
)
ATTRS = ("name", "title", "status", "kind", "code", "amount", "currency",
         "description", "external_id", "email", "phone", "priority", "score",
         "due_at", "starts_at", "ends_at", "settings", "metadata_json",
         "is_active", "is_archived", "position", "color", "url", "locale",
         "timezone", "notes", "quantity", "total", "version", "checksum")
STATUS_VALUES = ("active", "pending", "archived", "draft", "open", "closed")


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.tables = {t: ["id", "tenant_id", "created_at"] for t in BASE_TABLES}
        self.tables["tenants"] = ["id", "name", "created_at"]
        self.used_names = set(self.tables)
        self.t0 = datetime.datetime(2024, 1, 8, 9, 12, 3, 118201)

    # ---- small helpers -------------------------------------------------
    def rev(self):
        return "%012x" % self.r.getrandbits(48)

    def typ(self):
        i = self.r.randrange(len(TYPES))
        n = self.r.choice((16, 32, 64, 128, 255))
        return tuple(s.format(n=n) for s in TYPES[i])

    def new_table(self):
        for _ in range(100):
            name = self.r.choice(NOUNS)
            if self.r.random() < 0.5:
                name = self.r.choice(NOUNS).split("_")[0] + "_" + name
            name += "s"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        name = "t_%d_%s" % (len(self.used_names), self.r.choice(NOUNS))
        self.used_names.add(name)
        return name

    def existing(self):
        return self.r.choice(sorted(self.tables))

    def new_col(self, table):
        cols = self.tables.setdefault(table, ["id"])
        for _ in range(50):
            c = self.r.choice(ATTRS)
            if self.r.random() < 0.3:
                c = c + "_" + self.r.choice(("v2", "at", "ref", "count", "flag"))
            if c not in cols:
                return c
        return "col_%d" % len(cols)

    # ---- operation blocks: each returns (upgrade_lines, downgrade_lines, slug)
    def op_create_table(self):
        t = self.new_table()
        tenant = self.r.random() < 0.8
        space = tenant and self.r.random() < 0.6
        soft = self.r.random() < 0.5
        cols = [("id", "sa.String(length=36)", False, None)]
        fks = []
        if tenant:
            cols.append(("tenant_id", "sa.String(length=36)", False, None))
            fks.append(("tenant_id", "tenants.id", self.r.choice(("", "CASCADE"))))
        if space:
            cols.append(("space_id", "sa.String(length=36)", False, None))
            fks.append(("space_id", "spaces.id", ""))
        self.tables[t] = [c[0] for c in cols]
        for _ in range(self.r.randint(2, 11)):
            c = self.new_col(t)
            self.tables[t].append(c)
            cols.append((c, self.typ()[0], self.r.random() < 0.4, None))
        if self.r.random() < 0.5:
            parent = self.r.choice([x for x in sorted(self.tables) if x != t])
            c = parent.rstrip("s") + "_id"
            if c not in self.tables[t]:
                self.tables[t].append(c)
                cols.append((c, "sa.String(length=36)", True, None))
                fks.append((c, parent + ".id", self.r.choice(("", "SET NULL"))))
        if soft:
            cols.append(("deleted_at", "sa.DateTime(timezone=True)", True, None))
            self.tables[t].append("deleted_at")
        cols.append(("created_at", "sa.DateTime(timezone=True)", False,
                     self.r.choice(("sa.text('now()')", "sa.text('(CURRENT_TIMESTAMP)')"))))
        self.tables[t].append("created_at")
        up = ["    op.create_table('%s'," % t]
        for name, ty, nullable, default in cols:
            extra = ", server_default=%s" % default if default else ""
            up.append("    sa.Column('%s', %s%s, nullable=%s)," % (name, ty, extra, nullable))
        for col, ref, ondelete in fks:
            od = "ondelete='%s'" % ondelete if ondelete else ""
            up.append("    sa.ForeignKeyConstraint(['%s'], ['%s'], %s)," % (col, ref, od))
        up.append("    sa.PrimaryKeyConstraint('id')" +
                  ("," if self.r.random() < 0.3 else ""))
        if up[-1].endswith(","):
            u = self.r.choice(self.tables[t][1:])
            up.append("    sa.UniqueConstraint('%s', name='uq_%s_%s')" % (u, t, u))
        up.append("    )")
        down = []
        idx = []
        if tenant and self.r.random() < 0.6:
            idx.append(("op.f('ix_%s_tenant_id')" % t, ["tenant_id"], ""))
        if space and self.r.random() < 0.4:
            w = ", postgresql_where=sa.text('deleted_at IS NULL')" if soft else ""
            idx.append(("'ix_%s_tenant_space'" % t, ["tenant_id", "space_id"], w))
        for col, ref, _ in fks[2:]:
            if self.r.random() < 0.5:
                idx.append(("op.f('ix_%s_%s')" % (t, col), [col], ""))
        for name, colz, w in idx:
            up.append("    op.create_index(%s, '%s', %s, unique=False%s)" % (
                name, t, repr(colz), w))
            down.insert(0, "    op.drop_index(%s, table_name='%s'%s)" % (name, t, w))
        down.append("    op.drop_table('%s')" % t)
        return up, down, "create_" + t

    def op_add_column(self):
        t = self.existing()
        c = self.new_col(t)
        self.tables[t].append(c)
        ty = self.typ()[0]
        style = self.r.random()
        if style < 0.45:
            up = ["    op.add_column('%s', sa.Column('%s', %s, nullable=True))" % (t, c, ty)]
        elif style < 0.7:
            d = self.r.choice(("sa.text('0')", "'active'", "sa.text('false')", "''"))
            up = ["    op.add_column('%s', sa.Column('%s', %s, server_default=%s, nullable=False))"
                  % (t, c, ty, d)]
        else:
            up = ["    op.add_column('%s', sa.Column('%s', %s, nullable=False))" % (t, c, ty)]
        return up, ["    op.drop_column('%s', '%s')" % (t, c)], "add_%s_%s" % (t, c)

    def op_backfill_not_null(self):
        t = self.existing()
        c = self.new_col(t)
        self.tables[t].append(c)
        ty, ety, _ = self.typ()
        v = self.r.choice(STATUS_VALUES)
        up = ["    op.add_column('%s', sa.Column('%s', %s, nullable=True))" % (t, c, ty),
              "    op.execute(\"UPDATE %s SET %s = '%s' WHERE %s IS NULL\")" % (t, c, v, c),
              "    op.alter_column('%s', '%s'," % (t, c),
              "               existing_type=%s," % ety,
              "               nullable=False)"]
        return up, ["    op.drop_column('%s', '%s')" % (t, c)], "backfill_%s_%s" % (t, c)

    def op_alter_column(self):
        t = self.existing()
        c = self.r.choice(self.tables[t])
        _, ety, _ = self.typ()
        k = self.r.random()
        if k < 0.5:
            a, b = ("nullable=False", "nullable=True")
        elif k < 0.75:
            a = "server_default=sa.text('now()')"
            b = "server_default=None"
        else:
            a, b = ("type_=sa.Text()", "type_=%s" % ety)
        mk = lambda x: ["    op.alter_column('%s', '%s'," % (t, c),
                        "               existing_type=%s," % ety,
                        "               %s)" % x]
        return mk(a), mk(b), "alter_%s_%s" % (t, c)

    def op_create_index(self):
        t = self.existing()
        cols = self.r.sample(self.tables[t], min(len(self.tables[t]), self.r.randint(1, 3)))
        unique = self.r.random() < 0.2
        if self.r.random() < 0.5:
            name = "op.f('ix_%s_%s')" % (t, "_".join(cols))
        else:
            name = "'ix_%s_%s'" % (t, "_".join(cols))
        up = ["    op.create_index(%s, '%s', %s, unique=%s)" % (name, t, repr(cols), unique)]
        return up, ["    op.drop_index(%s, table_name='%s')" % (name, t)], "index_" + t

    def op_concurrent_index(self):
        t = self.existing()
        cols = self.r.sample(self.tables[t], min(len(self.tables[t]), self.r.randint(1, 2)))
        name = "ix_%s_%s" % (t, "_".join(cols))
        if self.r.random() < 0.5:
            up = ["    with op.get_context().autocommit_block():",
                  "        op.execute(",
                  "            \"CREATE INDEX CONCURRENTLY IF NOT EXISTS %s \"" % name,
                  "            \"ON %s (%s)\"" % (t, ", ".join(cols)),
                  "        )"]
            down = ["    with op.get_context().autocommit_block():",
                    "        op.execute(\"DROP INDEX CONCURRENTLY IF EXISTS %s\")" % name]
        else:
            up = ["    with op.get_context().autocommit_block():",
                  "        op.create_index(",
                  "            '%s'," % name,
                  "            '%s'," % t,
                  "            %s," % repr(cols),
                  "            unique=False,",
                  "            postgresql_concurrently=True,",
                  "        )"]
            down = ["    with op.get_context().autocommit_block():",
                    "        op.drop_index('%s', table_name='%s', postgresql_concurrently=True)"
                    % (name, t)]
        return up, down, "concurrent_index_" + t

    def op_foreign_key(self):
        t = self.existing()
        p = self.r.choice([x for x in sorted(self.tables) if x != t])
        c = p.rstrip("s") + "_id"
        if c in self.tables[t]:
            c = c[:-3] + "_ref_id"
        self.tables[t].append(c)
        od = self.r.choice(("", ", ondelete='SET NULL'", ", ondelete='CASCADE'"))
        up = ["    op.add_column('%s', sa.Column('%s', sa.String(length=36), nullable=True))" % (t, c),
              "    op.create_foreign_key(None, '%s', '%s', ['%s'], ['id']%s)" % (t, p, c, od)]
        down = ["    op.drop_constraint(None, '%s', type_='foreignkey')" % t,
                "    op.drop_column('%s', '%s')" % (t, c)]
        return up, down, "fk_%s_%s" % (t, p)

    def op_raw_sql(self):
        t = self.existing()
        c = self.r.choice(self.tables[t])
        k = self.r.randrange(5)
        if k == 0:
            up = ["    op.execute(\"UPDATE %s SET %s = NULL WHERE created_at < now() - interval '90 days'\")"
                  % (t, c)]
            down = []
        elif k == 1:
            n = self.new_col(t)
            self.tables[t].append(n)
            up = ["    op.execute('ALTER TABLE %s ADD COLUMN %s %s')" % (t, n, self.typ()[2])]
            down = ["    op.execute('ALTER TABLE %s DROP COLUMN %s')" % (t, n)]
        elif k == 2:
            up = ["    op.execute(",
                  "        \"INSERT INTO %s (id, tenant_id, created_at) \"" % t,
                  "        \"SELECT gen_random_uuid(), id, now() FROM tenants \"",
                  "        \"WHERE NOT EXISTS (SELECT 1 FROM %s x WHERE x.tenant_id = tenants.id)\"" % t,
                  "    )"]
            down = ["    op.execute(\"DELETE FROM %s WHERE created_at >= '2024-01-01'\")" % t]
        elif k == 3:
            up = ["    op.execute(sa.text(\"\"\"",
                  "        UPDATE %s" % t,
                  "           SET %s = lower(%s)" % (c, c),
                  "         WHERE %s IS NOT NULL;" % c,
                  "        ANALYZE %s;" % t,
                  "    \"\"\"))"]
            down = []
        else:
            up = ["    op.execute(\"CREATE INDEX ix_%s_%s_raw ON %s (%s)\")" % (t, c, t, c)]
            down = ["    op.execute(\"DROP INDEX ix_%s_%s_raw\")" % (t, c)]
        return up, down, "sql_" + t

    def op_batch(self):
        t = self.existing()
        c = self.new_col(t)
        self.tables[t].append(c)
        ty, ety, _ = self.typ()
        up = ["    with op.batch_alter_table('%s', schema=None) as batch_op:" % t,
              "        batch_op.add_column(sa.Column('%s', %s, nullable=True))" % (c, ty),
              "        batch_op.create_index(batch_op.f('ix_%s_%s'), ['%s'], unique=False)" % (t, c, c),
              ""]
        down = ["    with op.batch_alter_table('%s', schema=None) as batch_op:" % t,
                "        batch_op.drop_index(batch_op.f('ix_%s_%s'))" % (t, c),
                "        batch_op.drop_column('%s')" % c,
                ""]
        return up, down, "batch_" + t

    def op_drop(self):
        t = self.existing()
        if len(self.tables[t]) > 3:
            c = self.tables[t].pop()
            ty = self.typ()[1]
            return (["    op.drop_column('%s', '%s')" % (t, c)],
                    ["    op.add_column('%s', sa.Column('%s', %s, autoincrement=False, nullable=True))"
                     % (t, c, ty)], "drop_%s_%s" % (t, c))
        return self.op_create_index()

    OPS = ((op_create_table, 30), (op_add_column, 16), (op_backfill_not_null, 6),
           (op_alter_column, 10), (op_create_index, 12), (op_concurrent_index, 5),
           (op_foreign_key, 8), (op_raw_sql, 8), (op_batch, 3), (op_drop, 5))

    def body(self):
        ops, weights = zip(*self.OPS)
        up, down, slugs = [], [], []
        for _ in range(self.r.choice((1, 1, 1, 2, 2, 3, 4, 6))):
            u, d, s = self.r.choices(ops, weights)[0](self)
            up += u
            down = d + down
            slugs.append(s)
        return up, down, slugs[0]

    # ---- one file ------------------------------------------------------
    def migration(self, i, rev, down_rev, merge):
        when = self.t0 + datetime.timedelta(minutes=37 * i, microseconds=self.r.randrange(10**6))
        if merge:
            up, down, slug = [], [], "merge_heads"
            revises = ", ".join(down_rev)
            dr = "(%s)" % ", ".join("'%s'" % x for x in down_rev)
        else:
            up, down, slug = self.body()
            revises = down_rev
            dr = "'%s'" % down_rev
        msg = slug.replace("_", " ")
        postgresql = any("postgresql." in l for l in up + down)
        head = ['"""%s' % msg, "", "Revision ID: %s" % rev, "Revises: %s" % revises,
                "Create Date: %s" % when.strftime("%Y-%m-%d %H:%M:%S.%f"), "", '"""',
                "from alembic import op", "import sqlalchemy as sa"]
        head.append("from sqlalchemy.dialects import postgresql" if postgresql else "")
        head += ["", "# revision identifiers, used by Alembic.",
                 "revision = '%s'" % rev, "down_revision = %s" % dr,
                 "branch_labels = None", "depends_on = None", "", ""]

        def fn(name, lines):
            if not lines:
                return ["def %s() -> None:" % name, "    pass"]
            return (["def %s() -> None:" % name,
                     "    # ### commands auto generated by Alembic - please adjust! ###"]
                    + lines + ["    # ### end Alembic commands ###"])

        text = "\n".join(head + fn("upgrade", up) + ["", ""] + fn("downgrade", down)) + "\n"
        return slug, text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    g = Gen(a.seed)
    heads = ["52582910ab15"]  # the last revision of fixtures/autogen
    width = max(4, len(str(a.n)))
    total = 0
    for i in range(a.n):
        rev = g.rev()
        if len(heads) >= 2 and g.r.random() < 0.25:
            down_rev, merge = (heads[0], heads[1]), True
            heads[0:2] = [rev]
        else:
            merge = False
            h = g.r.randrange(len(heads))
            down_rev = heads[h]
            if g.r.random() < 0.04:
                heads.append(rev)   # fork: heads[h] gets a second child later
            else:
                heads[h] = rev
        slug, text = g.migration(i, rev, down_rev, merge)
        ast.parse(text)  # every file must be valid Python
        name = "%0*d_%s_%s.py" % (width, i + 1, rev, slug[:40])
        with open(os.path.join(a.outdir, name), "w") as f:
            f.write(text)
        total += len(text.encode())
    print("%d files, %d bytes" % (a.n, total))


if __name__ == "__main__":
    sys.exit(main())
