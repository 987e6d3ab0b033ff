#!/bin/sh
# git's answer to --since, kept between runs (src/lint/since.c), changes
# nothing but time: every run prints the bytes and exits with the status of
# a run without any cache, on a generated history made a git repository
# here, through the changes a developer makes between two runs. Whether git
# was asked is seen, not guessed: git is run through a wrapper that logs
# its subcommands, and a run that used the kept answer ran no `git diff`.
#
#   tests/lint_since_cache.sh path/to/migen
. "$(dirname "$0")/lib/runs.sh"
start "$1"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com HOME="$tmp" XDG_CONFIG_HOME="$tmp/config"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

real_git=$(command -v git) || {
	echo "lint_since_cache: git is not installed (scripts/setup.sh --test)" >&2
	exit 1
}
mkdir -p "$tmp/bin"
cat >"$tmp/bin/git" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/git.log"
exec "$real_git" "\$@"
EOF
chmod +x "$tmp/bin/git"
PATH=$tmp/bin:$PATH
export PATH

# Files changed within a second of a run are never kept as unchanged (the
# racy rule): each change is followed by this before the runs that check.
settle() { sleep 1.1; }

# lint NAME WANT [ARG...]: `migen lint --since main` agrees with --no-cache,
# and asked git (WANT=asks) or used the kept answer (WANT=kept).
lint() {
	name=$1
	want=$2
	shift 2
	n=$((n + 1))
	run "$tmp/$n.ref" "$migen" lint --since main --format json --fail-on never --no-cache "$@"
	: >"$tmp/git.log"
	run "$tmp/$n.run" "$migen" lint --since main --format json --fail-on never "$@"
	if grep -q ' diff ' "$tmp/git.log"; then got=asks; else got=kept; fi
	[ "$got" = "$want" ] && ok "$name: $want" || bad "$name: $want (it $got)"
	same "$name: = no cache" "$tmp/$n.ref" "$tmp/$n.run"
}

# reported NAME FILE: the last run reported FILE (or, with !, did not).
reported() {
	if grep -q "\"path\": \"[^\"]*$2\"" "$tmp/$n.run.out"; then got=yes; else got=no; fi
	[ "$got" = "${3:-yes}" ] && ok "$1" || bad "$1"
}

p=$tmp/p
history "$p" 40 || {
	bad "bench/gen_project.py makes a project"
	exit 1
}
v=$p/migrations/versions
cd "$p" || exit 1
git init -q -b main . && git add -A && git commit -q -m base || bad "git init"
git checkout -q -b feature
settle
lint "nothing changed, first run" asks
lint "the next run" kept
/usr/bin/python3 "$top/bench/new_migration.py" "$v" zzzz_new.py 0123456789ab "$head"
old=$(ls "$v"/*.py | sort | awk 'NR == 10')
settle

lint "a new migration, untracked, first run" asks
lint "the next run" kept
reported "the new migration is reported" zzzz_new.py

# The new file edited: added stays added.
printf "\n\ndef more() -> None:\n    op.create_index('ix_users_note', 'users', ['note_0123456789ab'])\n" \
	>>"$v/zzzz_new.py"
settle
lint "the new migration edited" kept

# An old, tracked migration edited in place (its folder unchanged): git is asked, and it is
# reported; then it stays so.
printf '# reviewed\n' >>"$old"
settle
lint "an old migration edited" asks
reported "the edited old migration is reported" "$(basename "$old")"
lint "the next run" kept
reported "the edited old migration is still reported" "$(basename "$old")"
git checkout -q -- "$old"
settle
lint "the old migration restored" asks
reported "the restored old migration is not reported" "$(basename "$old")" no

# Touched to the future: never kept as unchanged (the racy rule).
touch -d '+1 hour' "$old"
lint "an old migration touched to the future" asks
lint "the next run" asks
touch -d '2000-01-01 00:00:00' "$old"
settle
# git diff refreshes the index's stat data for the touched file: an index written during the
# run is racy too, so the answer is kept by the first run a second later.
lint "touched back" asks
lint "the next run" asks
settle
lint "a second later" asks
lint "the next run" kept

# Staged, then committed: the index changed.
git add -A
settle
lint "the new migration staged" asks
lint "the next run" kept
git commit -q -m new
settle
lint "committed" asks
lint "the next run" kept

# A second new file: its folder changed.
/usr/bin/python3 "$top/bench/new_migration.py" "$v" zzzz_newer.py 123456789abc 0123456789ab
settle
lint "another new migration" asks
reported "the other new migration is reported" zzzz_newer.py
lint "the next run" kept
# Ignored by a .gitignore above the version folders: git no longer lists it.
printf 'zzzz_newer.py\n' >"$p/.gitignore"
settle
lint "a .gitignore that ignores it" asks
reported "the ignored migration is not reported" zzzz_newer.py no
lint "the next run" kept
# The repository's own excludes file, and git's default global one.
rm "$p/.gitignore"
settle
lint "the .gitignore removed" asks
printf 'zzzz_newer.py\n' >>"$p/.git/info/exclude"
settle
lint "the repository's excludes file" asks
reported "excluded there: not reported" zzzz_newer.py no
: >"$p/.git/info/exclude"
mkdir -p "$XDG_CONFIG_HOME/git"
printf 'zzzz_newer.py\n' >"$XDG_CONFIG_HOME/git/ignore"
settle
lint "the global excludes file" asks
reported "excluded there: not reported" zzzz_newer.py no
rm "$XDG_CONFIG_HOME/git/ignore"
rm "$v/zzzz_newer.py"
settle
lint "the other new migration removed" asks
lint "the next run" kept

# A tracked migration no longer tracked: still there, so untracked, so added.
git rm -q --cached "$old"
settle
lint "an old migration untracked" asks
reported "the untracked old migration is reported" "$(basename "$old")"
git add "$old"
settle
lint "tracked again" asks
reported "tracked again: not reported" "$(basename "$old")" no

# main moves on and is merged: another merge-base.
git checkout -q main
printf '# main moved\n' >>"$old"
git commit -q -am "main moves"
git checkout -q feature
git merge -q --no-edit main >/dev/null
settle
lint "main merged: another merge-base" asks
lint "the next run" kept

# A damaged, truncated or empty kept answer is none.
f=$(ls "$XDG_CACHE_HOME"/migen/since-*)
size=$(stat -c %s "$f")
printf 'X' | dd of="$f" bs=1 seek=$((size - 3)) conv=notrunc 2>/dev/null
lint "a damaged file" asks
head -c $((size / 2)) "$f" >"$f.half" && mv "$f.half" "$f"
lint "a truncated file" asks
: >"$f"
lint "an empty file" asks
lint "the next run" kept

# git pointed elsewhere by the environment: never kept.
export GIT_INDEX_FILE="$p/.git/index"
lint "GIT_INDEX_FILE set" asks
lint "GIT_INDEX_FILE set, the next run" asks
unset GIT_INDEX_FILE
# --no-cache keeps nothing.
rm -f "$XDG_CACHE_HOME"/migen/since-*
"$migen" lint --since main --no-cache >/dev/null 2>&1
ls "$XDG_CACHE_HOME"/migen/since-* >/dev/null 2>&1 && bad "--no-cache keeps no answer" ||
	ok "--no-cache keeps no answer"

exit $fail
