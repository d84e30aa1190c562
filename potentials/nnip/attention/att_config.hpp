// Every compile-time switch of the attention kernels, derived in this one place from the
// Kokkos back end and the compiler; the kernels only test them.
//   AF_ATT_HOST          CPU builds: the tuned host kernels (GPU builds: the portable
//                        row kernels, a thread per row)
//   AF_ATT_LANES         queries in vector lanes (att_lanes.hpp), the fused last block
//   AF_ATT_LANE_VECTORS  16-lane GCC/Clang vector values (LaneVec, lv_exp)
//   AF_ATT_ROW_BLOCKS    products over blocks of eight edge rows (att_kernels.hpp)
//   AF_ATT_AVX512        AVX-512's reciprocal estimate and register constraints
//   AF_ATT_TRANSPOSE16   the 16 x 16 register transpose (AVX-512, __builtin_shufflevector)
//   AF_SIMD              `omp simd` on short fixed-length loops (host builds with OpenMP)
#pragma once
#include <Kokkos_Macros.hpp>

#if !defined(KOKKOS_ENABLE_CUDA) && !defined(KOKKOS_ENABLE_HIP)
#define AF_ATT_HOST 1
#define AF_ATT_LANES 1
#if defined(__GNUC__)
#define AF_ATT_LANE_VECTORS 1
#define AF_ATT_ROW_BLOCKS 1
#endif
#if defined(__AVX512F__)
#define AF_ATT_AVX512 1
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define AF_ATT_TRANSPOSE16 1
#endif
#endif
#endif
#endif

// GCC otherwise unrolls such loops completely before its loop vectoriser runs and
// leaves scalar code where the pointers might alias; `omp simd` asserts they do not.
#if defined(_OPENMP) && defined(AF_ATT_HOST)
#define AF_SIMD _Pragma("omp simd")
#else
#define AF_SIMD
#endif
