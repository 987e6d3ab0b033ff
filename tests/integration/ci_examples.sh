#!/bin/sh
# The CI examples of examples/ci/, run: each workflow's YAML is parsed
# (python3-yaml) and its shell steps run, in order, in a throwaway clone of a
# bare repository (a real origin/main) whose branch adds a dangerous
# migration, then a safe one. `pip install migen` installs the wheel of
# scripts/package.sh into a fresh venv (pip --no-index --find-links dist/).
# The SARIF is checked by the official validator (deps/sarif-multitool,
# scripts/setup.sh --test), the Code Quality report by its fields.
#
#   tests/integration/ci_examples.sh [build/migen]   (the packages build their own)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
scripts/package.sh >/dev/null 2>&1 || { echo "ci_examples: scripts/package.sh failed" >&2; exit 1; }
exec /usr/bin/python3 tests/integration/ci_examples.py "$top"
