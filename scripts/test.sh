#!/usr/bin/env bash
# The README's test command: installs everything, builds, runs the whole test suite,
# then checks that the engine compiles for CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
(cd build && ctest --output-on-failure -j2 --timeout 1200)
scripts/cuda-compile-check.sh
