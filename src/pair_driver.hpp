// One generic driver for pairwise potentials: neighbor traversal, energy/virial tallies
// and force scatter. A potential supplies only its physics, a small struct with
//   KOKKOS_INLINE_FUNCTION double cutsq(int ti, int tj) const;
//   template <bool E> KOKKOS_INLINE_FUNCTION void eval(int ti, int tj, double rsq,
//                                                       double& fpair, double& e) const;
//   static constexpr bool kUniform;  // one parameter set for all pairs? Then also
//   template <bool E, class T> void eval_uniform(T rsq, T& fpair, T& e) const;
//                                    // for T = double and T = simd::vd (CPU cluster kernel)
//   static constexpr bool kNeedsIndices;  // then eval_ij(i, j, ti, tj, rsq, fpair, e) is
//                                    // called instead of eval (e.g. EAM reads F'(rho) of
//                                    // both atoms; j may be a ghost)
// where fpair = -(dE/dr)/r, so the force on i is fpair * (x_i - x_j).
// Include this only from a potential's .cpp: it instantiates kernels.
#pragma once

#include <stdexcept>
#include <type_traits>

#include "atomforge/src/potential.hpp"
#include "atomforge/src/pair_cluster.hpp"

namespace af {

namespace pair_detail {

template <bool E, class P>
KOKKOS_INLINE_FUNCTION void eval_pair(const P& p, int i, int j, int ti, int tj, double rsq, double& fpair,
                                      double& e) {
  if constexpr (P::kNeedsIndices)
    p.template eval_ij<E>(i, j, ti, tj, rsq, fpair, e);
  else
    p.template eval<E>(ti, tj, rsq, fpair, e);
}

// Half list: each pair once, Newton's third law. On the host each thread scatters into
// its own copy of the force array (ghost rows included; folded into owners afterwards);
// on devices atomically. (Vectorised variants of this loop were slower here: the
// gathers it needs are microcoded on current x86 parts; the cluster kernel in
// pair_cluster.hpp is the fast CPU path.)
// Thread ids for per-thread copies on the host; devices use atomics and need none.
struct NoToken {
  KOKKOS_INLINE_FUNCTION int acquire() const { return 0; }
  KOKKOS_INLINE_FUNCTION void release(int) const {}
};
using ThreadToken = std::conditional_t<kHostExec, Kokkos::Experimental::UniqueToken<ExecSpace>, NoToken>;

template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
struct HalfKernel {
  Physics phys;
  VecView x;
  IntView type;
  NeighView nl;
  Kokkos::View<double***, Kokkos::LayoutRight, Device> fdup;  // host: (thread copy, atom, xyz)
  Kokkos::View<double**, Kokkos::LayoutRight, Device> edup;   // host: (thread copy, atom)
  VecView f;                                                  // device: forces, atomically
  DblView eatom;                                              // device: per-atom energies
  ThreadToken token;

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    int t = 0;
    double* fh = nullptr;
    double* eh = nullptr;
    if (kHostExec) {
      t = token.acquire();
      fh = &fdup(t, 0, 0);
      if (EATOM) eh = &edup(t, 0);
    }
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    const int nn = nl.num(i);
    double fxi = 0, fyi = 0, fzi = 0, esum = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
    for (int k = 0; k < nn; ++k) {
      const int j = nl.neigh(i, k);
      const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
      const double rsq = dx * dx + dy * dy + dz * dz;
      const int tj = type(j);
      if (rsq >= phys.cutsq(ti, tj)) continue;
      double fpair, e = 0;
      eval_pair<EFLAG || EATOM>(phys, i, j, ti, tj, rsq, fpair, e);
      const double fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx;
      fyi += fy;
      fzi += fz;
      if (kHostExec) {
        fh[3 * j] -= fx;
        fh[3 * j + 1] -= fy;
        fh[3 * j + 2] -= fz;
        if (EATOM) eh[j] += 0.5 * e;
      } else {
        Kokkos::atomic_add(&f(j, 0), -fx);
        Kokkos::atomic_add(&f(j, 1), -fy);
        Kokkos::atomic_add(&f(j, 2), -fz);
        if (EATOM) Kokkos::atomic_add(&eatom(j), 0.5 * e);
      }
      if (EFLAG || EATOM) esum += e;
      if (VFLAG) {
        v0 += dx * fx;
        v1 += dy * fy;
        v2 += dz * fz;
        v3 += dx * fy;
        v4 += dx * fz;
        v5 += dy * fz;
      }
    }
    if (kHostExec) {
      fh[3 * i] += fxi;
      fh[3 * i + 1] += fyi;
      fh[3 * i + 2] += fzi;
      if (EATOM) eh[i] += 0.5 * esum;
      token.release(t);
    } else {
      Kokkos::atomic_add(&f(i, 0), fxi);
      Kokkos::atomic_add(&f(i, 1), fyi);
      Kokkos::atomic_add(&f(i, 2), fzi);
      if (EATOM) Kokkos::atomic_add(&eatom(i), 0.5 * esum);
    }
    if (EFLAG) ev.e += esum;
    if (VFLAG) {
      ev.v[0] += v0;
      ev.v[1] += v1;
      ev.v[2] += v2;
      ev.v[3] += v3;
      ev.v[4] += v4;
      ev.v[5] += v5;
    }
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
      eval_pair<EFLAG || EATOM>(phys, i, j, ti, tj, rsq, fpair, e);
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

using ForceCopies = Kokkos::View<double***, Kokkos::LayoutRight, Device>;
using EnergyCopies = Kokkos::View<double**, Kokkos::LayoutRight, Device>;
void zero_thread_copies(const ForceCopies& f, const EnergyCopies& e, int nall, bool eatom);
// f(i) = sum over copies (and e likewise), for i < nall.
void sum_thread_copies(const ForceCopies& fc, const EnergyCopies& ec, const VecView& f, const DblView& e, int nall,
                       bool eatom);
// out(i) = sum over rows of c(row, i), for i < n.
void sum_rows(const EnergyCopies& c, const DblView& out, int n);

// Per-atom sums over pairs (e.g. EAM densities): fn(i, j, ti, tj, rsq, a, b) gives the
// contribution a to atom i and b to atom j of one listed pair (zero beyond
// fn.cutsq(ti, tj)). With SHORT, the pairs inside fn.cutsq are first recorded, in list
// order, as a short list that the sums and later passes over the same positions
// traverse instead (no mispredicted branches for the skin's pairs; same pairs, same order).
template <class Fn, bool HALF, bool SHORT>
struct PairSumKernel {
  Fn fn;
  VecView x;
  IntView type;
  NeighView nl;
  EnergyCopies copies;  // host, half lists: one row per thread
  DblView out;          // full lists, or devices with half lists (atomics)
  ThreadToken token;
  NeighView shortl;

  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    double* oh = nullptr;
    int t = 0;
    if (HALF && kHostExec) {
      t = token.acquire();
      oh = &copies(t, 0);
    }
    double sum = 0;
    int nn = nl.num(i);
    NeighView l = nl;
    if (SHORT) {
      // First the short list, without branches (a list's skin pairs are unpredictable),
      // then the sums over it.
      int ns = 0;
      for (int k = 0; k < nn; ++k) {
        const int j = nl.neigh(i, k);
        const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
        shortl.neigh(i, ns) = j;
        ns += dx * dx + dy * dy + dz * dz < fn.cutsq(ti, type(j));
      }
      shortl.num(i) = ns;
      nn = ns;
      l = shortl;
    }
    for (int k = 0; k < nn; ++k) {
      const int j = l.neigh(i, k);
      const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
      double a = 0, b = 0;
      fn(i, j, ti, type(j), dx * dx + dy * dy + dz * dz, a, b);
      sum += a;
      if (HALF) {
        if (kHostExec) oh[j] += b;
        else Kokkos::atomic_add(&out(j), b);
      }
    }
    if (!HALF) {
      out(i) = sum;
    } else if (kHostExec) {
      oh[i] += sum;
      token.release(t);
    } else {
      Kokkos::atomic_add(&out(i), sum);
    }
  }
};

}  // namespace pair_detail

// Owns the per-thread force copies of half-list kernels (allocated once, not per step)
// and dispatches to a kernel compiled for exactly the tallies requested.
class PairDriver {
 public:
  // (Both halves of the driver are public: nvcc rejects device lambdas in private members.)
  // `pairs`: traverse this list (of the same kind as `list`, e.g. a short list from
  // pair_sums) instead of list.view().
  template <class Physics>
  EnergyVirial compute(const Physics& phys, Atoms& atoms, const NeighborList& list, const ComputeFlags& fl,
                       const DblView& eatom, const NeighView* pairs = nullptr) {
    const NeighView nl = pairs ? *pairs : list.view();
    if (fl.per_atom_energy) return run<Physics, true, true, true>(phys, atoms, list, nl, eatom);
    if (fl.energy && fl.virial) return run<Physics, true, true, false>(phys, atoms, list, nl, eatom);
    if (fl.energy) return run<Physics, true, false, false>(phys, atoms, list, nl, eatom);
    if (fl.virial) return run<Physics, false, true, false>(phys, atoms, list, nl, eatom);
    return run<Physics, false, false, false>(phys, atoms, list, nl, eatom);
  }

  // out(i) = sum over the neighbors j of atom i of fn's contributions, for local atoms
  // (ghost rows are scratch). See PairSumKernel. With `shortl`, also records the pairs
  // inside fn.cutsq (storage grows as needed).
  template <class Fn>
  void pair_sums(const Fn& fn, const Atoms& atoms, const NeighborList& list, const DblView& out,
                 NeighView* shortl = nullptr) {
    if (!shortl) return sums<Fn, false>(fn, atoms, list, out, NeighView{});
    const NeighView nl = list.view();
    if (shortl->num.extent(0) < nl.num.extent(0) || shortl->neigh.extent(1) < nl.neigh.extent(1)) {
      shortl->num = IntView("pair::short_num", nl.num.extent(0));
      shortl->neigh = decltype(shortl->neigh)("pair::short_neigh", nl.neigh.extent(0), nl.neigh.extent(1));
    }
    sums<Fn, true>(fn, atoms, list, out, *shortl);
  }

  template <class Fn, bool SHORT>
  void sums(const Fn& fn, const Atoms& atoms, const NeighborList& list, const DblView& out, const NeighView& shortl) {
    using namespace pair_detail;
    const int n = atoms.nlocal, nall = atoms.nall();
    if (list.kind() == ListKind::Full) {
      PairSumKernel<Fn, false, SHORT> k{fn, atoms.x, atoms.type, list.view(), {}, out, {}, shortl};
      Kokkos::parallel_for("pair::sums_full", Kokkos::RangePolicy<ExecSpace>(0, n), k);
      return;
    }
    Kokkos::deep_copy(Kokkos::subview(out, Kokkos::make_pair(0, nall)), 0.0);
    PairSumKernel<Fn, true, SHORT> k{fn, atoms.x, atoms.type, list.view(), {}, out, {}, shortl};
    const int copies = kHostExec ? ExecSpace().concurrency() : 0;
    if (copies == 1) {
      k.copies = EnergyCopies(out.data(), 1, out.extent(0));
    } else if (copies > 1) {
      if (sdup_.extent(0) != std::size_t(copies) || sdup_.extent(1) < std::size_t(nall))
        sdup_ = EnergyCopies("pair::sum_copies", copies, nall + nall / 8 + 16);
      Kokkos::deep_copy(sdup_, 0.0);
      k.copies = sdup_;
    }
    Kokkos::parallel_for("pair::sums_half", Kokkos::RangePolicy<ExecSpace>(0, n), k);
    if (copies > 1) sum_rows(sdup_, out, nall);
    list.fold_ghosts(atoms, out);
  }

 private:
  template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
  EnergyVirial run(const Physics& phys, Atoms& atoms, const NeighborList& list, const NeighView& nl,
                   const DblView& eatom) {
    using namespace pair_detail;
    // (Also the one use of both flags in GPU builds, where the cluster path is compiled out.)
    static_assert(!(Physics::kUniform && Physics::kNeedsIndices),
                  "a uniform physics has no per-atom data to index: the cluster kernel calls eval_uniform");
    EnergyVirial ev;
    const int n = atoms.nlocal;
    if constexpr (kHostExec && !Physics::kNeedsIndices) {  // cluster kernels: host code, no atom indices
      if (list.kind() == ListKind::Cluster)
        return this->template run_clusters<Physics, EFLAG, VFLAG, EATOM>(phys, atoms, list, eatom);
    }
    if (list.kind() == ListKind::Cluster)  // host code: a wiring error, not a user error
      throw std::logic_error("cluster neighbor lists serve pairwise potentials only");
    if (list.kind() == ListKind::Full) {
      FullKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, nl, atoms.f, eatom};
      Kokkos::parallel_reduce("pair::full", Kokkos::RangePolicy<ExecSpace>(0, n), k, ev);
      return ev;
    }
    const int nall = atoms.nall();
    Kokkos::deep_copy(Kokkos::subview(atoms.f, Kokkos::make_pair(0, nall), Kokkos::ALL()), 0.0);
    if (EATOM) Kokkos::deep_copy(Kokkos::subview(eatom, Kokkos::make_pair(0, nall)), 0.0);
    HalfKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, nl, {}, {}, atoms.f, eatom, {}};
    const int copies = kHostExec ? ExecSpace().concurrency() : 0;
    if (copies == 1) {
      // One thread: scatter straight into the (row-major, host) arrays.
      k.fdup = decltype(k.fdup)(atoms.f.data(), 1, atoms.f.extent(0), 3);
      if (EATOM) k.edup = decltype(k.edup)(eatom.data(), 1, eatom.extent(0));
    } else if (copies > 1) {
      if (fdup_.extent(0) != std::size_t(copies) || fdup_.extent(1) < std::size_t(nall))
        fdup_ = decltype(fdup_)("pair::fdup", copies, nall + nall / 8 + 16, 3);
      if (EATOM && (edup_.extent(0) != std::size_t(copies) || edup_.extent(1) < std::size_t(nall)))
        edup_ = decltype(edup_)("pair::edup", copies, nall + nall / 8 + 16);
      zero_thread_copies(fdup_, edup_, nall, EATOM);
      k.fdup = fdup_;
      k.edup = edup_;
    }
    Kokkos::parallel_reduce("pair::half", Kokkos::RangePolicy<ExecSpace>(0, n), k, ev);
    if (copies > 1) sum_thread_copies(fdup_, edup_, atoms.f, eatom, nall, EATOM);
    list.fold_ghosts(atoms, atoms.f);
    if (EATOM) list.fold_ghosts(atoms, eatom);
    return ev;
  }

  template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
  EnergyVirial run_clusters(const Physics& phys, Atoms& atoms, const NeighborList& list, const DblView& eatom) {
    using namespace pair_detail;
    EnergyVirial ev;
    const ClusterList& cl = list.clusters();
    const int copies = HostExec().concurrency();
    const int ncl = cl.nclusters();
    if (cfc_.extent(0) != std::size_t(copies) || cfc_.extent(1) < std::size_t(ncl))
      cfc_ = ClusterCopies("pair::cluster_f", copies, ncl + ncl / 8 + 16, 3 * kClusterSize);
    if (EATOM && (cec_.extent(0) != std::size_t(copies) || cec_.extent(1) < std::size_t(ncl)))
      cec_ = ClusterCopies("pair::cluster_e", copies, ncl + ncl / 8 + 16, kClusterSize);
    Kokkos::deep_copy(cfc_, 0.0);
    if (EATOM) Kokkos::deep_copy(cec_, 0.0);
    ClusterKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, cl.view(), cfc_, cec_, {}};
    Kokkos::parallel_reduce("pair::cluster", Kokkos::RangePolicy<HostExec>(0, ncl), k, ev);
    cl.unpack(cfc_, cec_, atoms.f, eatom, EATOM);
    return ev;
  }

  pair_detail::ForceCopies fdup_;
  pair_detail::EnergyCopies edup_;
  pair_detail::ClusterCopies cfc_, cec_;
  pair_detail::EnergyCopies sdup_;
};

}  // namespace af
