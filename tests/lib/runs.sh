# Shared by the shell tests that compare runs of migen (sourced, not run,
# as . "$(dirname "$0")/lib/runs.sh"): start sets the test up, ok/bad
# report a check ("ok   NAME", "FAIL NAME"; bad sets fail=1), run keeps
# one run's stdout, stderr and exit status, same compares two.

# The repository: the sourcing test's $0 is tests/NAME.sh.
top=$(cd "$(dirname "$0")/.." && pwd)

# start MIGEN: what every such test starts from: migen (absolute), tmp (a
# folder removed on exit) with a cache folder of its own (XDG_CACHE_HOME),
# caches on, run times left out of summaries, fail=0 and n=0.
start() {
	set -u
	migen=$1
	case $migen in /*) ;; */*) migen=$(pwd)/$migen ;; esac
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	export XDG_CACHE_HOME="$tmp/cache" MIGEN_OMIT_SECONDS=1
	unset MIGEN_NO_CACHE
	fail=0
	n=0
}

ok() { echo "ok   $1"; }
bad() {
	echo "FAIL $1"
	fail=1
}

# run OUT CMD...: stdout, stderr and the exit status of one run into OUT.*
run() {
	out=$1
	shift
	"$@" >"$out.out" 2>"$out.err"
	echo $? >"$out.rc"
}

# same NAME A B: the two runs printed the same bytes and exited alike
same() {
	if cmp -s "$2.out" "$3.out" && cmp -s "$2.err" "$3.err" && cmp -s "$2.rc" "$3.rc"; then
		ok "$1"
	else
		bad "$1"
		diff "$2.out" "$3.out" | head -20
		diff "$2.err" "$3.err" | head -5
	fi
}

# history DIR N: a generated project of N revisions with forks and merges
# (bench/gen_project.py, under $top) in DIR, every file dated 2000 (a file
# changed within a second of a run is never trusted: the racy rule); sets
# head to its head revision. 0, or 1 when it could not be made.
history() {
	# gen_project.py prints "N revisions, B bytes, head REV".
	head=$(/usr/bin/python3 "$top/bench/gen_project.py" "$1" "$2" | sed -n 's/.*, head //p')
	[ -n "$head" ] || return 1
	find "$1" -type f -exec touch -d '2000-01-01 00:00:00' {} +
}
