#!/bin/sh
# doctor's record cache, end to end: a warm run reports exactly what a cold
# one does, and an edited, added or removed migration is seen at once.
# Usage: tests/doctor_cache.sh path/to/migen
set -eu
migen=$1
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
unset MIGEN_NO_CACHE
pass=0
fail=0
check() {
	d=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $d"; fail=$((fail + 1)); fi
}
run() { # name: doctor's output and status into $tmp/name.{out,status}
	s=0
	(cd "$tmp/p" && "$migen" doctor --versions versions --format json >"$tmp/$1.out" 2>&1) || s=$?
	echo "$s" >"$tmp/$1.status"
}

mkdir -p "$tmp/p"
cp -R "$top/fixtures/doctor/healthy/migrations/versions" "$tmp/p/versions"
# Old enough for the cache to trust them.
find "$tmp/p/versions" -type f -exec touch -d '2 hours ago' {} +

run cold
check "a cache file is written" sh -c "ls '$XDG_CACHE_HOME'/migen/doctor-* >/dev/null 2>&1"
run warm
check "warm run = cold run" cmp -s "$tmp/cold.out" "$tmp/warm.out"
MIGEN_NO_CACHE=1 run nocache
check "warm run = no cache" cmp -s "$tmp/nocache.out" "$tmp/warm.out"
check "healthy: exit 0" test "$(cat "$tmp/warm.status")" = 0

# Edit a migration, keeping its size: down_revision now names nothing.
f=$(grep -l "^down_revision = '" "$tmp/p/versions"/*.py | head -n 1)
old=$(sed -n "s/^down_revision = '\(.*\)'.*/\1/p" "$f")
new=$(printf '%s' "$old" | tr '0-9a-f' 'f0-9a-e')
sed -i "s/^down_revision = '$old'/down_revision = '$new'/" "$f"
run edited
check "edit seen: exit 1" test "$(cat "$tmp/edited.status")" = 1
check "edit seen: dangling reported" grep -q dangling-down-revision "$tmp/edited.out"
MIGEN_NO_CACHE=1 run edited_nocache
check "edited: cached = uncached" cmp -s "$tmp/edited.out" "$tmp/edited_nocache.out"

# Remove it: the rest is still read right.
rm "$f"
run removed
MIGEN_NO_CACHE=1 run removed_nocache
check "removed: cached = uncached" cmp -s "$tmp/removed.out" "$tmp/removed_nocache.out"

# A damaged cache is ignored.
for c in "$XDG_CACHE_HOME"/migen/doctor-*; do printf 'garbage' >"$c"; done
run damaged
check "damaged cache: same report" cmp -s "$tmp/removed.out" "$tmp/damaged.out"

echo "doctor cache: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
