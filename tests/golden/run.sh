#!/bin/sh
# Golden tests: each folder under tests/golden/ is one case, holding
#   args             migen's arguments, one per line (paths relative to the repo root)
#   cwd              optional: the folder to run in instead (relative to the repo root)
#   stdin            optional: fed to migen's standard input
#   expected.stdout  expected.stderr  expected.status
# The runner runs migen from the repo root and diffs all three.
#
#   tests/golden/run.sh path/to/migen [--update] [CASE ...]
# --update rewrites the expectations from what migen now prints (review the diff).
set -u
migen=$1
shift
# Absolute, as a case may run in its own folder (cwd).
case $migen in /*) ;; */*) migen=$(pwd)/$migen ;; esac
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# doctor's record cache stays in this run's folder, not the user's.
export XDG_CACHE_HOME="$tmp/cache"
# lint's summary line without its time, so that output is byte-stable.
export MIGEN_OMIT_SECONDS=1

if [ $# -gt 0 ]; then
	cases=$*
else
	cases=$(cd tests/golden && for d in */; do printf '%s\n' "${d%/}"; done)
fi

pass=0
fail=0
for c in $cases; do
	d=tests/golden/$c
	[ -f "$d/args" ] || continue
	# One argument per line, so arguments may hold spaces.
	set --
	while IFS= read -r a || [ -n "$a" ]; do
		set -- "$@" "$a"
	done <"$d/args"
	in=/dev/null
	[ -f "$d/stdin" ] && in=$top/$d/stdin
	where=$top
	[ -f "$d/cwd" ] && where=$top/$(cat "$d/cwd")
	(cd "$where" && "$migen" "$@" <"$in" >"$tmp/stdout" 2>"$tmp/stderr")
	echo $? >"$tmp/status"
	if [ $update -eq 1 ]; then
		cp "$tmp/stdout" "$d/expected.stdout"
		cp "$tmp/stderr" "$d/expected.stderr"
		cp "$tmp/status" "$d/expected.status"
		pass=$((pass + 1))
		continue
	fi
	ok=1
	for f in stdout stderr status; do
		if ! diff -u "$d/expected.$f" "$tmp/$f" >"$tmp/diff" 2>&1; then
			echo "FAIL $c ($f)"
			sed 's/^/    /' "$tmp/diff" | head -40
			ok=0
		fi
	done
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
