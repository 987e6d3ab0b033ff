#!/bin/sh
# Writes every `migen lint` output format from the sample reports
# (tests/lint/lint_dump) and has outside readers check them: SARIF with the
# official validator (Microsoft's SARIF Multitool, `validate`: no error and no
# warning), JSON with Python's json, GitLab Code Quality against the fields
# GitLab requires; the examples in docs/lint-formats.md must be the dump
# program's output (see tests/lint/check_formats.py).
#
#   tests/lint_formats.sh build/tests/lint_dump [--update]
#
# The validator is fetched by `scripts/setup.sh --test` into
# deps/sarif-multitool; without it this test fails (it does not skip).
set -eu

dump=$1
update=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
tool="$top/deps/sarif-multitool/Sarif.Multitool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for rep in example shifted hostile empty; do
	for fmt in text concise json sarif github gitlab; do
		if ! "$dump" "$rep" "$fmt" >"$tmp/$rep.$fmt"; then
			echo "lint_formats: lint_dump $rep $fmt failed" >&2
			exit 1
		fi
	done
done
"$dump" example text --summary >"$tmp/example.text.summary"
# A file the validator must refuse (startLine 0): checks that its verdict is read.
sed 's/"startLine": 10,/"startLine": 0,/' "$tmp/example.sarif" >"$tmp/broken.sarif"

if [ ! -x "$tool" ]; then
	echo "lint_formats: $tool not found: run scripts/setup.sh --test" >&2
	exit 1
fi
for rep in example hostile empty broken; do
	# The validator's exit status is 0 even when it finds errors: its log
	# (itself a SARIF file) is what check_formats.py reads.
	if ! DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$tool" validate "$tmp/$rep.sarif" \
		-o "$tmp/$rep.validation.sarif" --log ForceOverwrite >"$tmp/$rep.validate.log" 2>&1; then
		cat "$tmp/$rep.validate.log" >&2
		echo "lint_formats: the SARIF validator failed on $rep.sarif" >&2
		exit 1
	fi
done

exec /usr/bin/python3 "$top/tests/lint/check_formats.py" "$tmp" "$top/docs/lint-formats.md" $update
