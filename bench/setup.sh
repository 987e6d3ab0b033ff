#!/bin/sh
# What the lint benchmark (bench/lint_bench.sh) needs beyond the build and
# test set-up, and only the benchmark: squawk, the PostgreSQL linter teams
# pipe `alembic upgrade head --sql` into, from the npm registry (the
# platform package that `squawk-cli` installs, checked against a pinned
# SHA-256) into deps/squawk/; GNU time for peak memory; hyperfine, perf and
# Debian's Alembic.
#
#   bench/setup.sh        then: deps/squawk/squawk --version
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SQUAWK_VERSION=2.66.0
# sha256 of @squawk-cli/linux-x64-2.66.0.tgz as served by the npm registry
SQUAWK_SHA256=29a97bb145dbfd3868b04e7155f8d6773dfa81cb6f5e82530960539e55f4fa3a

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
missing=
[ -x /usr/bin/time ] || missing="$missing time"
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
command -v perf >/dev/null 2>&1 || missing="$missing linux-perf"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v git >/dev/null 2>&1 || missing="$missing git"
/usr/bin/python3 -c 'import alembic' 2>/dev/null || missing="$missing python3-alembic python3-psycopg2"
if [ -n "$missing" ]; then
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

case $(uname -m) in
x86_64) ;;
*) echo "setup: squawk is pinned for linux-x64 only; skipping it" >&2; exit 0 ;;
esac
dest=$top/deps/squawk
if [ "$("$dest/squawk" --version 2>/dev/null)" != "squawk $SQUAWK_VERSION" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "@squawk-cli/linux-x64@$SQUAWK_VERSION" >/dev/null 2>&1)
	tgz=$tmp/squawk-cli-linux-x64-$SQUAWK_VERSION.tgz
	[ -f "$tgz" ] || { echo "setup: npm pack @squawk-cli/linux-x64@$SQUAWK_VERSION failed" >&2; exit 1; }
	got=$(sha256sum "$tgz" | cut -d' ' -f1)
	if [ "$got" != "$SQUAWK_SHA256" ]; then
		echo "setup: $tgz: sha256 $got, expected $SQUAWK_SHA256" >&2
		exit 1
	fi
	tar xzf "$tgz" -C "$tmp"
	mkdir -p "$dest"
	install -m 0755 "$tmp/package/bin/squawk" "$dest/squawk"
fi
"$dest/squawk" --version
