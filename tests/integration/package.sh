#!/bin/sh
# The packages of scripts/package.sh, built and installed from scratch:
#
#   tests/integration/package.sh [build/migen]     (the argument is not used:
#                                                   the packages build their own)
#
# - the self-contained binary: ldd lists glibc alone; its glibc floor is the
#   one the wheel's tag states;
# - the wheel: its tags (WHEEL, file name) and its RECORD (every file, with
#   its sha256 and size); installed with `pip install --no-index` into a fresh
#   venv, `migen --version`, `python -m migen --version` and a `migen lint`
#   run from there; the same through pipx;
# - the .deb: its control fields; unpacked with `dpkg-deb -x` into a scratch
#   root, its binary runs, its man page, docs and completions are where the
#   shells look, and the bash completion completes (complete -p, compgen);
#   the zsh and fish ones pass their shells' syntax check.
#
# The build folder (build-pkg/, or $MIGEN_PKG_BUILD) is reused from run to run.
# Prints a line per check and `N passed, N failed` last.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$d"; else
		bad "$d"
		sed 's/^/    /' "$tmp/out" | head -n 20
	fi
}

t0=$(date +%s)
if ! scripts/package.sh >"$tmp/package.log" 2>&1; then
	cat "$tmp/package.log"
	bad "scripts/package.sh"
	echo "0 passed, 1 failed"
	exit 1
fi
t1=$(date +%s)
ok "scripts/package.sh built dist/ in $((t1 - t0)) s"
sed -n 's/^package: /    /p' "$tmp/package.log"

version=$(sed -n 's/^project(migen VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
bin=dist/migen-$version-x86_64-linux
deb=dist/migen_${version}_amd64.deb
floor=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -n 1)
plat=manylinux_$(echo "$floor" | tr . _)_x86_64
whl=dist/migen-$version-py3-none-$plat.whl

# --- the binary
ldd "$bin" >"$tmp/ldd" 2>&1
if awk '{print $1}' "$tmp/ldd" |
	grep -q -v -E '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|/lib64/ld-linux-x86-64\.so\.2)$'; then
	bad "ldd $bin lists more than glibc"
	sed 's/^/    /' "$tmp/ldd"
else
	ok "ldd $bin: glibc alone ($(awk '{printf "%s ", $1}' "$tmp/ldd"))"
fi
check "$bin --version" sh -c "'$top/$bin' --version | grep -qx 'migen $version'"
check "dist/SHA256SUMS matches" sh -c "cd dist && sha256sum -c --quiet SHA256SUMS"

# --- the wheel
[ -f "$whl" ] && ok "wheel named for glibc $floor: $(basename "$whl")" || bad "no $whl"
cat >"$tmp/wheelcheck.py" <<'EOF'
import base64, csv, hashlib, io, sys, zipfile

whl, version, plat = sys.argv[1:4]
z = zipfile.ZipFile(whl)
di = f"migen-{version}.dist-info"
wheel = z.read(f"{di}/WHEEL").decode()
fields = [l.split(": ", 1) for l in wheel.splitlines() if l]
tags = [v for k, v in fields if k == "Tag"]
assert tags == [f"py3-none-{plat}"], tags
assert ("Root-Is-Purelib", "false") in [tuple(f) for f in fields], wheel
meta = z.read(f"{di}/METADATA").decode()
assert f"\nVersion: {version}\n" in meta and "\nName: migen\n" in meta, meta[:200]
rows = list(csv.reader(io.StringIO(z.read(f"{di}/RECORD").decode())))
names = set(z.namelist())
listed = {r[0] for r in rows}
assert listed == names, (listed ^ names)
for path, digest, size in rows:
    if path == f"{di}/RECORD":
        assert digest == "" and size == "", (path, digest, size)
        continue
    data = z.read(path)
    algo, _, b64 = digest.partition("=")
    want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert algo == "sha256" and b64 == want, (path, digest)
    assert int(size) == len(data), (path, size)
binary = z.getinfo(f"migen-{version}.data/scripts/migen")
assert (binary.external_attr >> 16) & 0o111, oct(binary.external_attr >> 16)
print(f"{len(rows)} files in RECORD")
EOF
check "wheel: WHEEL tags, METADATA, RECORD hashes and sizes" $PY "$tmp/wheelcheck.py" "$whl" "$version" "$plat"

$PY -m venv "$tmp/venv" >"$tmp/venv.log" 2>&1 || bad "python3 -m venv"
check "pip install --no-index $(basename "$whl") into a fresh venv" \
	"$tmp/venv/bin/pip" install --no-index --disable-pip-version-check -q "$whl"
check "venv: migen is on PATH, --version" \
	sh -c "PATH='$tmp/venv/bin':/usr/bin:/bin; cd /; [ \"\$(command -v migen)\" = '$tmp/venv/bin/migen' ] && migen --version | grep -qx 'migen $version'"
check "venv: python -m migen --version" \
	sh -c "'$tmp/venv/bin/python' -m migen --version | grep -qx 'migen $version'"
# A lint from the installed binary: the findings of fixtures/lint/basic, exit 1.
(cd fixtures/lint/basic && "$tmp/venv/bin/migen" lint --format concise --no-cache >"$tmp/lint.out" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q 'c3_status.py:20:5: error: .*\[not-null-without-backfill\]' "$tmp/lint.out"; then
	ok "venv: migen lint finds fixtures/lint/basic's error (exit 1)"
else
	bad "venv: migen lint exit $rc"
	sed 's/^/    /' "$tmp/lint.out"
fi
# pipx (Debian's): its own venv, the binary linked into PIPX_BIN_DIR. Offline it
# cannot upgrade its shared pip (it says so), which does not stop the install.
check "pipx install the wheel: migen in PIPX_BIN_DIR runs" sh -c \
	"PIPX_HOME='$tmp/pipx' PIPX_BIN_DIR='$tmp/pipx-bin' PIP_NO_INDEX=1 pipx install '$top/$whl' &&
	'$tmp/pipx-bin/migen' --version | grep -qx 'migen $version'"
check "pip uninstall removes the binary" sh -c \
	"'$tmp/venv/bin/pip' uninstall -y -q migen && [ ! -e '$tmp/venv/bin/migen' ]"

# --- the .deb
dpkg-deb -f "$deb" Package Version Architecture Depends >"$tmp/control" 2>&1
if grep -qx 'Package: migen' "$tmp/control" && grep -qx "Version: $version" "$tmp/control" &&
	grep -qx 'Architecture: amd64' "$tmp/control" && grep -qx "Depends: libc6 (>= $floor)" "$tmp/control"; then
	ok "deb control: $(tr '\n' ';' <"$tmp/control")"
else
	bad "deb control"
	sed 's/^/    /' "$tmp/control"
fi
root=$tmp/root
check "dpkg-deb -x into a scratch root" dpkg-deb -x "$deb" "$root"
check "deb: usr/bin/migen runs" sh -c "'$root/usr/bin/migen' --version | grep -qx 'migen $version'"
for f in usr/share/man/man1/migen.1 usr/share/doc/migen/README.md usr/share/doc/migen/LICENSE \
	usr/share/doc/migen/lint.md usr/share/doc/migen/install.md usr/share/doc/migen/ci.md \
	usr/share/bash-completion/completions/migen usr/share/zsh/vendor-completions/_migen \
	usr/share/fish/vendor_completions.d/migen.fish; do
	[ -s "$root/$f" ] && ok "deb: /$f" || bad "deb: no /$f"
done
check "deb: the man page names /usr/share/doc/migen" grep -q '/usr/share/doc/migen' "$root/usr/share/man/man1/migen.1"
check "deb: man renders the page" sh -c "MANWIDTH=80 man -l '$root/usr/share/man/man1/migen.1' 2>/dev/null | grep -q 'migen lint'"
check "deb: the binary matches dist/'s" cmp "$root/usr/bin/migen" "$bin"

# --- completions, as installed (tests/completions.sh: complete -p, compgen, zsh -n, fish).
check "deb: the bash, zsh and fish completions complete" tests/completions.sh "$root/usr/bin/migen" "$root"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
