#!/usr/bin/env bash
# The README's test command: installs everything, builds, runs the whole test suite,
# fuzzes the input readers for a fixed count, then checks that the engine compiles for CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
(cd build && ctest --output-on-failure -j2 --timeout 1200)
scripts/shared-check.sh            # ATOMFORGE_SHARED=ON: shared libraries, unit tests, ldd
tests/fuzz/run.sh 20000            # every input reader under libFuzzer + ASan/UBSan, fixed count
scripts/cuda-compile-check.sh
