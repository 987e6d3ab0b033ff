#!/bin/sh
# The model cache changes nothing but time: `migen lint` and `migen schema`
# print the same bytes and exit with the same status cold (empty cache),
# warm, and with --no-cache / MIGEN_NO_CACHE=1; also when only some files
# are reported (the others come from the cache without being read), after
# one file's mtime changed, and after one file's content changed (size and
# mtime kept: the ctime still differs).
#
#   tests/lint_cache.sh path/to/migen
. "$(dirname "$0")/lib/runs.sh"
start "$1"

cache_files() { ls "$XDG_CACHE_HOME/migen" 2>/dev/null | grep -c '^models-'; }
# The model cache file's inode and mtime: a warm run that analysed nothing leaves it as it is.
cache_stamp() { stat -c '%i %y' "$XDG_CACHE_HOME"/migen/models-* 2>/dev/null; }

# check NAME TAG CMD...: CMD cold, warm, --no-cache and MIGEN_NO_CACHE=1 agree.
check() {
	name=$1 tag=$2
	shift 2
	rm -rf "$XDG_CACHE_HOME"
	run "$tmp/$tag.cold" "$@"
	[ "$(cache_files)" -ge 1 ] && ok "$name: a cold run writes the model cache" ||
		bad "$name: a cold run writes the model cache"
	stamp=$(cache_stamp)
	run "$tmp/$tag.warm" "$@"
	[ -n "$stamp" ] && [ "$stamp" = "$(cache_stamp)" ] &&
		ok "$name: the warm run took every model from the cache" ||
		bad "$name: the warm run took every model from the cache"
	run "$tmp/$tag.nocache" "$@" --no-cache
	MIGEN_NO_CACHE=1 run "$tmp/$tag.env" "$@"
	same "$name: warm = cold" "$tmp/$tag.cold" "$tmp/$tag.warm"
	same "$name: --no-cache = cold" "$tmp/$tag.cold" "$tmp/$tag.nocache"
	same "$name: MIGEN_NO_CACHE=1 = cold" "$tmp/$tag.cold" "$tmp/$tag.env"
}

# again NAME TAG CMD...: with the cache as it is (warm but stale), CMD agrees with --no-cache.
again() {
	name=$1 tag=$2
	shift 2
	run "$tmp/$tag.stale" "$@"
	run "$tmp/$tag.fresh" "$@" --no-cache
	same "$name" "$tmp/$tag.fresh" "$tmp/$tag.stale"
	run "$tmp/$tag.rewarm" "$@"
	same "$name (the run after)" "$tmp/$tag.fresh" "$tmp/$tag.rewarm"
}

# Copies whose files changed more than a second before any run: the cache
# trusts a record only then (its racy rule, as doctor's).
for fx in realistic lint/history; do
	p=$tmp/$(echo "$fx" | tr / -)
	cp -R "$top/fixtures/$fx" "$p"
	find "$p" -type f -exec touch -d '2000-01-01 00:00:00' {} +
done
sleep 2

for fx in realistic lint/history; do
	tag=$(echo "$fx" | tr / -)
	p=$tmp/$tag
	ini=$p/alembic.ini
	one=$(ls "$p"/migrations/versions/*.py | sort | tail -n 1)
	# A file whose sa.Integer() becomes sa.Numeric() (same size): the schema shows it.
	edit=$(grep -l 'sa.Integer()' "$p"/migrations/versions/*.py | sort | head -n 1)

	for fmt in json text concise sarif; do
		check "$fx: lint --format $fmt" "$tag-lint-$fmt" \
			"$migen" lint -c "$ini" --format "$fmt" --color never
	done
	check "$fx: lint one file (the rest replayed from the cache)" "$tag-one" \
		"$migen" lint -c "$ini" --format json "$one"
	check "$fx: schema --format json" "$tag-schema" "$migen" schema -c "$ini" --format json
	check "$fx: schema (text)" "$tag-schema-text" "$migen" schema -c "$ini"

	# Warm, then one file touched: its mtime changes, its bytes do not.
	"$migen" lint -c "$ini" --format json >/dev/null 2>&1
	touch -d '2001-02-03 04:05:06' "$edit"
	again "$fx: lint after a touch" "$tag-touch-lint" "$migen" lint -c "$ini" --format json
	again "$fx: schema after a touch" "$tag-touch-schema" "$migen" schema -c "$ini" --format json
	again "$fx: lint one file after a touch" "$tag-touch-one" \
		"$migen" lint -c "$ini" --format json "$one"

	# Warm, then one file edited, its size and mtime kept.
	"$migen" schema -c "$ini" --format json >"$tmp/$tag.before" 2>/dev/null
	sed -i 's/sa\.Integer()/sa.Numeric()/' "$edit"
	touch -d '2001-02-03 04:05:06' "$edit"
	again "$fx: lint after an edit" "$tag-edit-lint" "$migen" lint -c "$ini" --format json
	again "$fx: schema after an edit" "$tag-edit-schema" "$migen" schema -c "$ini" --format json
	again "$fx: lint one file after an edit" "$tag-edit-one" \
		"$migen" lint -c "$ini" --format json "$one"
	if cmp -s "$tmp/$tag.before" "$tmp/$tag-edit-schema.stale.out"; then
		bad "$fx: the edit shows in the schema"
	else
		ok "$fx: the edit shows in the schema"
	fi
done

# Linting one file replays only what its schema needs (its first-parent
# chain, and at merges the other branches' migrations onto it); its findings
# must be the ones the whole audit gives it. On the fixtures and on a
# generated project with forks and merges (bench/gen_project.py).
# missing-lock-timeout is left out: an audit reports it once per run
# (src/lint/once.c), one file alone has it on its own.
subset() {
	name=$1 ini=$2
	shift 2
	"$migen" lint -c "$ini" --format json >"$tmp/audit.json" 2>/dev/null
	for f in "$@"; do
		"$migen" lint -c "$ini" --format json "$f" >"$tmp/one.json" 2>/dev/null
		if ! /usr/bin/python3 - "$tmp/audit.json" "$tmp/one.json" "$f" <<'PY'; then
import json, os, sys
audit, one = (json.load(open(p))["findings"] for p in sys.argv[1:3])
f = os.path.realpath(sys.argv[3])
pick = lambda v: [x for x in v if os.path.realpath(x["path"]) == f and
                  x["rule"] != "missing-lock-timeout"]
sys.exit(0 if pick(audit) == pick(one) and
         pick(one) == [x for x in one if x["rule"] != "missing-lock-timeout"] else 1)
PY
			bad "$name: $(basename "$f") alone has the audit's findings"
			return
		fi
	done
	ok "$name: each file alone has the audit's findings ($# files)"
}
subset "realistic" "$tmp/realistic/alembic.ini" "$tmp"/realistic/migrations/versions/*.py
subset "lint/history" "$tmp/lint-history/alembic.ini" "$tmp"/lint-history/migrations/versions/*.py
if /usr/bin/python3 "$top/bench/gen_project.py" "$tmp/gen" 150 >/dev/null 2>&1; then
	subset "generated, 150 revisions" "$tmp/gen/alembic.ini" \
		$(ls "$tmp"/gen/migrations/versions/*.py | awk 'NR % 4 == 0')
else
	bad "bench/gen_project.py makes a project"
fi

exit $fail
