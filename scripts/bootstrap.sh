#!/usr/bin/env bash
# Installs dependencies, builds Kokkos (first time only) and atomforge into build/.
#   scripts/bootstrap.sh            CPU build (Serial + OpenMP Kokkos from Debian's trilinos)
# Environment: BUILD_DIR (default build), JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/install-deps.sh
scripts/build-kokkos.sh "$BUILD_DIR/_deps/kokkos-openmp"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$PWD/$BUILD_DIR/_deps/kokkos-openmp" >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}"
scripts/install-python.sh "$BUILD_DIR"
BUILD_DIR=$BUILD_DIR scripts/install-kim.sh
echo "bootstrap: built $BUILD_DIR/bin/atomforge"
