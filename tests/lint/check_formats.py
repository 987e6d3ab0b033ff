#!/usr/bin/python3
"""Checks what tests/lint_formats.sh wrote: every output format of the sample
reports (tests/lint/lint_sample.c), read back by outside readers.

- SARIF: the official validator's own log (a SARIF file) must hold no result
  of level error or warning (a result without a level is a warning), and the
  validator must have run successfully;
- JSON (--format json): parses with Python's json, keys and types as
  docs/json-lint.md says, the summary agrees with the findings;
- GitLab Code Quality: an array of issues with the fields GitLab requires,
  fingerprints unique;
- fingerprints (SARIF and GitLab) do not move when lines are added above;
- docs/lint-formats.md: every block marked `<!-- lint_dump REPORT FORMAT -->`
  is exactly what the dump program writes (--update rewrites them).

usage: check_formats.py OUTDIR DOCS [--update]
"""
import json
import os
import re
import sys

out, docs = sys.argv[1], sys.argv[2]
update = "--update" in sys.argv[3:]
errors = []


def err(msg):
    errors.append(msg)


def read(name):
    with open(os.path.join(out, name), encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def load(name):
    try:
        return json.loads(read(name))
    except ValueError as e:
        err(f"{name}: not JSON: {e}")
        return None


# ---- SARIF: the validator's verdict ----
for rep in ("example", "hostile", "empty"):
    log = load(f"{rep}.validation.sarif")
    if log is None:
        continue
    run = log["runs"][0]
    for inv in run.get("invocations", []):
        if not inv.get("executionSuccessful", False):
            err(f"{rep}.sarif: the validator did not run successfully: {inv}")
        for n in inv.get("toolExecutionNotifications", []) + inv.get(
                "toolConfigurationNotifications", []):
            if n.get("level", "warning") in ("error", "warning"):
                err(f"{rep}.sarif: validator notification: {n.get('message')}")
    for r in run.get("results", []):
        level = r.get("level", "warning")
        msg = r.get("message", {})
        text = msg.get("text") or f"{msg.get('id')} {msg.get('arguments')}"
        line = f"{rep}.sarif: {level} {r.get('ruleId')}: {text}"
        if level in ("error", "warning"):
            err(line)
        else:
            print("validator:", line)

# The broken file must be refused: proves the verdict above is read right.
log = load("broken.validation.sarif")
if log is not None and not any(
        r.get("level", "warning") == "error" for r in log["runs"][0].get("results", [])):
    err("broken.sarif: the validator found no error in a file with startLine 0")

# ---- SARIF: our own invariants ----
for rep in ("example", "hostile", "empty"):
    s = load(f"{rep}.sarif")
    if s is None:
        continue
    res = s["runs"][0]["results"]
    fps = [r["partialFingerprints"]["migenFingerprint/v1"] for r in res]
    if len(set(fps)) != len(fps):
        err(f"{rep}.sarif: fingerprints not unique")
    rules = s["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    for need in ("ignore-without-reason", "unused-ignore", "missing-fk-index"):
        if need not in ids:
            err(f"{rep}.sarif: rule {need} missing from tool.driver.rules")
    for r in rules:
        if not r["helpUri"].endswith("/rules.md#" + r["id"]):
            err(f"{rep}.sarif: helpUri of {r['id']}: {r['helpUri']}")

# ---- JSON ----
FINDING = {
    "rule": str, "severity": str, "path": str, "revision": (str, type(None)),
    "line": int, "column": int, "end_line": int, "end_column": int,
    "message": str, "help": (str, type(None)), "where": (str, type(None)),
    "code": (str, type(None)), "fix": (dict, type(None)), "suppressed": bool,
    "suppression": (dict, type(None)),
}
EDIT = {"start": int, "end": int, "line": int, "column": int, "end_line": int,
        "end_column": int, "text": str}
for rep in ("example", "hostile", "empty"):
    d = load(f"{rep}.json")
    if d is None:
        continue
    if list(d) != ["migen", "findings", "files", "summary"] or d["migen"] != 1:
        err(f"{rep}.json: top-level keys {list(d)}")
        continue
    counts = {"error": 0, "warning": 0, "note": 0}
    suppressed = 0
    for i, fd in enumerate(d["findings"]):
        if list(fd) != list(FINDING):
            err(f"{rep}.json: finding {i}: keys {list(fd)}")
            continue
        for k, t in FINDING.items():
            if not isinstance(fd[k], t):
                err(f"{rep}.json: finding {i}: {k} is {type(fd[k]).__name__}")
        if fd["severity"] not in counts:
            err(f"{rep}.json: finding {i}: severity {fd['severity']}")
            continue
        if fd["suppressed"]:
            suppressed += 1
            if not isinstance(fd["suppression"], dict) or "reason" not in fd["suppression"]:
                err(f"{rep}.json: finding {i}: suppressed without a suppression")
        else:
            counts[fd["severity"]] += 1
        for e in (fd["fix"] or {}).get("edits", []):
            if list(e) != list(EDIT) or e["start"] > e["end"]:
                err(f"{rep}.json: finding {i}: bad edit {e}")
    sm = d["summary"]
    want = {"files": len(d["files"]), "errors": counts["error"],
            "warnings": counts["warning"], "notes": counts["note"], "suppressed": suppressed}
    if sm != want:
        err(f"{rep}.json: summary {sm}, findings say {want}")

# ---- GitLab Code Quality ----
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
for rep in ("example", "hostile", "empty"):
    g = load(f"{rep}.gitlab")
    if not isinstance(g, list):
        err(f"{rep}.gitlab: not an array")
        continue
    seen = set()
    for i, it in enumerate(g):
        ok = (isinstance(it.get("description"), str) and isinstance(it.get("check_name"), str)
              and isinstance(it.get("fingerprint"), str)
              and re.fullmatch(r"[0-9a-f]{32}", it["fingerprint"])
              and it.get("severity") in SEVERITIES
              and isinstance(it.get("location", {}).get("path"), str)
              and isinstance(it["location"].get("lines", {}).get("begin"), int)
              and it["location"]["lines"]["begin"] >= 1)
        if not ok:
            err(f"{rep}.gitlab: issue {i} lacks a field GitLab requires: {it}")
            continue
        if it["fingerprint"] in seen:
            err(f"{rep}.gitlab: issue {i}: fingerprint repeated")
        seen.add(it["fingerprint"])

# ---- fingerprints survive lines added above ----
a, b = load("example.gitlab"), load("shifted.gitlab")
if a is not None and b is not None:
    if [x["fingerprint"] for x in a] != [x["fingerprint"] for x in b]:
        err("gitlab: fingerprints changed when lines were added above")
    if [x["location"]["lines"]["begin"] + 3 for x in a] != [
            x["location"]["lines"]["begin"] for x in b]:
        err("gitlab: the shifted report is not shifted")
a, b = load("example.sarif"), load("shifted.sarif")
if a is not None and b is not None:
    fa = [r["partialFingerprints"] for r in a["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in b["runs"][0]["results"]]
    if fa != fb:
        err("sarif: fingerprints changed when lines were added above")

# ---- the examples in the docs ----
with open(docs, encoding="utf-8") as f:
    text = f.read()
pat = re.compile(r"(<!-- lint_dump (\w+) (\w+)(?: (--summary))? -->\n```(\w*)\n)(.*?)(```\n)",
                 re.S)


def repl(m):
    rep, fmt, summary = m.group(2), m.group(3), m.group(4)
    name = f"{rep}.{fmt}" + (".summary" if summary else "")
    want = read(name)
    if m.group(6) != want:
        if update:
            print(f"{docs}: updated the {rep} {fmt} example")
        else:
            err(f"{docs}: the {rep} {fmt} example differs from the dump program's output "
                f"(run tests/lint_formats.sh LINT_DUMP --update)")
    return m.group(1) + want + m.group(7)


new, n = pat.subn(repl, text)
if n < 6:
    err(f"{docs}: {n} examples marked, expected one per format")
if update and new != text:
    with open(docs, "w", encoding="utf-8") as f:
        f.write(new)

for e in errors:
    print("lint_formats:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
