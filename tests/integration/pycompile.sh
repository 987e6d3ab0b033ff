#!/bin/sh
# Every snippet migen prints is valid Python: runs each golden case of
# index-template, backfill-template and patterns that prints code (exit 0,
# not --help, not the plain list) with the given migen, and compiles the
# output with /usr/bin/python3 -m py_compile under an Alembic migration's
# imports. Also compiles the golden expectations, so they stay valid too.
# The printed code must need no name but those imports (`op`, `sa`,
# `postgresql`): pyflakes (Debian's python3-pyflakes) checks for undefined
# names when it is installed.
#
#   tests/integration/pycompile.sh build/migen
set -u
migen=${1:?usage: pycompile.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

header='from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
'
pass=0
fail=0
for d in tests/golden/*/; do
	c=$(basename "$d")
	[ -f "$d/args" ] || continue
	[ "$(cat "$d/expected.status")" = 0 ] || continue
	set --
	while IFS= read -r a || [ -n "$a" ]; do
		set -- "$@" "$a"
	done <"$d/args"
	case "$1" in index-template | backfill-template | patterns) ;; *) continue ;; esac
	case " $* " in *" --help "*) continue ;; esac
	[ "$*" = patterns ] && continue
	for src in fresh expected; do
		f="$tmp/${c}_$src.py"
		printf '%s\n' "$header" >"$f"
		if [ $src = fresh ]; then
			"$migen" "$@" >>"$f" 2>"$tmp/err" || { echo "FAIL $c: migen exit $?"; fail=$((fail + 1)); continue; }
		else
			cat "$d/expected.stdout" >>"$f"
		fi
		if /usr/bin/python3 -m py_compile "$f" 2>"$tmp/err"; then
			if /usr/bin/python3 -c 'import pyflakes' 2>/dev/null &&
				/usr/bin/python3 -m pyflakes "$f" 2>&1 | grep 'undefined name' >"$tmp/err"; then
				echo "FAIL $c ($src): a name the migration does not import:"
				sed 's/^/    /' "$tmp/err"
				fail=$((fail + 1))
				continue
			fi
			pass=$((pass + 1))
		else
			echo "FAIL $c ($src):"
			sed 's/^/    /' "$tmp/err"
			fail=$((fail + 1))
		fi
	done
done
echo "pycompile: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
