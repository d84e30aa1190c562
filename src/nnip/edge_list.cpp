#include "atomforge/src/nnip/edge_list.hpp"

namespace af::nnip {

void EdgeList::build(const Atoms& atoms, const NeighborList& list, double cutoff, const IntView& species_of_type) {
  const int nlocal = atoms.nlocal;
  nnodes = nlocal;
  if (static_cast<int>(offset.extent(0)) < nlocal + 1) {
    offset = IntView("nnip::offset", nlocal + 1);
    count_ = IntView("nnip::count", nlocal);
    species = IntView("nnip::species", nlocal);
  }
  {
    const auto sp = species, type = atoms.type;
    Kokkos::parallel_for("nnip::species", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
                         KOKKOS_LAMBDA(const int i) { sp(i) = species_of_type(type(i)); });
  }
  const auto x = atoms.x;
  const auto nv = list.view();
  const double rcsq = cutoff * cutoff;
  const auto count = count_;
  Kokkos::parallel_for("nnip::count_edges", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
    int n = 0;
    for (int k = 0; k < nv.num(i); ++k) {
      const int j = nv.neigh(i, k);
      const double dx = x(j, 0) - x(i, 0), dy = x(j, 1) - x(i, 1), dz = x(j, 2) - x(i, 2);
      n += dx * dx + dy * dy + dz * dz < rcsq;
    }
    count(i) = n;
  });
  const auto off = offset;
  const int nl = nlocal;
  int total = 0;
  Kokkos::parallel_scan(
      "nnip::edge_offsets", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
      KOKKOS_LAMBDA(const int i, int& run, const bool final) {
        if (final) off(i) = run;
        run += count(i);
        if (final && i == nl - 1) off(nl) = run;
      },
      total);
  if (nlocal == 0) Kokkos::deep_copy(offset, 0);
  nedges = total;
  int most = 0;
  Kokkos::parallel_reduce(
      "nnip::max_degree", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
      KOKKOS_LAMBDA(const int i, int& m) { m = count(i) > m ? count(i) : m; }, Kokkos::Max<int>(most));
  max_degree = most;
  if (static_cast<int>(receiver.extent(0)) < nedges) {
    const int cap = nedges + nedges / 8 + 16;  // grows rarely as the system moves
    receiver = IntView("nnip::receiver", cap);
    sender = IntView("nnip::sender", cap);
    vec = VecView("nnip::vec", cap);
  }
  const auto owner = list.ghost_owner();
  const auto rec = receiver, snd = sender;
  const auto v = vec;
  Kokkos::parallel_for("nnip::fill_edges", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
    int e = off(i);
    for (int k = 0; k < nv.num(i); ++k) {
      const int j = nv.neigh(i, k);
      const double dx = x(j, 0) - x(i, 0), dy = x(j, 1) - x(i, 1), dz = x(j, 2) - x(i, 2);
      if (!(dx * dx + dy * dy + dz * dz < rcsq)) continue;
      rec(e) = i;
      snd(e) = j < nl ? j : owner(j - nl);
      v(e, 0) = dx;
      v(e, 1) = dy;
      v(e, 2) = dz;
      ++e;
    }
  });
}

EnergyVirial scatter_edge_gradients(Atoms& atoms, EdgeList& edges, const VecView& dedr) {
  const auto f = atoms.f;
  const int nlocal = edges.nnodes;
  // The reaction on j goes to its owner (the sender) through a ForceSink over the local
  // rows (thread copies on the host, atomics on devices); ghost rows stay zero: no fold.
  Kokkos::deep_copy(Kokkos::subview(f, std::make_pair(nlocal, atoms.nall()), Kokkos::ALL), 0.0);
  const ForceSink sink = edges.sink_.begin(f, DblView(), nlocal);
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto v = edges.vec;
  EnergyVirial ev;
  Kokkos::parallel_reduce(
      "nnip::scatter", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
      KOKKOS_LAMBDA(const int i, EnergyVirial& acc) {
        const auto slot = sink.open();
        double fi[3] = {0, 0, 0};
        for (int e = off(i); e < off(i + 1); ++e) {
          const double g[3] = {dedr(e, 0), dedr(e, 1), dedr(e, 2)};
          for (int c = 0; c < 3; ++c) fi[c] += g[c];
          sink.force(slot, snd(e), -g[0], -g[1], -g[2]);
          acc.v[0] -= v(e, 0) * g[0];
          acc.v[1] -= v(e, 1) * g[1];
          acc.v[2] -= v(e, 2) * g[2];
          acc.v[3] -= v(e, 0) * g[1];
          acc.v[4] -= v(e, 0) * g[2];
          acc.v[5] -= v(e, 1) * g[2];
        }
        sink.force(slot, i, fi[0], fi[1], fi[2]);
        sink.close(slot);
      },
      ev);
  edges.sink_.end(f, DblView(), nlocal);
  return ev;
}

}  // namespace af::nnip
