#include "atomforge/src/pair_driver.hpp"

namespace af {
namespace pair_detail {

void zero_thread_copies(const ForceCopies& f, const EnergyCopies& e, int nall, bool eatom) {
  const int copies = static_cast<int>(f.extent(0));
  Kokkos::parallel_for(
      "pair::zero_copies", Kokkos::RangePolicy<ExecSpace>(0, nall), KOKKOS_LAMBDA(const int i) {
        for (int t = 0; t < copies; ++t) {
          f(t, i, 0) = f(t, i, 1) = f(t, i, 2) = 0.0;
          if (eatom) e(t, i) = 0.0;
        }
      });
}

void sum_thread_copies(const ForceCopies& fc, const EnergyCopies& ec, const VecView& f, const DblView& e, int nall,
                       bool eatom) {
  const int copies = static_cast<int>(fc.extent(0));
  Kokkos::parallel_for(
      "pair::sum_copies", Kokkos::RangePolicy<ExecSpace>(0, nall), KOKKOS_LAMBDA(const int i) {
        double a0 = 0, a1 = 0, a2 = 0, ae = 0;
        for (int t = 0; t < copies; ++t) {
          a0 += fc(t, i, 0);
          a1 += fc(t, i, 1);
          a2 += fc(t, i, 2);
          if (eatom) ae += ec(t, i);
        }
        f(i, 0) = a0;
        f(i, 1) = a1;
        f(i, 2) = a2;
        if (eatom) e(i) = ae;
      });
}

void sum_rows(const EnergyCopies& c, const DblView& out, int n) {
  const int rows = static_cast<int>(c.extent(0));
  Kokkos::parallel_for(
      "pair::sum_rows", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        double s = 0;
        for (int r = 0; r < rows; ++r) s += c(r, i);
        out(i) = s;
      });
}

}  // namespace pair_detail
}  // namespace af
