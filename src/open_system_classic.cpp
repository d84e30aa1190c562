// OpenSystem (open_system.hpp) with a classic potential (LJ, Morse, EAM, SW, Tersoff):
// the atoms become the local atoms of an open af::Atoms (no periodic images: the
// caller's ghost copies are the images) with a list built here of the kind the potential
// asks for and ComputeFlags::contributing set, so pair terms count (c_i + c_j)/2 and
// embedding and many-body terms only around contributing atoms; the forces are the
// gradient of the contributing atoms' energy (as KIM's partialForces must be), so f . r
// over the set is its virial; the kernels' per-term tally gives the same.
#include <Kokkos_Core.hpp>

#include <algorithm>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/local_pairs.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/open_system.hpp"
#include "atomforge/src/potential.hpp"

namespace af {

struct OpenSystem::Classic {
  Atoms atoms;
  NeighborList list;
  Kokkos::View<int**, Device> neigh;
  IntView num, contributing, ghost_start;  // ghost_start: zeros (the open system has no images)
  DblView eatom;
  Kokkos::View<double* [6], Device> vatom;
  bool half = false;  // the kind of the list built last
  LocalPairs pairs;
  // Host mirrors, made with their views (the views themselves on CPU builds).
  VecView::HostMirror x_host, f_host;
  DblView::HostMirror eatom_host;
  Kokkos::View<double* [6], Device>::HostMirror vatom_host;
};

OpenSystem::Result OpenSystem::compute_classic(int n, const double* x, const int* type, const int* contributing,
                                               double* f, double* eatom, double* vatom, const Request& request) {
  if (!classic_) classic_ = std::make_shared<Classic>();
  Classic& C = *classic_;
  // Per-atom virials come from full lists (each atom tallies its own half of its pairs).
  const bool half = potential_->list_kind() == ListKind::Half && !request.per_atom_virial;
  Atoms& A = C.atoms;
  if (request.per_atom_virial && C.vatom.extent(0) < static_cast<std::size_t>(n)) {  // also on steps that reuse the list
    C.vatom = Kokkos::View<double* [6], Device>("af_open::vatom", n + n / 8 + 16);
    C.vatom_host = Kokkos::create_mirror_view(C.vatom);
  }
  const bool reuse = reuse_pairs(n, request);
  if (reuse && half == C.half) {  // the list stands (its skin pairs fail the kernels' cutoff tests)
    const auto hx = C.x_host;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) hx(i, k) = x[3 * i + k];
    Kokkos::deep_copy(A.x, hx);
    return evaluate_classic(n, f, eatom, vatom, request);
  }
  LocalPairs& P = C.pairs;
  if (!reuse || C.pairs.offset.empty()) P.find(x, n, cutoff_ + request.skin);  // else: same pairs, the other list kind
  C.half = half;

  // Views grown, never shrunk: the potential reads rows [0, n) only.
  if (static_cast<int>(A.x.extent(0)) < n) {
    const int m = n + n / 8 + 16;
    A.x = VecView("af_open::x", m);
    A.f = VecView("af_open::f", m);
    A.type = IntView("af_open::type", m);
    C.num = IntView("af_open::num", m);
    C.contributing = IntView("af_open::contributing", m);
    C.ghost_start = IntView("af_open::ghost_start", m + 1);
    C.eatom = DblView("af_open::eatom", m);
    C.x_host = Kokkos::create_mirror_view(A.x);
    C.f_host = Kokkos::create_mirror_view(A.f);
    C.eatom_host = Kokkos::create_mirror_view(C.eatom);
  }
  const int width = std::max(1, P.max_degree);
  if (C.neigh.extent(0) < A.x.extent(0) || static_cast<int>(C.neigh.extent(1)) < width)
    C.neigh = Kokkos::View<int**, Device>("af_open::neigh", A.x.extent(0), width + width / 4 + 1);
  A.nlocal = n;
  A.nghost = 0;
  {  // (re-neighboring steps only: their mirrors are made here)
    const auto hx = C.x_host;
    auto ht = Kokkos::create_mirror_view(A.type);
    auto hc = Kokkos::create_mirror_view(C.contributing);
    auto hn = Kokkos::create_mirror_view(C.num);
    auto hl = Kokkos::create_mirror_view(C.neigh);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) hx(i, k) = x[3 * i + k];
      ht(i) = type[i];
      hc(i) = contributing[i] ? 1 : 0;
      // Half lists: each pair once, under its lower index. Pairs of two non-contributing
      // atoms weigh nothing (and no contributing term reads them): not listed.
      int m = 0;
      for (int e = P.offset[i]; e < P.offset[i + 1]; ++e) {
        const int j = P.sender[e];
        if ((!half || j > i) && (contributing[i] || contributing[j])) hl(i, m++) = j;
      }
      hn(i) = m;
    }
    Kokkos::deep_copy(A.x, hx);
    Kokkos::deep_copy(A.type, ht);
    Kokkos::deep_copy(C.contributing, hc);
    Kokkos::deep_copy(C.num, hn);
    Kokkos::deep_copy(C.neigh, hl);
  }
  C.list.adopt(half ? ListKind::Half : ListKind::Full, cutoff_, C.neigh, C.num, IntView(), C.ghost_start, Int3View(),
               n);
  return evaluate_classic(n, f, eatom, vatom, request);
}

OpenSystem::Result OpenSystem::evaluate_classic(int n, double* f, double* eatom, double* vatom,
                                                const Request& request) {
  Classic& C = *classic_;
  Atoms& A = C.atoms;
  ComputeFlags flags;
  flags.energy = request.energy;
  flags.virial = request.virial;
  flags.per_atom_energy = request.per_atom_energy;
  flags.contributing = C.contributing;
  if (request.per_atom_virial) flags.virial_atom = C.vatom;
  const EnergyVirial ev = potential_->compute(A, C.list, flags, C.eatom);
  const auto hf = C.f_host;
  Kokkos::deep_copy(hf, A.f);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) f[3 * i + k] += hf(i, k);
  if (request.per_atom_energy) {
    const auto he = C.eatom_host;
    Kokkos::deep_copy(he, C.eatom);
    for (int i = 0; i < n; ++i) eatom[i] += he(i);
  }
  if (request.per_atom_virial) {
    const auto hv = C.vatom_host;
    Kokkos::deep_copy(hv, C.vatom);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 6; ++k) vatom[6 * i + k] += hv(i, k);
  }
  Result out;
  out.energy = request.energy ? ev.e : 0.0;
  if (request.virial)
    for (int k = 0; k < 6; ++k) out.virial[k] = ev.v[k];
  return out;
}

}  // namespace af
