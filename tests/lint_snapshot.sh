#!/bin/sh
# lint's schema snapshot (include/migen/snapshot.h) changes nothing but
# time: a run that starts from the saved schemas prints the bytes and exits
# with the status of a run without any cache, on a generated history with
# forks and merges (bench/gen_project.py) made a git repository here. A hit
# is told from a miss by the snapshot file: a hit leaves it as it is, a miss
# writes a new one (a new inode).
#
#   tests/lint_snapshot.sh path/to/migen
. "$(dirname "$0")/lib/runs.sh"
start "$1"

# The snapshot file's inode, or "none".
snap() { stat -c %i "$XDG_CACHE_HOME"/migen/schema-* 2>/dev/null || echo none; }

# hit NAME CMD...: a run that saves the snapshot, then one that uses it;
# both agree with --no-cache.
hit() {
	name=$1
	shift
	n=$((n + 1))
	run "$tmp/$n.ref" "$@" --no-cache
	# None left by an earlier case: this run must write its own.
	rm -f "$XDG_CACHE_HOME"/migen/schema-*
	run "$tmp/$n.miss" "$@"
	s=$(snap)
	[ "$s" != none ] && ok "$name: the run saves a snapshot" || bad "$name: the run saves a snapshot"
	run "$tmp/$n.hit" "$@"
	[ "$s" = "$(snap)" ] && ok "$name: the next run uses it" || bad "$name: the next run uses it"
	same "$name: saving = no cache" "$tmp/$n.ref" "$tmp/$n.miss"
	same "$name: from the snapshot = no cache" "$tmp/$n.ref" "$tmp/$n.hit"
}

# miss NAME CMD...: the snapshot is not used (a new one is written) and the run agrees with --no-cache.
miss() {
	name=$1
	shift
	n=$((n + 1))
	s=$(snap)
	run "$tmp/$n.ref" "$@" --no-cache
	run "$tmp/$n.run" "$@"
	[ "$s" != "$(snap)" ] && ok "$name: not used" || bad "$name: not used"
	same "$name: = no cache" "$tmp/$n.ref" "$tmp/$n.run"
}

if ! command -v git >/dev/null 2>&1; then
	echo "lint_snapshot: git is not installed (scripts/setup.sh --test)" >&2
	exit 1
fi
p=$tmp/p
history "$p" 150 || {
	bad "bench/gen_project.py makes a project"
	exit 1
}
v=$p/migrations/versions
cd "$p" || exit 1
git init -q -b main . && git add -A && git -c user.name=t -c user.email=t@example.com commit -q -m base ||
	bad "git init"
git checkout -q -b feature
/usr/bin/python3 "$top/bench/new_migration.py" "$v" zzzz_new.py 0123456789ab "$head"
touch -d '2000-01-01 00:00:00' "$v/zzzz_new.py"
sleep 2

hit "--since, one new migration (untracked)" "$migen" lint --since main --format json
git add -A && git -c user.name=t -c user.email=t@example.com commit -q -m new
touch -d '2000-01-01 00:00:00' "$v/zzzz_new.py"
sleep 2
hit "--since, committed" "$migen" lint --since main --format json
# The reported file itself changes: the snapshot before it still stands.
printf '# reviewed\n' >>"$v/zzzz_new.py"
touch -d '2000-01-01 00:00:01' "$v/zzzz_new.py"
sleep 2
n=$((n + 1))
s=$(snap)
run "$tmp/$n.ref" "$migen" lint --since main --format text --no-cache
run "$tmp/$n.run" "$migen" lint --since main --format text
[ "$s" = "$(snap)" ] && ok "a changed reported file: the snapshot still used" ||
	bad "a changed reported file: the snapshot still used"
same "a changed reported file: = no cache" "$tmp/$n.ref" "$tmp/$n.run"

# A migration before the snapshot's point changes (same size, same mtime: the ctime differs).
old=$(grep -l 'sa.Integer()' "$v"/*.py | sort | head -n 1)
sed -i 's/sa\.Integer()/sa.Numeric()/' "$old"
touch -d '2000-01-01 00:00:00' "$old"
sleep 2
miss "an earlier migration edited" "$migen" lint --since main --format json
# [tool.migen.types] is part of what the replay reads.
hit "before the configuration" "$migen" lint --since main --format json
printf '[tool.migen.types]\n"myapp.types.UUID" = "uuid"\n' >"$p/pyproject.toml"
miss "a [tool.migen.types] entry added" "$migen" lint --since main --format json
# An audit that starts after a revision (start-after): the snapshot stands for the
# revisions before it.
mid_rev=$(sed -n "s/^revision = '\(.*\)'$/\1/p" "$(ls "$v"/*.py | sort | awk 'NR == 100')")
printf '[tool.migen]\nstart-after = "%s"\n' "$mid_rev" >"$p/pyproject.toml"
hit "an audit with start-after" "$migen" lint --format json
rm -f "$p/pyproject.toml"
# A damaged snapshot is no snapshot.
run "$tmp/warm" "$migen" lint --since main --format json
f=$(ls "$XDG_CACHE_HOME"/migen/schema-*)
size=$(stat -c %s "$f")
printf 'X' | dd of="$f" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
miss "a damaged snapshot" "$migen" lint --since main --format json
head -c $((size / 2)) "$f" >"$f.half" && mv "$f.half" "$f"
miss "a truncated snapshot" "$migen" lint --since main --format json
: >"$f"
miss "an empty snapshot" "$migen" lint --since main --format json

# Files given: the first of them is where the snapshot stands. A merge
# revision replays the other branches' migrations onto its base: those are
# loaded though the snapshot stands for the rest.
merges=$(grep -l '^down_revision = (' "$v"/*.py | sort)
for m in $(printf '%s\n' "$merges" | awk 'NR <= 3'); do
	# The merge (empty) and every migration after it: their findings read its schema.
	hit "lint from $(basename "$m") (a merge revision) on" "$migen" lint --format json \
		$(ls "$v"/*.py | sort | awk -v m="$m" '$0 >= m')
done
mid=$(ls "$v"/*.py | sort | awk 'NR == 75')
hit "lint one file in the middle" "$migen" lint --format concise "$mid"
# The same file through a link of another name is the project's file.
ln -s "$mid" "$tmp/link.py"
n=$((n + 1))
run "$tmp/$n.a" "$migen" lint --format json --fail-on never "$mid"
run "$tmp/$n.b" "$migen" lint --format json --fail-on never "$tmp/link.py"
if /usr/bin/python3 - "$tmp/$n.a.out" "$tmp/$n.b.out" <<'PY'; then
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
strip = lambda d: [(x["rule"], x["line"], x["message"]) for x in d["findings"]]
sys.exit(0 if strip(a) == strip(b) and a["findings"] else 1)
PY
	ok "a link to a project file is linted with the project's history"
else
	bad "a link to a project file is linted with the project's history"
fi

exit $fail
