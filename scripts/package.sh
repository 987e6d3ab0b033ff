#!/bin/sh
# Builds migen's packages into dist/, from a fresh checkout on Debian 12:
#
#   dist/migen-<v>-x86_64-linux          the self-contained binary (needs only glibc)
#   dist/migen-<v>-py3-none-manylinux_<glibc>_x86_64.whl
#                                         a wheel carrying that binary: pip, pipx and
#                                         uv put `migen` on PATH (as ruff's wheels do)
#   dist/migen_<v>_amd64.deb              binary, man page, docs, shell completions
#   dist/SHA256SUMS
#
# It installs what it needs first (scripts/setup.sh --package: Debian packages
# and the grammars), then builds with MIGEN_STATIC=ON in build-pkg/ (or
# $MIGEN_PKG_BUILD), reused on the next run. No network after set-up: the wheel
# is put together with Debian's python3-wheel, the .deb with CPack.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${MIGEN_PKG_BUILD:-$top/build-pkg}
dist=$top/dist
py=/usr/bin/python3

"$top/scripts/setup.sh" --package

echo "package: building (MIGEN_STATIC=ON) in $build"
# SARIF output links each rule to its documentation: the installed docs of
# the .deb (file:///usr/share/doc/migen) unless MIGEN_DOCS_URL names where
# docs/ is published (the wheel installs no docs).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMIGEN_STATIC=ON -DMIGEN_TESTS=OFF \
	-DCMAKE_INSTALL_PREFIX=/usr -DMIGEN_DOCS_URL="${MIGEN_DOCS_URL:-file:///usr/share/doc/migen}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

bin=$build/migen
version=$("$bin" --version | sed -n 's/^migen //p')
[ -n "$version" ] || { echo "package: cannot read the version of $bin" >&2; exit 1; }

# Only glibc may be left: anything else in ldd's list is a library a user
# would have to install.
others=$(ldd "$bin" | awk '{print $1}' |
	grep -v -E '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|/lib64/ld-linux-x86-64\.so\.2)$' || true)
if [ -n "$others" ]; then
	echo "package: $bin needs more than glibc:" $others >&2
	exit 1
fi
# The glibc floor: the newest GLIBC_x.y symbol version the binary asks for.
floor=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -n 1)
case $floor in
[0-9]*.[0-9]*) ;;
*) echo "package: cannot read the glibc floor of $bin" >&2; exit 1 ;;
esac
plat=manylinux_$(echo "$floor" | tr . _)_x86_64

rm -rf "$dist"
mkdir -p "$dist"
# Reproducible: timestamps from the last commit.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

# 1. The binary, stripped.
strip -o "$dist/migen-$version-x86_64-linux" "$bin"

# 2. The wheel: the binary in migen-<v>.data/scripts/ (pip installs it into the
#    environment's bin/ and makes it executable), and a small `migen` package so
#    that `python -m migen` runs it too.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/migen-$version.data/scripts" "$stage/migen" "$stage/migen-$version.dist-info"
cp "$dist/migen-$version-x86_64-linux" "$stage/migen-$version.data/scripts/migen"
chmod 755 "$stage/migen-$version.data/scripts/migen"
cat >"$stage/migen/__init__.py" <<EOF
"""migen: makes Alembic migrations safe for production PostgreSQL (the binary is on PATH)."""
import os
import sysconfig

__version__ = "$version"


def find_migen_bin():
    """The path of the migen binary this package installed."""
    for scheme in (None, "posix_user"):
        d = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        path = os.path.join(d, "migen")
        if os.path.isfile(path):
            return path
    raise FileNotFoundError("migen binary not found next to this Python")
EOF
cat >"$stage/migen/__main__.py" <<'EOF'
import os
import sys

from migen import find_migen_bin

if __name__ == "__main__":
    path = find_migen_bin()
    os.execv(path, [path, *sys.argv[1:]])
EOF
cp LICENSE "$stage/migen-$version.dist-info/LICENSE"
{
	echo "Metadata-Version: 2.1"
	echo "Name: migen"
	echo "Version: $version"
	echo "Summary: Makes Alembic migrations safe for production PostgreSQL"
	echo "License: MIT"
	echo "Keywords: alembic,postgresql,migrations,linter"
	echo "Classifier: License :: OSI Approved :: MIT License"
	echo "Classifier: Operating System :: POSIX :: Linux"
	echo "Classifier: Topic :: Database"
	echo "Requires-Python: >=3.7"
	echo "Description-Content-Type: text/markdown"
	echo
	cat README.md
} >"$stage/migen-$version.dist-info/METADATA"
cat >"$stage/migen-$version.dist-info/WHEEL" <<EOF
Wheel-Version: 1.0
Generator: migen scripts/package.sh
Root-Is-Purelib: false
Tag: py3-none-$plat
EOF
"$py" -m wheel pack -d "$dist" "$stage" >/dev/null
wheel=$dist/migen-$version-py3-none-$plat.whl
[ -f "$wheel" ] || { echo "package: $wheel was not written" >&2; exit 1; }

# 3. The .deb, from the same build.
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log" >&2; exit 1; }
cp "$build/migen_${version}_amd64.deb" "$dist/"

(cd "$dist" && sha256sum -- * >SHA256SUMS)
echo "package: glibc floor $floor ($plat)"
ls -l "$dist" | awk 'NR > 1 {printf "package: %9d %s\n", $5, $9}'
