#!/usr/bin/env bash
# Compiles the engine library and CLI against a CUDA build of the same Kokkos 3.4.01
# (nvcc_wrapper, CUDA 13, patched as in build-kokkos.sh), so kernels stay device-clean.
# Compile only: no GPU is needed. Skips with a message when nvcc is not installed.
#   scripts/cuda-compile-check.sh [BUILD_DIR]    (default build-cuda)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build-cuda}
export PATH=$PATH:/usr/local/cuda/bin
if ! command -v nvcc >/dev/null; then
  echo "cuda-compile-check: nvcc not found, skipped"; exit 0
fi
KOKKOS=${KOKKOS_CUDA_ROOT:-$PWD/build/_deps/kokkos-cuda}
scripts/build-kokkos.sh --cuda "$KOKKOS"
export NVCC_WRAPPER_DEFAULT_COMPILER=${NVCC_WRAPPER_DEFAULT_COMPILER:-g++}
export NVCC_WRAPPER_DEFAULT_ARCH=${NVCC_WRAPPER_DEFAULT_ARCH:-sm_80}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$KOKKOS" \
  -DCMAKE_CXX_COMPILER="$KOKKOS/bin/nvcc_wrapper" -DATOMFORGE_TESTS=OFF -DATOMFORGE_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" --target atomforge
echo "cuda-compile-check: engine and CLI compile with CUDA Kokkos ($(nvcc --version | tail -1))"
