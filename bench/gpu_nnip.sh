#!/usr/bin/env bash
# Both shipped neural potentials (equivariant, attention) on a GPU machine: unit tests,
# the attention kernels against the naive ones, and per model a 100-step NVE check deck
# (thermo every 10, compared with the CPU run of the same deck), then the MD acceptance
# test at full length (AF_NNIP_MD=full tests/ref/test_nnip_md.py: 10 ps NVE of 512 atoms;
# 512-atom liquid at 2000 K against Stillinger-Weber). Expects .device/{bin,lib,potentials}
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
