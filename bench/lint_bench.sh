#!/bin/sh
# migen against what a team runs today to lint Alembic migrations with a
# peer: `alembic upgrade head --sql | squawk` (the whole history rendered to
# SQL by Alembic, then linted by squawk), on generated projects of 263,
# 2,000 and 10,000 revisions (bench/gen_project.py), in one interleaved run.
#
#   bench/setup.sh                      # once: squawk into deps/squawk, GNU time, hyperfine
#   bench/lint_bench.sh path/to/migen   # a Release build: cmake -DCMAKE_BUILD_TYPE=Release
#
# For each size, REPS repetitions (default 5); in each repetition every
# command runs once, in an order that rotates from one repetition to the
# next, so that a slow spell of the machine hits every tool alike. Wall time
# is the median over the repetitions; peak RSS comes from one more run of
# each under `/usr/bin/time -f %M`. Commands, run in the project's folder:
#   alembic          /usr/bin/python3 -m alembic upgrade head --sql
#   alembic+squawk   sh -c 'alembic upgrade head --sql | squawk'   (the whole pipeline)
#   lint cold        migen lint --no-cache            } when this migen has `lint`
#   lint warm        migen lint   (its cache filled)  }
#   schema cold      migen schema --no-cache --format json   } with lint
#   schema warm      migen schema --format json (kept)       }
#   enhance DIR      migen enhance --format json --fail-on never migrations/versions
#                    (every file analysed and checked, no cache: lint's cold
#                    floor until lint exists)
#   doctor           migen doctor / migen doctor --no-cache
# and on the 10,000-revision project, made a git repository (the project
# committed on main, one new migration committed on a branch, as in a pull
# request), `migen lint --since main` (warm).
# If analyze-bench sits next to migen (the build's bench program), its
# per-phase figures follow for each size.
#
# Environment: SQUAWK (deps/squawk/squawk), REPS (5), SIZES ("263 2000 10000"), SQUAWK_REPS_MAX_N (2000:
# above it the alembic+squawk pipeline runs once, as squawk takes minutes
# there), SQUAWK_MAX_N (above it the pipeline is not run at all and the
# ratios are against alembic alone), KEEP=1 keeps the projects, BENCH_DIR
# reuses/keeps them there, SINCE_MIN_N (10000) the smallest project that
# gets the git history and the --since run.
#
# Not a test: timings depend on the machine and its load.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 path/to/migen" >&2; exit 2; }
migen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
squawk=${SQUAWK:-$top/deps/squawk/squawk}
[ -x "$squawk" ] || { echo "$0: $squawk missing: run bench/setup.sh" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: GNU time missing: run bench/setup.sh" >&2; exit 2; }
REPS=${REPS:-5}
SIZES=${SIZES:-263 2000 10000}
SQUAWK_REPS_MAX_N=${SQUAWK_REPS_MAX_N:-2000}
SQUAWK_MAX_N=${SQUAWK_MAX_N:-100000}
SINCE_MIN_N=${SINCE_MIN_N:-10000}
if [ -n "${BENCH_DIR:-}" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d)
	[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fi
export XDG_CACHE_HOME="$work/cache"
unset MIGEN_NO_CACHE
has_lint=0
"$migen" lint --help >/dev/null 2>&1 && has_lint=1
abench=$(dirname "$migen")/analyze-bench
echo "migen: $migen (lint: $([ $has_lint = 1 ] && echo yes || echo no)); squawk: $("$squawk" --version)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"

for n in $SIZES; do
	p=$work/p$n
	if [ ! -f "$p/alembic.ini" ]; then
		/usr/bin/python3 "$top/bench/gen_project.py" "$p" "$n" >/dev/null
		# Files changed within a second of a run are never taken from a
		# cache (racy timestamps): let the new project age as a checkout would.
		sleep 2
	fi
	(cd "$p" && /usr/bin/python3 -m alembic upgrade head --sql >/dev/null 2>&1) ||
		{ echo "$0: alembic upgrade head --sql fails on $p" >&2; exit 1; }
	if [ "$n" -ge "$SINCE_MIN_N" ] && [ $has_lint = 1 ] && [ ! -d "$p/.git" ]; then
		(cd "$p" && git init -q -b main && echo "__pycache__/" >.gitignore && git add -A && git -c user.name=bench -c user.email=bench@example.com \
			commit -qm "project" && git checkout -q -b feature &&
			/usr/bin/python3 "$top/bench/new_migration.py" migrations/versions zzzz_new_add_orders_note.py 0123456789ab &&
		git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm "add orders note")
		sleep 2
	fi
	files=$(ls "$p"/migrations/versions/*.py | wc -l)
	bytes=$(cat "$p"/migrations/versions/*.py | wc -c)
	# Warm caches before timing: doctor's, lint's, Python's bytecode.
	(cd "$p" && "$migen" doctor >/dev/null 2>&1 || true)
	[ $has_lint = 0 ] || (cd "$p" && "$migen" lint --fail-on never >/dev/null 2>&1 || true)
	[ $has_lint = 0 ] || (cd "$p" && "$migen" schema --format json >/dev/null 2>&1 || true)
	# --since's own: the schema snapshot and git's answer.
	[ $has_lint = 0 ] || [ ! -d "$p/.git" ] ||
		(cd "$p" && "$migen" lint --since main --fail-on never >/dev/null 2>&1 || true)
	/usr/bin/python3 - "$p" "$n" "$files" "$bytes" "$REPS" "$SQUAWK_REPS_MAX_N" "$migen" "$squawk" "$has_lint" "$SQUAWK_MAX_N" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
p, n, files, nbytes, reps, sqmax = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
migen, squawk, has_lint = sys.argv[7], sys.argv[8], sys.argv[9] == "1"
alembic = "/usr/bin/python3 -m alembic upgrade head --sql"
cmds = [("alembic", alembic)]
if n <= int(sys.argv[10]):
    cmds.append(("alembic+squawk", "%s | %s" % (alembic, squawk)))
ref = cmds[-1][0]
if has_lint:
    cmds += [("lint cold", migen + " lint --no-cache --fail-on never"),
             ("lint warm", migen + " lint --fail-on never")]
    if os.path.isdir(os.path.join(p, ".git")):
        cmds.append(("lint --since (warm)", migen + " lint --since main --fail-on never"))
    cmds += [("schema cold", migen + " schema --no-cache --format json"),
             ("schema warm", migen + " schema --format json")]
cmds += [("enhance DIR", migen + " enhance --format json --fail-on never migrations/versions"),
         ("doctor", migen + " doctor"), ("doctor --no-cache", migen + " doctor --no-cache")]
times = {name: [] for name, _ in cmds}

def run(cmd):
    t = time.perf_counter()
    subprocess.run(["/bin/sh", "-c", cmd], cwd=p, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t

for r in range(reps):
    k = r % len(cmds)
    for name, cmd in cmds[k:] + cmds[:k]:
        if name == "alembic+squawk" and n > sqmax and times[name]:
            continue
        times[name].append(run(cmd))

def rss(cmd):
    with tempfile.NamedTemporaryFile("r") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, "/bin/sh", "-c", cmd], cwd=p,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(f.read().split()[-1]) / 1024

def fmt(s):
    return "%.0f ms" % (s * 1e3) if s >= 1 else "%.1f ms" % (s * 1e3)

base = statistics.median(times[ref])
print("\n### %s revisions (%s files, %.1f MB)\n" % (f"{n:,}", files, nbytes / 1e6))
print("| command | runs | median | min–max | vs %s | peak RSS |" % ref)
print("|---|---|---|---|---|---|")
for name, cmd in cmds:
    v = times[name]
    m = statistics.median(v)
    # The pipeline's: its larger process's (Linux reports the largest
    # descendant the shell waited for).
    mem = rss(cmd)
    print("| %s | %d | %s | %s–%s | %s | %.1f MB |" % (
        name, len(v), fmt(m), fmt(min(v)), fmt(max(v)),
        "" if name == ref else "%.0f× faster" % (base / m) if m < base / 10 else "%.1f× faster" % (base / m) if m < base else "%.1f× slower" % (m / base),
        mem))
PY
	if [ -x "$abench" ]; then
		echo
		echo "analyze-bench $n (per phase, median of 5):"
		"$abench" "$p/migrations/versions" 5 | sed 's/^/    /'
	fi
done
