#!/bin/sh
# migen doctor against the real Alembic (Debian's python3-alembic): builds
# projects with `alembic init`, `alembic revision` and `alembic merge`, breaks
# some by editing files, then compares `alembic heads` with doctor's heads on
# the healthy ones and checks that doctor reports what Alembic fails on.
#
#   tests/integration/doctor_vs_alembic.sh path/to/migen
#
# Prints one line per check and a final "N passed, N failed"; exits non-zero
# on any failure. About 30 seconds (each Alembic call starts Python).
set -u
migen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
alembic() { /usr/bin/python3 -m alembic "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# doctor's record cache goes with the run, not into the user's home.
export XDG_CACHE_HOME="$tmp/cache"
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; }

# doctor's heads (sorted ids) from its JSON.
doctor_heads() {
	"$migen" doctor --format json "$@" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print("\n".join(sorted(h["revision"] for h in json.load(sys.stdin)["heads"])))'
}
alembic_heads() { alembic heads 2>/dev/null | awk '{print $1}' | sort; }

# The revision id of the newest file whose message matches.
rev_of() { grep -l "$1" migrations/versions/*.py | head -1 | xargs grep -h "^revision" | sed "s/.*'\(.*\)'.*/\1/"; }

new_project() {
	rm -rf "$tmp/$1"
	mkdir -p "$tmp/$1"
	cd "$tmp/$1" || exit 1
	alembic init migrations >/dev/null 2>&1 || { bad "$1: alembic init"; return 1; }
}

# Same heads, and doctor's exit status as expected.
compare() {
	name=$1
	want=$2
	shift 2
	a=$(alembic_heads)
	d=$(doctor_heads "$@")
	"$migen" doctor "$@" >"$tmp/out" 2>&1
	st=$?
	if [ -z "$a" ]; then
		bad "$name: alembic heads printed nothing"
	elif [ "$a" != "$d" ]; then
		bad "$name: heads differ" "alembic: $(echo $a) / doctor: $(echo $d)"
	elif [ "$st" != "$want" ]; then
		bad "$name: doctor exit $st, expected $want" "$(cat "$tmp/out")"
	else
		ok "$name: heads equal ($(echo $a | wc -w)), exit $st"
	fi
}

# Alembic fails, and doctor reports the finding id with exit 1.
broken() {
	name=$1
	id=$2
	shift 2
	if alembic heads >"$tmp/alembic.out" 2>&1; then
		alembic_failed=0
	else
		alembic_failed=1
	fi
	"$migen" doctor "$@" >"$tmp/out" 2>&1
	st=$?
	if [ "$st" != 1 ]; then
		bad "$name: doctor exit $st, expected 1" "$(cat "$tmp/out")"
	elif ! grep -q "\[$id\]" "$tmp/out"; then
		bad "$name: doctor did not report [$id]" "$(cat "$tmp/out")"
	else
		ok "$name: doctor reports [$id], alembic heads $( [ $alembic_failed = 1 ] && echo fails || echo warns: $(grep -c . "$tmp/alembic.out") lines)"
	fi
}

# 1. Linear chain.
new_project linear && {
	alembic revision -m "one" >/dev/null && alembic revision -m "two" >/dev/null &&
		alembic revision -m "three" >/dev/null
	compare linear 0
	# From a sub-folder: alembic.ini is found in the parent.
	mkdir -p sub && (cd sub && "$migen" doctor >/dev/null 2>&1) && ok "linear: found ../alembic.ini" ||
		bad "linear: doctor from a sub-folder"
}

# 2. A branch (two heads), then the merge doctor prints.
new_project branch && {
	alembic revision -m "base" >/dev/null
	base=$(rev_of "base")
	alembic revision -m "left" >/dev/null
	alembic revision -m "right" --head "$base" --splice >/dev/null
	compare branch 1
	cmd=$("$migen" doctor | sed -n 's/^  fix: //p')
	if "$migen" doctor | grep -q "diverge at $base"; then
		ok "branch: diverges at the base revision"
	else
		bad "branch: divergence point" "$("$migen" doctor)"
	fi
	case $cmd in
	"alembic merge -m \"merge heads\" "*)
		# Run the exact command doctor printed.
		eval "alembic ${cmd#alembic }" >/dev/null 2>&1 && compare "merge (doctor's command)" 0 ||
			bad "branch: doctor's merge command failed: $cmd"
		;;
	*) bad "branch: no merge command" ;;
	esac
}

# 3. Branch labels: a second base on a labelled branch.
new_project labels && {
	alembic revision -m "main one" >/dev/null
	alembic revision -m "net base" --head=base --branch-label=networking >/dev/null
	alembic revision -m "net two" --head=networking@head >/dev/null
	compare "labelled heads" 0
	# The main line has no label: Alembic refuses "head", as the note says
	# (offline, on SQLite's dialect: no server needed).
	sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = sqlite://|' alembic.ini
	grep -q "\[unlabelled-head\]" "$tmp/out" && ! grep -q "\[labelled-heads\]" "$tmp/out" &&
		ok "labels: unlabelled-head note (main line without a label)" ||
		bad "labels: no unlabelled-head note" "$(cat "$tmp/out")"
	if alembic upgrade head --sql >/dev/null 2>&1; then
		bad "labels: alembic upgrade head works, though doctor says it fails"
	else
		ok "labels: alembic upgrade head fails, as doctor says"
	fi
	alembic upgrade heads --sql >/dev/null 2>&1 && ok "labels: alembic upgrade heads works" ||
		bad "labels: alembic upgrade heads fails"
	# Every head labelled: the labelled-heads note.
	f=$(grep -l '"""main one$' migrations/versions/*.py)
	sed -i "s/^branch_labels = .*/branch_labels = ('main',)/" "$f"
	compare "every head labelled" 0
	grep -q "\[labelled-heads\]" "$tmp/out" && ok "labels: labelled-heads note" ||
		bad "labels: no labelled-heads note" "$(cat "$tmp/out")"
	sed -i "s/^branch_labels = .*/branch_labels = None/" "$f"
	# The labelled branch forks: two heads share the label.
	net=$(rev_of "net base")
	alembic revision -m "net fork" --head="$net" --splice >/dev/null 2>&1
	compare "labelled branch forked" 1
}

# 4. depends_on.
new_project depends && {
	alembic revision -m "a" >/dev/null
	a=$(rev_of '"""a$')
	alembic revision -m "other base" --head=base --branch-label=other >/dev/null
	alembic revision -m "needs a" --head=other@head --depends-on="$a" >/dev/null
	compare "depends_on" 0
	alembic revision -m "needs label" --head=other@head --depends-on=other >/dev/null 2>&1 &&
		compare "depends_on a branch label" 0
}

# 5. version_locations with a separator, and the 1.8 inline-comment trap.
new_project locations && {
	mkdir -p migrations/more
	sed -i 's|^# version_locations = .*|version_locations = %(here)s/migrations/versions;%(here)s/migrations/more|' alembic.ini
	sed -i 's|^version_path_separator = os.*|version_path_separator = ;|' alembic.ini
	alembic revision -m "in versions" >/dev/null
	alembic revision -m "in more" --version-path migrations/more >/dev/null
	compare "version_locations ;" 0
	sed -i 's|^version_path_separator = ;|version_path_separator = ;  # inline comment|' alembic.ini
	broken "separator with inline comment" bad-version-path-separator
}

# 6. Broken projects.
new_project dangling && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null
	f=$(grep -l '"""b$' migrations/versions/*.py)
	sed -i "s/^down_revision = .*/down_revision = 'deadbeef0000'/" "$f"
	broken "dangling down_revision" dangling-down-revision
}
new_project duplicate && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null
	f=$(grep -l '"""b$' migrations/versions/*.py)
	cp "$f" migrations/versions/zz_copy.py
	broken "duplicate revision" duplicate-revision
}
new_project cycle && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null &&
		alembic revision -m "c" >/dev/null
	c=$(rev_of '"""c$')
	f=$(grep -l '"""a$' migrations/versions/*.py)
	sed -i "s/^down_revision = .*/down_revision = '$c'/" "$f"
	broken "cycle" cycle
}
new_project selfloop && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null
	b=$(rev_of '"""b$')
	f=$(grep -l '"""b$' migrations/versions/*.py)
	sed -i "s/^down_revision = .*/down_revision = '$b'/" "$f"
	broken "self loop" cycle
}
new_project norev && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null
	f=$(grep -l '"""b$' migrations/versions/*.py)
	sed -i "s/^revision = /rev_id = /" "$f"
	broken "no revision variable" missing-revision
}
new_project dangling_dep && {
	alembic revision -m "a" >/dev/null
	alembic revision -m "b" --depends-on=nothere >/dev/null 2>&1 ||
		{ alembic revision -m "b" >/dev/null; f=$(grep -l '"""b$' migrations/versions/*.py);
		  sed -i "s/^depends_on = .*/depends_on = 'nothere'/" "$f"; }
	broken "dangling depends_on" dangling-depends-on
}
new_project syntax && {
	alembic revision -m "a" >/dev/null && alembic revision -m "b" >/dev/null
	f=$(grep -l '"""b$' migrations/versions/*.py)
	printf 'def broken(:\n    pass\n' >>"$f"
	# The default reads headers only; --full parses whole files, as Python would.
	broken "syntax error in the body (--full)" unparsable-file --full
	f=$(grep -l '"""a$' migrations/versions/*.py)
	sed -i 's/^down_revision = None/down_revision = (None/' "$f"
	broken "syntax error in the header" unparsable-file
}
new_project dupe_label && {
	alembic revision -m "a" --branch-label=x >/dev/null
	alembic revision -m "b" >/dev/null
	f=$(grep -l '"""b$' migrations/versions/*.py)
	sed -i "s/^branch_labels = .*/branch_labels = ('x',)/" "$f"
	broken "duplicate branch label" duplicate-branch-label
}

# 7. The environment's own files.
new_project noenv && {
	alembic revision -m "a" >/dev/null
	rm migrations/env.py
	"$migen" doctor >"$tmp/out" 2>&1
	[ $? = 1 ] && grep -q "\[missing-env-py\]" "$tmp/out" && ok "missing env.py" ||
		bad "missing env.py" "$(cat "$tmp/out")"
	rm migrations/script.py.mako
	"$migen" doctor >"$tmp/out" 2>&1
	grep -q "\[missing-script-mako\]" "$tmp/out" && ok "missing script.py.mako" ||
		bad "missing script.py.mako" "$(cat "$tmp/out")"
}
cd "$tmp" && { "$migen" doctor >/dev/null 2>&1; st=$?; }
[ "$st" = 3 ] && ok "no alembic.ini: exit 3" || bad "no alembic.ini: exit $st"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
