#!/bin/sh
# Runs the libFuzzer target on the core for a while.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS [TARGET]]
#
# TARGET is migen-fuzz (the default: analysis, rules, fixes, the schema
# replay and its emitters), migen-fuzz-lint (pyproject.toml and suppression
# comments), migen-fuzz-emit (every lint output format) or
# migen-fuzz-schemacodec (an encoded schema, as the schema cache reads it).
# BUILD_DIR holds it, from:
#   CC=clang cmake -S . -B build-fuzz -DMIGEN_FUZZ=ON -DMIGEN_SANITIZE=ON -DMIGEN_TESTS=OFF
#   cmake --build build-fuzz --target migen-fuzz migen-fuzz-lint migen-fuzz-emit \
#       migen-fuzz-schemacodec
#
# First every saved reproducer in tests/fuzz/regressions/ is run once; then
# the fuzzer starts from a seed corpus made of the fixtures (and
# examples/: migrations and pyproject.toml files), with
# tests/fuzz/python.dict, for SECONDS (default 60); migen-fuzz-schemacodec
# starts from the encoded schemas in tests/fuzz/schemacodec/, without it.
# Exits 0 when nothing was found, 1 on any crash, leak, timeout or
# sanitizer report, printing the reproducer's path and how to replay it
# (it is kept in the work folder; copy small ones into
# tests/fuzz/regressions/). 2 on usage errors.
#
# Environment: MIGEN_FUZZ_CORPUS=DIR keeps the grown corpus in DIR across
# runs (default: a temporary folder); MIGEN_FUZZ_STRICT=1 also fails on a
# fix that does not verify (see fuzz_analyze.c); MIGEN_FUZZ_ARGS adds
# libFuzzer options.
set -eu

usage() {
	echo "usage: $0 BUILD_DIR [SECONDS [TARGET]]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 3 ] || usage
build=$1
secs=${2:-60}
target=${3:-migen-fuzz}
case $secs in
'' | *[!0-9]*) usage ;;
esac
case $target in
migen-fuzz | migen-fuzz-lint | migen-fuzz-emit | migen-fuzz-schemacodec) ;;
*) usage ;;
esac
fuzz=$build/$target
if [ ! -x "$fuzz" ]; then
	echo "$0: $fuzz not found: build the $target target (-DMIGEN_FUZZ=ON) first" >&2
	exit 2
fi
fuzz=$(cd "$(dirname "$fuzz")" && pwd)/$target
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dict=$here/python.dict

work=$(mktemp -d "${TMPDIR:-/tmp}/migen-fuzz.XXXXXX")
corpus=${MIGEN_FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus" "$work/artifacts"

# Sanitizer reports stop the run (the build uses -fno-sanitize-recover=all);
# leaks count as failures.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

failed() {
	echo "migen-fuzz: FAILED ($1); log: $work/log" >&2
	found=0
	for f in "$work"/artifacts/*; do
		[ -e "$f" ] || continue
		found=1
		echo "reproducer: $f ($(wc -c <"$f") bytes)" >&2
		echo "replay:     $fuzz $f" >&2
	done
	[ $found = 1 ] || echo "no reproducer file written; see the log" >&2
	exit 1
}

# 1. Known reproducers must stay fixed (they are migen-fuzz inputs).
set -- "$here"/regressions/*
if [ "$target" = migen-fuzz ] && [ -e "$1" ]; then
	echo "migen-fuzz: replaying $# regression input(s)"
	if ! "$fuzz" -timeout=10 -rss_limit_mb=2048 "$@" >"$work/log" 2>&1; then
		cat "$work/log" >&2
		echo "migen-fuzz: a regression input fails again" >&2
		exit 1
	fi
fi

# 2. Seeds: every fixture and example migration, each under a unique name
# (encoded schemas for the codec's target).
if [ "$target" = migen-fuzz-schemacodec ]; then
	find "$here/schemacodec" -name '*.bin' -type f | sort >"$work/seeds"
	dict=
else
	find "$root/fixtures" "$root/examples" \( -name '*.py' -o -name 'pyproject.toml' \) \
		-type f 2>/dev/null | sort >"$work/seeds"
fi
n=0
while IFS= read -r f; do
	n=$((n + 1))
	cp "$f" "$corpus/seed-$n-$(basename "$f")"
done <"$work/seeds"
echo "$target: $n seed file(s), ${secs}s, work folder $work"

# 3. Fuzz.
status=0
# shellcheck disable=SC2086 # MIGEN_FUZZ_ARGS is a list of options
"$fuzz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 ${dict:+-dict="$dict"} \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 ${MIGEN_FUZZ_ARGS:-} \
	"$corpus" >"$work/log" 2>&1 || status=$?
tail -n 25 "$work/log"
if [ $status -ne 0 ]; then
	failed "exit status $status"
fi
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$work/log"; then
	failed "sanitizer report"
fi
if ls "$work"/artifacts/* >/dev/null 2>&1; then
	failed "artifact written"
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "$target: OK: ${execs:-?} inputs in ${secs}s, nothing found"
[ -n "${MIGEN_FUZZ_CORPUS:-}" ] || rm -rf "$work"
exit 0
