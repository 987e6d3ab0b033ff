#!/bin/sh
# The fixes of unbatched-backfill, volatile-default-rewrites, enum-add-value,
# refresh-materialized-view-locks, detach-partition-locks,
# maintenance-in-transaction and missing-lock-timeout deploy: each flagged input of
# locks_fixes/fixes.py goes through `migen enhance` (`migen lint` for the
# env.py fix), and the printed code runs, verbatim, through Debian's Alembic
# on a throwaway PostgreSQL 15 (lib/pg.sh): online through psycopg2 with a
# second connection writing, through asyncpg (Alembic's async env.py), and
# offline with `alembic upgrade --sql` run by psql; upgrade, downgrade,
# upgrade, with catalog checks (lib/case.py). The flagged enum and VACUUM
# forms must fail as the rules say.
#
#   tests/integration/locks_fixes.sh build/migen [CASE...]
set -u
migen=${1:?usage: locks_fixes.sh path/to/migen [CASE...]}
shift
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
ROWS=${ROWS:-20000}
only=" $* "

. tests/integration/lib/pg.sh
pg_start || { echo "locks_fixes: could not start PostgreSQL" >&2; exit 1; }
work=$PG_TMP/work
PG_SERVER_LOG=$PG_TMP/server.log
export PG_SERVER_LOG
mkdir -p "$work/tpl" "$work/tpl-async"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE seed' || exit 1
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -d seed -f tests/integration/lib/seed.sql || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d seed <<'SQL' || exit 1
CREATE TYPE mood AS ENUM ('sad', 'ok');
ALTER TABLE users ADD COLUMN mood mood;
SQL
(cd "$work/tpl" && $PY -m alembic init migrations >/dev/null) || exit 1
(cd "$work/tpl-async" && $PY -m alembic init -t async migrations >/dev/null) || exit 1
cp -R "$work/tpl" "$work/tpl-lt"
cp -R "$work/tpl-async" "$work/tpl-lt-async"
$PY tests/integration/locks_fixes/fixes.py "$migen" "$work" || exit 1

pass=0
fail=0
run() {
	name=$1
	tpl=$2
	shift 2
	case $only in "  ") ;; *" $name "*) ;; *) return 0 ;; esac
	t0=$(date +%s)
	if $PY tests/integration/lib/case.py --name "$name" --migen "$migen" --work "$work" \
		--template-project "$work/$tpl" --async-template-project "$work/$tpl-async" \
		--rows "$ROWS" "$@"; then
		pass=$((pass + 1))
		echo "ok   $name ($(($(date +%s) - t0)) s)"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
	fi
}
hascol() { echo "SELECT count(*) = 1 FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2' AND NOT attisdropped"; }
nocol() { echo "SELECT count(*) = 0 FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2' AND NOT attisdropped"; }
notnull() { echo "SELECT attnotnull FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2'"; }

run unbatched-all tpl --migration-file "$work/unbatched-all.py" \
	--check "SELECT count(*) = 0 FROM users WHERE id <= $ROWS AND legacy_note IS DISTINCT FROM lower(email)"
run unbatched-null tpl --migration-file "$work/unbatched-null.py" \
	--check "SELECT count(*) = 0 FROM users WHERE id <= $ROWS AND name IS NULL" \
	--check "SELECT count(*) > 0 FROM users WHERE name = 'anon'"
run volatile-uuid tpl --migration-file "$work/volatile-uuid.py" \
	--check "$(hascol users token)" --check "$(notnull users token)" \
	--check "SELECT count(*) = 0 FROM users WHERE token IS NULL" \
	--check "SELECT count(DISTINCT token) = count(*) FROM users" \
	--check "SELECT pg_get_expr(adbin, adrelid) = 'gen_random_uuid()' FROM pg_attrdef WHERE adrelid = 'users'::regclass AND adnum = (SELECT attnum FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'token')" \
	--check-down "$(nocol users token)"
run volatile-clock tpl --migration-file "$work/volatile-clock.py" \
	--check "$(hascol users seen_at)" --check "SELECT count(*) = 0 FROM users WHERE seen_at IS NULL" \
	--check-down "$(nocol users seen_at)"
run enum-add tpl --migration-file "$work/enum-add.py" \
	--check "SELECT mood = 'happy' FROM users WHERE id = 1"
run enum-add-flagged tpl --passes psycopg2 --no-load --migration-file "$work/enum-add-flagged.py" \
	--expect-fail "unsafe use of new value"
run vacuum tpl --migration-file "$work/vacuum.py" \
	--check "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'users'"
run vacuum-flagged tpl --passes psycopg2 --no-load --migration-file "$work/vacuum-flagged.py" \
	--expect-fail "cannot run inside a transaction block"
run reindex tpl --migration-file "$work/reindex.py" \
	--check "SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'users'::regclass" \
	--check "SELECT count(*) = 0 FROM pg_class WHERE relname LIKE '%_ccnew%'"
# transaction-control's claims: a COMMIT in op.execute() ends Alembic's
# transaction (a later failure leaves what ran before it; without the COMMIT
# nothing is left), a ROLLBACK discards the work and Alembic's version table
# with it (on a fresh database the upgrade then fails on alembic_version).
cat >"$work/commit.py" <<'PY'
def upgrade():
    op.execute("CREATE TABLE lb_t1 (id int)")
    op.execute("COMMIT")
    op.execute("SELECT 1/0")


def downgrade():
    pass
PY
sed '/COMMIT/d' "$work/commit.py" >"$work/commit-control.py"
cat >"$work/rollback.py" <<'PY'
def upgrade():
    op.execute("UPDATE users SET name = 'rolled' WHERE id = 1")
    op.execute("ROLLBACK")


def downgrade():
    op.execute("SELECT 1")
PY
run txn-commit tpl --passes psycopg2 --no-load --migration-file "$work/commit.py" \
	--expect-fail "division by zero" --check "SELECT to_regclass('lb_t1') IS NOT NULL"
run txn-commit-control tpl --passes psycopg2 --no-load --migration-file "$work/commit-control.py" \
	--expect-fail "division by zero" --check "SELECT to_regclass('lb_t1') IS NULL"
run txn-rollback tpl --passes psycopg2 --no-load --migration-file "$work/rollback.py" \
	--expect-fail 'relation "alembic_version" does not exist' \
	--check "SELECT name IS DISTINCT FROM 'rolled' FROM users WHERE id = 1"
run lock-timeout tpl-lt --migration-file "$work/lt.py" \
	--check "$(hascol users bio)" --check-down "$(nocol users bio)" --offline-has "SET lock_timeout = '5s'"
# refresh-materialized-view-locks and detach-partition-locks: a view with the
# unique index CONCURRENTLY needs, a partitioned table with rows; the flagged
# CONCURRENTLY detach in the migration's transaction fails as the rule says.
matview="CREATE MATERIALIZED VIEW user_names AS SELECT id, name FROM users; CREATE UNIQUE INDEX user_names_id ON user_names (id)"
parts="CREATE TABLE events (id bigserial, at date NOT NULL) PARTITION BY RANGE (at); CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'); INSERT INTO events (at) SELECT date '2024-01-01' + g % 730 FROM generate_series(1, 20000) g"
attached="SELECT count(*) = 1 FROM pg_inherits WHERE inhrelid = 'events_2024'::regclass"
detached="SELECT count(*) = 0 FROM pg_inherits WHERE inhrelid = 'events_2024'::regclass"
run refresh-matview tpl --migration-file "$work/refresh-matview.py" --pre-sql "$matview" \
	--check "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'user_names'" \
	--check "SELECT count(*) > 0 FROM user_names"
run detach tpl --migration-file "$work/detach.py" --pre-sql "$parts" \
	--check "$detached" --check "SELECT count(*) > 0 FROM events_2024" --check-down "$attached"
run detach-in-txn tpl --migration-file "$work/detach-in-txn.py" --pre-sql "$parts" \
	--check "$detached" --check-down "$attached"
run detach-in-txn-flagged tpl --passes psycopg2 --no-load --pre-sql "$parts" \
	--migration-file "$work/detach-in-txn-flagged.py" --expect-fail "cannot run inside a transaction block"
# lock-table's error: LOCK TABLE in an autocommit block is refused.
cat >"$work/lock-autocommit.py" <<'PY'
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("LOCK TABLE users IN ACCESS SHARE MODE")


def downgrade():
    pass
PY
run lock-autocommit tpl --passes psycopg2 --no-load --migration-file "$work/lock-autocommit.py" \
	--expect-fail "LOCK TABLE can only be used in transaction blocks"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
