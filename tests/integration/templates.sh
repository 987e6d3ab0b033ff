#!/bin/sh
# The proof on the real thing: every index-template and backfill-template
# variant and every pattern, as printed by migen, run by Debian's Alembic on a
# throwaway PostgreSQL 15 (see lib/pg.sh) against tables seeded with ROWS rows
# (default 50,000), while a second connection inserts and updates the same
# table. Each case: upgrade, catalog checks, downgrade, checks, upgrade again,
# checks; then the same without the load through asyncpg (Alembic's async
# env.py); then offline, `alembic upgrade --sql` run by psql (lib/case.py).
#
#   tests/integration/templates.sh build/migen [CASE...]
#
# Prints a line per case, the load figures, and `N passed, N failed` last;
# exits non-zero when a case failed. ROWS=N changes the table size,
# RESULTS=file keeps the figures (JSON lines).
set -u
migen=${1:?usage: templates.sh path/to/migen [CASE...]}
shift
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
ROWS=${ROWS:-50000}
only=" $* "

. tests/integration/lib/pg.sh
pg_start || { echo "templates: could not start PostgreSQL" >&2; exit 1; }
work=$PG_TMP/work # removed with the server by pg_stop
PG_SERVER_LOG=$PG_TMP/server.log
export PG_SERVER_LOG
mkdir -p "$work/tpl"
results=${RESULTS:-$work/results.jsonl}
: >"$results"

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE seed' || exit 1
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -d seed -f tests/integration/lib/seed.sql || exit 1
# A second table with names that need quoting, in its own schema.
psql -X -q -v ON_ERROR_STOP=1 -d seed <<EOF || exit 1
CREATE SCHEMA app;
CREATE TABLE app."Order" (id bigserial PRIMARY KEY, tenant_id bigint NOT NULL, "Email" text,
                          "Plan Name" text);
INSERT INTO app."Order" (tenant_id, "Email")
SELECT g % 100 + 1, 'o' || g || '@example.com' FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE app."Order";
EOF
# alembic init's own files; every case copies them and points them at its database.
(cd "$work/tpl" && $PY -m alembic init migrations >/dev/null) || exit 1
mkdir -p "$work/tpl-async"
(cd "$work/tpl-async" && $PY -m alembic init -t async migrations >/dev/null) || exit 1

pass=0
fail=0
t_start=$(date +%s)

# run NAME CASE.PY-ARGS...
run() {
	name=$1
	shift
	case $only in "  ") ;; *" $name "*) ;; *) return 0 ;; esac
	t0=$(date +%s)
	if $PY tests/integration/lib/case.py --name "$name" --migen "$migen" --work "$work" \
		--template-project "$work/tpl" \
		--async-template-project "$work/tpl-async" --rows "$ROWS" --results "$results" "$@"; then
		pass=$((pass + 1))
		echo "ok   $name ($(($(date +%s) - t0)) s)"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
	fi
}

# Catalog checks, as SQL that must return true.
valid() { echo "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = to_regclass('$1')"; }
gone() { echo "SELECT to_regclass('$1') IS NULL"; }
notnull() { echo "SELECT attnotnull FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2'"; }
nullable() { echo "SELECT NOT attnotnull FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2'"; }
nonulls() { echo "SELECT count(*) = 0 FROM $1 WHERE $2 IS NULL"; }
hascol() { echo "SELECT count(*) = 1 FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2' AND NOT attisdropped"; }
nocol() { echo "SELECT count(*) = 0 FROM pg_attribute WHERE attrelid = '$1'::regclass AND attname = '$2' AND NOT attisdropped"; }
noconstraint() { echo "SELECT count(*) = 0 FROM pg_constraint WHERE conname = '$1'"; }
validated() { echo "SELECT convalidated FROM pg_constraint WHERE conname = '$1'"; }

# ---- index-template ----
ix=ix_users_tenant_id_email
run ix-basic --migration "index-template --table users --columns tenant_id,email" \
	--check "$(valid $ix)" --check "SELECT NOT indisunique AND indpred IS NULL FROM pg_index WHERE indexrelid = '$ix'::regclass" \
	--check-down "$(gone $ix)"
ix=ix_users_tenant_id_created_at_lower_email
run ix-expr --migration "index-template --table users --columns 'tenant_id, created_at DESC, lower(email)'" \
	--check "$(valid $ix)" --check "SELECT pg_get_indexdef('$ix'::regclass) LIKE '%(tenant_id, created_at DESC, lower(email))'" \
	--check-down "$(gone $ix)"
run ix-unique --migration "index-template --table users --columns email --unique --name ux_users_email" \
	--check "$(valid ux_users_email)" --check "SELECT indisunique FROM pg_index WHERE indexrelid = 'ux_users_email'::regclass" \
	--check-down "$(gone ux_users_email)"
run ix-where --migration "index-template --table users --columns tenant_id --where \"status = 'active' AND email LIKE 'user%'\"" \
	--check "$(valid ix_users_tenant_id)" \
	--check "SELECT pg_get_indexdef('ix_users_tenant_id'::regclass) LIKE '%WHERE ((status = ''active''::text) AND (email ~~ ''user\%''::text))'" \
	--check-down "$(gone ix_users_tenant_id)"
run ix-soft-delete --pre-sql "ALTER TABLE users ADD COLUMN deleted_at timestamptz" \
	--pre-sql "UPDATE users SET deleted_at = now() WHERE id % 10 = 0" \
	--migration "index-template --table users --columns tenant_id,email --unique --soft-delete" \
	--check "$(valid ix_users_tenant_id_email)" \
	--check "SELECT indisunique AND pg_get_indexdef(indexrelid) LIKE '%WHERE (deleted_at IS NULL)' FROM pg_index WHERE indexrelid = 'ix_users_tenant_id_email'::regclass" \
	--check-down "$(gone ix_users_tenant_id_email)"
run ix-soft-delete-column --pre-sql "ALTER TABLE users ADD COLUMN removed_at timestamptz" \
	--migration "index-template --table users --columns email --soft-delete=removed_at" \
	--check "$(valid ix_users_email)" \
	--check "SELECT pg_get_indexdef('ix_users_email'::regclass) LIKE '%WHERE (removed_at IS NULL)'" \
	--check-down "$(gone ix_users_email)"
run ix-gin --migration "index-template --table users --using gin --columns \"to_tsvector('simple', email)\"" \
	--check "$(valid ix_users_to_tsvector_email)" \
	--check "SELECT amname = 'gin' FROM pg_class JOIN pg_am ON pg_am.oid = relam WHERE pg_class.oid = 'ix_users_to_tsvector_email'::regclass" \
	--check-down "$(gone ix_users_to_tsvector_email)"
run ix-gist --migration "index-template --table users --using gist --columns 'point(score, counter)' --name ix_users_score_point" \
	--check "$(valid ix_users_score_point)" --check-down "$(gone ix_users_score_point)"
run ix-brin --migration "index-template --table users --using brin --columns created_at" \
	--check "$(valid ix_users_created_at)" --check-down "$(gone ix_users_created_at)"
run ix-hash --migration "index-template --table users --using hash --columns email" \
	--check "$(valid ix_users_email)" --check-down "$(gone ix_users_email)"
run ix-spgist --migration "index-template --table users --using spgist --columns email" \
	--check "$(valid ix_users_email)" \
	--check "SELECT amname = 'spgist' FROM pg_class JOIN pg_am ON pg_am.oid = relam WHERE pg_class.oid = 'ix_users_email'::regclass" \
	--check-down "$(gone ix_users_email)"
ix='app."ix_Order_tenant_id_Email"'
run ix-schema-quoted --no-load \
	--migration "index-template --schema app --table Order --columns tenant_id,Email" \
	--check "$(valid "$ix")" --check-down "$(gone "$ix")"
long="SELECT indisvalid FROM pg_index JOIN pg_class c ON c.oid = indexrelid WHERE c.relname LIKE 'ix_users_tenant_id_email_status_created_at_counter_%' AND length(c.relname) = 63"
run ix-long-name --migration "index-template --table users --columns tenant_id,email,status,created_at,counter,score,lower(name)" \
	--check "$long" \
	--check-down "SELECT count(*) = 0 FROM pg_class WHERE relname LIKE 'ix_users_tenant_id_email_status%'"
# A unique build that fails on a duplicate leaves an INVALID index; once the
# duplicate is gone the next run must rebuild it (IF NOT EXISTS alone would
# keep the invalid one and report success).
run ix-retry-invalid --migration "index-template --table users --columns email --unique" \
	--break-sql "INSERT INTO users (tenant_id, email) VALUES (1, 'user1@example.com')" \
	--check-broken "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_email'::regclass" \
	--fix-sql "DELETE FROM users WHERE id > $ROWS AND email = 'user1@example.com'" \
	--check "$(valid ix_users_email)" --check-down "$(gone ix_users_email)"

# ---- backfill-template ----
run bf-default --pre-sql "ALTER TABLE users ADD COLUMN plan text" --load-set plan=pro \
	--migration "backfill-template --table users --column plan --default free" \
	--check "$(notnull users plan)" --check "$(nonulls users plan)" \
	--check "SELECT count(*) = $ROWS FROM users WHERE plan = 'free'" \
	--check "$(noconstraint ck_users_plan_not_null)" \
	--log-has 'existing constraints on column "users.plan" are sufficient to prove that it does not contain nulls' \
	--check-down "$(nullable users plan)"
run bf-default-sql --pre-sql "ALTER TABLE users ADD COLUMN email_lower text" --load-set email_lower=x \
	--migration "backfill-template --table users --column email_lower --default-sql 'lower(email)' --batch-size 2000" \
	--check "$(notnull users email_lower)" \
	--check "SELECT count(*) = 0 FROM users WHERE id <= $ROWS AND email_lower IS DISTINCT FROM lower(email)" \
	--check-down "$(nullable users email_lower)"
run bf-add-column --load-set plan=pro \
	--migration "backfill-template --table users --column plan --default free --add-column --type 'sa.String(20)'" \
	--check "$(notnull users plan)" --check "$(nonulls users plan)" \
	--check "SELECT format_type(atttypid, atttypmod) = 'character varying(20)' FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'plan'" \
	--check-down "$(nocol users plan)"
run bf-add-int --load-set quota=7 \
	--migration "backfill-template --table users --column quota --default 0 --add-column --type sa.Integer() --batch-size 10000 --sleep 0" \
	--check "$(notnull users quota)" --check "SELECT count(*) = $ROWS FROM users WHERE id <= $ROWS AND quota = 0" \
	--check-down "$(nocol users quota)"
run bf-small-table --pre-sql "ALTER TABLE users ADD COLUMN plan text" --load-set plan=pro \
	--migration "backfill-template --table users --column plan --default free --small-table" \
	--check "$(notnull users plan)" --check "$(nonulls users plan)" --check-down "$(nullable users plan)"
run bf-schema-quoted --no-load \
	--migration "backfill-template --schema app --table Order --column 'Plan Name' --default \"it's free\"" \
	--check "$(notnull 'app."Order"' 'Plan Name')" \
	--check "SELECT count(*) = $ROWS FROM app.\"Order\" WHERE \"Plan Name\" = 'it''s free'" \
	--check-down "$(nullable 'app."Order"' 'Plan Name')"
# An expression that is NULL for some rows: the key walk must still end, and
# VALIDATE must refuse (not loop, not make a column NOT NULL with NULLs in it).
run bf-null-values --pre-sql "ALTER TABLE users ADD COLUMN nick text" --load-set nick=n \
	--migration "backfill-template --table users --column nick --default-sql name" \
	--expect-fail "violated by some row" --allow-load-error CheckViolation \
	--check "$(nullable users nick)" --check "$(noconstraint ck_users_nick_not_null)" \
	--check "SELECT count(*) = 0 FROM users WHERE name IS NOT NULL AND nick IS NULL AND id <= $ROWS"
# The loop's key parameter takes the key's own type: the second batch must
# bind an int, a UUID, a str (and users' bigint above) on asyncpg too.
for k in int:id uuid:id text:code; do
	t=k_${k%%:*}
	run bf-key-${k%%:*} --no-load \
		--migration "backfill-template --table $t --column v --default x --key ${k#*:} --batch-size 1000" \
		--output-has "backfill $t.v: done, 3000 rows in 3 batches" \
		--offline-has "UPDATE $t SET v = 'x' WHERE v IS NULL" \
		--check "$(notnull $t v)" --check "SELECT count(*) = 3000 FROM $t WHERE v = 'x'" \
		--check-down "$(nullable $t v)"
done
# Progress through Alembic's logger: a line per ~50,000 rows.
run bf-progress --no-load --pre-sql "ALTER TABLE users ADD COLUMN plan text" \
	--migration "backfill-template --table users --column plan --default free --batch-size 5000 --sleep 0" \
	--output-has "backfill users.plan: 50000 rows in 10 batches" \
	--output-has "backfill users.plan: done, $ROWS rows in" \
	--check "$(notnull users plan)" --check-down "$(nullable users plan)"
# A retry after a failure half way: VALIDATE finds the rows whose name is
# NULL, the upgrade stops after the column was added and partly filled; once
# the data is fixed the same migration must complete (the column is there).
run bf-retry-add-column --break-sql "SELECT 1" \
	--migration "backfill-template --table users --column nick --default-sql name --add-column --type sa.Text()" \
	--check-broken "$(hascol users nick)" --check-broken "$(noconstraint ck_users_nick_not_null)" \
	--check-broken "SELECT count(*) > 0 FROM users WHERE nick IS NOT NULL" \
	--fix-sql "UPDATE users SET name = 'x' WHERE name IS NULL" \
	--load-set nick=n --load-set name=n \
	--check "$(notnull users nick)" --check "$(nonulls users nick)" --check-down "$(nocol users nick)"
# NOT NULL advice forms: a constant default in one statement (no rewrite:
# the table keeps its file), and "validate only" for a filled column.
run bf-server-default --pre-sql "CREATE TABLE relfile AS SELECT relfilenode FROM pg_class WHERE relname = 'users'" \
	--load-set plan=pro \
	--migration "backfill-template --table users --column plan --default free --add-column --type 'sa.String(20)' --server-default" \
	--check "$(notnull users plan)" --check "SELECT count(*) = $ROWS FROM users WHERE id <= $ROWS AND plan = 'free'" \
	--check "SELECT c.relfilenode = r.relfilenode FROM pg_class c, relfile r WHERE c.relname = 'users'" \
	--check-down "$(nocol users plan)"
# The server_default value for booleans and numbers (sa.true(), a string
# PostgreSQL casts), and an added column in a quoted schema-qualified table.
run bf-server-default-bool --no-load \
	--migration "backfill-template --table users --column verified --default True --add-column --type 'sa.Boolean()' --server-default" \
	--check "$(notnull users verified)" --check "SELECT count(*) = $ROWS FROM users WHERE verified" \
	--check-down "$(nocol users verified)"
run bf-server-default-int --no-load \
	--migration "backfill-template --table users --column tier --default 3 --add-column --type 'sa.Integer()' --server-default" \
	--check "$(notnull users tier)" --check "SELECT count(*) = $ROWS FROM users WHERE tier = 3" \
	--check-down "$(nocol users tier)"
run bf-add-column-schema --no-load \
	--migration "backfill-template --schema app --table Order --column tier --default 1 --add-column --type 'sa.Integer()'" \
	--check "$(notnull 'app."Order"' tier)" --check "SELECT count(*) = $ROWS FROM app.\"Order\" WHERE tier = 1" \
	--check-down "$(nocol 'app."Order"' tier)"
run bf-validate-only --pre-sql "ALTER TABLE users ADD COLUMN plan text" --pre-sql "UPDATE users SET plan = 'x'" \
	--load-set plan=pro \
	--migration "backfill-template --table users --column plan --validate-only" \
	--check "$(notnull users plan)" --check "$(noconstraint ck_users_plan_not_null)" \
	--check-down "$(nullable users plan)"

# Control: the origin's single-transaction loop must be seen as blocking. Its
# final ALTER TABLE may also deadlock with a waiting update; PostgreSQL then
# cancels one of the two, sometimes the migration.
run control-seed-loop --pre-sql "ALTER TABLE users ADD COLUMN plan text" --load-set plan=pro \
	--migration-file tests/integration/control/seed_backfill.py --expect-blocked --passes psycopg2 \
	--upgrade-may-fail "deadlock detected" \
	--check "$(notnull users plan)"

# Control: no migration at all, for the load's own latency.
run control-idle --migration-file tests/integration/control/noop.py --passes psycopg2

# ---- patterns ----
run p-multi-tenant-table --migration "patterns multi-tenant-table" \
	--check "SELECT to_regclass('projects') IS NOT NULL" \
	--check "$(validated fk_projects_tenant_id)" \
	--check "$(valid ix_projects_tenant_id_created_at)" \
	--check-down "$(gone projects)"
run p-concurrent-index --migration "patterns concurrent-index" \
	--check "$(valid ix_users_tenant_id_email)" --check-down "$(gone ix_users_tenant_id_email)"
run p-add-not-null-column --migration "patterns add-not-null-column" --load-set plan=pro \
	--check "$(notnull users plan)" --check "$(nonulls users plan)" \
	--check "$(noconstraint ck_users_plan_not_null)" --check-down "$(nocol users plan)"
run p-soft-delete --migration "patterns soft-delete" \
	--check "$(hascol users deleted_at)" --check "$(valid ix_users_tenant_id_email_live)" \
	--check "SELECT indisunique AND indpred IS NOT NULL FROM pg_index WHERE indexrelid = 'ix_users_tenant_id_email_live'::regclass" \
	--check-down "$(nocol users deleted_at)" --check-down "$(gone ix_users_tenant_id_email_live)"
run p-check-from-enum --migration "patterns check-from-enum" \
	--check "$(validated ck_users_status)" --check-down "$(noconstraint ck_users_status)"
run p-fk-not-valid --migration "patterns fk-not-valid" \
	--check "$(validated fk_users_tenant_id)" \
	--check "SELECT contype = 'f' FROM pg_constraint WHERE conname = 'fk_users_tenant_id'" \
	--check-down "$(noconstraint fk_users_tenant_id)"
run p-rename-column-expand --migration "patterns rename-column-expand" --load-set name=Load \
	--check "SELECT count(*) = 0 FROM users WHERE full_name IS DISTINCT FROM name" \
	--check "SELECT count(*) = 1 FROM pg_trigger WHERE tgname = 'users_sync_full_name'" \
	--check-down "$(nocol users full_name)" \
	--check-down "SELECT count(*) = 0 FROM pg_trigger WHERE tgname = 'users_sync_full_name'"
run p-rename-column --migration "patterns rename-column-expand" --migration "patterns rename-column-contract" \
	--load-set full_name=Load \
	--check "$(nocol users name)" \
	--check "SELECT count(*) = 0 FROM users WHERE full_name IS NULL AND id % 50 <> 0 AND id <= $ROWS" \
	--check-load "SELECT count(*) > 0 FROM users WHERE full_name = 'Load'" \
	--check "SELECT count(*) = 0 FROM pg_trigger WHERE tgname = 'users_sync_full_name'" \
	--check-down "$(hascol users name)" \
	--check-down "SELECT count(*) = 0 FROM users WHERE full_name IS DISTINCT FROM name"
run p-change-column-type --migration "patterns change-column-type" --load-set score=5 \
	--check "SELECT format_type(atttypid, atttypmod) = 'bigint' FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'score'" \
	--check "$(nocol users score_new)" \
	--check "SELECT count(*) = 0 FROM users WHERE id <= $ROWS AND score IS DISTINCT FROM (CASE WHEN id % 40 = 0 THEN NULL ELSE id END)" \
	--check "SELECT count(*) = 0 FROM users WHERE id > $ROWS AND score IS DISTINCT FROM 5" \
	--check-down "SELECT format_type(atttypid, atttypmod) = 'integer' FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'score'"
run p-unique-constraint --migration "patterns unique-constraint" \
	--check "$(validated uq_users_email)" --check "$(valid uq_users_email)" \
	--check "SELECT contype = 'u' FROM pg_constraint WHERE conname = 'uq_users_email'" \
	--check-down "$(noconstraint uq_users_email)" --check-down "$(gone uq_users_email)"
run p-drop-column --migration "patterns drop-column" \
	--check "$(nocol users legacy_note)" --check-down "$(hascol users legacy_note)"

# A retry after a failure half way: the unique build finds a duplicate and
# leaves an INVALID index after deleted_at was added; once the duplicate is
# gone the same migration must complete (the column is there already).
run p-soft-delete-retry --migration "patterns soft-delete" \
	--break-sql "INSERT INTO users (tenant_id, email) VALUES (2, 'user1@example.com')" \
	--check-broken "$(hascol users deleted_at)" \
	--check-broken "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_tenant_id_email_live'::regclass" \
	--fix-sql "DELETE FROM users WHERE id > $ROWS AND email = 'user1@example.com'" \
	--check "$(valid ix_users_tenant_id_email_live)" \
	--check-down "$(nocol users deleted_at)" --check-down "$(gone ix_users_tenant_id_email_live)"
run p-fk-cascade --migration "patterns fk-cascade" \
	--check "$(validated fk_users_tenant_id)" --check "$(valid ix_users_tenant_id)" \
	--check "SELECT confdeltype = 'c' FROM pg_constraint WHERE conname = 'fk_users_tenant_id'" \
	--check-down "$(noconstraint fk_users_tenant_id)" --check-down "$(gone ix_users_tenant_id)"
# set_null_works() deletes a fresh manager and says whether the foreign key
# set the report's manager_id to NULL: a new pair each time it is checked.
setnull='CREATE FUNCTION set_null_works() RETURNS boolean LANGUAGE plpgsql AS $f$
DECLARE p bigint; c bigint; r bigint;
BEGIN
  INSERT INTO users (tenant_id, email) VALUES (1, md5(random()::text)) RETURNING id INTO p;
  INSERT INTO users (tenant_id, email, manager_id) VALUES (1, md5(random()::text), p) RETURNING id INTO c;
  DELETE FROM users WHERE id = p;
  SELECT manager_id INTO r FROM users WHERE id = c;
  DELETE FROM users WHERE id = c;
  RETURN r IS NULL;
END $f$'
run p-fk-set-null --pre-sql "ALTER TABLE users ADD COLUMN manager_id bigint" \
	--pre-sql "UPDATE users SET manager_id = id - 1 WHERE id % 7 = 0" --pre-sql "$setnull" \
	--migration "patterns fk-set-null" \
	--check "$(validated fk_users_manager_id)" --check "$(valid ix_users_manager_id)" \
	--check "SELECT confdeltype = 'n' FROM pg_constraint WHERE conname = 'fk_users_manager_id'" \
	--check "SELECT set_null_works()" \
	--check-down "$(noconstraint fk_users_manager_id)" --check-down "$(gone ix_users_manager_id)"
run p-trigram-index --migration "patterns trigram-index" \
	--check "$(valid ix_users_email_trgm)" \
	--check "SELECT pg_get_indexdef('ix_users_email_trgm'::regclass) LIKE '%USING gin (email gin_trgm_ops)'" \
	--check "SELECT count(*) = 1 FROM pg_extension WHERE extname = 'pg_trgm'" \
	--check-down "$(gone ix_users_email_trgm)"
ix=ix_users_tenant_id_created_at_id_live
run p-tenant-pagination-index --pre-sql "ALTER TABLE users ADD COLUMN deleted_at timestamptz" \
	--migration "patterns tenant-pagination-index" \
	--check "$(valid $ix)" \
	--check "SELECT pg_get_indexdef('$ix'::regclass) LIKE '%(tenant_id, created_at DESC, id DESC) WHERE (deleted_at IS NULL)'" \
	--check-down "$(gone $ix)"
run p-audit-timestamps --migration "patterns audit-timestamps" \
	--check "$(notnull tenants created_at)" --check "$(notnull tenants updated_at)" \
	--check "WITH u AS (UPDATE tenants SET name = name WHERE id = 1 RETURNING updated_at > created_at AS later) SELECT later FROM u" \
	--check-down "$(nocol tenants created_at)" --check-down "$(nocol tenants updated_at)" \
	--check-down "SELECT count(*) = 0 FROM pg_trigger WHERE tgname = 'tenants_set_updated_at'"
# The user's names instead of the defaults, quoted where PostgreSQL needs it.
order="CREATE TABLE \"Order\" (id bigserial PRIMARY KEY, \"Tenant Id\" bigint NOT NULL, \"Email Address\" text)"
fill="INSERT INTO \"Order\" (\"Tenant Id\", \"Email Address\") SELECT g % 100 + 1, 'o' || g FROM generate_series(1, 5000) g"
run p-named-fk-cascade --no-load --pre-sql "$order" --pre-sql "$fill" \
	--migration "patterns fk-cascade --table Order --column 'Tenant Id' --ref-table tenants" \
	--check "$(validated 'fk_Order_Tenant Id')" --check "$(valid '"ix_Order_Tenant Id"')" \
	--check-down "$(noconstraint 'fk_Order_Tenant Id')" --check-down "$(gone '"ix_Order_Tenant Id"')"
run p-named-trigram-index --no-load --pre-sql "$order" --pre-sql "$fill" \
	--migration "patterns trigram-index --table Order --column 'Email Address'" \
	--check "$(valid '"ix_Order_Email Address_trgm"')" --check-down "$(gone '"ix_Order_Email Address_trgm"')"
run p-named-audit-timestamps --no-load --pre-sql "$order" --pre-sql "$fill" \
	--migration "patterns audit-timestamps --table Order" \
	--check "$(notnull '"Order"' updated_at)" --check-down "$(nocol '"Order"' updated_at)"

# The figures: the load's longest single wait while each upgrade ran.
echo
$PY - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if rows:
    print("%-26s %6s %10s %9s %9s %13s" % ("case", "rows", "upgrade_s", "load_ops", "ops/s", "longest_wait"))
    for r in rows:
        print("%-26s %6d %10.2f %9d %9.0f %10.1f ms%s" % (
            r["case"], r["rows"], r["upgrade_s"], r["load_ops"], r["load_ops_per_s"],
            r["longest_wait_ms"], "  (blocked)" if r["blocked"] else ""))
EOF
echo "templates: $(($(date +%s) - t_start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
