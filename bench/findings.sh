#!/bin/sh
# Findings per rule on a set of migrations, for judging a rule change: run it
# with the old and the new binary and read the listing as a reviewer would.
#
#   bench/findings.sh path/to/migen [ENHANCE-OPTIONS...] -- FILE-OR-DIR...
#
# Prints every finding as `file:line: severity rule: message`, then a count
# per rule and severity. Uses --format json, one file at a time, so it works
# with any migen that has `enhance --file F --format json`.
set -eu
migen=${1:?usage: findings.sh path/to/migen [OPTIONS...] -- FILE-OR-DIR...}
shift
opts=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	opts="$opts $1"
	shift
done
[ "${1:-}" = "--" ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for a in "$@"; do
	if [ -d "$a" ]; then find "$a" -name '*.py' ! -path '*/__pycache__/*' | sort; else echo "$a"; fi
done >"$tmp/files"
while IFS= read -r f; do
	# shellcheck disable=SC2086
	"$migen" enhance --file "$f" $opts --format json >"$tmp/out.json" 2>/dev/null || true
	/usr/bin/python3 - "$f" "$tmp/out.json" <<'PY'
import json, sys
path, out = sys.argv[1], sys.argv[2]
try:
    doc = json.load(open(out))
except ValueError:
    print(f"{path}: (no JSON output)")
    sys.exit(0)
docs = doc if isinstance(doc, list) else [doc]
for d in docs:
    for g in d.get("suggestions", []):
        print(f"{path}:{g.get('line')}: {g.get('severity')} {g.get('rule')}: {g.get('message')}")
PY
done <"$tmp/files" | tee "$tmp/list"
echo
echo "findings per rule ($(wc -l <"$tmp/files") files):"
awk '/: (error|warning|note) [a-z-]+:/ { split($0, a, ": "); split(a[2], b, " "); n[b[2] " " b[1]]++ }
     END { for (k in n) printf "  %4d  %s\n", n[k], k }' "$tmp/list" | sort -k2
