#!/bin/sh
# Installs what migen needs on a Debian 12 machine: the build tools and libraries
# (Debian packages) and the tree-sitter-python and tree-sitter-toml grammars (npm
# registry, integrity checked). Safe to run again: it only installs what is missing.
#
#   scripts/setup.sh            build dependencies + grammar
#   scripts/setup.sh --package  also what scripts/package.sh needs (wheel, dpkg-dev)
#   scripts/setup.sh --test     also what the test suite needs (PostgreSQL,
#                               Alembic, clang's fuzzer runtime, valgrind, the
#                               official SARIF validator, pre-commit, the shells
#                               the completions are checked in, the packaging tools)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
GRAMMAR_VERSION=0.23.6
# sha256 of tree-sitter-python-0.23.6.tgz as served by the npm registry; its
# npm integrity is sha512-yIM9z0oxKIxT7bAtPOhgoVl6gTXlmlIhue7liFT4oBPF/lha7Ha4dQBS82Av6hMMRZoVnFJI8M6mL+SwWoLD3A==
GRAMMAR_SHA256=aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a
GRAMMAR_DIR="$top/deps/tree-sitter-python"
# The TOML grammar reads [tool.migen] in pyproject.toml (language ABI 14).
TOML_VERSION=0.7.0
TOML_SHA256=b3a7834caf2e5266d09fc5df0b166a665412b9688b86ac02ab172c48bdab7e13
TOML_DIR="$top/deps/tree-sitter-toml"
# The official SARIF validator (Microsoft's SARIF Multitool, a self-contained
# .NET program) for tests/lint_formats.sh; sha256 of the npm registry's tarball,
# whose npm integrity is sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA==
SARIF_TOOL_VERSION=5.7.0
SARIF_TOOL_SHA256=27d8e3e96dde578a23b7c45035b8d741fece5731e2700aa068015b8c44d1514e
SARIF_TOOL_DIR="$top/deps/sarif-multitool"

pkgs="build-essential cmake pkg-config libtree-sitter-dev libpg-query-dev
libjansson-dev libbsd-dev libmd-dev libcmocka-dev libinih-dev"
# scripts/package.sh: the wheel (Debian's python3-wheel) and the .deb (dpkg-shlibdeps).
if [ "${1:-}" = "--package" ] || [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs python3 python3-wheel python3-venv dpkg-dev binutils"
fi
if [ "${1:-}" = "--test" ]; then
	pkgs="$pkgs pre-commit pipx python3-yaml zsh fish clang libclang-rt-14-dev valgrind postgresql-15
postgresql-client-15 python3 python3-alembic python3-sqlalchemy python3-psycopg2 python3-asyncpg python3-pyflakes
patch git hyperfine"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "setup: installing Debian packages:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# fetch PACKAGE VERSION SHA256 DIR: an npm tarball, checked, its src/ and LICENSE into DIR.
fetch() {
	if [ -f "$4/src/parser.c" ] && [ "$(cat "$4/.version" 2>/dev/null)" = "$2" ]; then
		return 0
	fi
	echo "setup: fetching $1@$2"
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack --silent "$1@$2" >/dev/null 2>&1) || true
	tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -n 1)
	[ -n "$tgz" ] && [ -f "$tgz" ] || { echo "setup: npm pack $1@$2 failed" >&2; rm -rf "$tmp"; exit 1; }
	got=$(sha256sum "$tgz" | cut -d' ' -f1)
	if [ "$got" != "$3" ]; then
		echo "setup: $tgz: sha256 $got, expected $3" >&2
		rm -rf "$tmp"
		exit 1
	fi
	tar -xzf "$tgz" -C "$tmp"
	rm -rf "$4"
	mkdir -p "$4"
	cp -R "$tmp/package/src" "$tmp/package/LICENSE" "$4/"
	echo "$2" >"$4/.version"
	rm -rf "$tmp"
}

fetch tree-sitter-python "$GRAMMAR_VERSION" "$GRAMMAR_SHA256" "$GRAMMAR_DIR"
fetch @tree-sitter-grammars/tree-sitter-toml "$TOML_VERSION" "$TOML_SHA256" "$TOML_DIR"

if [ "${1:-}" = "--test" ] && { [ ! -x "$SARIF_TOOL_DIR/Sarif.Multitool" ] ||
	[ "$(cat "$SARIF_TOOL_DIR/.version" 2>/dev/null)" != "$SARIF_TOOL_VERSION" ]; }; then
	echo "setup: fetching @microsoft/sarif-multitool-linux@$SARIF_TOOL_VERSION"
	stmp=$(mktemp -d)
	(cd "$stmp" && npm pack --silent "@microsoft/sarif-multitool-linux@$SARIF_TOOL_VERSION" >/dev/null 2>&1)
	tgz="$stmp/microsoft-sarif-multitool-linux-$SARIF_TOOL_VERSION.tgz"
	[ -f "$tgz" ] || { echo "setup: npm pack @microsoft/sarif-multitool-linux@$SARIF_TOOL_VERSION failed" >&2; rm -rf "$stmp"; exit 1; }
	got=$(sha256sum "$tgz" | cut -d' ' -f1)
	if [ "$got" != "$SARIF_TOOL_SHA256" ]; then
		echo "setup: $tgz: sha256 $got, expected $SARIF_TOOL_SHA256" >&2
		rm -rf "$stmp"
		exit 1
	fi
	tar -xzf "$tgz" -C "$stmp"
	rm -rf "$SARIF_TOOL_DIR"
	mkdir -p "$SARIF_TOOL_DIR"
	cp -R "$stmp/package/." "$SARIF_TOOL_DIR/"
	chmod u+x "$SARIF_TOOL_DIR/Sarif.Multitool"
	echo "$SARIF_TOOL_VERSION" >"$SARIF_TOOL_DIR/.version"
	rm -rf "$stmp"
fi
