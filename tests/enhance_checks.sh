#!/bin/sh
# Checks on `migen enhance` that golden files cannot make:
#  - every code snippet it prints, for every fixture, is valid Python
#    (compiled by /usr/bin/python3 inside a function body);
#  - a 5 MB migration is analysed (exit 0, valid JSON, every op found);
#  - JSON output is byte-identical across runs.
# Usage: tests/enhance_checks.sh path/to/migen
set -eu
migen=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for f in fixtures/autogen/*.py fixtures/unusual/*.py fixtures/rules/*.py fixtures/rules/multitenant/[0-9]*.py examples/*.py; do
	s=0
	"$migen" enhance --file "$f" --add-tenant-indexes --use-concurrently --format json \
		>"$tmp/out.json" 2>/dev/null || s=$?
	[ "$s" -le 1 ] || continue # unreadable on purpose (latin1)
	if /usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for s in doc["suggestions"]:
    for key in ("code", "downgrade"):
        code = s[key]
        if code is None:
            continue
        src = "def f():\n" + code.replace("\t", "    ") + "\n"
        try:
            compile(src, "%s:%s" % (s["rule"], key), "exec")
        except SyntaxError as e:
            print("invalid Python from", s["rule"], key, e)
            print(src)
            sys.exit(1)
PY
	then ok; else bad "$f: a printed snippet is not valid Python"; fi
done

fixtures/make_big.sh "$tmp/big.py" >/dev/null
size=$(wc -c <"$tmp/big.py")
s=0
"$migen" enhance --file "$tmp/big.py" --format json --fail-on never >"$tmp/big.json" 2>"$tmp/big.err" || s=$?
if [ "$s" -eq 0 ] && /usr/bin/python3 -c '
import json, sys, ast
doc = json.load(open(sys.argv[1]))
tree = ast.parse(open(sys.argv[2]).read())
calls = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "op" and n.func.attr not in ("f", "get_bind", "get_context"))
got = sum(1 for o in doc["operations"] if o["source"] == "op")
sys.exit(0 if got == calls else "ops: migen %d, python ast %d" % (got, calls))
' "$tmp/big.json" "$tmp/big.py"; then ok; else bad "big file ($size bytes): exit $s"; fi

"$migen" enhance --file examples/add_notifications.py --add-tenant-indexes --use-concurrently --format json --fail-on never >"$tmp/a.json"
"$migen" enhance --file examples/add_notifications.py --add-tenant-indexes --use-concurrently --format json --fail-on never >"$tmp/b.json"
if cmp -s "$tmp/a.json" "$tmp/b.json"; then ok; else bad "JSON output differs between runs"; fi

echo "enhance checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
