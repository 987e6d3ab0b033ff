#!/bin/sh
# The function volatility table volatile-default-rewrites reads
# (src/rules/pg_volatility.h) is what PostgreSQL's own catalog says: the
# generator runs against a throwaway PostgreSQL 15 (lib/pg.sh) and its output
# must equal the committed file. Then, through migen, the functions the rule
# is about: volatile ones rewrite, now() and constants do not.
#
#   tests/integration/pg_volatility.sh path/to/migen
set -u
migen=${1:?usage: pg_volatility.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if scripts/gen_pg_volatility.sh - >"$tmp" 2>/dev/null && diff -u src/rules/pg_volatility.h "$tmp"; then
	ok "src/rules/pg_volatility.h equals pg_proc of the server (scripts/gen_pg_volatility.sh)"
else
	bad "src/rules/pg_volatility.h differs from pg_proc: run scripts/gen_pg_volatility.sh"
fi
for f in gen_random_uuid:v clock_timestamp:v random:v uuid_generate_v4:v nextval:v now:s \
	statement_timestamp:s lower:i; do
	if grep -q "{\"${f%%:*}\", '${f#*:}'}" "$tmp"; then
		ok "${f%%:*} is ${f#*:} in pg_proc"
	else
		bad "${f%%:*} is not ${f#*:} in pg_proc"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
