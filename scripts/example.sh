#!/usr/bin/env bash
# The README's first command: installs everything, builds, and runs inputs/lj_melt.yaml
# in runs/lj_melt/ (thermo.csv and traj.h5md land there).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
mkdir -p runs/lj_melt
cd runs/lj_melt
../../build/bin/atomforge run ../../inputs/lj_melt.yaml
