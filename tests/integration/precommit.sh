#!/bin/sh
# The pre-commit hooks of .pre-commit-hooks.yaml, through Debian's pre-commit,
# on a throwaway git repo holding an Alembic project (no network: the hooks
# repository is a local git repo holding this checkout's manifest):
#
#   tests/integration/precommit.sh build/migen
#
# - a commit adding a dangerous migration (a plain CREATE INDEX on users) is
#   refused, with the finding shown;
# - a safe one (a nullable column) passes;
# - the dangerous one with a reasoned ignore comment passes;
# - a migration that makes a second head is refused by migen-doctor.
# Prints a line per check and `N passed, N failed` last.
set -u
migen=${1:?usage: precommit.sh path/to/migen}
case $migen in /*) ;; *) migen=$(pwd)/$migen ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/integration/lib/alembic_project.sh
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
command -v pre-commit >/dev/null || { echo "precommit: pre-commit not found: run scripts/setup.sh --test" >&2; exit 1; }

# migen on PATH, as the hooks (language: system) expect; pre-commit's own
# cache in the scratch folder.
mkdir -p "$tmp/bin"
ln -s "$migen" "$tmp/bin/migen"
PATH=$tmp/bin:$PATH
PRE_COMMIT_HOME=$tmp/pre-commit-home
XDG_CACHE_HOME=$tmp/cache
export PATH PRE_COMMIT_HOME XDG_CACHE_HOME

# The hooks repository: this checkout's manifest, committed.
hooks=$tmp/hooks
mkdir -p "$hooks"
cp .pre-commit-hooks.yaml "$hooks/"
git -C "$hooks" init -q -b main
git -C "$hooks" -c user.email=t@example.invalid -c user.name=t add .pre-commit-hooks.yaml
git -C "$hooks" -c user.email=t@example.invalid -c user.name=t commit -q -m hooks
rev=$(git -C "$hooks" rev-parse HEAD)

proj=$tmp/proj
new_project "$proj"
cat >"$proj/.pre-commit-config.yaml" <<CFG
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: migen-lint
      - id: migen-doctor
CFG
git -C "$proj" add -A
git -C "$proj" commit -q -m "users" || { bad "first commit"; exit 1; }
(cd "$proj" && pre-commit install >"$tmp/install.log" 2>&1) && ok "pre-commit install" ||
	{ bad "pre-commit install"; cat "$tmp/install.log"; }

# commit FILE...: stages them and commits through the hook; output in $tmp/commit.out.
commit() {
	git -C "$proj" add "$@" &&
		(cd "$proj" && git commit -m "add $*" >"$tmp/commit.out" 2>&1)
}

add_migration "$proj" b2_email_index.py b2b2b2b2b2b2 a1a1a1a1a1a1 \
	"op.create_index('ix_users_email', 'users', ['email'])" \
	"op.drop_index('ix_users_email', table_name='users')"
if commit migrations/versions/b2_email_index.py; then
	bad "a dangerous migration was committed"
	sed 's/^/    /' "$tmp/commit.out"
elif grep -q 'b2_email_index.py:[0-9]*:[0-9]*: warning: .*\[require-concurrent-index\]' "$tmp/commit.out" &&
	grep -q 'migen lint.*Failed' "$tmp/commit.out"; then
	ok "a dangerous migration is refused, the finding shown"
	sed 's/^/    /' "$tmp/commit.out"
else
	bad "refused, but not with the finding"
	sed 's/^/    /' "$tmp/commit.out"
fi
[ -z "$(git -C "$proj" log --format=%H -1 -- migrations/versions/b2_email_index.py)" ] &&
	ok "nothing committed" || bad "b2_email_index.py was committed"

# The same with a reasoned ignore.
add_migration "$proj" b2_email_index.py b2b2b2b2b2b2 a1a1a1a1a1a1 \
	"op.create_index('ix_users_email', 'users', ['email'])  # migen: ignore[require-concurrent-index] users is empty until launch" \
	"op.drop_index('ix_users_email', table_name='users')"
if commit migrations/versions/b2_email_index.py; then
	ok "a migration with a reasoned ignore passes"
else
	bad "a migration with a reasoned ignore is refused"
	sed 's/^/    /' "$tmp/commit.out"
fi

add_migration "$proj" c3_phone.py c3c3c3c3c3c3 b2b2b2b2b2b2 \
	"op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))" \
	"op.drop_column('users', 'phone')"
if commit migrations/versions/c3_phone.py && grep -q 'migen lint.*Passed' "$tmp/commit.out" &&
	grep -q 'migen doctor.*Passed' "$tmp/commit.out"; then
	ok "a safe migration passes (both hooks ran)"
else
	bad "a safe migration is refused"
	sed 's/^/    /' "$tmp/commit.out"
fi

# A second head: lint has nothing to say, doctor refuses it.
add_migration "$proj" d4_fork.py d4d4d4d4d4d4 b2b2b2b2b2b2 \
	"op.add_column('users', sa.Column('nickname', sa.String(length=32), nullable=True))" \
	"op.drop_column('users', 'nickname')"
if commit migrations/versions/d4_fork.py; then
	bad "a second head was committed"
	sed 's/^/    /' "$tmp/commit.out"
elif grep -q 'multiple-heads' "$tmp/commit.out" && grep -q 'migen doctor.*Failed' "$tmp/commit.out"; then
	ok "a second head is refused by migen-doctor, with the merge to run"
else
	bad "second head refused, but not by doctor"
	sed 's/^/    /' "$tmp/commit.out"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
