#!/bin/sh
# The shell completions of `migen completions bash|zsh|fish`:
#
#   tests/completions.sh path/to/migen [DIR]
#
# DIR, when given, is an installed tree (a .deb unpacked) whose files are
# checked instead of the binary's output: usr/share/bash-completion/
# completions/migen, usr/share/zsh/vendor-completions/_migen,
# usr/share/fish/vendor_completions.d/migen.fish.
# bash: `complete -p` names _migen; completing words gives the commands, each
# command's options (every option its --help lists), and the values options
# take. zsh and fish: their syntax check, and fish completes a value.
set -u
migen=${1:?usage: completions.sh path/to/migen [DIR]}
root=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
if [ -n "$root" ]; then
	bash_f=$root/usr/share/bash-completion/completions/migen
	zsh_f=$root/usr/share/zsh/vendor-completions/_migen
	fish_f=$root/usr/share/fish/vendor_completions.d/migen.fish
else
	bash_f=$tmp/migen.bash zsh_f=$tmp/_migen fish_f=$tmp/migen.fish
	"$migen" completions bash >"$bash_f" && "$migen" completions zsh >"$zsh_f" &&
		"$migen" completions fish >"$fish_f" || { echo "completions: migen completions failed" >&2; exit 1; }
fi

cat >"$tmp/complete.bash" <<'BASH'
source "$1"
complete -p migen | grep -q -- '-F _migen' || { echo "complete -p: $(complete -p migen)"; exit 1; }
c() { # c EXPECTED WORD...: completes the last word of "migen WORD..."
	local want=$1; shift
	COMP_WORDS=(migen "$@"); COMP_CWORD=$#; COMPREPLY=()
	_migen
	local got="${COMPREPLY[*]}"
	[ "$got" = "$want" ] || { echo "migen $*<TAB>: got '$got', want '$want'"; exit 1; }
}
c 'lint' li
c 'doctor' do
c '--since --select --stairway' lint --s
c 'sarif' lint --format sa
c 'github gitlab' lint --format git
c 'require-concurrent-index' lint --select require-c
c 'text json' doctor --format ''
c 'mermaid' doctor --graph m
c '--no-cache' schema --no
c 'backfill-template' help ba
c 'auto always never' lint --colour ''
c '--help' lint --he
c 'soft-delete' patterns soft
# Every command and each option its --help lists is offered (from migen itself).
for cmd in $("$2" --help | awk '/^commands:/ {on = 1; next} on && NF == 0 {on = 0} on {print $1}'); do
	COMP_WORDS=(migen "$cmd" --); COMP_CWORD=2; COMPREPLY=(); _migen
	# The option list: lines that begin with an option ("  -c, --config FILE").
	for opt in $("$2" "$cmd" --help | grep -o -E '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -o -- '--[a-z-]*'); do
		case " ${COMPREPLY[*]} " in *" $opt "*) ;; *) echo "migen $cmd: $opt not offered"; exit 1 ;; esac
	done
done
BASH
if ! bash "$tmp/complete.bash" "$bash_f" "$migen"; then
	echo "completions: bash completion failed" >&2
	status=1
fi
if ! zsh -n "$zsh_f"; then
	echo "completions: zsh -n $zsh_f failed" >&2
	status=1
fi
if ! fish -n "$fish_f"; then
	echo "completions: fish -n $fish_f failed" >&2
	status=1
fi
if ! fish -c "source '$fish_f'; complete -C'migen lint --format '" | grep -qx sarif; then
	echo "completions: fish does not complete 'migen lint --format '" >&2
	status=1
fi
"$migen" completions tcsh >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "^migen: 'tcsh' is not bash, zsh or fish" "$tmp/err"; then
	echo "completions: 'migen completions tcsh' exit $rc" >&2
	cat "$tmp/err" >&2
	status=1
fi
exit $status
