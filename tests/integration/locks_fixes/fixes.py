#!/usr/bin/python3
"""Builds the migrations locks_fixes.sh deploys: each flagged input (INPUTS)
is given to `migen enhance --format json --key id`, and the code of the
finding of RULE becomes upgrade() of a migration (downgrade() given here),
verbatim. missing-lock-timeout's code goes into the env.py of both Alembic
templates (sync and async), indented where the template's own
`with context.begin_transaction():` block is, as a user pastes it.

    fixes.py MIGEN WORKDIR
"""
import json
import os
import re
import subprocess
import sys
import textwrap

HEAD = '''"""{name}"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "x1"
down_revision = None


def upgrade():
{body}
'''
# A data change has no downgrade; lib/case.py wants the offline downgrade to
# print some SQL, so these print a no-op.
NOOP = 'op.execute("SELECT 1")'
ATTACH = ('op.execute("ALTER TABLE events ATTACH PARTITION events_2024 '
          'FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\')")')
INPUTS = {
    # name: (rule, the flagged upgrade() body, downgrade() for the fix, more upgrade() after)
    "unbatched-all": ("unbatched-backfill",
                      'op.execute("UPDATE users SET legacy_note = lower(email)")', NOOP, ""),
    "unbatched-null": ("unbatched-backfill",
                       "op.execute(\"UPDATE users SET name = 'anon' WHERE name IS NULL\")", NOOP,
                       ""),
    "volatile-uuid": ("volatile-default-rewrites",
                      'op.add_column("users", sa.Column("token", postgresql.UUID(), '
                      'server_default=sa.text("gen_random_uuid()"), nullable=False))',
                      'op.drop_column("users", "token")', ""),
    "volatile-clock": ("volatile-default-rewrites",
                       'op.add_column("users", sa.Column("seen_at", sa.DateTime(timezone=True), '
                       'server_default=sa.text("clock_timestamp()")))',
                       'op.drop_column("users", "seen_at")', ""),
    "vacuum": ("maintenance-in-transaction", 'op.execute("VACUUM ANALYZE users")', NOOP, ""),
    "reindex": ("maintenance-in-transaction", 'op.execute("REINDEX TABLE users")', NOOP, ""),
    "enum-add": ("enum-add-value", 'op.execute("ALTER TYPE mood ADD VALUE \'happy\'")', NOOP,
                 "op.execute(\"UPDATE users SET mood = 'happy' WHERE id = 1\")"),
    # beyond-a: the view and the partitioned table come from locks_fixes.sh's --pre-sql
    "refresh-matview": ("refresh-materialized-view-locks",
                        'op.execute("REFRESH MATERIALIZED VIEW user_names")', NOOP, ""),
    "detach": ("detach-partition-locks",
               'op.execute("ALTER TABLE events DETACH PARTITION events_2024")', ATTACH, ""),
    "detach-in-txn": ("detach-partition-locks",
                      'op.execute("ALTER TABLE events DETACH PARTITION events_2024 '
                      'CONCURRENTLY")', ATTACH, ""),
}


def finding(migen, work, name, rule, body):
    path = os.path.join(work, name + "-input.py")
    with open(path, "w") as f:
        f.write(HEAD.format(name=name, body=body) + "\n\ndef downgrade():\n    pass\n")
    # The flagged form alone, as lib/case.py wants it (it writes the header).
    with open(os.path.join(work, name + "-flagged.py"), "w") as f:
        f.write("def upgrade():\n" + body + "\n\ndef downgrade():\n    pass\n")
    p = subprocess.run([migen, "enhance", "--format", "json", "--key", "id", path],
                       stdout=subprocess.PIPE, universal_newlines=True)
    for fi in json.loads(p.stdout)["suggestions"]:
        if fi["rule"] == rule and fi.get("code"):
            return fi["code"]
    sys.exit("fixes.py: %s: no %s finding with code" % (name, rule))


def main():
    migen, work = sys.argv[1], sys.argv[2]
    for name, (rule, body, down, after) in INPUTS.items():
        code = finding(migen, work, name, rule,
                       "    " + body + "\n" + ("    " + after + "\n" if after else ""))
        if after:
            code += "    " + after + "\n"
        with open(os.path.join(work, name + ".py"), "w") as f:
            f.write("def upgrade():\n" + code + "\n\ndef downgrade():\n    " + down + "\n")
    # missing-lock-timeout: env.py of both templates.
    path = os.path.join(work, "lt-flagged.py")
    with open(path, "w") as f:
        f.write(HEAD.format(name="lt", body='    op.add_column("users", sa.Column("bio", sa.Text()))\n'))
    env_dir = os.path.join(work, "lt-env")
    os.makedirs(os.path.join(env_dir, "migrations", "versions"), exist_ok=True)
    with open(os.path.join(env_dir, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = migrations\n")
    with open(os.path.join(env_dir, "migrations", "env.py"), "w") as f:
        f.write("from alembic import context\n")
    os.replace(path, os.path.join(env_dir, "migrations", "versions", "lt.py"))
    with open(os.path.join(work, "lt.py"), "w") as f:
        f.write('def upgrade():\n    op.add_column("users", sa.Column("bio", sa.Text()))\n\n\n'
                'def downgrade():\n    op.drop_column("users", "bio")\n')
    p = subprocess.run([migen, "lint", "--format", "json", "--select", "missing-lock-timeout"],
                       cwd=env_dir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       universal_newlines=True)
    codes = [fi["code"] for fi in json.loads(p.stdout)["findings"]
             if fi["rule"] == "missing-lock-timeout" and fi.get("code")]
    if not codes:
        sys.exit("fixes.py: lint printed no missing-lock-timeout fix:\n" + p.stdout)
    block = textwrap.dedent(codes[0])
    for tpl in ("tpl-lt", "tpl-lt-async"):
        env = os.path.join(work, tpl, "migrations", "env.py")
        with open(env) as f:
            text = f.read()
        pat = re.compile(r"^( *)with context\.begin_transaction\(\):\n\1    context\.run_migrations\(\)\n",
                         re.M)
        text, n = pat.subn(lambda m: textwrap.indent(block, m.group(1)), text)
        if n < 2:
            sys.exit("fixes.py: %s: the begin_transaction block found %d times" % (env, n))
        with open(env, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
