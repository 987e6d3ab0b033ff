#!/usr/bin/python3
"""migen's indentation check against Python's own compiler.

Generates seeded random Python files (nested blocks indented with spaces,
tabs or both, comments, blank lines, bracketed and backslash continuation
lines, triple-quoted strings with arbitrary indentation inside), many with
one line's indentation disturbed, and checks that `migen enhance` calls a
file an error exactly when compile() raises IndentationError (TabError
included), and of the same kind.

Usage: tests/indent_vs_python.py path/to/migen [COUNT] [SEED]
"""
import os
import random
import subprocess
import sys
import tempfile

migen = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 600
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 9011
rng = random.Random(seed)

UNITS = ["    ", "  ", "\t", "        ", "  \t", "\t  ", "   "]


def body(depth, prefixes, lines, budget):
    """Appends statements at depth (prefixes[depth] is its indentation)."""
    n = rng.randint(1, 3)
    for _ in range(n):
        if budget[0] <= 0:
            break
        budget[0] -= 1
        ind = prefixes[depth]
        kind = rng.random()
        if kind < 0.3 and depth < 5:
            head = rng.choice(["if x:", "for i in y:", "while z:", "def f():", "with a() as b:"])
            if rng.random() < 0.2:
                head += "  # why"
            lines.append(ind + head)
            unit = rng.choice(UNITS)
            nxt = prefixes[:depth + 1] + [ind + unit]
            body(depth + 1, nxt, lines, budget)
        elif kind < 0.4:
            lines.append(rng.choice(["", "   ", "\t", ind + "# comment", "# at column 0", "\t  # odd"]))
            lines.append(ind + "x = 1")
        elif kind < 0.5:
            # Bracketed continuation: the inner lines' indentation does not count.
            lines.append(ind + "y = foo(")
            lines.append(rng.choice(["", " ", "\t", "      ", " \t "]) + "1,")
            lines.append(rng.choice(["", "\t", "  "]) + ")")
        elif kind < 0.58:
            lines.append(ind + "z = 1 + \\")
            lines.append(rng.choice(["", "\t", "   "]) + "2")
        elif kind < 0.66:
            lines.append(ind + 'op.execute("""')
            lines.append(rng.choice(["", "\t", "  ", "        "]) + "SELECT 1")
            lines.append(rng.choice(["", "\t"]) + '""")')
        elif kind < 0.7:
            lines.append(ind + "s = 'a \\")
            lines.append(rng.choice(["", "\t"]) + "b'")
        else:
            lines.append(ind + rng.choice(["op.create_index('ix', 't', ['c'])", "pass", "return", "w = [1,", ]))
            if lines[-1].endswith("[1,"):
                lines.append(rng.choice(["", "\t\t", " "]) + "2]")


def disturb(lines):
    """Changes one code line's indentation."""
    cand = [i for i, l in enumerate(lines) if l.strip() and not l.strip().startswith("#")]
    i = rng.choice(cand)
    l = lines[i]
    s = l.lstrip(" \t")
    ind = l[: len(l) - len(s)]
    r = rng.random()
    if r < 0.25:
        ind = ind.replace("\t", " " * 8, 1)
    elif r < 0.45:
        ind = ind.replace(" " * 8, "\t", 1) if " " * 8 in ind else ind + " "
    elif r < 0.65:
        ind = ind[:-1]
    elif r < 0.8:
        ind = ind + rng.choice([" ", "\t"])
    else:
        ind = "\t" + ind
    lines[i] = ind + s


def python_verdict(src):
    try:
        compile(src, "gen.py", "exec")
    except TabError:
        return "tab"
    except IndentationError:
        return "indent"
    except SyntaxError:
        return "syntax"
    return "ok"


def migen_verdict(path):
    p = subprocess.run([migen, "enhance", path], capture_output=True, text=True)
    errs = [l for l in p.stderr.splitlines() if ": error: " in l]
    if not errs:
        return "ok"
    text = " ".join(errs)
    if "inconsistent use of tabs" in text:
        return "tab"
    if ("unindent does not match" in text or "unexpected indent" in text
            or "expected an indented block" in text):
        return "indent"
    return "syntax"


def main():
    tmp = tempfile.mkdtemp()
    passed = failed = 0
    kinds = {}
    for n in range(count):
        lines = ['revision = "x"', "down_revision = None", "", "", "def upgrade():"]
        unit = rng.choice(UNITS)
        body(1, ["", unit], lines, [rng.randint(3, 14)])
        if rng.random() < 0.7:
            disturb(lines)
        src = "\n".join(lines) + "\n"
        path = os.path.join(tmp, "gen%04d.py" % n)
        with open(path, "w") as f:
            f.write(src)
        py = python_verdict(src)
        mg = migen_verdict(path)
        kinds[py] = kinds.get(py, 0) + 1
        # The same kind: Python reports the first error it meets, as migen must.
        same = py == mg
        if py == "syntax":
            same = mg != "ok"
        if same:
            passed += 1
            os.unlink(path)
        else:
            failed += 1
            print("FAIL %s: python %s, migen %s" % (path, py, mg))
    print("verdicts: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    print("indent vs python: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
