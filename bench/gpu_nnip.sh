#!/usr/bin/env bash
# Both shipped neural potentials (equivariant, attention) on a GPU machine: unit tests,
# the attention kernels against the naive ones, and per model a 100-step NVE check deck
# (thermo every 10, compared with the CPU run of the same deck), then the MD acceptance
# test at full length (AF_NNIP_MD=full tests/ref/test_nnip_md.py: 10 ps NVE of 512 atoms;
# 512-atom liquid at 2000 K against Stillinger-Weber), then both models timed at 1,000 to
# ~100,000 atoms (issue 25; timings.txt). Expects .device/{bin,lib,potentials}
# as bench/gpu_manybody.sh; writes to ${OUT:-/tmp/af-gpu}.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-/tmp/af-gpu}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$ROOT/.device/lib:${LD_LIBRARY_PATH:-} LAMMPS_POTENTIALS=$ROOT/.device/potentials
export ATOMFORGE=$ROOT/.device/bin/atomforge ATOMFORGE_SOURCE_DIR=$ROOT PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
timeout 60 .device/bin/unit_tests > "$OUT/unit_tests.log" 2>&1; grep -E "^\[  (PASSED|FAILED)" "$OUT/unit_tests.log"
[ -x .device/bin/attention_check ] && AF_ATTENTION_CHECK=.device/bin/attention_check timeout 60 \
  python3 tests/ref/test_attention_kernels.py 2>&1 | tee "$OUT/attention_kernels.log"
for ARCH in equivariant attention; do
  W=$(mktemp -d)
  cp bench/nnip_check.yaml "$W/deck.yaml"
  sed -i "s|MODEL|$ROOT/examples/models/si_$ARCH.h5|" "$W/deck.yaml"
  [ "$ARCH" = attention ] && sed -i "s|, radial: spline||" "$W/deck.yaml"
  (cd "$W" && timeout 60 "$ATOMFORGE" run deck.yaml > check.log 2>&1; cp thermo.csv "$OUT/nnip_check_$ARCH.csv"
   grep -E "Loop|^Force" check.log)
  AF_NNIP_MD=full timeout "${MD_LIMIT:-200}" python3 tests/ref/test_nnip_md.py "$ARCH" 2>&1 | tee "$OUT/nnip_md_$ARCH.log"
done
# Timings (issue 25): both models, float32, Si diamond of 1,000 to ~100,000 atoms, the
# Force phase's seconds per call of a 20-step NVE run (equivariant: exact radial path
# and the default table); and PyTorch CUDA on the same weights where the device has it.
for ARCH in equivariant attention; do
  for REP in 5 10 16 23; do
    for RADIAL in mlp auto; do
      [ "$ARCH" = attention ] && [ "$RADIAL" = mlp ] && continue
      W=$(mktemp -d)
      KEY=""; [ "$ARCH" = equivariant ] && KEY=", radial: $RADIAL"
      cat > "$W/deck.yaml" <<DECK
units: metal
system: {lattice: {style: diamond, a: 5.431, repeat: [$REP, $REP, $REP], species: Si}}
potential: {style: nnip, model: $ROOT/examples/models/si_$ARCH.h5, precision: float32$KEY}
neighbor: {skin: 1.0}
stages: [{name: run, integrator: {style: nve, timestep: 0.001}, steps: 20}]
DECK
      F=$(cd "$W" && timeout 120 "$ATOMFORGE" run deck.yaml 2>/dev/null | awk '/^Force/ {print $3}')
      echo "timing $ARCH radial=$RADIAL atoms=$((8 * REP * REP * REP)) s/call=$(python3 -c "print(float('${F:-nan}') / 20)")" \
        | tee -a "$OUT/timings.txt"
    done
  done
done
if python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  python3 - <<'PY' 2>&1 | tee -a "$OUT/timings.txt"
import sys, time, torch
sys.path.insert(0, "potentials/nnip/training")
from ase.build import bulk
from aftrain.export import load_model
from aftrain.model import as_tensors
for arch in ("equivariant", "attention"):
    model = load_model(f"examples/models/si_{arch}.h5", dtype=torch.float32).cuda()
    for rep in (5, 10, 16):
        t = {k: v.cuda() for k, v in as_tensors(bulk("Si", "diamond", a=5.431, cubic=True).repeat((rep,) * 3),
                                                 model.h.species, model.h.r_cut, torch.float32).items()}
        times = []
        for _ in range(4):
            torch.cuda.synchronize(); t0 = time.perf_counter()
            model(**t, stress=False); torch.cuda.synchronize(); times.append(time.perf_counter() - t0)
        print(f"timing torch-cuda {arch} atoms={8 * rep ** 3} s/call={sorted(times[1:])[1]:.4f}")
PY
else
  echo "timing torch-cuda: PyTorch has no CUDA on this machine" | tee -a "$OUT/timings.txt"
fi
