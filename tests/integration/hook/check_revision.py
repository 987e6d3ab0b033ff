"""Checks the v2 revision after the migen post-write hook rewrote it.

    check_revision.py AFTER BEFORE

AFTER is the file as the hook left it, BEFORE the copy Alembic wrote (saved
by the test's migen wrapper just before migen ran). The file is read with
Python's own ast, never imported. Prints `ok NAME` or `FAIL NAME: detail`,
one line per check; tests/integration/autogen_hook.sh counts them.
"""
import ast
import difflib
import re
import sys

after_path, before_path = sys.argv[1], sys.argv[2]
with open(after_path, encoding="utf-8") as f:
    after_src = f.read()
with open(before_path, encoding="utf-8") as f:
    before_src = f.read()


def report(name, ok, detail=""):
    print(("ok   %s" % name) if ok else ("FAIL %s: %s" % (name, detail)))


try:
    after = ast.parse(after_src)
    before = ast.parse(before_src)
except SyntaxError as e:
    report("parses", False, str(e))
    sys.exit(0)
report("parses", True)


def function(tree, name):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def is_autocommit_with(node):
    """with op.get_context().autocommit_block():"""
    if not isinstance(node, ast.With) or len(node.items) != 1:
        return False
    call = node.items[0].context_expr
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "autocommit_block"
            and isinstance(call.func.value, ast.Call)
            and isinstance(call.func.value.func, ast.Attribute)
            and call.func.value.func.attr == "get_context")


def op_calls(body, in_block=False):
    """(call, inside an autocommit block) for every op.X(...) statement, in order."""
    for stmt in body:
        if is_autocommit_with(stmt):
            yield from op_calls(stmt.body, True)
            continue
        for node in ast.walk(stmt):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "op"
                    and node.func.attr not in ("f", "get_bind", "get_context")):
                yield node, in_block


def literal(node):
    """A string argument, also through op.f('...')."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "f" and node.args):
        return literal(node.args[0])
    return None


def calls(fn, what):
    return [(c, blk) for c, blk in op_calls(fn.body) if c.func.attr == what]


def named(fn, what, name):
    return [(i, c, blk) for i, (c, blk) in enumerate(op_calls(fn.body))
            if c.func.attr == what and c.args and literal(c.args[0]) == name]


def sql(fn, pattern):
    rx = re.compile(pattern, re.I | re.S)
    return [(i, c, blk) for i, (c, blk) in enumerate(op_calls(fn.body))
            if c.func.attr == "execute" and c.args and literal(c.args[0]) is not None
            and rx.search(literal(c.args[0]))]


up, down = function(after, "upgrade"), function(after, "downgrade")
if up is None or down is None:
    report("functions", False, "upgrade() or downgrade() is missing")
    sys.exit(0)

# 1. ix_users_email: CONCURRENTLY, inside an autocommit block, both ways.
hits = sql(up, r"CREATE\s+INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+ix_users_email\s+ON\s+users\s*\(\s*email\s*\)")
report("upgrade: CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email", len(hits) == 1,
       "found %d" % len(hits))
report("upgrade: ... inside `with op.get_context().autocommit_block():`",
       bool(hits) and all(blk for _, _, blk in hits), "outside the block")
plain = named(up, "create_index", "ix_users_email")
report("upgrade: the plain op.create_index(ix_users_email) is gone", not plain,
       "still at line %s" % [c.lineno for _, c, _ in plain])
hits = sql(down, r"DROP\s+INDEX\s+CONCURRENTLY\s+IF\s+EXISTS\s+ix_users_email\b")
report("downgrade: DROP INDEX CONCURRENTLY IF EXISTS ix_users_email in an autocommit block",
       len(hits) == 1 and all(blk for _, _, blk in hits),
       "found %d, in block: %s" % (len(hits), [blk for _, _, blk in hits]))
plain = named(down, "drop_index", "ix_users_email")
report("downgrade: the plain op.drop_index(ix_users_email) is gone", not plain,
       "still at line %s" % [c.lineno for _, c, _ in plain])

# 2. No CONCURRENTLY anywhere outside an autocommit block.
bad = [c.lineno for fn in (up, down) for _, c, blk in sql(fn, r"\bCONCURRENTLY\b") if not blk]
report("no CONCURRENTLY statement outside an autocommit block", not bad, "lines %s" % bad)

# 3. The tenant index of the new table, after its create_table, and its drop
#    before the drop_table.
ix = named(up, "create_index", "ix_notifications_tenant_space")
table = named(up, "create_table", "notifications")
ok = len(ix) == 1 and len(table) == 1 and ix[0][0] > table[0][0]
report("upgrade: op.create_index('ix_notifications_tenant_space') after create_table", ok,
       "create_index %d, create_table %d" % (len(ix), len(table)))
if ix:
    c = ix[0][1]
    cols = c.args[2] if len(c.args) > 2 else None
    cols = [literal(e) for e in cols.elts] if isinstance(cols, (ast.List, ast.Tuple)) else None
    where = [k for k in c.keywords if k.arg == "postgresql_where"]
    where_sql = (where[0].value.args[0].value if where and isinstance(where[0].value, ast.Call)
                 and where[0].value.args and isinstance(where[0].value.args[0], ast.Constant)
                 else None)
    report("upgrade: ... on notifications (tenant_id, space_id) WHERE deleted_at IS NULL",
           literal(c.args[1]) == "notifications" and cols == ["tenant_id", "space_id"]
           and where_sql == "deleted_at IS NULL",
           "table %r columns %r where %r" % (literal(c.args[1]), cols, where_sql))
    report("upgrade: ... transactional (new, empty table)", not ix[0][2], "in an autocommit block")
dix = named(down, "drop_index", "ix_notifications_tenant_space")
dtable = named(down, "drop_table", "notifications")
report("downgrade: op.drop_index('ix_notifications_tenant_space') before drop_table",
       len(dix) == 1 and len(dtable) == 1 and dix[0][0] < dtable[0][0],
       "drop_index %d, drop_table %d" % (len(dix), len(dtable)))

# 3b. The tenant index is partial, which no foreign key check can use: the
#     tenant_id foreign key gets its own full index (missing-fk-index).
fx = named(up, "create_index", "ix_notifications_tenant_id")
report("upgrade: op.create_index('ix_notifications_tenant_id'), full, after create_table",
       len(fx) == 1 and len(table) == 1 and fx[0][0] > table[0][0]
       and not [k for k in fx[0][1].keywords if k.arg == "postgresql_where"],
       "%r" % [(c.lineno, [k.arg for k in c.keywords]) for _, c, _ in fx])

# 4. The index of the new table Alembic wrote stays as it was (plain, atomic).
u = named(up, "create_index", "ix_notifications_user_id")
report("ix_notifications_user_id (new table) left as Alembic wrote it",
       len(u) == 1 and not u[0][2] and not sql(up, r"ix_notifications_user_id"),
       "%r" % [(c.lineno, blk) for _, c, blk in u])

# 5. The revision data is untouched.
def revision_data(tree):
    out = {"docstring": ast.get_docstring(tree)}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id in ("revision", "down_revision",
                                                         "branch_labels", "depends_on"):
                    out[t.id] = ast.literal_eval(node.value)
    return out


rb, ra = revision_data(before), revision_data(after)
report("revision, down_revision, branch_labels, depends_on, docstring unchanged", rb == ra,
       "before %r after %r" % (rb, ra))
report("down_revision is set (the v1 revision)", isinstance(ra.get("down_revision"), str),
       repr(ra.get("down_revision")))

# 6. Nothing else was changed: the only lines removed are the two plain
#    ix_users_email statements.
removed = [l[1:].strip() for l in difflib.unified_diff(
    before_src.splitlines(), after_src.splitlines(), lineterm="", n=0)
    if l.startswith("-") and not l.startswith("---")]
expected = ["op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=False)",
            "op.drop_index(op.f('ix_users_email'), table_name='users')"]
report("only the two ix_users_email lines were removed", sorted(removed) == sorted(expected),
       "removed %r" % removed)
