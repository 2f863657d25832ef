#!/usr/bin/env bash
# Alternating survey runs of two builds of the benchmarks, for "did this change move Step, Forward or
# training?" on a noisy machine: run A, then B, then A, ... and compare the fastest of each.
#
#   benchmarks/alternate.sh BASE_DIR NEW_DIR [RUNS] [survey options...]
#
# BASE_DIR and NEW_DIR each hold a built LstmGen.Benchmarks.dll (copy bin/Release/net10.0 of each build
# somewhere, e.g. `git worktree add ../base <commit>` and build there). Prints one table row per entry:
# the fastest time of each build over RUNS runs, their ratio, and every run's time.
set -euo pipefail
base=$1; new=$2; runs=${3:-4}; shift $(( $# >= 3 ? 3 : $# ))
options=("$@")
if [ ${#options[@]} -eq 0 ]; then
  options=(--rounds 20 --round-ms 5 --groups Step,Forward100,Train50,Agents64 --methods Generated --shapes i8h8,i8h32,i32h32,i8h128)
fi
log=$(mktemp)
for ((i = 1; i <= runs; i++)); do
  for build in base new; do
    dir=$base; [ "$build" = new ] && dir=$new
    echo "=== $build $i" >> "$log"
    (cd "$dir" && dotnet LstmGen.Benchmarks.dll --survey "${options[@]}" | grep -E '^\| [A-Z][A-Za-z0-9]+ \| ' | grep -v '^| Group ' >> "$log")
  done
done
python3 - "$log" <<'PY'
import collections, sys
times = collections.defaultdict(lambda: {"base": [], "new": []})
build = None
for line in open(sys.argv[1]):
    if line.startswith("==="):
        build = line.split()[1]
        continue
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    value, unit = cells[3].split()
    times[(cells[0], cells[1], cells[2])][build].append(float(value) * {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6}[unit])
def text(ns):
    return f"{ns:.1f} ns" if ns < 1e3 else f"{ns / 1e3:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms"
print("| Group | Shape | Method | base (fastest) | new (fastest) | new / base | base, every run | new, every run |")
print("|---|---|---|---:|---:|---:|---|---|")
for (group, shape, method), t in times.items():
    b, n = min(t["base"]), min(t["new"])
    print(f"| {group} | {shape} | {method} | {text(b)} | {text(n)} | {n / b:.3f} | {', '.join(map(text, t['base']))} | {', '.join(map(text, t['new']))} |")
PY
rm -f "$log"
