// Loops of potential kernels over the local atoms: one Kokkos launch over the atoms, or,
// with a structure batch (potential.hpp), one thread per structure visiting its atoms in
// order, so that sums over a structure (and the force-sink rows it touches) are
// accumulated in an order fixed by that structure alone.
//   ev = reduce_local_atoms("name", nlocal, kernel, flags.batch);  // kernel(i, EnergyVirial&)
//   for_local_atoms("name", nlocal, kernel, flags.batch);          // kernel(i)
// Include from a potential's .cpp (kernels are instantiated here).
#pragma once
#include "atomforge/src/potential.hpp"

namespace af {

// Returns the total; with a batch the totals go to batch.ev(s) (added) and zero is returned.
template <class Kernel>
EnergyVirial reduce_local_atoms(const char* name, int nlocal, const Kernel& k, const StructureBatch& batch) {
  EnergyVirial ev;
  if (batch.count == 0) {
    Kokkos::parallel_reduce(name, Kokkos::RangePolicy<ExecSpace>(0, nlocal), k, ev);
    return ev;
  }
  const auto range = batch.range;
  const auto out = batch.ev;
  Kokkos::parallel_for(
      name, Kokkos::RangePolicy<ExecSpace>(0, batch.count), KOKKOS_LAMBDA(const int s) {
        EnergyVirial acc;
        for (int i = range(s, 0); i < range(s, 1); ++i) k(i, acc);
        out(s) += acc;
      });
  return ev;
}

template <class Kernel>
void for_local_atoms(const char* name, int nlocal, const Kernel& k, const StructureBatch& batch) {
  if (batch.count == 0) {
    Kokkos::parallel_for(name, Kokkos::RangePolicy<ExecSpace>(0, nlocal), k);
    return;
  }
  const auto range = batch.range;
  Kokkos::parallel_for(
      name, Kokkos::RangePolicy<ExecSpace>(0, batch.count), KOKKOS_LAMBDA(const int s) {
        for (int i = range(s, 0); i < range(s, 1); ++i) k(i);
      });
}

}  // namespace af
