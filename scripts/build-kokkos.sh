#!/usr/bin/env bash
# Builds Kokkos 3.4.01 from Debian's trilinos source package (Debian ships Kokkos
# only inside Trilinos) and installs it under PREFIX.
#
#   scripts/build-kokkos.sh PREFIX            Serial + OpenMP (the CPU engine), shared libraries
#   scripts/build-kokkos.sh --cuda PREFIX     Serial + CUDA (nvcc_wrapper; patched for CUDA 13)
#   scripts/build-kokkos.sh --source-only DIR just leave the patched Kokkos source in DIR
#
# A second run with an existing PREFIX returns at once. The trilinos tarball is
# cached beside PREFIX (in the build tree), never committed.
set -euo pipefail

mode=openmp
if [ "${1:-}" = "--cuda" ]; then mode=cuda; shift; fi
if [ "${1:-}" = "--source-only" ]; then mode=source; shift; fi
PREFIX=${1:?usage: build-kokkos.sh [--cuda|--source-only] PREFIX}
PREFIX=$(realpath -m "$PREFIX")

# The CPU build is shared (one Kokkos in a process that loads atomforge's shared
# libraries, a LAMMPS plug-in or a Python module); an older static install is replaced.
if [ "$mode" != source ] && [ -f "$PREFIX/lib/cmake/Kokkos/KokkosConfig.cmake" ]; then
  if [ "$mode" = cuda ] || ls "$PREFIX"/lib*/libkokkoscore.so >/dev/null 2>&1; then
    echo "build-kokkos: reusing $PREFIX"; exit 0
  fi
  echo "build-kokkos: replacing the static Kokkos in $PREFIX with shared libraries"; rm -rf "$PREFIX"
fi

SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
cache=$(realpath -m "$PREFIX/../kokkos-src")
mkdir -p "$cache"

# 1. A deb-src entry, so that apt-get source works.
"$(dirname "$0")/deb-src.sh"

# 2. Download (not unpack) the trilinos source package; extract only Kokkos.
src=$(ls -d "$cache"/*/packages/kokkos 2>/dev/null | head -1 || true)
if [ -z "$src" ]; then
  tarball=$(ls "$cache"/trilinos_*.orig.tar.* 2>/dev/null | head -1 || true)
  if [ -z "$tarball" ]; then
    (cd "$cache" && apt-get source --download-only -qq trilinos 2>&1 | grep -v "unsandboxed" >&2 || true)
    tarball=$(ls "$cache"/trilinos_*.orig.tar.* | head -1)
  fi
  tar -xf "$tarball" -C "$cache" --wildcards '*/packages/kokkos/*'
  src=$(ls -d "$cache"/*/packages/kokkos | head -1)
fi
grep -q 'Kokkos_VERSION_MAJOR 3' "$src/CMakeLists.txt" || { echo "build-kokkos: unexpected Kokkos in $src" >&2; exit 1; }

# 3. CUDA 13 patches: (a) the __half specialisation uses conversions CUDA 13 removed;
#    (b) cudaMemPrefetchAsync changed its signature in CUDA 13.
patch_cuda() {
  local d=$1
  local half="$d/core/src/Cuda/Kokkos_Cuda_Half.hpp" space="$d/core/src/Cuda/Kokkos_CudaSpace.cpp"
  if ! grep -q 'atomforge: CUDA 13' "$half"; then
    # The __half block opens with '#if !(defined(KOKKOS_COMPILER_CLANG) ...'; make it '#if 0 && ...'.
    sed -i -E 's@^#if !\(defined\(KOKKOS_COMPILER_CLANG\)@#if 0 /* atomforge: CUDA 13 removed conversions used here */ \&\& !(defined(KOKKOS_COMPILER_CLANG)@' "$half"
  fi
  # (c) Kokkos 3.4's nvcc_wrapper ignores NVCC_WRAPPER_DEFAULT_ARCH and defaults to sm_35,
  #     which CUDA 13 no longer knows (CMake's compiler check then fails).
  sed -i -E 's/^default_arch="sm_35"$/default_arch=${NVCC_WRAPPER_DEFAULT_ARCH:-sm_35}  # atomforge/' "$d/bin/nvcc_wrapper"
  # (d) Kokkos 3.4 predates Hopper: KOKKOS_CUDA_SM=sm_90 builds its Ampere target for
  #     sm_90 instead, so kernels run on H100/H200 (its runtime check wants the exact SM).
  if [ -n "${KOKKOS_CUDA_SM:-}" ]; then
    sed -i -E "s/^CHECK_CUDA_ARCH\(AMPERE80 +sm_80\)/CHECK_CUDA_ARCH(AMPERE80 ${KOKKOS_CUDA_SM})/" "$d/cmake/kokkos_arch.cmake"
  fi
  if ! grep -q 'atomforge: CUDA 13' "$space"; then
    perl -0pi -e 's/(\n[^\n]*cudaMemPrefetchAsync\([^;]*;)/\n#if CUDA_VERSION < 13000 \/\/ atomforge: CUDA 13 changed the signature$1\n#endif/' "$space"
  fi
}
if [ "$mode" = source ]; then
  rm -rf "$PREFIX"; mkdir -p "$(dirname "$PREFIX")"; cp -r "$src" "$PREFIX"; patch_cuda "$PREFIX"
  echo "build-kokkos: patched source in $PREFIX"; exit 0
fi

# 4. Configure, build, install.
bld="$PREFIX-build"; rm -rf "$bld"
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
opts=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 -DCMAKE_INSTALL_PREFIX="$PREFIX"
      -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_TESTS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON)
if [ "$mode" = cuda ]; then
  work="$cache/kokkos-cuda-src"; rm -rf "$work"; cp -r "$src" "$work"; patch_cuda "$work"; src=$work
  export NVCC_WRAPPER_DEFAULT_COMPILER=${NVCC_WRAPPER_DEFAULT_COMPILER:-g++}
  export NVCC_WRAPPER_DEFAULT_ARCH=${NVCC_WRAPPER_DEFAULT_ARCH:-sm_80}
  export PATH=$PATH:/usr/local/cuda/bin
  opts+=(-DCMAKE_CXX_COMPILER="$src/bin/nvcc_wrapper" -DKokkos_ENABLE_CUDA=ON
         -DKokkos_ENABLE_CUDA_LAMBDA=ON -DKokkos_ARCH_${KOKKOS_CUDA_ARCH:-AMPERE80}=ON -DBUILD_SHARED_LIBS=OFF)
else
  opts+=(-DKokkos_ENABLE_OPENMP=ON -DBUILD_SHARED_LIBS=ON)
fi
cmake -S "$src" -B "$bld" "${gen[@]}" "${opts[@]}" >"$bld.log" 2>&1 || { tail -30 "$bld.log"; exit 1; }
cmake --build "$bld" --target install -j"$(nproc)" >>"$bld.log" 2>&1 || { tail -30 "$bld.log"; exit 1; }
rm -rf "$bld"
echo "build-kokkos: installed Kokkos ($mode) in $PREFIX"
