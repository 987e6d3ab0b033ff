#!/bin/sh
# The rolling-deploy rules' claims, shown on a real PostgreSQL 15:
#   - deploy_rules.py: what old code meets after a bare drop or rename, that
#     narrowing changes and new UNIQUE/CHECK constraints fail on existing rows
#     (and that migen's counting query finds those rows), the constraint name
#     drop-unnamed-constraint offers is PostgreSQL's and its --fix deploys, on
#     fixtures/deploy run through Alembic;
#   - drops-needed-index: the foreign key check's plan with and without the index;
#   - the type rules: json without equality, char padding, 63-byte names;
#   - duplicate-column-assignment, drop-schema (DROP DATABASE in the transaction,
#     DROP SCHEMA of a schema that is not empty) and TRUNCATE without CASCADE:
#     each flagged statement alone in a revision on fixtures/sqlhazards fails
#     through Alembic as the rule says (op.create_table: SQLAlchemy 1.4 keeps
#     the last column);
#   - rename-table's bridge view (migen's own output, verbatim), through
#     lib/case.py: upgrade, downgrade, upgrade with psycopg2 while a second
#     connection keeps writing to the old name, with asyncpg, and offline.
#
#   tests/integration/deploy_rules.sh build/migen
set -u
migen=${1:?usage: deploy_rules.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
ROWS=${ROWS:-20000}

. tests/integration/lib/pg.sh
pg_start || { echo "deploy_rules: could not start PostgreSQL" >&2; exit 1; }
work=$PG_TMP/work
mkdir -p "$work/tpl" "$work/tpl-async"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE seed' || exit 1
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -d seed -f tests/integration/lib/seed.sql || exit 1
(cd "$work/tpl" && $PY -m alembic init migrations >/dev/null) || exit 1
(cd "$work/tpl-async" && $PY -m alembic init -t async migrations >/dev/null) || exit 1

fail=0
$PY tests/integration/deploy_rules.py "$migen" "$work" || fail=1

# rename-table: the finding's code, put into the migration it is about.
cat >"$work/rename.py" <<'PY'
def upgrade():
    op.rename_table('users', 'app_users')


def downgrade():
    op.rename_table('app_users', 'users')
PY
if $PY - "$migen" "$work/rename.py" "$work/rename_fixed.py" <<'PY'; then
import json, subprocess, sys
migen, src, dst = sys.argv[1:]
# migen reads the body under a revision header; case.py adds its own header.
head = "from alembic import op\n\nrevision = 'r1'\ndown_revision = None\n\n\n"
with open(src + ".lint.py", "w") as f:
    f.write(head + open(src).read())
out = subprocess.run([migen, "lint", "--format", "json", "--select", "rename-table",
                      src + ".lint.py"], stdout=subprocess.PIPE, universal_newlines=True).stdout
f = json.loads(out)["findings"]
assert len(f) == 1, f
up, down = f[0]["code"].split("# Add to downgrade(), before the table is renamed back to users:\n")
text = open(src).read()
text = text.replace("    op.rename_table('users', 'app_users')\n",
                    "    op.rename_table('users', 'app_users')\n" + up)
text = text.replace("def downgrade():\n", "def downgrade():\n" + down)
open(dst, "w").write(text)
PY
	if $PY tests/integration/lib/case.py --name rename-table-view --migen "$migen" --work "$work" \
		--template-project "$work/tpl" --async-template-project "$work/tpl-async" \
		--rows "$ROWS" --migration-file "$work/rename_fixed.py" \
		--check "SELECT relkind = 'v' FROM pg_class WHERE oid = to_regclass('users')" \
		--check "SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass('app_users')" \
		--check-load "SELECT count(*) > 0 FROM app_users WHERE email LIKE 'load-%'" \
		--check-down "SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass('users')" \
		--check-down "SELECT to_regclass('app_users') IS NULL"; then
		echo "ok   rename-table-view"
	else
		echo "FAIL rename-table-view"
		fail=1
	fi
else
	echo "FAIL rename-table-view: migen printed no usable code"
	fail=1
fi
[ $fail -eq 0 ] && echo "deploy_rules: all passed"
exit $fail
