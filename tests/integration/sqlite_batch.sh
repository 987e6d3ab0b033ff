#!/bin/sh
# sqlite-alter-needs-batch against a real SQLite database (python3's sqlite3)
# through Alembic: what migen flags fails, its batch fix runs (sqlite_batch.py).
# usage: tests/integration/sqlite_batch.sh path/to/migen
set -eu
MIGEN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/migen-sqlite.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$HERE/sqlite_batch.py" "$MIGEN" "$HERE/../../fixtures/revert/sqlite" "$WORK"
