#!/bin/sh
# `migen schema`'s kept schema (include/migen/replayed.h) changes nothing
# but time: on every fixture project and on a generated history with forks
# and merges, a run that saves it and a run that uses it print the bytes
# and exit with the status of a run without any cache. A hit is told from
# a miss by the cache files' inodes: a hit leaves them as they are, a miss
# that saves writes a new one.
#
#   tests/schema_cache.sh path/to/migen
. "$(dirname "$0")/lib/runs.sh"
start "$1"

kept() { stat -c %i "$XDG_CACHE_HOME"/migen/replayed-* 2>/dev/null | sort | tr '\n' ' '; }

# check NAME WANT CMD...: the run agrees with --no-cache, and it saved a new schema (WANT=saves),
# used the kept one (uses: it loaded no model at all, so it wrote no model cache, which is
# removed before), replayed without keeping anything (none), or at least kept nothing (nokeep:
# a project the replay refuses).
check() {
	name=$1
	want=$2
	shift 2
	n=$((n + 1))
	run "$tmp/$n.ref" "$@" --no-cache
	before=$(kept)
	rm -f "$XDG_CACHE_HOME"/migen/models-*
	run "$tmp/$n.run" "$@"
	if [ "$before" != "$(kept)" ]; then
		got=saves
	elif ls "$XDG_CACHE_HOME"/migen/models-* >/dev/null 2>&1; then
		got=none
	else
		got=uses
	fi
	[ "$want" = nokeep ] && [ "$got" != saves ] && got=nokeep
	[ "$got" = "$want" ] && ok "$name: $want" || bad "$name: $want (it $got)"
	same "$name: = no cache" "$tmp/$n.ref" "$tmp/$n.run"
}

# hit NAME CMD...: one run saves, the next uses, both as --no-cache.
hit() {
	name=$1
	shift
	check "$name" saves "$@"
	check "$name, again" uses "$@"
}

# Every fixture project, copied with old timestamps (files changed within a second of a run are
# never trusted: the racy rule).
for ini in $(cd "$top" && find fixtures examples -name alembic.ini | sort); do
	d=$tmp/fx/$(dirname "$ini")
	mkdir -p "$d"
	cp -R "$top/$(dirname "$ini")/." "$d/"
done
find "$tmp/fx" -exec touch -h -d '2000-01-01 00:00:00' {} +
sleep 1.1
for ini in $(cd "$tmp/fx" && find . -name alembic.ini | sort); do
	name=${ini#./}
	run "$tmp/probe" "$migen" schema -c "$tmp/fx/$ini" --format json --no-cache
	if [ "$(cat "$tmp/probe.rc")" = 0 ]; then
		hit "$name" "$migen" schema -c "$tmp/fx/$ini" --format json
		check "$name, text" uses "$migen" schema -c "$tmp/fx/$ini"
	else
		# A project the replay refuses: nothing kept, the same error.
		check "$name (exit $(cat "$tmp/probe.rc"))" nokeep "$migen" schema -c "$tmp/fx/$ini" --format json
	fi
done

# A generated history with forks and merges.
p=$tmp/p
history "$p" 120 || {
	bad "bench/gen_project.py makes a project"
	exit 1
}
v=$p/migrations/versions
sleep 1.1
cd "$p" || exit 1
hit "a history of 120" "$migen" schema --format json
merge=$(grep -l '^down_revision = (' "$v"/*.py | sort | head -n 1)
mrev=$(sed -n "s/^revision = '\(.*\)'$/\1/p" "$merge")
hit "--at a merge revision" "$migen" schema --format json --at "$mrev"
check "--at another revision" saves "$migen" schema --format json --at "$head"
check "--table" uses "$migen" schema --at "$head" --table users
# The model cache filled and no kept schema: every model comes from the cache, also the ones a
# merge asks for again to replay its other branches.
n=$((n + 1))
run "$tmp/$n.ref" "$migen" schema --format json --no-cache
"$migen" schema --format json >/dev/null 2>&1
rm -f "$XDG_CACHE_HOME"/migen/replayed-*
run "$tmp/$n.run" "$migen" schema --format json
same "models from the cache, no kept schema: = no cache" "$tmp/$n.ref" "$tmp/$n.run"
# An edited migration (same size, same mtime: the ctime differs).
old=$(grep -l 'sa.Integer()' "$v"/*.py | sort | head -n 1)
sed -i 's/sa\.Integer()/sa.Numeric()/' "$old"
touch -d '2000-01-01 00:00:00' "$old"
sleep 1.1
check "an edited migration" saves "$migen" schema --format json --at "$head"
# [tool.migen.types] is part of what the replay reads.
printf '[tool.migen.types]\n"myapp.types.UUID" = "uuid"\n' >"$p/pyproject.toml"
check "a [tool.migen.types] entry added" saves "$migen" schema --format json --at "$head"
# A migration changed just now is not kept as it is.
printf '# reviewed\n' >>"$old"
check "a file changed just now" none "$migen" schema --format json --at "$head"
check "a file changed just now, again" none "$migen" schema --format json --at "$head"
sleep 1.1
hit "a second later" "$migen" schema --format json --at "$head"
# A damaged, truncated or empty file is none.
f=$(ls -t "$XDG_CACHE_HOME"/migen/replayed-* | head -n 1)
size=$(stat -c %s "$f")
printf 'X' | dd of="$f" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
check "a damaged file" saves "$migen" schema --format json --at "$head"
head -c $((size / 2)) "$f" >"$f.half" && mv "$f.half" "$f"
check "a truncated file" saves "$migen" schema --format json --at "$head"
: >"$f"
check "an empty file" saves "$migen" schema --format json --at "$head"
# MIGEN_NO_CACHE: nothing kept.
rm -f "$XDG_CACHE_HOME"/migen/replayed-*
MIGEN_NO_CACHE=1 "$migen" schema --format json >/dev/null 2>&1
[ -z "$(kept)" ] && ok "MIGEN_NO_CACHE keeps nothing" || bad "MIGEN_NO_CACHE keeps nothing"

exit $fail
