// One generic driver for pairwise potentials: neighbor traversal, energy/virial tallies
// and force scatter. A potential supplies only its physics, a small struct with
//   KOKKOS_INLINE_FUNCTION double cutsq(int ti, int tj) const;
//   template <bool E> KOKKOS_INLINE_FUNCTION void eval(int ti, int tj, double rsq,
//                                                       double& fpair, double& e) const;
// where fpair = -(dE/dr)/r, so the force on i is fpair * (x_i - x_j).
// Include this only from a potential's .cpp: it instantiates kernels.
#pragma once
#include <Kokkos_ScatterView.hpp>

#include "potential.hpp"

namespace af {

namespace pair_detail {

using ForceScatter = Kokkos::Experimental::ScatterView<double* [3], VecView::array_layout, Device,
                                                       Kokkos::Experimental::ScatterSum>;
using EnergyScatter = Kokkos::Experimental::ScatterView<double*, DblView::array_layout, Device,
                                                        Kokkos::Experimental::ScatterSum>;

// Half list: each pair once, Newton's third law, forces scattered to both atoms
// (ghost rows are folded into their owners afterwards).
template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
struct HalfKernel {
  Physics phys;
  VecView x;
  IntView type;
  NeighView nl;
  ForceScatter fs;
  EnergyScatter es;

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    auto fa = fs.access();
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    double fxi = 0, fyi = 0, fzi = 0;
    const int nn = nl.num(i);
    for (int k = 0; k < nn; ++k) {
      const int j = nl.neigh(i, k);
      const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
      const double rsq = dx * dx + dy * dy + dz * dz;
      const int tj = type(j);
      if (rsq >= phys.cutsq(ti, tj)) continue;
      double fpair, e;
      phys.template eval<EFLAG || EATOM>(ti, tj, rsq, fpair, e);
      fxi += dx * fpair;
      fyi += dy * fpair;
      fzi += dz * fpair;
      fa(j, 0) -= dx * fpair;
      fa(j, 1) -= dy * fpair;
      fa(j, 2) -= dz * fpair;
      if (EFLAG) ev.e += e;
      if (VFLAG) {
        ev.v[0] += dx * dx * fpair;
        ev.v[1] += dy * dy * fpair;
        ev.v[2] += dz * dz * fpair;
        ev.v[3] += dx * dy * fpair;
        ev.v[4] += dx * dz * fpair;
        ev.v[5] += dy * dz * fpair;
      }
      if (EATOM) {
        auto ea = es.access();
        ea(i) += 0.5 * e;
        ea(j) += 0.5 * e;
      }
    }
    fa(i, 0) += fxi;
    fa(i, 1) += fyi;
    fa(i, 2) += fzi;
  }
};

// Full list: each pair seen from both ends; every thread writes only its own atom,
// so no atomics or copies (the GPU path).
template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
struct FullKernel {
  Physics phys;
  VecView x;
  IntView type;
  NeighView nl;
  VecView f;
  DblView eatom;

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    double fxi = 0, fyi = 0, fzi = 0, ei = 0;
    const int nn = nl.num(i);
    for (int k = 0; k < nn; ++k) {
      const int j = nl.neigh(i, k);
      const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
      const double rsq = dx * dx + dy * dy + dz * dz;
      const int tj = type(j);
      if (rsq >= phys.cutsq(ti, tj)) continue;
      double fpair, e;
      phys.template eval<EFLAG || EATOM>(ti, tj, rsq, fpair, e);
      fxi += dx * fpair;
      fyi += dy * fpair;
      fzi += dz * fpair;
      if (EFLAG || EATOM) ei += 0.5 * e;
      if (VFLAG) {
        ev.v[0] += 0.5 * dx * dx * fpair;
        ev.v[1] += 0.5 * dy * dy * fpair;
        ev.v[2] += 0.5 * dz * dz * fpair;
        ev.v[3] += 0.5 * dx * dy * fpair;
        ev.v[4] += 0.5 * dx * dz * fpair;
        ev.v[5] += 0.5 * dy * dz * fpair;
      }
    }
    f(i, 0) = fxi;
    f(i, 1) = fyi;
    f(i, 2) = fzi;
    if (EFLAG) ev.e += ei;
    if (EATOM) eatom(i) = ei;
  }
};

}  // namespace pair_detail

// Owns the per-thread force copies of half-list kernels (allocated once, not per step)
// and dispatches to a kernel compiled for exactly the tallies requested.
class PairDriver {
 public:
  template <class Physics>
  EnergyVirial compute(const Physics& phys, Atoms& atoms, const NeighborList& list, const ComputeFlags& fl,
                       const DblView& eatom) {
    if (fl.per_atom_energy) return run<Physics, true, true, true>(phys, atoms, list, eatom);
    if (fl.energy && fl.virial) return run<Physics, true, true, false>(phys, atoms, list, eatom);
    if (fl.energy) return run<Physics, true, false, false>(phys, atoms, list, eatom);
    if (fl.virial) return run<Physics, false, true, false>(phys, atoms, list, eatom);
    return run<Physics, false, false, false>(phys, atoms, list, eatom);
  }

 private:
  template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
  EnergyVirial run(const Physics& phys, Atoms& atoms, const NeighborList& list, const DblView& eatom) {
    using namespace pair_detail;
    EnergyVirial ev;
    const int n = atoms.nlocal;
    if (list.kind() == ListKind::Full) {
      FullKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, list.view(), atoms.f, eatom};
      Kokkos::parallel_reduce("pair::full", Kokkos::RangePolicy<ExecSpace>(0, n), k, ev);
      return ev;
    }
    const int nall = atoms.nall();
    Kokkos::deep_copy(Kokkos::subview(atoms.f, Kokkos::make_pair(0, nall), Kokkos::ALL()), 0.0);
    if (fref_.data() != atoms.f.data() || fref_.extent(0) != atoms.f.extent(0)) {
      fs_ = ForceScatter(atoms.f);  // reallocated only when the force array grows
      fref_ = atoms.f;
    }
    fs_.reset_except(atoms.f);
    if (EATOM) {
      Kokkos::deep_copy(Kokkos::subview(eatom, Kokkos::make_pair(0, nall)), 0.0);
      if (eref_.data() != eatom.data() || eref_.extent(0) != eatom.extent(0)) {
        es_ = EnergyScatter(eatom);
        eref_ = eatom;
      }
      es_.reset_except(eatom);
    }
    HalfKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, list.view(), fs_, es_};
    Kokkos::parallel_reduce("pair::half", Kokkos::RangePolicy<ExecSpace>(0, n), k, ev);
    Kokkos::Experimental::contribute(atoms.f, fs_);
    list.fold_ghosts(atoms, atoms.f);
    if (EATOM) {
      DblView e = eatom;
      Kokkos::Experimental::contribute(e, es_);
      list.fold_ghosts(atoms, eatom);
    }
    return ev;
  }

  pair_detail::ForceScatter fs_;
  pair_detail::EnergyScatter es_;
  VecView fref_;
  DblView eref_;
};

}  // namespace af
