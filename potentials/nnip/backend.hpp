// The NNIP library's back ends and every compile-time switch of its kernels, derived in
// this one place from the Kokkos back end, the compiler and the target; the kernels and
// the hardware primitives (potentials/nnip/host/) only test them.
//
// Back ends (docs/architecture.md):
//   portable  the Kokkos kernels GPU builds run (a thread per row, generic shapes); CPU
//             builds compile them too, as separate objects (CMakeLists.txt defines
//             AF_NNIP_PORTABLE_OBJECTS for them), so the GPU's code runs in CI
//   host      the tuned CPU kernels (queries in vector lanes, row blocks, the fused last
//             block); CPU builds only
// Each object file compiles one back end, its kernels in the inline namespace
// AF_ATT_NS (att_host or att_portable) so the two never share a symbol.
//
// Hardware (what the target offers; used by the host back end only):
//   AF_NNIP_VECTOR_EXT   GCC/Clang vector extensions (host/lanes.hpp: LaneVec, lv_exp)
//   AF_NNIP_AVX512       AVX-512's reciprocal estimate and register constraints
//   AF_NNIP_SHUFFLE      __builtin_shufflevector (the 16 x 16 register transpose)
// Attention kernels of this object's back end:
//   AF_ATT_HOST          the host back end (else the portable one)
//   AF_ATT_LANES         queries in vector lanes (att_lanes.hpp), the fused last block
//   AF_ATT_LANE_VECTORS  16-lane vector values in the kernels (LaneVec, lv_exp)
//   AF_ATT_ROW_BLOCKS    products over blocks of eight edge rows, prefetches
//   AF_ATT_AVX512        AF_NNIP_AVX512 in the host back end
//   AF_ATT_TRANSPOSE16   the 16 x 16 register transpose (AVX-512 and the shuffle builtin)
//   AF_SIMD              `omp simd` on short fixed-length loops (host back end, OpenMP)
#pragma once
#include <Kokkos_Macros.hpp>

#if !defined(KOKKOS_ENABLE_CUDA) && !defined(KOKKOS_ENABLE_HIP) && !defined(KOKKOS_ENABLE_SYCL)
#define AF_NNIP_HOST_BUILT 1
#if defined(__GNUC__)
#define AF_NNIP_VECTOR_EXT 1
#endif
#if defined(__AVX512F__)
#define AF_NNIP_AVX512 1
#endif
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define AF_NNIP_SHUFFLE 1
#endif
#endif
#endif

#if defined(AF_NNIP_HOST_BUILT) && !defined(AF_NNIP_PORTABLE_OBJECTS)
#define AF_ATT_NS att_host
#define AF_ATT_HOST 1
#define AF_ATT_LANES 1
#if defined(AF_NNIP_VECTOR_EXT)
#define AF_ATT_LANE_VECTORS 1
#define AF_ATT_ROW_BLOCKS 1
#endif
#if defined(AF_NNIP_AVX512)
#define AF_ATT_AVX512 1
#if defined(AF_NNIP_SHUFFLE)
#define AF_ATT_TRANSPOSE16 1
#endif
#endif
#else
#define AF_ATT_NS att_portable
#endif

// GCC otherwise unrolls such loops completely before its loop vectoriser runs and
// leaves scalar code where the pointers might alias; `omp simd` asserts they do not.
#if defined(_OPENMP) && defined(AF_ATT_HOST)
#define AF_SIMD _Pragma("omp simd")
#else
#define AF_SIMD
#endif

namespace af::nnip {

// Which kernels a model runs (the deck's `backend:` key on an nnip potential).
enum class Backend { portable, host };
#ifdef AF_NNIP_HOST_BUILT
inline constexpr bool kHostBackendBuilt = true;
#else
inline constexpr bool kHostBackendBuilt = false;
#endif
inline constexpr Backend kDefaultBackend = kHostBackendBuilt ? Backend::host : Backend::portable;
inline const char* backend_name(Backend b) { return b == Backend::host ? "host" : "portable"; }

}  // namespace af::nnip
