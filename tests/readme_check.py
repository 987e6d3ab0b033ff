#!/usr/bin/python3
"""The examples in README.md and docs/*.md are real output: each block
between

    <!-- golden: CASE [status] -->
    ```console
    ...
    ```
    <!-- end golden -->

must be "$ migen ARGS" (from tests/golden/CASE/args, "cd DIR" first when
the case has a cwd file), then the case's expected.stdout, then with
"status" "$ echo $?" and its exit status. The golden runner checks that
migen still prints that output; this checks that the pages still show it.

    tests/readme_check.py [--update]    (--update rewrites the blocks)
"""
import os
import re
import shlex
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pages = [os.path.join(top, "README.md")] + sorted(
    os.path.join(top, "docs", n) for n in os.listdir(os.path.join(top, "docs")) if n.endswith(".md"))
BLOCK = re.compile(r"(<!-- golden: ([\w.-]+)((?: \w+)*) -->\n)(.*?)(<!-- end golden -->)", re.S)


def render(case, flags):
    d = os.path.join(top, "tests", "golden", case)
    with open(os.path.join(d, "args")) as f:
        args = [a for a in f.read().split("\n") if a != ""]
    lines = ["```console"]
    if os.path.exists(os.path.join(d, "cwd")):
        with open(os.path.join(d, "cwd")) as f:
            lines.append("$ cd " + shlex.quote(f.read().strip()))
    lines.append("$ " + " ".join(shlex.quote(a) for a in ["migen"] + args))
    with open(os.path.join(d, "expected.stdout")) as f:
        out = f.read()
    lines.append(out.rstrip("\n"))
    if "status" in flags.split():
        with open(os.path.join(d, "expected.status")) as f:
            lines += ["$ echo $?", f.read().strip()]
    lines.append("```")
    return "\n".join(lines) + "\n"


def check(path, update):
    """The number of stale blocks in the page at path (rewritten with update)."""
    with open(path) as f:
        text = f.read()
    stale = []

    def sub(m):
        want = render(m.group(2), m.group(3))
        if m.group(4) != want:
            stale.append(m.group(2))
        return m.group(1) + want + m.group(5)

    new = BLOCK.sub(sub, text)
    if update:
        if new != text:
            with open(path, "w") as f:
                f.write(new)
        return 0
    for case in stale:
        print("%s: the example of golden case %s differs from its output "
              "(tests/readme_check.py --update)" % (os.path.relpath(path, top), case))
    return len(stale)


def main():
    update = sys.argv[1:] == ["--update"]
    with open(pages[0]) as f:
        if not BLOCK.search(f.read()):
            print("README.md: no golden blocks")
            return 1
    stale = sum(check(p, update) for p in pages)
    return 1 if stale else 0


sys.exit(main())
