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
# Old enough for the cache to trust them, the folder too (its stamp lets a
# warm run skip the listing): touch sets mtime, but ctime is always now, so
# wait out the racy margin as well.
find "$tmp/p/versions" -exec touch -d '2 hours ago' {} +
sleep 1.2

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

# A warm run again, after the rewrite: the listing now comes from the cache.
run edited_again
check "edited, warm again: same report" cmp -s "$tmp/edited.out" "$tmp/edited_again.out"

# Add a migration: the folder changes, so it is listed again and the new file seen.
g=$(grep -l "^down_revision = None" "$tmp/p/versions"/*.py | head -n 1)
sed "s/^revision = '\(.*\)'/revision = 'added0000001'/" "$g" >"$tmp/p/versions/added0000001_new.py"
run added
MIGEN_NO_CACHE=1 run added_nocache
check "added: cached = uncached" cmp -s "$tmp/added.out" "$tmp/added_nocache.out"
check "added: the new file is read" grep -q added0000001 "$tmp/added.out"
rm "$tmp/p/versions/added0000001_new.py"

# Remove it: the rest is still read right.
rm "$f"
run removed
MIGEN_NO_CACHE=1 run removed_nocache
check "removed: cached = uncached" cmp -s "$tmp/removed.out" "$tmp/removed_nocache.out"

# Damaged bytes anywhere (a record's text, not only its framing), or a cut:
# the checksum makes the cache untrusted, and the report stays the same.
run before_damage
for c in "$XDG_CACHE_HOME"/migen/doctor-*; do cp "$c" "$tmp/good-cache"; done
same=0
for i in $(seq 40); do
	for c in "$XDG_CACHE_HOME"/migen/doctor-*; do
		/usr/bin/python3 - "$tmp/good-cache" "$c" "$i" <<'PY'
import random, sys
b = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
for _ in range(r.randint(1, 4)):
    b[r.randrange(len(b))] = r.choice([r.randrange(256), ord("0"), ord(":"), ord(" "), 10, 0])
if r.random() < 0.2:
    b = b[: r.randrange(len(b))]
open(sys.argv[2], "wb").write(b)
PY
	done
	run flipped
	if cmp -s "$tmp/before_damage.out" "$tmp/flipped.out"; then same=$((same + 1)); fi
done
check "40 damaged caches: same report each time" test "$same" = 40

# A damaged cache is ignored.
for c in "$XDG_CACHE_HOME"/migen/doctor-*; do printf 'garbage' >"$c"; done
run damaged
check "damaged cache: same report" cmp -s "$tmp/removed.out" "$tmp/damaged.out"

# Cache files not used for 30 days are removed when doctor next runs; the one
# in use, however old its date, is kept (and marked used); other files stay.
rm -rf "$XDG_CACHE_HOME/migen"
run fresh
own=$(ls "$XDG_CACHE_HOME"/migen/doctor-*)
c=$XDG_CACHE_HOME/migen
printf 'x' >"$c/doctor-00000000000000aa"
printf 'x' >"$c/doctor-00000000000000bb"
printf 'x' >"$c/doctor-00000000000000cc.Ab12Cd"
printf 'x' >"$c/notes.txt"
touch -d '31 days ago' "$c/doctor-00000000000000aa" "$c/doctor-00000000000000cc.Ab12Cd" \
	"$c/notes.txt" "$own"
touch -d '29 days ago' "$c/doctor-00000000000000bb"
run pruned
check "prune: a cache unused for 31 days is removed" test ! -e "$c/doctor-00000000000000aa"
check "prune: a temporary file left for 31 days is removed" test ! -e "$c/doctor-00000000000000cc.Ab12Cd"
check "prune: a cache used 29 days ago is kept" test -e "$c/doctor-00000000000000bb"
check "prune: a file that is not migen's is kept" test -e "$c/notes.txt"
check "prune: the cache in use is kept" test -e "$own"
check "prune: the cache in use is marked used" test -n "$(find "$own" -mtime -1)"
check "prune: same report" cmp -s "$tmp/fresh.out" "$tmp/pruned.out"

echo "doctor cache: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
