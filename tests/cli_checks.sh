#!/bin/sh
# Command-line behaviour that golden files cannot show:
#  - a FIFO (or any non-regular file) named *.py never blocks enhance or
#    doctor: each reader refuses it at once (run under a timeout);
#  - a failed write to stdout (/dev/full) is an error for every command:
#    "migen: stdout: No space left on device", exit status 1;
#  - --diff output for ../x.py and absolute paths applies with git apply and
#    patch -p1 where migen says, and gives what --write writes.
# Usage: tests/cli_checks.sh path/to/migen
set -u
migen=$1
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/    /'; fail=$((fail + 1)); }

# ---- FIFOs ----
mkdir -p "$tmp/fifo/versions"
mkfifo "$tmp/fifo/m.py" "$tmp/fifo/versions/a.py" "$tmp/fifo/alembic.ini"
cp fixtures/doctor/typo/versions/*.py "$tmp/fifo/versions/"
expect_refusal() { # name, wanted status, command...
	name=$1 want=$2
	shift 2
	s=0
	timeout 10 "$@" >"$tmp/out" 2>&1 </dev/null || s=$?
	if [ "$s" = 124 ]; then
		bad "$name: blocked (killed after 10 s)"
	elif [ "$s" != "$want" ] || ! grep -q "not a regular file" "$tmp/out"; then
		bad "$name: exit $s, expected $want and 'not a regular file'" "$(cat "$tmp/out")"
	else
		ok
	fi
}
expect_refusal "enhance FIFO" 3 "$migen" enhance "$tmp/fifo/m.py"
expect_refusal "enhance folder with a FIFO" 3 "$migen" enhance "$tmp/fifo/versions"
expect_refusal "doctor --versions with a FIFO" 1 "$migen" doctor --versions "$tmp/fifo/versions"
expect_refusal "doctor --no-cache with a FIFO" 1 "$migen" doctor --no-cache --full --versions "$tmp/fifo/versions"
expect_refusal "doctor -c FIFO" 3 "$migen" doctor -c "$tmp/fifo/alembic.ini"

# ---- stdout on a full disk ----
full() { # command...
	s=0
	"$@" >/dev/full 2>"$tmp/err" </dev/null || s=$?
	if [ "$s" = 1 ] && grep -qx "migen: stdout: No space left on device" "$tmp/err"; then
		ok
	else
		bad "$* >/dev/full: exit $s" "$(cat "$tmp/err")"
	fi
}
full "$migen" --version
full "$migen" --help
full "$migen" help enhance
full "$migen" enhance --help
full "$migen" enhance --fail-on never examples/add_notifications.py
full "$migen" enhance --fail-on never --format json examples/add_notifications.py
full "$migen" enhance --diff --add-tenant-indexes examples/add_notifications.py
full "$migen" enhance --check --fail-on never fixtures/autogen/08_add_users_phone_nullable.py
full "$migen" doctor -c fixtures/doctor/healthy/alembic.ini
full "$migen" doctor -c fixtures/doctor/healthy/alembic.ini --format json
full "$migen" doctor -c fixtures/doctor/healthy/alembic.ini --graph mermaid
full "$migen" index-template --table users --columns email
full "$migen" backfill-template --table users --column status --default active
full "$migen" patterns
full "$migen" patterns --all

# ---- --diff paths that apply ----
flags="--add-tenant-indexes --use-concurrently --fail-on never"
repo=$tmp/repo
mkdir -p "$repo/sub" "$repo/migrations/versions"
git -C "$repo" init -q
cp examples/add_notifications.py "$repo/migrations/versions/m.py"
git -C "$repo" add . && git -C "$repo" -c user.email=t@t -c user.name=t commit -qm base
cp "$repo/migrations/versions/m.py" "$tmp/written.py"
"$migen" enhance $flags --write "$tmp/written.py" >/dev/null
apply_check() { # name, the diff, folder to apply in
	name=$1
	git -C "$repo" checkout -q -- .
	if (cd "$3" && git apply "$2") 2>"$tmp/err" && cmp -s "$repo/migrations/versions/m.py" "$tmp/written.py"; then
		ok
	else
		bad "$name: git apply in $3" "$(cat "$tmp/err"; head -3 "$2")"
	fi
	git -C "$repo" checkout -q -- .
	if (cd "$3" && patch -s -p1 <"$2") >"$tmp/err" 2>&1 && cmp -s "$repo/migrations/versions/m.py" "$tmp/written.py"; then
		ok
	else
		bad "$name: patch -p1 in $3" "$(cat "$tmp/err"; head -3 "$2")"
	fi
	git -C "$repo" checkout -q -- .
}
# From a sub-folder, through ..: the paths are the work tree's, and migen says so.
(cd "$repo/sub" && "$migen" enhance $flags --diff ../migrations/versions/m.py >"$tmp/up.diff" 2>"$tmp/up.err")
grep -q "^--- a/migrations/versions/m.py$" "$tmp/up.diff" && ok || bad "../ path: header" "$(head -2 "$tmp/up.diff")"
grep -q "relative to $repo" "$tmp/up.err" && ok || bad "../ path: where to apply it" "$(cat "$tmp/up.err")"
apply_check "../ path" "$tmp/up.diff" "$repo"
# An absolute path under the current folder: relative to it.
(cd "$repo" && "$migen" enhance $flags --diff "$repo/migrations/versions/m.py" >"$tmp/abs.diff" 2>/dev/null)
grep -q "^--- a/migrations/versions/m.py$" "$tmp/abs.diff" && ok || bad "absolute path: header" "$(head -2 "$tmp/abs.diff")"
apply_check "absolute path" "$tmp/abs.diff" "$repo"
# An absolute path in a work tree that is not under the current folder.
mkdir -p "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$migen" enhance $flags --diff "$repo/migrations/versions/m.py" >"$tmp/far.diff" 2>/dev/null)
apply_check "absolute path outside the current folder" "$tmp/far.diff" "$repo"
# Standard input, named for the headers.
(cd "$repo" && "$migen" enhance $flags --diff --stdin-filename migrations/versions/m.py - \
	<"$repo/migrations/versions/m.py" >"$tmp/stdin.diff" 2>/dev/null)
apply_check "standard input" "$tmp/stdin.diff" "$repo"

# ---- the pre-commit hook of docs/doctor.md, as printed there ----
sed -n '/^Plain git/,/^(.tests.cli.checks/p' docs/doctor.md | sed -n 's/^    //p' >"$tmp/pre-commit"
chmod +x "$tmp/pre-commit"
grep -q "migen doctor" "$tmp/pre-commit" || bad "doctor.md: no pre-commit hook found" "$(cat "$tmp/pre-commit")"
mkdir -p "$tmp/bin"
ln -s "$migen" "$tmp/bin/migen"
s=0
out=$(cd fixtures/readme && PATH="$tmp/bin:$PATH" "$tmp/pre-commit") || s=$?
[ "$s" = 1 ] && printf '%s\n' "$out" | grep -q "\[multiple-heads\]" && ok ||
	bad "pre-commit hook on two heads: exit $s, expected 1 and the report" "$out"
s=0
out=$(cd fixtures/doctor/healthy && PATH="$tmp/bin:$PATH" "$tmp/pre-commit") || s=$?
[ "$s" = 0 ] && [ -z "$out" ] && ok || bad "pre-commit hook on a healthy project: exit $s, output" "$out"

# ---- the man page lists every option of every command ----
sed 's/\\-/-/g; s/\\f[BIRP]//g' docs/migen.1 >"$tmp/man.txt"
for c in enhance index-template backfill-template patterns doctor; do
	for o in $("$migen" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		if grep -q -- "$o" "$tmp/man.txt"; then ok; else bad "migen.1: $c's option $o is missing"; fi
	done
done
grep -q '"migen manual"' docs/migen.1 && ok || bad "migen.1: its header is not \"migen manual\""

echo "cli checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
