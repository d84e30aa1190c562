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
