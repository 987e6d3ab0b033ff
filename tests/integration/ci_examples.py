"""Runs the shell steps of examples/ci/*.yml (see ci_examples.sh)."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

top = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="migen-ci-")
passed = failed = 0


def ok(msg):
    global passed
    passed += 1
    print("ok: " + msg)


def bad(msg, out=""):
    global failed
    failed += 1
    print("FAIL: " + msg)
    for line in out.splitlines()[:30]:
        print("    " + line)


def sh(cmd, cwd, env=None, shell="bash"):
    args = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", cmd]
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def git(cwd, *args):
    subprocess.run(["git", "-C", cwd, *args], check=True, capture_output=True)


def project(name, dangerous):
    """A bare origin with main (users), and a clone on branch pr adding a migration."""
    base = os.path.join(tmp, name)
    origin = os.path.join(base, "origin.git")
    work = os.path.join(base, "work")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", origin], check=True)
    subprocess.run(
        ["sh", "-c", '. "$1/tests/integration/lib/alembic_project.sh"; top=$1; new_project "$2"',
         "sh", top, work], check=True)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "users")
    git(work, "remote", "add", "origin", origin)
    git(work, "push", "-q", "origin", "main")
    # What actions/checkout (fetch-depth: 0) and GitLab's clone leave: a clone
    # with origin/main, on the change's branch.
    ci = os.path.join(base, "ci")
    subprocess.run(["git", "clone", "-q", origin, ci], check=True)
    git(ci, "config", "user.email", "ci@example.invalid")
    git(ci, "config", "user.name", "ci")
    git(ci, "checkout", "-q", "-b", "pr")
    if dangerous:
        up = "op.create_index('ix_users_email', 'users', ['email'])"
        down = "op.drop_index('ix_users_email', table_name='users')"
    else:
        up = "op.add_column('users', sa.Column('phone', sa.String(length=32), nullable=True))"
        down = "op.drop_column('users', 'phone')"
    subprocess.run(
        ["sh", "-c", '. "$1/tests/integration/lib/alembic_project.sh"; '
         'add_migration "$2" b2_change.py b2b2b2b2b2b2 a1a1a1a1a1a1 "$3" "$4"',
         "sh", top, ci, up, down], check=True)
    git(ci, "add", "-A")
    git(ci, "commit", "-q", "-m", "change")
    # origin/main must come from the workflow's own fetch: drop the clone's.
    git(ci, "update-ref", "-d", "refs/remotes/origin/main")
    return ci


# A fresh venv whose pip finds migen in dist/ only.
venv = os.path.join(tmp, "venv")
subprocess.run(["/usr/bin/python3", "-m", "venv", venv], check=True)
env = dict(os.environ)
env.update(PATH=os.path.join(venv, "bin") + ":/usr/bin:/bin", PIP_NO_INDEX="1",
           PIP_FIND_LINKS=os.path.join(top, "dist"), PIP_DISABLE_PIP_VERSION_CHECK="1",
           XDG_CACHE_HOME=os.path.join(tmp, "cache"), HOME=tmp)
env.pop("VIRTUAL_ENV", None)
validator = os.path.join(top, "deps", "sarif-multitool", "Sarif.Multitool")


def validate_sarif(path):
    log = path + ".validation.sarif"
    r = subprocess.run([validator, "validate", path, "-o", log, "--log", "ForceOverwrite"],
                       capture_output=True, text=True,
                       env=dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1"))
    if r.returncode != 0:
        return "validator exit %d: %s" % (r.returncode, r.stdout + r.stderr)
    results = [res for run in json.load(open(log, encoding="utf-8-sig"))["runs"]
               for res in run.get("results", [])
               if res.get("level", "warning") in ("error", "warning")]
    return "\n".join(r["message"]["text"] for r in results)


# --- GitHub Actions
wf = yaml.safe_load(open(os.path.join(top, "examples/ci/github-actions.yml")))
assert wf[True if True in wf else "on"] is not None
job = wf["jobs"]["migen"]
assert wf["permissions"]["security-events"] == "write"
uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
if uses == ["actions/checkout", "github/codeql-action/upload-sarif"]:
    ok("github: checkout and upload-sarif steps")
else:
    bad("github: uses %r" % uses)

for dangerous in (True, False):
    what = "dangerous" if dangerous else "safe"
    ci = project("github-" + what, dangerous)
    codes = {}
    for step in job["steps"]:
        if "uses" in step:
            if step["uses"].startswith("github/codeql-action/upload-sarif"):
                assert step.get("if") == "always()", step
                sarif = os.path.join(ci, step["with"]["sarif_file"])
                if not os.path.isfile(sarif):
                    bad("github %s: no %s to upload" % (what, sarif))
                    continue
                problems = validate_sarif(sarif)
                results = json.load(open(sarif))["runs"][0]["results"]
                if problems:
                    bad("github %s: the SARIF validator refuses %s" % (what, sarif), problems)
                elif dangerous != any(r["ruleId"] == "require-concurrent-index" for r in results):
                    bad("github %s: SARIF results %r" % (what, [r["ruleId"] for r in results]))
                else:
                    ok("github %s: %s validated, %d results" % (what, step["with"]["sarif_file"],
                                                                 len(results)))
            continue
        r = sh(step["run"], ci, env)
        codes[step["name"]] = r
        if r.returncode != 0 and step is not job["steps"][-1]:
            bad("github %s: step '%s' exit %d" % (what, step["name"], r.returncode),
                r.stdout + r.stderr)
    last = job["steps"][-1]
    r = codes.get(last["name"])
    if r is None:
        bad("github %s: the last step did not run" % what)
    elif dangerous and r.returncode == 1 and "::warning file=migrations/versions/b2_change.py,line=" in r.stdout \
            and "require-concurrent-index" in r.stdout:
        ok("github dangerous: '%s' exits 1 with the annotation" % last["name"])
    elif not dangerous and r.returncode == 0 and "::" not in r.stdout:
        ok("github safe: every step exits 0, no annotation")
    else:
        bad("github %s: '%s' exit %d" % (what, last["name"], r.returncode), r.stdout + r.stderr)

# --- GitLab CI
gl = yaml.safe_load(open(os.path.join(top, "examples/ci/gitlab-ci.yml")))
job = gl["migen"]
report = job["artifacts"]["reports"]["codequality"]
if job["artifacts"].get("when") == "always":
    ok("gitlab: the report is kept when the job fails (artifacts: when: always)")
else:
    bad("gitlab: artifacts when %r" % job["artifacts"].get("when"))
for dangerous in (True, False):
    what = "dangerous" if dangerous else "safe"
    ci = project("gitlab-" + what, dangerous)
    # GitLab runs before_script and script in one shell, stopping at the first failure.
    r = sh("\n".join(job.get("before_script", []) + job["script"]), ci,
           dict(env, **{k: str(v) for k, v in job.get("variables", {}).items()}))
    path = os.path.join(ci, report)
    try:
        issues = json.load(open(path))
        fields_ok = isinstance(issues, list) and all(
            {"description", "check_name", "fingerprint", "severity", "location"} <= set(i)
            and i["location"]["path"] and i["location"]["lines"]["begin"] >= 1 for i in issues)
    except (OSError, ValueError, KeyError, TypeError) as e:
        issues, fields_ok = None, False
        bad("gitlab %s: %s: %s" % (what, report, e))
    if issues is None:
        continue
    if not fields_ok:
        bad("gitlab %s: %s lacks Code Quality fields" % (what, report), json.dumps(issues)[:800])
    elif dangerous and r.returncode == 1 and [i["check_name"] for i in issues] == ["require-concurrent-index"] \
            and issues[0]["location"]["path"] == "migrations/versions/b2_change.py" \
            and "require-concurrent-index" in r.stdout:
        ok("gitlab dangerous: the job fails (1) and %s holds the finding" % report)
    elif not dangerous and r.returncode == 0 and issues == []:
        ok("gitlab safe: the job passes, %s is []" % report)
    else:
        bad("gitlab %s: exit %d, %d issues" % (what, r.returncode, len(issues)),
            r.stdout + r.stderr)

# --- docs/ci.md: its copies of the workflows and of the hooks are the files tested here.
doc = open(os.path.join(top, "docs/ci.md")).read()
blocks = doc.split("```yaml\n")[1:]
blocks = [b[: b.index("```")] for b in blocks]
for name in ("github-actions.yml", "gitlab-ci.yml"):
    text = open(os.path.join(top, "examples/ci", name)).read()
    body = "".join(l for l in text.splitlines(True) if not l.startswith("#"))
    if any(yaml.safe_load(b) == yaml.safe_load(body) for b in blocks):
        ok("docs/ci.md shows examples/ci/%s as it is" % name)
    else:
        bad("docs/ci.md differs from examples/ci/%s" % name)
manifest = {h["id"]: h for h in yaml.safe_load(open(os.path.join(top, ".pre-commit-hooks.yaml")))}
local = [yaml.safe_load(b) for b in blocks if "repo: local" in b]
if len(local) == 1:
    hooks = {h["id"]: h for h in local[0]["repos"][0]["hooks"]}
    keys = ("entry", "language", "types", "files", "pass_filenames", "require_serial")
    diff = [(i, k) for i in manifest for k in keys
            if i not in hooks or hooks[i].get(k) != manifest[i].get(k)]
    if diff:
        bad("docs/ci.md's repo: local hooks differ from .pre-commit-hooks.yaml: %r" % diff)
    else:
        ok("docs/ci.md's repo: local hooks match .pre-commit-hooks.yaml")
else:
    bad("docs/ci.md: %d repo: local blocks" % len(local))

shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
