#!/bin/sh
# Every migration `migen enhance --write` writes deploys: each fixture with
# fixes is written, then run by Debian's Alembic on a throwaway PostgreSQL 15
# (lib/pg.sh) online through psycopg2 and through asyncpg (upgrade, downgrade,
# upgrade; every index valid), and offline (upgrade --sql). For indexes with
# PostgreSQL options, pg_get_indexdef() of migen's CONCURRENTLY index must
# equal that of the original op.create_index(). See write_deploy.py.
#
#   tests/integration/write_deploy.sh build/migen [CASE...]
#
# Prints a line per check and `N passed, N failed` last; exits non-zero when
# a check failed. ROWS=N changes the table sizes (default 3000).
set -u
migen=${1:?usage: write_deploy.sh path/to/migen [CASE...]}
shift
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

. tests/integration/lib/pg.sh
pg_start || { echo "write_deploy: could not start PostgreSQL" >&2; exit 1; }
mkdir -p "$PG_TMP/work"
/usr/bin/python3 tests/integration/write_deploy.py "$migen" "$PG_TMP/work" "$@"
