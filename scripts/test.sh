#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs what is missing (Debian packages, the tree-sitter grammar);
#   2. builds with warnings as errors and runs the unit and golden tests;
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and
#      runs the same suite there (any report fails it);
#   4. runs the libFuzzer target for a bounded time (MIGEN_FUZZ_SECONDS, 60);
#   5. runs the integration tests against real PostgreSQL and Alembic
#      (tests/integration/*.sh, each given the migen binary; among them
#      schema_catalog.sh, `migen schema` against PostgreSQL's catalog);
#   6. checks formatting with clang-format.
# Exits non-zero on the first failure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
# Nothing the suite runs may write to the user's ~/.cache/migen (doctor's
# record cache): every test script sets its own, and this catches the rest.
export XDG_CACHE_HOME="$top/build-ci/test-cache"

step() { printf '\n== %s\n' "$*"; }

step "set-up"
scripts/setup.sh --test

step "build (warnings as errors) and test"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIGEN_WERROR=ON >/dev/null
cmake --build build-ci -j"$jobs"
ctest --test-dir build-ci --output-on-failure -j"$jobs"

step "AddressSanitizer + UndefinedBehaviorSanitizer build and test"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMIGEN_WERROR=ON -DMIGEN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

# The analysis target gets half of the time; lint's readers, the output
# formats and the schema cache's decoder share the rest.
fuzz_secs=${MIGEN_FUZZ_SECONDS:-60}
step "fuzzing ($fuzz_secs s)"
if [ -x tests/fuzz/run.sh ]; then
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DMIGEN_FUZZ=ON \
		-DMIGEN_SANITIZE=ON -DMIGEN_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j"$jobs" --target migen-fuzz migen-fuzz-lint migen-fuzz-emit \
		migen-fuzz-schemacodec
	tests/fuzz/run.sh build-fuzz $((fuzz_secs / 2)) migen-fuzz
	tests/fuzz/run.sh build-fuzz $((fuzz_secs / 6 + 1)) migen-fuzz-lint
	tests/fuzz/run.sh build-fuzz $((fuzz_secs / 6 + 1)) migen-fuzz-emit
	tests/fuzz/run.sh build-fuzz $((fuzz_secs / 6 + 1)) migen-fuzz-schemacodec
fi

step "integration tests (PostgreSQL, Alembic)"
for t in tests/integration/*.sh; do
	[ -x "$t" ] || continue
	step "$t"
	"$t" "$top/build-ci/migen"
done

step "formatting"
if command -v clang-format >/dev/null 2>&1; then
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
fi

printf '\nall test stages passed\n'
