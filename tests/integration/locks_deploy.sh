#!/bin/sh
# The code of the lock rules deploys: fixtures/lint/locks rewritten by
# `migen lint --fix`, then run by Alembic on a throwaway PostgreSQL 15 with
# psycopg2 and asyncpg (upgrade, rows, upgrade, downgrade, upgrade) and
# offline through psql. See locks_deploy.py.
#
#   tests/integration/locks_deploy.sh path/to/migen
set -u
migen=${1:?usage: locks_deploy.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-$top/build/test-cache}

. tests/integration/lib/pg.sh
pg_start || { echo "locks_deploy: could not start PostgreSQL" >&2; exit 1; }
mkdir -p "$PG_TMP/work"
/usr/bin/python3 tests/integration/locks_deploy.py "$migen" "$PG_TMP/work"
