// Kokkos aliases shared by the engine. Device data lives in Views of these types.
#pragma once
#include <Kokkos_Core.hpp>

namespace af {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;
using Device = Kokkos::Device<ExecSpace, MemSpace>;

// Per-atom vectors: default layout of the device (row-major on the host, so x(i,0..2)
// is one cache line; column-major on GPUs, so consecutive atoms coalesce).
using VecView = Kokkos::View<double* [3], Device>;
using IntView = Kokkos::View<int*, Device>;
using Int3View = Kokkos::View<int* [3], Device>;
using DblView = Kokkos::View<double*, Device>;
using IdView = Kokkos::View<long*, Device>;

// True when kernels run on the host (CPU backends), where half neighbor lists with
// per-thread force copies beat full lists; GPUs prefer full lists (no atomics).
constexpr bool kHostExec = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;

}  // namespace af

// `#pragma omp simd reduction(+: ...)` on host compilers with OpenMP; nothing on devices.
#if defined(_OPENMP) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__) && !defined(AF_NO_SIMD)
#define AF_PRAGMA(x) _Pragma(#x)
#define AF_SIMD_REDUCE(...) AF_PRAGMA(omp simd reduction(+ : __VA_ARGS__))
#else
#define AF_SIMD_REDUCE(...)
#endif
