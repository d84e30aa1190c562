// The interface every force field implements: one host-side call per step that fills
// forces on local atoms and returns energy and virial (a virtual call here is fine;
// the work happens in kernels behind it).
#pragma once
#include <memory>
#include <string>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/neighbor.hpp"

namespace af {

// Energy and virial W = sum over pairs of r_ij (x) f_ij, in LAMMPS order
// xx yy zz xy xz yz (energy units; pressure = (2 KE + tr W)/(3V)).
struct EnergyVirial {
  double e = 0;
  double v[6] = {0, 0, 0, 0, 0, 0};

  EnergyVirial() = default;
  KOKKOS_INLINE_FUNCTION EnergyVirial& operator+=(const EnergyVirial& o) {
    e += o.e;
    for (int k = 0; k < 6; ++k) v[k] += o.v[k];
    return *this;
  }
  // Kokkos 3.4 joins reductions through volatile references; 4.x does not.
  KOKKOS_INLINE_FUNCTION void operator+=(const volatile EnergyVirial& o) volatile {
    e += o.e;
    for (int k = 0; k < 6; ++k) v[k] += o.v[k];
  }
};

// Several independent structures evaluated in one call (the batched relaxer,
// samplers/batch_relax.hpp): structure s owns the local atoms [range(s,0), range(s,1))
// and their ghosts, and no pair crosses structures (local rows between ranges are
// padding that no kernel visits and no list names). Kernels then visit each structure's
// atoms in order on one thread (src/atom_loops.hpp) and add its energy and virial to
// ev(s): a structure's results depend neither on its batch mates nor on the thread count.
struct StructureBatch {
  Kokkos::View<int* [2], Device> range;
  Kokkos::View<EnergyVirial*, Device> ev;
  int count = 0;
};

// What the caller needs this step; forces are always computed. Energy and virial
// tallies cost time, so integrators ask for them only on output steps (like LAMMPS's
// eflag/vflag).
struct ComputeFlags {
  bool energy = true;
  bool virial = true;
  bool per_atom_energy = false;
  StructureBatch batch;  // several structures at once (above); empty: one
  // Per atom (extent >= nlocal), 1 or 0; empty: every atom contributes. Where a caller
  // computes a part of a larger system (a LAMMPS rank's locals among its ghosts, kept
  // here as local atoms of an open box): the energy is the sum of the contributing
  // atoms' energies and the forces are its gradient, so pair terms count
  // (c_i + c_j)/2, embedding and many-body terms only around contributing atoms, and
  // a rank's results summed over ranks are the whole system's.
  IntView contributing;
  // Per atom (extent >= nlocal), when set: each atom's share of the virial, xx yy zz xy
  // xz yz, as LAMMPS's stress/atom splits it (a pair term's r (x) f half to each end, a
  // triplet's a third to each atom). Potentials with supports_per_atom_virial() only, on
  // full neighbor lists; many-body ones on systems without ghost atoms.
  Kokkos::View<double* [6], Device> virial_atom;
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual std::string style() const = 0;
  // Largest interaction cutoff (neighbor lists add the skin).
  virtual double cutoff() const = 0;
  virtual ListKind list_kind() const { return kHostExec ? ListKind::Half : ListKind::Full; }
  // Whether compute() handles cluster lists (pairwise potentials through PairDriver).
  virtual bool supports_clusters() const { return false; }
  // Whether compute() honours flags.batch (otherwise the batched relaxer is not offered).
  virtual bool supports_batches() const { return false; }
  // Whether compute() fills flags.virial_atom (LAMMPS's split of the virial among atoms).
  virtual bool supports_per_atom_virial() const { return false; }
  // Overwrites atoms.f for local atoms (ghost rows are scratch). eatom, when
  // flags.per_atom_energy is set, receives per-atom energies (extent >= nall).
  virtual EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& flags,
                               const DblView& eatom) = 0;
};

}  // namespace af

namespace Kokkos {
template <>
struct reduction_identity<af::EnergyVirial> {
  KOKKOS_FORCEINLINE_FUNCTION static af::EnergyVirial sum() { return af::EnergyVirial(); }
};
}  // namespace Kokkos
