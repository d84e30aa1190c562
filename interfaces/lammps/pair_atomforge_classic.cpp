// pair_style atomforge with a classic potential (LJ, Morse, EAM, SW, Tersoff). The rank's
// local and ghost atoms become the local atoms of an open atomforge system (no periodic
// images: LAMMPS's ghosts are the images), with a list built here of the kind the
// potential asks for and the contributing mask set on LAMMPS's locals, so pair terms
// count (c_i + c_j)/2 and embedding and many-body terms only around locals
// (ComputeFlags::contributing). Forces and per-atom energies land on locals and ghosts;
// LAMMPS's reverse communication sums the ghosts' into their owners.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <exception>

#include "atom.h"
#include "error.h"
#include "local_pairs.hpp"
#include "pair_atomforge.h"

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"

using namespace LAMMPS_NS;

struct PairAtomforge::Classic {
  af::Atoms atoms;
  af::NeighborList list;
  Kokkos::View<int**, af::Device> neigh;
  af::IntView num, contributing, ghost_start;  // ghost_start: zeros (the open system has no images)
  af::DblView eatom;
  af_lammps::LocalPairs pairs;
};

void PairAtomforge::release_classic() {
  delete classic_;
  classic_ = nullptr;
}

void PairAtomforge::compute_classic(int, int) {
  if (vflag_atom)
    error->all(FLERR, "pair_style atomforge: compute stress/atom is not available with classic potentials "
                      "(use LAMMPS's own pair style for per-atom stress)");
  if (!classic_) classic_ = new Classic;
  Classic& C = *classic_;
  const int nlocal = atom->nlocal, nall = nlocal + atom->nghost;
  double** x = atom->x;
  double** f = atom->f;
  const int* type = atom->type;
  const bool half = potential_->list_kind() == af::ListKind::Half;
  af_lammps::LocalPairs& P = C.pairs;
  P.find(x, nall, cut_model_);

  // Views grown, never shrunk: the potential reads rows [0, nall) only.
  af::Atoms& A = C.atoms;
  const int room = static_cast<int>(A.x.extent(0));
  if (room < nall) {
    const int n = nall + nall / 8 + 16;
    A.x = af::VecView("af_lmp::x", n);
    A.f = af::VecView("af_lmp::f", n);
    A.type = af::IntView("af_lmp::type", n);
    C.num = af::IntView("af_lmp::num", n);
    C.contributing = af::IntView("af_lmp::contributing", n);
    C.ghost_start = af::IntView("af_lmp::ghost_start", n + 1);
    C.eatom = af::DblView("af_lmp::eatom", n);
  }
  const int width = std::max(1, P.max_degree);
  if (static_cast<int>(C.neigh.extent(0)) < static_cast<int>(A.x.extent(0)) ||
      static_cast<int>(C.neigh.extent(1)) < width)
    C.neigh = Kokkos::View<int**, af::Device>("af_lmp::neigh", A.x.extent(0), width + width / 4 + 1);
  A.nlocal = nall;
  A.nghost = 0;
  {
    auto hx = Kokkos::create_mirror_view(A.x);
    auto ht = Kokkos::create_mirror_view(A.type);
    auto hc = Kokkos::create_mirror_view(C.contributing);
    auto hn = Kokkos::create_mirror_view(C.num);
    auto hl = Kokkos::create_mirror_view(C.neigh);
    for (int i = 0; i < nall; ++i) {
      for (int k = 0; k < 3; ++k) hx(i, k) = x[i][k];
      ht(i) = species_of_type_[type[i]];
      hc(i) = i < nlocal ? 1 : 0;
      int n = 0;  // half lists: each pair once, under its lower index
      for (int e = P.offset[i]; e < P.offset[i + 1]; ++e)
        if (!half || P.sender[e] > i) hl(i, n++) = P.sender[e];
      hn(i) = n;
    }
    Kokkos::deep_copy(A.x, hx);
    Kokkos::deep_copy(A.type, ht);
    Kokkos::deep_copy(C.contributing, hc);
    Kokkos::deep_copy(C.num, hn);
    Kokkos::deep_copy(C.neigh, hl);
  }
  C.list.adopt(half ? af::ListKind::Half : af::ListKind::Full, cut_model_, C.neigh, C.num, af::IntView(),
               C.ghost_start, af::Int3View(), nall);

  af::ComputeFlags flags;
  flags.energy = eflag_global != 0;
  flags.virial = vflag_global != 0;  // the kernels' per-term tallies (f . r does not apply: coeff())
  flags.per_atom_energy = eflag_atom != 0;
  flags.contributing = C.contributing;
  af::EnergyVirial ev;
  try {
    ev = potential_->compute(A, C.list, flags, C.eatom);
  } catch (const std::exception& e) {
    error->one(FLERR, std::string("pair_style atomforge: ") + e.what());
  }
  auto hf = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), A.f);
  for (int i = 0; i < nall; ++i)
    for (int k = 0; k < 3; ++k) f[i][k] += hf(i, k);
  if (eflag_global) eng_vdwl += ev.e;
  if (vflag_global)
    for (int k = 0; k < 6; ++k) virial[k] += ev.v[k];  // both xx yy zz xy xz yz
  if (eflag_atom) {
    auto he = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), C.eatom);
    for (int i = 0; i < nall; ++i) eatom[i] += he(i);
  }
}
