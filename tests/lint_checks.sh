#!/bin/sh
# migen lint on scratch copies: --since on a git history made here (a branch
# that adds, changes and leaves untracked migrations), and --fix (written
# atomically, idempotent, the same bytes as enhance --write).
#
#   tests/lint_checks.sh path/to/migen
. "$(dirname "$0")/lib/runs.sh"
start "$1"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"

# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		bad "$1"
		printf '  want: %s\n  got:  %s\n' "$2" "$3"
	fi
}

if ! command -v git >/dev/null 2>&1; then
	echo "lint_checks: git is not installed (scripts/setup.sh --test)" >&2
	exit 1
fi

# --- --since on a real history ------------------------------------------------
p=$tmp/proj
mkdir -p "$p/migrations/versions"
src=$top/fixtures/lint/basic
cp "$src/alembic.ini" "$p/"
cp "$src/migrations/env.py" "$src/migrations/script.py.mako" "$p/migrations/"
cp "$src/migrations/versions/a1_users.py" "$src/migrations/versions/b2_email_index.py" \
	"$p/migrations/versions/"
(
	cd "$p" && git init -q -b main . && git add -A && git commit -q -m base
) || bad "git init"

cd "$p" || exit 1
out=$("$migen" lint --since main 2>"$tmp/err")
expect "since: nothing changed: exit 0" "0" "$?"
expect "since: nothing changed: no finding" "" "$out"
expect "since: nothing changed: summary" "migen: 0 files, 0 errors, 0 warnings, 0 notes, 0 suppressed" \
	"$(cat "$tmp/err")"

git checkout -q -b feature
cp "$src/migrations/versions/c3_status.py" migrations/versions/
git add -A && git commit -q -m "add status"
# b2 changed on the branch (committed), d4 written but not committed.
printf '# reviewed\n' >>migrations/versions/b2_email_index.py
git commit -q -am "touch b2"
cp "$src/migrations/versions/d4_orders.py" migrations/versions/
out=$("$migen" lint --since main --format concise 2>/dev/null)
rc=$?
expect "since: exit 1 (findings)" "1" "$rc"
files=$(printf '%s\n' "$out" | cut -d: -f1 | sort -u | tr '\n' ' ')
expect "since: added, changed and untracked files, not a1" \
	"migrations/versions/b2_email_index.py migrations/versions/c3_status.py migrations/versions/d4_orders.py " \
	"$files"
# Graph order: b2 before c3 before d4, whatever the names.
order=$(printf '%s\n' "$out" | cut -d: -f1 | uniq | tr '\n' ' ')
expect "since: graph order" "$files" "$order"

# A commit on main after the branch point does not count: the merge-base does.
git checkout -q main
printf '# on main\n' >>migrations/versions/a1_users.py
git commit -q -am "main moves"
git checkout -q feature
out=$("$migen" lint --since main --format concise 2>/dev/null)
case $out in *a1_users*) bad "since: merge-base, not main's tip" ;; *) ok "since: merge-base, not main's tip" ;; esac

"$migen" lint --since no-such-ref >/dev/null 2>"$tmp/err"
expect "since: unknown ref: exit 2" "2" "$?"
expect "since: unknown ref: message" "migen: --since no-such-ref: not a commit in this repository" \
	"$(cat "$tmp/err")"
"$migen" lint --since 'main;touch x' >/dev/null 2>&1
expect "since: no shell" "2" "$?"
[ -e x ] && bad "since: a shell ran" || ok "since: no file made by a shell"

# A table created by a migration of the change is new: indexing it later in
# the same change needs no CONCURRENTLY; the same index on a table that main
# already has does.
h=$tmp/hist
mkdir -p "$h" && cp -R "$top/fixtures/lint/history/alembic.ini" "$top/fixtures/lint/history/migrations" "$h/"
rm "$h"/migrations/versions/h4b_invoices.py "$h"/migrations/versions/h5_merge.py
(cd "$h" && git init -q -b main . && git add -A && git commit -q -m base) || bad "git init (history)"
cd "$h" || exit 1
git checkout -q -b feature
cp "$top"/fixtures/lint/history/migrations/versions/h4b_invoices.py \
	"$top"/fixtures/lint/history/migrations/versions/h5_merge.py migrations/versions/
out=$("$migen" lint --since main --format concise --select require-concurrent-index 2>/dev/null)
expect "since: an index on a table new in the change is not reported" "" "$out"
git add -A && git commit -q -m invoices && git checkout -q main && git merge -q feature
git checkout -q -b later
cat >migrations/versions/h6_more.py <<'PY'
"""index invoices

Revision ID: h6
Revises: h5
"""
from alembic import op

revision = 'h6'
down_revision = 'h5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_invoices_id_order', 'invoices', ['id', 'order_id'])


def downgrade():
    op.drop_index('ix_invoices_id_order', table_name='invoices')
PY
out=$("$migen" lint --since main --format concise --select require-concurrent-index 2>/dev/null)
case $out in
*"h6_more.py:15:5: warning: index ix_invoices_id_order on existing table 'invoices'"*)
	ok "since: a table main created is existing" ;;
*) bad "since: a table main created is existing: $out" ;;
esac

# Outside any git work tree.
mkdir -p "$tmp/nogit"
cp -R "$p/alembic.ini" "$p/migrations" "$tmp/nogit/"
(cd "$tmp/nogit" && GIT_CEILING_DIRECTORIES=$tmp "$migen" lint --since main >/dev/null 2>"$tmp/err")
expect "since: not a repository: exit 3" "3" "$?"

# --- --fix --------------------------------------------------------------------
f=$tmp/fix
e=$tmp/enh
for d in "$f" "$e"; do
	mkdir -p "$d"
	cp -R "$src/alembic.ini" "$src/migrations" "$d/"
done
cd "$f" || exit 1
"$migen" lint --fix --format concise >"$tmp/out" 2>"$tmp/err"
expect "fix: exit 1 (the NOT NULL column is left)" "1" "$?"
expect "fix: what is left (the NOT NULL column, missing-lock-timeout once a run; indexes of new tables are not reported)" \
	"migrations/versions/c3_status.py:20:5: warning migrations/versions/c3_status.py:20:5: error " \
	"$(cut -d: -f1-4 "$tmp/out" | tr '\n' ' ')"
grep -q "migen: migrations/versions/b2_email_index.py: fixed" "$tmp/err" && ok "fix: says what it wrote" ||
	bad "fix: says what it wrote"
sum1=$(cat migrations/versions/*.py | cksum)
"$migen" lint --fix --format concise >/dev/null 2>&1
sum2=$(cat migrations/versions/*.py | cksum)
expect "fix: idempotent" "$sum1" "$sum2"
"$migen" lint --diff >"$tmp/diff" 2>/dev/null
expect "fix: nothing left to diff" "" "$(cat "$tmp/diff")"

# The same engine as enhance --write (with lint's defaults on).
cd "$e" || exit 1
for x in migrations/versions/*.py; do
	"$migen" enhance --write --add-tenant-indexes --use-concurrently "$x" >/dev/null 2>&1
done
for x in migrations/versions/*.py; do
	if cmp -s "$x" "$f/$x"; then ok "fix = enhance --write: $x"; else bad "fix = enhance --write: $x"; fi
done

# A read-only file is never replaced.
r=$tmp/ro
mkdir -p "$r"
cp -R "$src/alembic.ini" "$src/migrations" "$r/"
chmod a-w "$r/migrations/versions/b2_email_index.py"
before=$(cksum <"$r/migrations/versions/b2_email_index.py")
(cd "$r" && "$migen" lint --fix migrations/versions/b2_email_index.py >/dev/null 2>&1)
expect "fix: read-only: exit 1" "1" "$?"
expect "fix: read-only: unchanged" "$before" "$(cksum <"$r/migrations/versions/b2_email_index.py")"

# --diff is a patch that applies.
d=$tmp/patch
mkdir -p "$d"
cp -R "$src/alembic.ini" "$src/migrations" "$d/"
cd "$d" || exit 1
"$migen" lint --diff >"$tmp/p.diff" 2>/dev/null
patch -s -p1 <"$tmp/p.diff" && ok "diff: applies with patch -p1" || bad "diff: applies with patch -p1"
for x in migrations/versions/*.py; do
	cmp -s "$x" "$f/$x" || bad "diff = fix: $x"
done

# From a sub-folder: alembic.ini is found above, and the patch applies here.
d2=$tmp/patch2
mkdir -p "$d2"
cp -R "$src/alembic.ini" "$src/migrations" "$d2/"
cd "$d2/migrations" || exit 1
"$migen" lint --diff >"$tmp/p2.diff" 2>/dev/null
patch -s -p1 <"$tmp/p2.diff" && ok "diff: from a sub-folder, applies there" ||
	bad "diff: from a sub-folder, applies there"
cmp -s versions/b2_email_index.py "$f/migrations/versions/b2_email_index.py" &&
	ok "diff: from a sub-folder, same result" || bad "diff: from a sub-folder, same result"

# --- SARIF of real runs, through the official validator (when set up) ----------
tool=$top/deps/sarif-multitool/Sarif.Multitool
if [ -x "$tool" ]; then
	(cd "$top/fixtures/lint/basic" && "$migen" lint --format sarif) >"$tmp/basic.sarif" 2>/dev/null
	(cd "$top/fixtures/lint/suppress" && "$migen" lint --format sarif forms.py) \
		>"$tmp/suppress.sarif" 2>/dev/null
	for c in basic suppress; do
		DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$tool" validate "$tmp/$c.sarif" \
			-o "$tmp/$c.val.sarif" --log ForceOverwrite >/dev/null 2>&1
		n=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for r in d["runs"] for x in r.get("results", []) if x.get("level") == "error"))' "$tmp/$c.val.sarif" 2>/dev/null)
		expect "sarif: $c: valid under the official validator" "0" "${n:-no log}"
	done
else
	echo "skip sarif validation: $tool not set up (scripts/setup.sh --test)"
fi

[ $fail -eq 0 ] && echo "lint_checks: all passed"
exit $fail
