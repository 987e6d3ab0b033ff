#!/bin/sh
# migen as an Alembic post-write hook, end to end, on the real thing: Debian's
# Alembic 1.8 and a throwaway PostgreSQL 15 (lib/pg.sh).
#
#   tests/integration/autogen_hook.sh build/migen
#
# An Alembic project whose env.py registers the hook of docs/alembic-hook.md
# (hook/env_hook.py) and whose alembic.ini enables it; models v1 (tenants,
# users), autogenerate + upgrade, 50,000 users (ROWS=N), models v2 (an index
# on users.email, a new notifications table), autogenerate: the hook must have
# rewritten the new revision (CONCURRENTLY in an autocommit block, the tenant
# index), and the result must run: upgrade (built concurrently, per the server
# log; valid in pg_index), downgrade -1, upgrade again. Then the hook again on
# the written file: nothing changes.
#
# Prints a line per check and `N passed, N failed` last; exits non-zero when
# a check failed.
set -u
migen=${1:?usage: autogen_hook.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
ROWS=${ROWS:-50000}
fixtures=$top/tests/integration/hook
t_start=$(date +%s)

[ -x "$migen" ] || { echo "autogen_hook: $migen: not an executable" >&2; exit 1; }

. tests/integration/lib/pg.sh
pg_start || { echo "autogen_hook: could not start PostgreSQL" >&2; exit 1; }
work=$PG_TMP/work # removed with the server by pg_stop, also on failure or ^C
log=$PG_TMP/server.log
mkdir -p "$work/bin" "$work/before" || exit 1

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/     | /'
}
# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else no "$name" "$out"; fi
}
# sql_true NAME SQL: passes when SQL returns t.
sql_true() {
	r=$(psql -X -At -d app -c "$2" 2>&1)
	if [ "$r" = t ]; then ok "$1"; else no "$1" "$2 -> $r"; fi
}
alembic() { (cd "$work/project" && $PY -m alembic "$@"); }
# Bytes of the server log so far, to look only at what comes next.
logmark() { wc -c <"$log"; }
logsince() { tail -c +"$(($1 + 1))" "$log"; }

# Every statement in the server log, to see how the index was built.
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
	-c "ALTER SYSTEM SET log_statement = 'all'" -c 'SELECT pg_reload_conf()' >/dev/null &&
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE app' || exit 1

# `migen` on PATH, as the hook calls it: a wrapper that keeps a copy of the
# file as Alembic wrote it (for the checks and for a bug report), then runs
# the binary under test.
cat >"$work/bin/migen" <<EOF
#!/bin/sh
for a; do f=\$a; done
[ -f "\$f" ] && cp "\$f" "$work/before/"
exec "$migen" "\$@"
EOF
chmod +x "$work/bin/migen"
PATH=$work/bin:$PATH
export PATH

# ---- the Alembic project ----
mkdir -p "$work/project"
(cd "$work/project" && $PY -m alembic init migrations >/dev/null) || exit 1
url="postgresql+psycopg2:///app?host=$PGHOST\&port=$PGPORT\&user=$PGUSER"
# docs/alembic-hook.md (b): the ini names the hook; env.py registers it.
# revision_environment: env.py (and so the hook) also for a plain `revision`.
sed -i -e "s|^sqlalchemy.url = .*|sqlalchemy.url = $url|" \
	-e 's|^# revision_environment = false|revision_environment = true|' \
	-e 's|^\[post_write_hooks\]|&\nhooks = migen\nmigen.type = migen|' \
	"$work/project/alembic.ini" || exit 1
$PY - "$work/project/migrations/env.py" "$fixtures/env_hook.py" <<'EOF' || exit 1
import sys
env, hook = sys.argv[1], open(sys.argv[2]).read()
src = open(env).read()
anchor = "from alembic import context\n"
assert anchor in src and "target_metadata = None\n" in src
src = src.replace(anchor, anchor + "\n" + hook + "\n", 1)
src = src.replace("target_metadata = None\n",
                  "import models\ntarget_metadata = models.Base.metadata\n", 1)
open(env, "w").write(src)
EOF
check "alembic.ini enables the hook" grep -qx 'migen.type = migen' "$work/project/alembic.ini"

# ---- v1: tenants, users ----
cp "$fixtures/models_v1.py" "$work/project/models.py"
out=$(alembic revision --autogenerate -m v1 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "v1: alembic revision --autogenerate"; else no "v1: alembic revision --autogenerate (exit $rc)" "$out"; fi
v1=$(ls "$work"/project/migrations/versions/*_v1.py 2>/dev/null | head -1)
case $out in
*'Running post write hook "migen"'*done*) ok "v1: the hook ran" ;;
*) no "v1: the hook ran" "$out" ;;
esac
# users.tenant_id has index=True in the model: nothing to add.
if [ -n "$v1" ] && cmp -s "$v1" "$work/before/$(basename "$v1")"; then
	ok "v1: nothing to fix, file untouched"
else
	no "v1: nothing to fix, file untouched" "$(diff -u "$work/before/$(basename "$v1")" "$v1" 2>&1)"
fi
if out=$(alembic upgrade head 2>&1); then ok "v1: alembic upgrade head"; else no "v1: alembic upgrade head" "$out"; fi

# ---- the data: $ROWS users ----
psql -X -q -v ON_ERROR_STOP=1 -d app <<EOF || exit 1
INSERT INTO tenants (id, name) SELECT g, 'tenant ' || g FROM generate_series(1, 100) g;
INSERT INTO users (tenant_id, email)
SELECT g % 100 + 1, 'user' || g || '@example.com' FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE users;
EOF
sql_true "users has $ROWS rows" "SELECT count(*) = $ROWS FROM users"

# ---- v2: users.email index, notifications ----
cp "$fixtures/models_v2.py" "$work/project/models.py"
rm -rf "$work/project/__pycache__"
out=$(alembic revision --autogenerate -m v2 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "v2: alembic revision --autogenerate"; else no "v2: alembic revision --autogenerate (exit $rc)" "$out"; fi
echo "$out" | sed -n '/Running post write hook/,$p' | sed 's/^/     | /'
v2=$(ls "$work"/project/migrations/versions/*_v2.py 2>/dev/null | head -1)
before=$work/before/$(basename "${v2:-none}")
if [ -z "$v2" ] || [ ! -f "$before" ]; then
	no "v2: the hook ran on the new revision" "$out"
	echo "$pass passed, $fail failed"
	exit 1
fi
case $out in
*'Running post write hook "migen"'*done*) ok "v2: the hook ran" ;;
*) no "v2: the hook ran" "$out" ;;
esac
case $out in
*"3 fixes applied"*) ok "v2: migen reports 3 fixes applied" ;;
*) no "v2: migen reports 3 fixes applied" "$out" ;;
esac

# The file as the hook left it.
res=$($PY "$fixtures/check_revision.py" "$v2" "$before" 2>&1)
echo "$res" | grep -v '^ok   \|^FAIL ' | sed 's/^/     | /'
pass=$((pass + $(echo "$res" | grep -c '^ok   ')))
fail=$((fail + $(echo "$res" | grep -c '^FAIL ')))
echo "$res" | grep '^ok   \|^FAIL ' | sed 's/^\(ok  \|FAIL\) /\1 v2 file: /'
check "v2 file: python3 -m py_compile" $PY -m py_compile "$v2"

# Idempotent: the hook's command again on the written file changes nothing.
cp "$v2" "$work/v2.written"
out=$(migen enhance --write --fail-on never --add-tenant-indexes --use-concurrently "$v2" 2>&1)
rc=$?
if [ $rc -eq 0 ] && cmp -s "$v2" "$work/v2.written"; then
	ok "v2 file: enhance --write again leaves it byte-identical"
else
	no "v2 file: enhance --write again leaves it byte-identical (exit $rc)" \
		"$out
$(diff -u "$work/v2.written" "$v2")"
fi
case $out in
*"nothing to change"*) ok "v2 file: enhance --write again: nothing to change" ;;
*) no "v2 file: enhance --write again: nothing to change" "$out" ;;
esac
out=$(migen enhance --diff --add-tenant-indexes --use-concurrently "$v2" 2>/dev/null)
if [ -z "$out" ]; then ok "v2 file: enhance --diff is empty"; else no "v2 file: enhance --diff is empty" "$out"; fi

# ---- run it ----
valid="SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = to_regclass('ix_users_email')"
tenant="SELECT indisvalid AND pg_get_indexdef(indexrelid) LIKE '%ON public.notifications USING btree (tenant_id, space_id) WHERE (deleted_at IS NULL)' FROM pg_index WHERE indexrelid = to_regclass('ix_notifications_tenant_space')"
email_def="SELECT pg_get_indexdef('ix_users_email'::regclass) = 'CREATE INDEX ix_users_email ON public.users USING btree (email)'"
rev=$($PY -c 'import ast,sys; t=ast.parse(open(sys.argv[1]).read()); print([ast.literal_eval(n.value) for n in t.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "revision"][0])' "$v2")

upgrade_checks() {
	m=$(logmark)
	out=$(alembic upgrade head 2>&1)
	rc=$?
	logsince "$m" >"$work/upgrade.log" # what Alembic sent, without the checks' queries
	if [ $rc -eq 0 ]; then ok "$1: alembic upgrade head"; else no "$1: alembic upgrade head (exit $rc)" "$out"; fi
	sql_true "$1: ix_users_email exists, indisvalid and indisready" "$valid"
	sql_true "$1: ix_users_email is on users (email)" "$email_def"
	sql_true "$1: ix_notifications_tenant_space on (tenant_id, space_id) WHERE deleted_at IS NULL, valid" "$tenant"
	sql_true "$1: alembic_version is v2" "SELECT version_num = '$rev' FROM alembic_version"
	if grep -q 'statement: *CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email\|^[[:space:]]*CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email' "$work/upgrade.log"; then
		ok "$1: server log: CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email"
	else
		no "$1: server log: CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email" \
			"$(grep -i 'index' "$work/upgrade.log" | head -20)"
	fi
	if grep -Eiq 'CREATE +(UNIQUE +)?INDEX +(IF +NOT +EXISTS +)?"?ix_users_email' "$work/upgrade.log"; then
		no "$1: server log: no plain (blocking) CREATE INDEX ix_users_email" \
			"$(grep -i 'ix_users_email' "$work/upgrade.log")"
	else
		ok "$1: server log: no plain (blocking) CREATE INDEX ix_users_email"
	fi
}

upgrade_checks "upgrade"

m=$(logmark)
out=$(alembic downgrade -1 2>&1)
rc=$?
logsince "$m" >"$work/downgrade.log"
if [ $rc -eq 0 ]; then ok "downgrade -1"; else no "downgrade -1 (exit $rc)" "$out"; fi
sql_true "downgrade: ix_users_email is gone" "SELECT to_regclass('ix_users_email') IS NULL"
sql_true "downgrade: notifications is gone" "SELECT to_regclass('notifications') IS NULL"
sql_true "downgrade: users keeps its $ROWS rows" "SELECT count(*) = $ROWS FROM users"
if grep -q 'DROP INDEX CONCURRENTLY IF EXISTS ix_users_email' "$work/downgrade.log"; then
	ok "downgrade: server log: DROP INDEX CONCURRENTLY IF EXISTS ix_users_email"
else
	no "downgrade: server log: DROP INDEX CONCURRENTLY IF EXISTS ix_users_email" \
		"$(grep -i 'index' "$work/downgrade.log" | head -20)"
fi

upgrade_checks "upgrade again"

echo "autogen_hook: $(($(date +%s) - t_start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
