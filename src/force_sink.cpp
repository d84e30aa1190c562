#include "atomforge/src/force_sink.hpp"

namespace af {

ForceSink ForceSinkOwner::begin(Atoms& atoms, const DblView& eatom) {
  const int nall = atoms.nall();
  with_energy_ = eatom.extent(0) > 0;
  ForceSink s;
  s.f = atoms.f;
  s.e = eatom;
  Kokkos::deep_copy(Kokkos::subview(atoms.f, Kokkos::make_pair(0, nall), Kokkos::ALL()), 0.0);
  if (with_energy_) Kokkos::deep_copy(Kokkos::subview(eatom, Kokkos::make_pair(0, nall)), 0.0);
  if (kHostExec) {
    const int copies = ExecSpace().concurrency();
    if (fc_.extent(0) != std::size_t(copies) || fc_.extent(1) < std::size_t(nall))
      fc_ = ForceSink::Copies3("sink::f", copies, nall + nall / 8 + 16, 3);
    Kokkos::deep_copy(fc_, 0.0);
    s.fc = fc_;
    if (with_energy_) {
      if (ec_.extent(0) != std::size_t(copies) || ec_.extent(1) < std::size_t(nall))
        ec_ = ForceSink::Copies1("sink::e", copies, nall + nall / 8 + 16);
      Kokkos::deep_copy(ec_, 0.0);
      s.ec = ec_;
    }
  }
  return s;
}

void ForceSinkOwner::end(Atoms& atoms, const NeighborList& list, const DblView& eatom) {
  const int nall = atoms.nall();
  if (kHostExec) {
    auto fc = fc_;
    auto ec = ec_;
    auto f = atoms.f;
    DblView e = eatom;
    const bool we = with_energy_;
    const int copies = static_cast<int>(fc.extent(0));
    Kokkos::parallel_for(
        "sink::sum", Kokkos::RangePolicy<ExecSpace>(0, nall), KOKKOS_LAMBDA(const int i) {
          double a0 = 0, a1 = 0, a2 = 0, ae = 0;
          for (int t = 0; t < copies; ++t) {
            a0 += fc(t, i, 0);
            a1 += fc(t, i, 1);
            a2 += fc(t, i, 2);
            if (we) ae += ec(t, i);
          }
          f(i, 0) += a0;
          f(i, 1) += a1;
          f(i, 2) += a2;
          if (we) e(i) += ae;
        });
  }
  list.fold_ghosts(atoms, atoms.f);
  if (with_energy_) list.fold_ghosts(atoms, eatom);
}

}  // namespace af
