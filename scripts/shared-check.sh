#!/usr/bin/env bash
# The ATOMFORGE_SHARED=ON build: atomforge_nnip, _engine and _io as shared libraries
# (the same compile flags as the static build, so ccache serves every object), its unit
# tests, and the model library's dependencies (ldd: neither yaml-cpp nor spglib).
#   scripts/shared-check.sh [BUILD_DIR]    (default build-shared; after scripts/bootstrap.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build-shared}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$PWD/build/_deps/kokkos-openmp" \
  -DATOMFORGE_SHARED=ON -DATOMFORGE_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" --target unit_tests atomforge_nnip atomforge_engine
(cd "$BUILD_DIR" && OMP_PROC_BIND=false OMP_NUM_THREADS=2 ./bin/unit_tests --gtest_brief=1)
AF_NNIP_LIBRARY="$PWD/$BUILD_DIR/libatomforge_nnip.so" AF_ENGINE_LIBRARY="$PWD/$BUILD_DIR/libatomforge_engine.so" \
  ATOMFORGE_SOURCE_DIR="$PWD" \
  /usr/bin/python3 tests/ref/test_library_layout.py
echo "shared-check: ATOMFORGE_SHARED=ON unit tests and library checks passed"
