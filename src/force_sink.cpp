#include "atomforge/src/force_sink.hpp"

#include <stdexcept>
#include <utility>

namespace af {

ForceSink ForceSinkOwner::begin(const VecView& f, const DblView& e, int nall, bool exclusive) {
  with_forces_ = f.extent(0) > 0;
  with_energy_ = e.extent(0) > 0;
  copies_ = kHostExec ? (exclusive ? 1 : ExecSpace().concurrency()) : 0;
  ForceSink s;
  s.f = f;
  s.e = e;
  if (copies_ <= 1) {  // devices (atomics) or one thread: the kernel adds into the arrays
    if (with_forces_) Kokkos::deep_copy(Kokkos::subview(f, Kokkos::make_pair(0, nall), Kokkos::ALL()), 0.0);
    if (with_energy_) Kokkos::deep_copy(Kokkos::subview(e, Kokkos::make_pair(0, nall)), 0.0);
    if (copies_ == 1) {  // the arrays as the one copy of every thread (row-major on the host)
      if (with_forces_) s.fc = ForceSink::Copies3(f.data(), 1, f.extent(0), 3);
      if (with_energy_) s.ec = ForceSink::Copies1(e.data(), 1, e.extent(0));
    }
    return s;
  }
  if (with_forces_ && (fc_.extent(0) != std::size_t(copies_) || fc_.extent(1) < std::size_t(nall)))
    fc_ = ForceSink::Copies3("sink::f", copies_, nall + nall / 8 + 16, 3);
  if (with_energy_ && (ec_.extent(0) != std::size_t(copies_) || ec_.extent(1) < std::size_t(nall)))
    ec_ = ForceSink::Copies1("sink::e", copies_, nall + nall / 8 + 16);
  const auto fc = fc_;
  const auto ec = ec_;
  const bool wf = with_forces_, we = with_energy_;
  const int copies = copies_;
  Kokkos::parallel_for(
      "sink::zero", Kokkos::RangePolicy<ExecSpace>(0, nall), KOKKOS_LAMBDA(const int i) {
        for (int t = 0; t < copies; ++t) {
          if (wf) fc(t, i, 0) = fc(t, i, 1) = fc(t, i, 2) = 0.0;
          if (we) ec(t, i) = 0.0;
        }
      });
  if (with_forces_) s.fc = fc_;
  if (with_energy_) s.ec = ec_;
  return s;
}

void ForceSinkOwner::end(const VecView& f, const DblView& e, int nall) const {
  if (copies_ <= 1) return;
  const auto fc = fc_;
  const auto ec = ec_;
  const bool wf = with_forces_, we = with_energy_;
  const int copies = copies_;
  Kokkos::parallel_for(
      "sink::sum", Kokkos::RangePolicy<ExecSpace>(0, nall), KOKKOS_LAMBDA(const int i) {
        double a0 = 0, a1 = 0, a2 = 0, ae = 0;
        for (int t = 0; t < copies; ++t) {
          if (wf) {
            a0 += fc(t, i, 0);
            a1 += fc(t, i, 1);
            a2 += fc(t, i, 2);
          }
          if (we) ae += ec(t, i);
        }
        if (wf) {
          f(i, 0) = a0;
          f(i, 1) = a1;
          f(i, 2) = a2;
        }
        if (we) e(i) = ae;
      });
}

void ForceSinkOwner::end(Atoms& atoms, const NeighborList& list, const DblView& eatom) {
  end(atoms.f, eatom, atoms.nall());
  list.fold_ghosts(atoms, atoms.f);
  if (with_energy_) list.fold_ghosts(atoms, eatom);
}

void zero_atom_virials(const Atoms& atoms, const Kokkos::View<double* [6], Device>& v) {
  if (v.extent(0) == 0) return;
  if (atoms.nghost > 0)  // host code: a wiring error (only open systems ask)
    throw std::logic_error("per-atom virials of many-body potentials need a system without ghost atoms");
  Kokkos::deep_copy(Kokkos::subview(v, std::make_pair(0, atoms.nlocal), Kokkos::ALL), 0.0);
}

}  // namespace af
