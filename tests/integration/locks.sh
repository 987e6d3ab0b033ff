#!/bin/sh
# What the flagged forms of the lock rules and migen's fixes lock, scan and
# rewrite, measured through Alembic on a throwaway PostgreSQL 15 with rows
# and a concurrent writer (see locks.py). Fails when a flagged form does not
# show the hazard its rule claims, when a fix shows it, or when the
# generated blocks in docs/rules.md differ from the measurement.
#
#   tests/integration/locks.sh [path/to/migen] [--update-docs] [CASE...]
#
# The migen argument is accepted (scripts/test.sh passes it) and unused.
# Observations go to $LOCKS_JSON (default: build/locks-observed.json).
set -u
case ${1:-} in */migen | migen) shift ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

. tests/integration/lib/pg.sh
pg_start || { echo "locks: could not start PostgreSQL" >&2; exit 1; }
out=${LOCKS_JSON:-$top/build/locks-observed.json}
mkdir -p "$(dirname "$out")" "$PG_TMP/work"
/usr/bin/python3 tests/integration/locks.py "$PG_TMP/work" "$out" "$@"
