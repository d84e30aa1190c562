#include "atomforge/src/guards.hpp"

#include <climits>
#include <cmath>
#include <cstdio>

namespace af {

std::string Guards::describe(const Atoms& atoms, int i) const {
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(atoms.x, i, Kokkos::ALL()));
  auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(atoms.id, i));
  char buf[160];
  std::snprintf(buf, sizeof buf, "atom %ld at (%.6g, %.6g, %.6g)", static_cast<long>(hid()), hx(0), hx(1), hx(2));
  return buf;
}

// Lowest local index failing the test (INT_MAX if none): non-finite x, v or f, or
// (finite_check false) a fractional coordinate outside [0, 1] along a non-periodic axis.
int Guards::first_bad(const Atoms& atoms, const Box& box, bool finite_check) const {
  auto x = atoms.x;
  auto v = atoms.v;
  auto f = atoms.f;
  const Box b = box;
  int bad = INT_MAX;
  Kokkos::parallel_reduce(
      "guards::scan", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal),
      KOKKOS_LAMBDA(const int i, int& m) {
        bool wrong = false;
        if (finite_check) {
          // a - a is 0 for finite a and NaN for inf and NaN (no isfinite across Kokkos 3 and 4).
          for (int k = 0; k < 3; ++k)
            wrong = wrong || !(x(i, k) - x(i, k) == 0.0) || !(v(i, k) - v(i, k) == 0.0) || !(f(i, k) - f(i, k) == 0.0);
        } else {
          const double xi[3] = {x(i, 0), x(i, 1), x(i, 2)};
          double u[3];
          b.to_frac(xi, u);
          for (int k = 0; k < 3; ++k) wrong = wrong || (!b.periodic[k] && (u[k] < 0.0 || u[k] > 1.0));
        }
        if (wrong && i < m) m = i;
      },
      Kokkos::Min<int>(bad));
  return bad;
}

void Guards::check_step(long step, const Atoms& atoms, const Box& box) const {
  int i = first_bad(atoms, box, true);
  if (i != INT_MAX)
    throw GuardError("step " + std::to_string(step) + ": non-finite position, velocity or force on " +
                     describe(atoms, i) + " (timestep too large, or atoms on top of each other?)");
  if (box.periodic[0] && box.periodic[1] && box.periodic[2]) return;
  i = first_bad(atoms, box, false);
  if (i != INT_MAX)
    throw GuardError("step " + std::to_string(step) + ": " + describe(atoms, i) +
                     " left the cell along a non-periodic direction (lost atom)");
}

void Guards::check_structure(long step, const Atoms& atoms, const Box& box, const NeighborList& list) const {
  if (list.kind() != ListKind::Cluster && s_.max_neighbors > 0) {
    auto num = list.view().num;
    const int cap = s_.max_neighbors;
    int who = INT_MAX;  // lowest atom over the cap
    Kokkos::parallel_reduce(
        "guards::neighbors", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal),
        KOKKOS_LAMBDA(const int i, int& m) {
          if (num(i) > cap && i < m) m = i;
        },
        Kokkos::Min<int>(who));
    if (who != INT_MAX) {
      auto hn = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(num, who));
      const int worst = hn();
      throw GuardError("step " + std::to_string(step) + ": " + describe(atoms, who) + " has " + std::to_string(worst) +
                       " neighbors, more than guards.max_neighbors = " + std::to_string(s_.max_neighbors) +
                       " (collapsed system?)");
    }
  }
  if (s_.min_distance <= 0) return;
  // Pairs closer than min_distance: a short full list on a copy of the atoms.
  ProbeList probe = probe_list(atoms, box, s_.min_distance);
  const Atoms& copy = probe.copy;
  const NeighborList& near = probe.list;
  auto hn = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), near.view().num);
  for (int i = 0; i < copy.nlocal; ++i)
    if (hn(i) > 0) {
      auto hl = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(near.view().neigh, i, 0));
      auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), copy.x);
      auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), copy.id);
      const int j = hl();
      const int owner = j < copy.nlocal ? j : near.ghost_owner()(j - copy.nlocal);
      double d2 = 0;
      for (int k = 0; k < 3; ++k) d2 += (hx(j, k) - hx(i, k)) * (hx(j, k) - hx(i, k));
      char buf[200];
      std::snprintf(buf, sizeof buf, " and atom %ld are %.4g apart, closer than guards.min_distance = %g",
                    static_cast<long>(hid(owner)), std::sqrt(d2), s_.min_distance);
      throw GuardError("step " + std::to_string(step) + ": " + describe(copy, i) + buf);
    }
}

}  // namespace af
