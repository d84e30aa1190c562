#!/usr/bin/env bash
# Amorphous silicon by melt-quench: runs inputs/si_heat_quench.yaml (512 SW atoms,
# 3000 K melt, 1e13 K/s quench, relaxation; about 5 minutes on 2 cores) in
# runs/amorphous_si and plots temperature, energy and RDFs to si_heat_quench.png.
#   examples/amorphous_si/run.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
[ -x build/bin/atomforge ] || scripts/bootstrap.sh
mkdir -p runs/amorphous_si
cp inputs/si_heat_quench.yaml runs/amorphous_si/
cd runs/amorphous_si
"$ROOT/build/bin/atomforge" run si_heat_quench.yaml --threads "${1:-$(nproc)}"
/usr/bin/python3 "$ROOT/examples/amorphous_si/plot.py" .
