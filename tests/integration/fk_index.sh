#!/bin/sh
# missing-fk-index on the real thing: a partial index does not serve a
# foreign key check, and the index migen adds does. On a throwaway
# PostgreSQL 15 (lib/pg.sh), Debian's Alembic runs
# fixtures/rules/partial_index_fk.py (comments.author_id has only an index
# WHERE deleted_at IS NULL; post_id a full one), ROWS comments are seeded,
# and the plans of the statements PostgreSQL's foreign key triggers run
# (src/backend/utils/adt/ri_triggers.c) are read with EXPLAIN:
#   SELECT 1 FROM ONLY comments x WHERE $1 = author_id FOR KEY SHARE OF x
#   DELETE FROM ONLY comments WHERE $1 = author_id        (ON DELETE CASCADE)
# as a generic plan (what the trigger caches) and a custom one. Then the
# migration as `migen enhance --write --add-tenant-indexes` leaves it is run
# from scratch, and the same statements must use migen's indexes, for
# author_id and for tenant_id (whose tenant index is partial too). Last,
# fixtures/rules/downgrade_index.py: autogenerate's downgrade() fails on
# op.drop_constraint(None, ...), and runs as `migen --write` leaves it.
#
#   tests/integration/fk_index.sh path/to/migen
#
# Prints a line per check and `N passed, N failed` last; exits non-zero when a
# check failed. ROWS=N changes the number of comments (default 200,000).
set -u
migen=${1:?usage: fk_index.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
ROWS=${ROWS:-200000}
pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL - $*"
}

. tests/integration/lib/pg.sh
pg_start || { echo "fk_index: could not start PostgreSQL" >&2; exit 1; }
work=$PG_TMP/work # removed with the server by pg_stop
mkdir -p "$work"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d fk "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE fk' || exit 1
q <<'EOF' || exit 1
CREATE TABLE tenants (id integer PRIMARY KEY);
CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE posts (id integer PRIMARY KEY);
INSERT INTO tenants SELECT g FROM generate_series(1, 1000) g;
INSERT INTO users SELECT g FROM generate_series(1, 1000) g;
INSERT INTO posts SELECT g FROM generate_series(1, 1000) g;
EOF

# An Alembic project whose only migration is the fixture (made the base).
(cd "$work" && $PY -m alembic init project >/dev/null) || exit 1
url="postgresql+psycopg2://postgres@/fk?host=$PGHOST&port=$PGPORT"
$PY - "$work/project/../alembic.ini" "$url" <<'PYEOF' || exit 1
import configparser, sys
path, url = sys.argv[1], sys.argv[2]
text = open(path).read().splitlines()
out = []
for line in text:
    if line.startswith("sqlalchemy.url"):
        line = "sqlalchemy.url = " + url.replace("%", "%%")
    out.append(line)
open(path, "w").write("\n".join(out) + "\n")
PYEOF
versions=$work/project/versions
mkdir -p "$versions"
sed "s/^down_revision = .*/down_revision = None/" fixtures/rules/partial_index_fk.py \
	>"$versions/partial_index_fk.py"

alembic() { (cd "$work" && $PY -m alembic -c alembic.ini "$@" >"$work/alembic.log" 2>&1) || {
	cat "$work/alembic.log" >&2
	return 1
}; }

seed() {
	q <<EOF
INSERT INTO comments (id, tenant_id, post_id, author_id, deleted_at)
SELECT g, 1 + g % 1000, 1 + (g * 7) % 1000, 1 + (g * 13) % 1000,
       CASE WHEN g % 10 = 0 THEN now() END
FROM generate_series(1, $ROWS) g;
ANALYZE comments;
EOF
}

# The plan of a foreign key trigger's statement on comments.COLUMN, generic
# (as the trigger caches it) or custom: prints it on one line.
plan() { # column generic|custom select|delete
	case $3 in
	select) stmt="SELECT 1 FROM ONLY public.comments x WHERE \$1 OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x" ;;
	delete) stmt="DELETE FROM ONLY public.comments WHERE \$1 OPERATOR(pg_catalog.=) $1" ;;
	esac
	mode=force_generic_plan
	[ "$2" = custom ] && mode=force_custom_plan
	q <<EOF | tr '\n' ' '
SET plan_cache_mode = $mode;
PREPARE ri(integer) AS $stmt;
EXPLAIN (COSTS OFF) EXECUTE ri(42);
EOF
}

# expect COLUMN INDEX|none WHY: every trigger statement's plan uses INDEX (or scans the table).
expect() {
	for mode in generic custom; do
		for kind in select delete; do
			p=$(plan "$1" $mode $kind)
			if [ "$2" = none ]; then
				case $p in
				*"Index"*) bad "$1 $mode $kind: uses an index: $p" ;;
				*"Seq Scan on comments"*) ok "$1 $mode $kind: scans the table ($3)" ;;
				*) bad "$1 $mode $kind: no plan: $p" ;;
				esac
			else
				case $p in
				*" $2"*) ok "$1 $mode $kind: uses $2" ;;
				*) bad "$1 $mode $kind: does not use $2: $p" ;;
				esac
			fi
		done
	done
}

# 1. The migration as written: only a partial index on author_id.
alembic upgrade head || exit 1
seed || exit 1
n=$(q -c "SELECT count(*) FROM pg_index WHERE indrelid = 'comments'::regclass AND indpred IS NOT NULL")
[ "$n" = 1 ] && ok "the fixture builds its partial index" || bad "partial indexes: $n"
expect author_id none "only partial: ix_comments_author_live"
expect post_id ix_comments_post_id "a full index: the check can see index use"
# What --add-tenant-indexes used to add in place of the FK index: partial.
q -c "CREATE INDEX ix_comments_tenant ON comments (tenant_id) WHERE deleted_at IS NULL; ANALYZE comments" || exit 1
expect tenant_id none "only the partial tenant index"

# 2. migen says so.
"$migen" enhance --format json --add-tenant-indexes "$versions/partial_index_fk.py" >"$work/report.json"
$PY - "$work/report.json" <<'PYEOF' && ok "migen reports author_id and tenant_id, not post_id" || bad "migen's findings"
import json, sys
doc = json.load(open(sys.argv[1]))
fk = sorted(s["db_column"] for s in doc["suggestions"] if s["rule"] == "missing-fk-index")
sys.exit(0 if fk == ["author_id", "tenant_id"] else "missing-fk-index on %s" % fk)
PYEOF

# 3. The migration as migen's --write leaves it, from scratch.
alembic downgrade base || exit 1 # drops comments, ix_comments_tenant with it
"$migen" enhance --write --add-tenant-indexes "$versions/partial_index_fk.py" >"$work/write.log" 2>&1 ||
	{ cat "$work/write.log"; bad "migen --write"; }
alembic upgrade head || exit 1
seed || exit 1
expect author_id ix_comments_author_id "migen's index"
expect tenant_id ix_comments_tenant_id "migen's index beside the partial tenant index"
expect post_id ix_comments_post_id "unchanged"
alembic downgrade base && ok "downgrade after --write" || bad "downgrade after --write"

# 4. downgrade(): autogenerate's op.drop_constraint(None, ...) always fails
# (drop-unnamed-constraint); migen's name is the one PostgreSQL chose, and
# the index downgrade() re-creates is built CONCURRENTLY.
q <<'SQL' || exit 1
CREATE TABLE orders (id integer PRIMARY KEY, owner_id integer, legacy_code text);
INSERT INTO orders SELECT g, 1 + g % 1000, 'c' || g FROM generate_series(1, 1000) g;
CREATE INDEX ix_orders_legacy_code ON orders (legacy_code);
SQL
sed "s/^down_revision = .*/down_revision = '3c1f0a9e7b21'/" fixtures/rules/downgrade_index.py \
	>"$versions/downgrade_index.py"
alembic upgrade head || exit 1
n=$(q -c "SELECT conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'")
[ "$n" = orders_owner_id_fkey ] && ok "PostgreSQL names the unnamed key orders_owner_id_fkey" ||
	bad "the unnamed key is named '$n'"
if alembic downgrade -1 2>/dev/null; then
	bad "autogenerate's downgrade() ran"
else
	grep -q "it has no name" "$work/alembic.log" && ok "autogenerate's downgrade() fails: no name" ||
		bad "autogenerate's downgrade() failed otherwise"
fi
"$migen" enhance --write --use-concurrently "$versions/downgrade_index.py" >"$work/write.log" 2>&1 ||
	{ cat "$work/write.log"; bad "migen --write (downgrade)"; }
if alembic downgrade -1; then
	ok "downgrade() as migen wrote it runs"
	n=$(q -c "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'")
	[ "$n" = 0 ] && ok "the foreign key is dropped" || bad "foreign keys left: $n"
	v=$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_orders_legacy_code'::regclass")
	[ "$v" = t ] && ok "ix_orders_legacy_code is back, valid" || bad "ix_orders_legacy_code: '$v'"
else
	cat "$work/alembic.log"
	bad "downgrade() as migen wrote it fails"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
