#!/usr/bin/env bash
# Runs the CUDA build on a GPU machine: unit tests, lj_melt vs the CPU reference, and
# LJ scaling. Expects .device/bin (CUDA build of atomforge + unit_tests) and .device/lib
# (its shared libraries) in the repository root; writes logs to ${OUT:-/tmp/af-gpu}.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-/tmp/af-gpu}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$ROOT/.device/lib:${LD_LIBRARY_PATH:-}
B=$ROOT/.device/bin
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
echo "== unit tests on the GPU"
timeout 300 "$B/unit_tests" 2>&1 | tee "$OUT/unit_tests.log" | grep -E "^\[  (PASSED|FAILED)|Failure|tests ran" | head -40
W=$(mktemp -d)
deck() {  # repeat steps thermo_every list
  python3 - "$@" <<'EOT'
import sys, yaml
d = yaml.safe_load(open("inputs/lj_melt.yaml"))
n, steps, every, lst = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
d["system"]["lattice"]["repeat"] = [n, n, n]
d["stages"][0]["steps"] = steps
d["neighbor"]["list"] = lst
d["output"] = {"thermo": {"every": every, "file": "thermo.csv"}}
print(yaml.safe_dump(d, sort_keys=False))
EOT
}
echo "== lj_melt on the GPU (full and half lists), thermo every 10 steps"
for lst in full half; do
  deck 20 1000 10 $lst > "$W/lj_$lst.yaml"
  (cd "$W" && "$B/atomforge" run lj_$lst.yaml > "$OUT/lj_melt_$lst.log" 2>&1; cp thermo.csv "$OUT/lj_melt_$lst.csv")
  grep -E "Loop time|^Force|^Neigh" "$OUT/lj_melt_$lst.log"
done
echo "== scaling (full lists)"
for n in 10 20 40 63 100 126; do
  atoms=$((4 * n * n * n))
  steps=1000; [ $atoms -gt 1000000 ] && steps=200
  deck $n $steps $steps full > "$W/s.yaml"
  (cd "$W" && "$B/atomforge" run s.yaml > "$W/scale.log" 2>&1)
  echo "$atoms atoms: $(grep -E 'Loop time' "$W/scale.log")"
  grep -E "^Force|^Neigh|^Integrate|rror" "$W/scale.log" | tr '\n' ' '; echo
  cat "$W/scale.log" >> "$OUT/scale.log"
done
