#!/bin/sh
# The guarantees of `migen enhance --write` and `--diff`, each tested:
#  - the diff applies with `git apply` and `patch -p1`, and gives what --write writes;
#  - bytes outside the edited lines are unchanged (only replaced statements are removed);
#  - inserted code follows the file's indentation (tabs), quotes and line endings (CRLF);
#  - revision data is unchanged and the written file parses (Python's own compiler);
#  - a second --write changes nothing;
#  - the file's mode is kept; a file with syntax errors is never written;
#  - a failed write (read-only folder, file size limit) leaves the original intact, exit 1.
# Usage: tests/write_checks.sh path/to/migen
set -eu
migen=$1
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # description, then a command that must succeed
	d=$1
	shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $d"; fail=$((fail + 1)); fi
}
# --fail-on never: the findings left as suggestions are not what these checks are about.
flags="--add-tenant-indexes --use-concurrently --default active --fail-on never"

# Revision data as migen reads it, for before/after comparisons.
revdata() {
	"$migen" enhance --format json "$1" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps([d[k] for k in ("revision", "down_revision", "branch_labels", "depends_on", "message")]))'
}

# Every run of removed lines is one whole statement a fix replaces: it starts
# with an op call and is removed from its first line to its last.
only_replaced_removed() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import difflib, sys
a = open(sys.argv[1], "rb").read().decode().splitlines(True)
b = open(sys.argv[2], "rb").read().decode().splitlines(True)
sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
for tag, i1, i2, j1, j2 in sm.get_opcodes():
    if tag in ("replace", "delete"):
        first = a[i1].strip()
        if not first.startswith(("op.", "batch_op.")):
            print("unexpected removal:", a[i1].rstrip())
            sys.exit(1)
        # The statement ends where its brackets balance.
        depth = sum(l.count("(") - l.count(")") for l in a[i1:i2])
        if depth != 0:
            print("a statement was removed only in part:", first)
            sys.exit(1)
PY
}

for f in examples/add_notifications.py fixtures/autogen/*.py fixtures/unusual/tabs_indent.py \
	fixtures/unusual/crlf.py fixtures/unusual/bom.py fixtures/unusual/batch_ops.py \
	fixtures/unusual/concurrently_in_transaction.py fixtures/unusual/multidb.py; do
	name=$(basename "$f")
	w=$tmp/w/$name
	rm -rf "$tmp/w" "$tmp/g" "$tmp/p"
	mkdir -p "$tmp/w" "$tmp/g" "$tmp/p"
	cp "$top/$f" "$w"
	cp "$top/$f" "$tmp/g/$name"
	cp "$top/$f" "$tmp/p/$name"
	chmod 640 "$w"
	before=$(revdata "$w")
	# --diff exits 1 when it prints changes, as diff(1) does.
	(cd "$tmp/w" && "$migen" enhance $flags --diff "$name" >"$tmp/d.diff" 2>/dev/null) ||
		[ $? -eq 1 ]
	(cd "$tmp/w" && "$migen" enhance $flags --write "$name" >/dev/null)
	if [ -s "$tmp/d.diff" ]; then
		check "$f: git apply" sh -c "cd '$tmp/g' && git apply --unsafe-paths '$tmp/d.diff' 2>/dev/null || git apply '$tmp/d.diff'"
		check "$f: git apply gives what --write wrote" cmp -s "$tmp/g/$name" "$w"
		check "$f: patch -p1" sh -c "cd '$tmp/p' && patch -s -p1 <'$tmp/d.diff'"
		check "$f: patch -p1 gives what --write wrote" cmp -s "$tmp/p/$name" "$w"
	fi
	check "$f: only replaced statements removed" only_replaced_removed "$top/$f" "$w"
	check "$f: revision data unchanged" test "$before" = "$(revdata "$w")"
	check "$f: written file compiles" /usr/bin/python3 -c "compile(open('$w','rb').read(), '$name', 'exec')"
	check "$f: mode kept" test "$(stat -c %a "$w")" = 640
	cp "$w" "$tmp/again"
	(cd "$tmp/w" && "$migen" enhance $flags --write "$name" >/dev/null)
	check "$f: second --write changes nothing" cmp -s "$w" "$tmp/again"
done

# Style: the tab-indented file gets tabs, the CRLF file CRLF, single-quoted files single quotes.
cp "$top/fixtures/unusual/tabs_indent.py" "$tmp/tabs.py"
"$migen" enhance $flags --write "$tmp/tabs.py" >/dev/null
check "tabs: inserted lines indented with tabs" sh -c "! diff '$top/fixtures/unusual/tabs_indent.py' '$tmp/tabs.py' | grep '^> ' | grep -q '^>     '"
check "tabs: something was inserted" sh -c "diff '$top/fixtures/unusual/tabs_indent.py' '$tmp/tabs.py' | grep -q '^> 	'"
cp "$top/fixtures/unusual/crlf.py" "$tmp/crlf.py"
"$migen" enhance $flags --write "$tmp/crlf.py" >/dev/null
check "crlf: every line still ends in CRLF" /usr/bin/python3 -c "
import sys
lines = open('$tmp/crlf.py', 'rb').read().split(b'\\n')[:-1]
sys.exit(0 if lines and all(l.endswith(b'\\r') for l in lines) else 1)"
check "crlf: something was inserted" sh -c "! cmp -s '$top/fixtures/unusual/crlf.py' '$tmp/crlf.py'"
cp "$top/examples/add_notifications.py" "$tmp/q.py"
"$migen" enhance $flags --write "$tmp/q.py" >/dev/null
check "quotes: single-quoted file gets single quotes" sh -c "diff '$top/examples/add_notifications.py' '$tmp/q.py' | grep '^> .*op.create_index' | grep -q \"'ix_notifications\""

# A file with syntax errors is never written.
cp "$top/fixtures/unusual/syntax_error.py" "$tmp/syn.py"
s=0
"$migen" enhance $flags --write "$tmp/syn.py" >/dev/null 2>"$tmp/err" || s=$?
check "syntax error: exit 1" test "$s" -eq 1
check "syntax error: file unchanged" cmp -s "$top/fixtures/unusual/syntax_error.py" "$tmp/syn.py"
check "syntax error: says so" grep -q "has syntax errors; not changed" "$tmp/err"

# Indentation Python refuses (TabError, IndentationError) is a syntax error: never written.
for f in "$top"/fixtures/write/indent_versions/*.py; do
	cp "$f" "$tmp/ind.py"
	s=0
	"$migen" enhance $flags --write "$tmp/ind.py" >/dev/null 2>"$tmp/err" || s=$?
	check "$(basename "$f"): exit 1" test "$s" -eq 1
	check "$(basename "$f"): file unchanged" cmp -s "$f" "$tmp/ind.py"
	check "$(basename "$f"): says so" grep -q "has syntax errors; not changed" "$tmp/err"
done

# A read-only folder: the temporary file cannot be made; nothing changes.
if id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$tmp/ro"
	cp "$top/examples/add_notifications.py" "$tmp/ro/m.py"
	chown -R nobody "$tmp/ro"
	chmod 755 "$tmp"
	chmod 555 "$tmp/ro"
	s=0
	runuser -u nobody -- "$migen" enhance $flags --write "$tmp/ro/m.py" >/dev/null 2>"$tmp/err" || s=$?
	check "read-only folder: exit 1" test "$s" -eq 1
	check "read-only folder: file unchanged" cmp -s "$top/examples/add_notifications.py" "$tmp/ro/m.py"
	check "read-only folder: says why" grep -q "cannot write" "$tmp/err"
	check "read-only folder: no temporary left" sh -c "[ \$(ls '$tmp/ro' | wc -l) -eq 1 ]"
	chmod 755 "$tmp/ro"
fi

# A write that fails half-way (file size limit, as on a full disk).
mkdir -p "$tmp/full"
cp "$top/examples/add_notifications.py" "$tmp/full/m.py"
s=0
sh -c "trap '' XFSZ; ulimit -f 1; exec '$migen' enhance $flags --write '$tmp/full/m.py'" >/dev/null 2>"$tmp/err" || s=$?
check "size limit: exit 1" test "$s" -eq 1
check "size limit: file unchanged" cmp -s "$top/examples/add_notifications.py" "$tmp/full/m.py"
check "size limit: no temporary left" sh -c "[ \$(ls '$tmp/full' | wc -l) -eq 1 ]"

# A symbolic link is followed: the target is written, the link stays a link.
mkdir -p "$tmp/real" "$tmp/links"
cp "$top/fixtures/autogen/10_add_index_users_email.py" "$tmp/real/m.py"
chmod 640 "$tmp/real/m.py"
ln -s ../real/m.py "$tmp/links/m.py"
(cd "$tmp/links" && "$migen" enhance $flags --write m.py >/dev/null 2>&1)
check "symlink: still a link" test -L "$tmp/links/m.py"
check "symlink: target written" sh -c "! cmp -s '$top/fixtures/autogen/10_add_index_users_email.py' '$tmp/real/m.py'"
check "symlink: target's mode kept" test "$(stat -c %a "$tmp/real/m.py")" = 640
check "symlink: no temporary left" sh -c "[ \$(ls '$tmp/real' | wc -l) -eq 1 ] && [ \$(ls '$tmp/links' | wc -l) -eq 1 ]"

# A read-only file is refused, even for root (who could rename over it).
cp "$top/fixtures/autogen/10_add_index_users_email.py" "$tmp/ro.py"
chmod 444 "$tmp/ro.py"
s=0
(cd "$tmp" && "$migen" enhance $flags --write ro.py >/dev/null 2>"$tmp/err") || s=$?
check "read-only file: exit 1" test "$s" -eq 1
check "read-only file: unchanged" cmp -s "$top/fixtures/autogen/10_add_index_users_email.py" "$tmp/ro.py"
check "read-only file: says so" grep -qx "migen: ro.py: read-only file, not written" "$tmp/err"
check "read-only file: mode unchanged" test "$(stat -c %a "$tmp/ro.py")" = 444

# Owner and group are kept (root can give the file away, so this is tested as root only).
if [ "$(id -u)" -eq 0 ] && getent group daemon >/dev/null && id daemon >/dev/null 2>&1; then
	cp "$top/fixtures/autogen/10_add_index_users_email.py" "$tmp/own.py"
	chown daemon:daemon "$tmp/own.py"
	"$migen" enhance $flags --write "$tmp/own.py" >/dev/null
	check "owner and group kept" test "$(stat -c %U:%G "$tmp/own.py")" = daemon:daemon
fi

# Usage errors.
for bad in "--write --diff" "--default None" "--default-sql NULL" \
	"--default-sql 1);DROP_TABLE_x" "--write --format json" "--default a --default-sql now()"; do
	s=0
	"$migen" enhance $bad examples/add_notifications.py >/dev/null 2>&1 || s=$?
	check "usage: $bad exits 2" test "$s" -eq 2
done

# --dry-run never writes: with --write it prints the diff.
cp "$top/examples/add_notifications.py" "$tmp/dry.py"
(cd "$tmp" && "$migen" enhance $flags --write --dry-run dry.py >"$tmp/dry.diff" 2>/dev/null) ||
	[ $? -eq 1 ]
check "--write --dry-run: file unchanged" cmp -s "$top/examples/add_notifications.py" "$tmp/dry.py"
check "--write --dry-run: prints the diff" grep -q '^+++ b/dry.py' "$tmp/dry.diff"

echo "write checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
