#!/bin/sh
# downgrade-mismatch / irreversible-downgrade / --stairway against PostgreSQL 15:
# upgrade, downgrade -1, upgrade on every revision of the projects in
# downgrade/gen.py; migen's verdict must match the catalogs (downgrade_pg.py).
# usage: tests/integration/downgrade_pg.sh path/to/migen
set -eu
MIGEN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/pg.sh"
pg_start
WORK=$(mktemp -d "${TMPDIR:-/tmp}/migen-downgrade.XXXXXX")
trap 'rm -rf "$WORK"; pg_stop' EXIT
cd "$WORK"
/usr/bin/python3 "$HERE/downgrade_pg.py" "$MIGEN" "$WORK"
