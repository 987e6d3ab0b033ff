#!/bin/sh
# migen doctor against `alembic heads` on generated linear chains of 263,
# 2,000 and 10,000 revisions (bench/gen_chain.py: the committed autogen
# fixtures in rotation), in one run, with hyperfine; max RSS with
# /usr/bin/time -v. Writes the "doctor" section of docs/performance.md
# (creating the file if missing, leaving other sections alone).
#
#   bench/doctor_bench.sh [path/to/migen]   (default: a Release build in build-rel/)
#
# Not a test: timings depend on the machine and its load.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ $# -ge 1 ]; then
	migen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
	cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DMIGEN_TESTS=OFF >/dev/null
	cmake --build build-rel -j2 >/dev/null
	migen=$top/build-rel/migen
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The record cache goes in the run's own folder, not the user's.
export XDG_CACHE_HOME="$tmp/cache"
unset MIGEN_NO_CACHE
rows=
load=$(cut -d' ' -f1 /proc/loadavg)

for n in 263 2000 10000; do
	d=$tmp/chain$n
	/usr/bin/python3 bench/gen_chain.py "$d" "$n"
	bytes=$(cat "$d"/versions/*.py | wc -c)
	# Files changed within a second of a run are never taken from the cache
	# (racy timestamps): let the fresh chain age as a checkout would.
	sleep 2
	(cd "$d" && "$migen" doctor >/dev/null) || { echo "doctor failed on $n" >&2; exit 1; }
	(cd "$d" && hyperfine -N -w 3 -r 20 --export-json "$tmp/h$n.json" \
		"$migen doctor" "$migen doctor --no-cache" "$migen doctor --no-cache -j1" \
		"$migen doctor --no-cache --full" \
		'/usr/bin/python3 -m alembic heads' >/dev/null)
	rss_m=$(cd "$d" && /usr/bin/time -v "$migen" doctor 2>&1 >/dev/null | awk '/Maximum resident/{print $6}')
	rss_a=$(cd "$d" && /usr/bin/time -v /usr/bin/python3 -m alembic heads 2>&1 >/dev/null | awk '/Maximum resident/{print $6}')
	row=$(/usr/bin/python3 - "$tmp/h$n.json" "$n" "$bytes" "$rss_m" "$rss_a" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m, cold, cold1, full, a = (x["mean"] * 1000 for x in r)
sd = r[0]["stddev"] * 1000
sdc = r[1]["stddev"] * 1000
print("| %s | %.1f MB | %.1f ± %.1f ms | %.1f ± %.1f ms | %.1f ms | %.1f ms | %.0f ms | **%.0f×** | %.0f× | %.1f MB | %.1f MB |" % (
    f"{int(sys.argv[2]):,}", int(sys.argv[3]) / 1e6, m, sd, cold, sdc, cold1, full, a, a / m,
    a / cold, int(sys.argv[4]) / 1024, int(sys.argv[5]) / 1024))
PY
)
	echo "$row"
	rows="$rows$row
"
done

section=$(cat <<EOF2
## doctor

\`migen doctor\` against \`alembic heads\` on the same folder: linear chains made by
\`bench/gen_chain.py\` from the committed Alembic 1.8.1 autogen fixtures (typical
files of about 1 KB). Measured by \`bench/doctor_bench.sh\` on $(nproc) cores,
$(date -u +%Y-%m-%d), migen built with \`-DCMAKE_BUILD_TYPE=Release\`; hyperfine,
3 warm-up runs and 20 timed runs each, page cache warm; load average $load
when the run started (a busy machine gives doctor's second thread no core:
then "all cores" and "-j1" match).

| revisions | bytes | doctor | doctor --no-cache | --no-cache -j1 | --no-cache --full | alembic heads | ratio | ratio, no cache | doctor max RSS | alembic max RSS |
|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s' "$rows")

- ratio: \`alembic heads\` mean time over \`migen doctor\` mean time (its
  record cache warm, as on every run after the first: files whose stat data
  did not change are not opened; see docs/doctor.md); "no cache": every file
  read, as on a first run. Python's own bytecode cache (__pycache__) is warm
  for \`alembic heads\` too.
- doctor reads each file's first 8 KiB and parses the module header only (the
  bytes above the first top-level \`def\`/\`class\`), with a hand-written reader
  for the shapes Alembic's templates write and tree-sitter for anything else;
  \`--full\` parses whole files with tree-sitter (it also finds syntax errors in
  upgrade()/downgrade()).
- Without the cache most of the time is the kernel opening, reading and
  closing 10,000 files (three system calls each). With it, a file whose stat
  data did not change costs one fstatat, and when no version folder changed
  (their stamps, as git's untracked cache keeps them) the folders are not
  listed either.
- The floor on this machine at 10,000 revisions: a bare C loop that only
  calls fstatat on each file takes 6 to 9 ms on two threads (path lookup and
  the security hook; the kernel work scales poorly past one thread). A warm
  doctor adds reading and checking its 2 MB cache (about 1 ms), the graph
  build (about 2.5 ms, serial) and process start-up (about 1.5 ms).
- A fresh clone gives every file a new inode and ctime, so doctor's first
  run there is the "no cache" column. A CI runner that keeps its workspace
  and \`~/.cache/migen\` between jobs gets the first column for every file
  the new commits did not touch.
- Four runs of this script, on the last builds of this work, gave 190×,
  200×, 194× and 250× at 10,000 revisions warm (15.3, 13.3, 15.1 and
  9.9 ms), 86×, 85×, 88× and 92× without the cache: the machine's own
  speed moves from run to run (alembic heads took 2.5 to 2.9 s).
- History: before the folder stamps, the hash index of revision ids and the
  lazily parsed records, this script measured 90× and 99× at 10,000
  revisions warm (26.6 and 25.1 ms).

Reproduce: \`bench/doctor_bench.sh\` (needs hyperfine and python3-alembic).
EOF2
)
f=docs/performance.md
[ -f "$f" ] || printf '# Performance\n\nEach section is written by its own benchmark script.\n' >"$f"
/usr/bin/python3 - "$f" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
text = open(path).read()
# Replace our section (up to the next "## " heading), or append it.
pat = re.compile(r"^## doctor\n.*?(?=^## |\Z)", re.S | re.M)
if pat.search(text):
    text = pat.sub(lambda m: section + "\n", text, count=1)
else:
    text = text.rstrip() + "\n\n" + section
open(path, "w").write(text.rstrip() + "\n")
PY
echo "wrote the doctor section of $f"
