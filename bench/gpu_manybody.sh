#!/usr/bin/env bash
# Many-body potentials on a GPU machine: unit tests (finite-difference forces and virial
# of EAM/SW/Tersoff among them), then EAM Cu, SW Si and Tersoff Si decks at several
# sizes. Each deck writes thermo every 10 steps for 100 steps (compared with a CPU run
# of the same deck by bench/gpu_compare.py) and a timed 500-step run.
# Expects .device/bin (CUDA build of atomforge + unit_tests) and .device/lib (its shared
# libraries) in the repository root; writes logs to ${OUT:-/tmp/af-gpu}.
#   bench/gpu_manybody.sh [decks-only]      (decks-only: write the decks to $OUT and stop)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-}
OUT=${OUT:-/tmp/af-gpu}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$ROOT/.device/lib:${LD_LIBRARY_PATH:-} LAMMPS_POTENTIALS=$ROOT/.device/potentials
B=$ROOT/.device/bin
W=$(mktemp -d)

deck() {  # name lattice-style a species potential temperature dt cells steps thermo_every
  cat <<EOT
units: metal
system: {lattice: {style: $2, a: $3, repeat: [$8, $8, $8], species: $4}, velocities: {temperature: $6, seed: 376847}}
potential: $5
neighbor: {skin: 1.0, every: 1, delay: 5, check: true}
stages: [{name: run, integrator: {style: nve, timestep: $7}, steps: $9}]
output: {thermo: {every: ${10}, file: thermo.csv}}
EOT
}
CASES=(
  "eam fcc 3.615 Cu {style:eam,file:Cu_u3.eam} 1600 0.005"
  "sw diamond 5.431 Si {style:sw,file:Si.sw} 1000 0.001"
  "tersoff diamond 5.431 Si {style:tersoff,file:Si.tersoff} 1000 0.001"
)
SIZES=(20 40 64)
mkdir -p "$OUT/decks"
for c in "${CASES[@]}"; do
  set -- $c
  pot=$(echo "$5" | sed 's/:/: /g; s/,/, /g')
  deck "$1" "$2" "$3" "$4" "$pot" "$6" "$7" 20 100 10 > "$OUT/decks/$1_check.yaml"
  for n in "${SIZES[@]}"; do deck "$1" "$2" "$3" "$4" "$pot" "$6" "$7" "$n" 500 500 > "$W/$1_$n.yaml"; done
done
[ "$MODE" = decks-only ] && exit 0

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
echo "== unit tests on the GPU"
timeout 240 "$B/unit_tests" > "$OUT/unit_tests.log" 2>&1
grep -E "^\[  (PASSED|FAILED)|Failure|tests ran" "$OUT/unit_tests.log" | head -20
for c in "${CASES[@]}"; do
  set -- $c
  echo "== $1: 100-step check run (thermo every 10)"
  (cd "$W" && cp "$OUT/decks/$1_check.yaml" . && timeout 60 "$B/atomforge" run "$1_check.yaml" -q > "$1_check.log" 2>&1;
   cp thermo.csv "$OUT/$1_check.csv"; tail -2 "$1_check.log")
  for n in "${SIZES[@]}"; do
    (cd "$W" && timeout 120 "$B/atomforge" run "$1_$n.yaml" > "$1_$n.log" 2>&1)
    atoms=$(grep -m1 -oE "[0-9]+ atoms" "$W/$1_$n.log" | head -1)
    echo "$1 $atoms: $(grep -E 'Loop time' "$W/$1_$n.log") | $(grep -E '^Force|^Neigh|^Integrate' "$W/$1_$n.log" | tr -s ' ' | tr '\n' ' ')"
    cat "$W/$1_$n.log" >> "$OUT/scale.log"
  done
done
