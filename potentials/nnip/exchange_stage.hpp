// A model's per-node rows (compute precision T, in device memory) through a NodeExchange
// (double rows in host memory): staged in double, copied to the host and back only where
// the device is not the host. One buffer serves every width (no allocation once grown).
#pragma once
#include <Kokkos_Core.hpp>

#include "atomforge/potentials/nnip/model.hpp"

namespace af::nnip {

class ExchangeStage {
 public:
  // Owned rows [0, nown) of v (first `width` columns) to its ghost rows [nown, n).
  template <class Rows>
  void forward(NodeExchange& exchange, const Rows& v, int width, int n, int nown) {
    const Stage s = stage(n, width);
    pack(s, v, width, 0, nown);
    exchange.forward(round_trip(s, n, width), n, width);
    unpack(s, v, width, nown, n, false);
  }
  // Ghost rows of v added into their owners' rows (owned rows of v are added to).
  template <class Rows>
  void reverse(NodeExchange& exchange, const Rows& v, int width, int n, int nown) {
    const Stage s = stage(n, width);
    zero(s, width, 0, nown);
    pack(s, v, width, nown, n);
    exchange.reverse(round_trip(s, n, width), n, width);
    unpack(s, v, width, 0, nown, true);
  }

  // Steps (public for nvcc's device lambdas).
  using Stage = Kokkos::View<double**, Kokkos::LayoutRight, Device, Kokkos::MemoryUnmanaged>;
  using HostStage = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  Stage stage(int n, int width) {
    const std::size_t need = static_cast<std::size_t>(n) * width;
    if (buf_.extent(0) < need) {
      buf_ = Kokkos::View<double*, Device>("nnip::exchange_stage", need + need / 8 + 64);
      host_ = Kokkos::create_mirror_view(buf_);  // buf_ itself on CPU builds
    }
    return Stage(buf_.data(), n, width);
  }
  // The device rows as host rows for the exchange, and back afterwards (the exchange runs
  // on the host: the copy back happens in unpack's caller order, see forward/reverse).
  double* round_trip(const Stage& s, int n, int width) {
    HostStage h(host_.data(), n, width);
    if (host_.data() != buf_.data()) Kokkos::deep_copy(h, s);
    pending_ = h;
    return h.data();
  }
  template <class Rows>
  void pack(const Stage& s, const Rows& v, int width, int from, int to) {
    Kokkos::parallel_for("nnip::exchange_pack", Kokkos::RangePolicy<ExecSpace>(from, to), KOKKOS_LAMBDA(const int i) {
      for (int q = 0; q < width; ++q) s(i, q) = double(v(i, q));
    });
  }
  void zero(const Stage& s, int width, int from, int to) {
    Kokkos::parallel_for("nnip::exchange_zero", Kokkos::RangePolicy<ExecSpace>(from, to), KOKKOS_LAMBDA(const int i) {
      for (int q = 0; q < width; ++q) s(i, q) = 0;
    });
  }
  template <class Rows>
  void unpack(const Stage& s, const Rows& v, int width, int from, int to, bool add) {
    if (host_.data() != buf_.data()) Kokkos::deep_copy(s, pending_);
    using T = typename Rows::non_const_value_type;
    Kokkos::parallel_for("nnip::exchange_unpack", Kokkos::RangePolicy<ExecSpace>(from, to), KOKKOS_LAMBDA(const int i) {
      for (int q = 0; q < width; ++q) v(i, q) = add ? T(v(i, q) + s(i, q)) : T(s(i, q));
    });
  }

 private:
  Kokkos::View<double*, Device> buf_;
  typename Kokkos::View<double*, Device>::HostMirror host_;
  HostStage pending_;
};

}  // namespace af::nnip
