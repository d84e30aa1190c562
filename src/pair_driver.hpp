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

#include "atomforge/src/atom_loops.hpp"
#include "atomforge/src/force_sink.hpp"
#include "atomforge/src/pair_cluster.hpp"
#include "atomforge/src/potential.hpp"

namespace af {

namespace pair_detail {

// Physics that weigh contributing masks themselves (EAM: only its pair term is weighted,
// its embedding derivatives are zero for non-contributing atoms) set kWeighsMask.
template <class P, class = void>
struct weighs_mask : std::false_type {};
template <class P>
struct weighs_mask<P, std::void_t<decltype(P::kWeighsMask)>> : std::bool_constant<P::kWeighsMask> {};

// A pair's share of a masked energy (ComputeFlags::contributing): (c_i + c_j) / 2.
struct PairMask {
  IntView c;  // empty: every atom contributes
  KOKKOS_INLINE_FUNCTION bool on() const { return c.extent(0) > 0; }
  KOKKOS_INLINE_FUNCTION double weight(int i, int j) const { return 0.5 * (c(i) + c(j)); }
};

template <class P>
KOKKOS_INLINE_FUNCTION void apply_mask(const PairMask& m, int i, int j, double& fpair, double& e) {
  if constexpr (!weighs_mask<P>::value) {
    if (m.on()) {
      const double w = m.weight(i, j);
      fpair *= w;
      e *= w;
    }
  }
}

template <bool E, class P>
KOKKOS_INLINE_FUNCTION void eval_pair(const P& p, int i, int j, int ti, int tj, double rsq, double& fpair,
                                      double& e) {
  if constexpr (P::kNeedsIndices)
    p.template eval_ij<E>(i, j, ti, tj, rsq, fpair, e);
  else
    p.template eval<E>(ti, tj, rsq, fpair, e);
}

// Half list: each pair once, Newton's third law; forces and per-atom energies go through
// a ForceSink (force_sink.hpp: thread copies on the host, atomics on devices; ghost rows
// folded into owners afterwards). (Vectorised variants of this loop were slower here: the
// gathers it needs are microcoded on current x86 parts; the cluster kernel in
// pair_cluster.hpp is the fast CPU path.)

template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
struct HalfKernel {
  Physics phys;
  VecView x;
  IntView type;
  NeighView nl;
  ForceSink sink;
  PairMask mask;

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    const auto slot = sink.open();
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
      apply_mask<Physics>(mask, i, j, fpair, e);
      const double fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
      fxi += fx;
      fyi += fy;
      fzi += fz;
      sink.force(slot, j, -fx, -fy, -fz);
      if (EATOM) sink.energy(slot, j, 0.5 * e);
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
    sink.force(slot, i, fxi, fyi, fzi);
    if (EATOM) sink.energy(slot, i, 0.5 * esum);
    sink.close(slot);
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
// so no atomics or copies (the GPU path). VATOM: each atom's half of its pairs' virials
// into vatom (per-atom virials need no scatter with a full list).
template <class Physics, bool EFLAG, bool VFLAG, bool EATOM, bool VATOM = false>
struct FullKernel {
  Physics phys;
  VecView x;
  IntView type;
  NeighView nl;
  VecView f;
  DblView eatom;
  PairMask mask;
  Kokkos::View<double* [6], Device> vatom;

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    double fxi = 0, fyi = 0, fzi = 0, ei = 0, w[6] = {0, 0, 0, 0, 0, 0};
    const int nn = nl.num(i);
    for (int k = 0; k < nn; ++k) {
      const int j = nl.neigh(i, k);
      const double dx = xi - x(j, 0), dy = yi - x(j, 1), dz = zi - x(j, 2);
      const double rsq = dx * dx + dy * dy + dz * dz;
      const int tj = type(j);
      if (rsq >= phys.cutsq(ti, tj)) continue;
      double fpair, e = 0;
      eval_pair<EFLAG || EATOM>(phys, i, j, ti, tj, rsq, fpair, e);
      apply_mask<Physics>(mask, i, j, fpair, e);
      fxi += dx * fpair;
      fyi += dy * fpair;
      fzi += dz * fpair;
      if (EFLAG || EATOM) ei += 0.5 * e;
      if (VFLAG || VATOM) {
        w[0] += 0.5 * dx * dx * fpair;
        w[1] += 0.5 * dy * dy * fpair;
        w[2] += 0.5 * dz * dz * fpair;
        w[3] += 0.5 * dx * dy * fpair;
        w[4] += 0.5 * dx * dz * fpair;
        w[5] += 0.5 * dy * dz * fpair;
      }
    }
    f(i, 0) = fxi;
    f(i, 1) = fyi;
    f(i, 2) = fzi;
    if (EFLAG) ev.e += ei;
    if (EATOM) eatom(i) = ei;
    if (VFLAG)
      for (int k = 0; k < 6; ++k) ev.v[k] += w[k];
    if (VATOM)
      for (int k = 0; k < 6; ++k) vatom(i, k) = w[k];
  }
};

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
  ForceSink sink;  // half lists: the sums through its per-atom (energy) channel
  DblView out;     // full lists
  NeighView shortl;

  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    const double xi = x(i, 0), yi = x(i, 1), zi = x(i, 2);
    const int ti = type(i);
    ForceSink::Slot slot{};
    if (HALF) slot = sink.open();
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
      if (HALF) sink.energy(slot, j, b);
    }
    if (!HALF) {
      out(i) = sum;
    } else {
      sink.energy(slot, i, sum);
      sink.close(slot);
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
    if (fl.virial_atom.extent(0) > 0) {  // per-atom virials: full lists only (host code: a wiring error)
      if (list.kind() != ListKind::Full) throw std::logic_error("per-atom virials take full neighbor lists");
      if (fl.per_atom_energy) return run_vatom<Physics, true>(phys, atoms, nl, eatom, fl);
      return run_vatom<Physics, false>(phys, atoms, nl, eatom, fl);
    }
    if (fl.per_atom_energy) return run<Physics, true, true, true>(phys, atoms, list, nl, eatom, fl);
    if (fl.energy && fl.virial) return run<Physics, true, true, false>(phys, atoms, list, nl, eatom, fl);
    if (fl.energy) return run<Physics, true, false, false>(phys, atoms, list, nl, eatom, fl);
    if (fl.virial) return run<Physics, false, true, false>(phys, atoms, list, nl, eatom, fl);
    return run<Physics, false, false, false>(phys, atoms, list, nl, eatom, fl);
  }

  // out(i) = sum over the neighbors j of atom i of fn's contributions, for local atoms
  // (ghost rows are scratch). See PairSumKernel. With `shortl`, also records the pairs
  // inside fn.cutsq (storage grows as needed).
  template <class Fn>
  void pair_sums(const Fn& fn, const Atoms& atoms, const NeighborList& list, const DblView& out,
                 NeighView* shortl = nullptr, const StructureBatch& batch = {}) {
    if (!shortl) return sums<Fn, false>(fn, atoms, list, out, NeighView{}, batch);
    const NeighView nl = list.view();
    if (shortl->num.extent(0) < nl.num.extent(0) || shortl->neigh.extent(1) < nl.neigh.extent(1)) {
      shortl->num = IntView("pair::short_num", nl.num.extent(0));
      shortl->neigh = decltype(shortl->neigh)("pair::short_neigh", nl.neigh.extent(0), nl.neigh.extent(1));
    }
    sums<Fn, true>(fn, atoms, list, out, *shortl, batch);
  }

  template <class Fn, bool SHORT>
  void sums(const Fn& fn, const Atoms& atoms, const NeighborList& list, const DblView& out, const NeighView& shortl,
            const StructureBatch& batch) {
    using namespace pair_detail;
    const int n = atoms.nlocal, nall = atoms.nall();
    if (list.kind() == ListKind::Full) {
      PairSumKernel<Fn, false, SHORT> k{fn, atoms.x, atoms.type, list.view(), {}, out, shortl};
      for_local_atoms("pair::sums_full", n, k, batch);
      return;
    }
    PairSumKernel<Fn, true, SHORT> k{fn, atoms.x, atoms.type, list.view(), sums_.begin(VecView(), out, nall, batch.count > 0), out, shortl};
    for_local_atoms("pair::sums_half", n, k, batch);
    sums_.end(VecView(), out, nall);
    list.fold_ghosts(atoms, out);
  }

 private:
  template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
  EnergyVirial run(const Physics& phys, Atoms& atoms, const NeighborList& list, const NeighView& nl,
                   const DblView& eatom, const ComputeFlags& fl) {
    using namespace pair_detail;
    const StructureBatch& batch = fl.batch;
    const PairMask mask{fl.contributing};
    // (Also the one use of both flags in GPU builds, where the cluster path is compiled out.)
    static_assert(!(Physics::kUniform && Physics::kNeedsIndices),
                  "a uniform physics has no per-atom data to index: the cluster kernel calls eval_uniform");
    EnergyVirial ev;
    const int n = atoms.nlocal;
    if constexpr (kHostExec && !Physics::kNeedsIndices) {  // cluster kernels: host code, no atom indices
      if (list.kind() == ListKind::Cluster && (batch.count > 0 || mask.on()))  // host code: a wiring error
        throw std::logic_error("structure batches and contributing masks take half or full neighbor lists");
      if (list.kind() == ListKind::Cluster)
        return this->template run_clusters<Physics, EFLAG, VFLAG, EATOM>(phys, atoms, list, eatom);
    }
    if (list.kind() == ListKind::Cluster)  // host code: a wiring error, not a user error
      throw std::logic_error("cluster neighbor lists serve pairwise potentials only");
    if (list.kind() == ListKind::Full) {
      FullKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, nl, atoms.f, eatom, mask, {}};
      return reduce_local_atoms("pair::full", n, k, batch);
    }
    HalfKernel<Physics, EFLAG, VFLAG, EATOM> k{phys, atoms.x, atoms.type, nl,
                                               sink_.begin(atoms, EATOM ? eatom : DblView(), batch.count > 0), mask};
    ev = reduce_local_atoms("pair::half", n, k, batch);
    sink_.end(atoms, list, EATOM ? eatom : DblView());
    return ev;
  }

  template <class Physics, bool EATOM>
  EnergyVirial run_vatom(const Physics& phys, Atoms& atoms, const NeighView& nl, const DblView& eatom,
                         const ComputeFlags& fl) {
    using namespace pair_detail;
    FullKernel<Physics, true, true, EATOM, true> k{phys,   atoms.x, atoms.type, nl, atoms.f, eatom, PairMask{fl.contributing},
                                                   fl.virial_atom};
    return reduce_local_atoms("pair::full_vatom", atoms.nlocal, k, fl.batch);
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

  ForceSinkOwner sink_;
  pair_detail::ClusterCopies cfc_, cec_;
  ForceSinkOwner sums_;
};

}  // namespace af
