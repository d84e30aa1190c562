// Neighbor lists against an O(N^2) search over all periodic images.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/lattice.hpp"
#include "atomforge/src/neighbor.hpp"

namespace {

using Pair = std::tuple<int, int, int, int, int>;  // i, j, image n0 n1 n2

af::Structure random_structure(int n, const double lo[3], const double hi[3], double xy, double xz, double yz,
                               unsigned seed, const bool periodic[3]) {
  af::Structure s;
  s.box = af::Box::triclinic(lo, hi, xy, xz, yz);
  for (int k = 0; k < 3; ++k) s.box.periodic[k] = periodic[k];
  s.species = {"A"};
  s.masses = {1.0};
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < n; ++i) {
    // Some atoms start outside the cell along periodic directions (wrapping is tested too).
    double f[3] = {u(g), u(g), u(g)}, x[3];
    for (int k = 0; k < 3; ++k)
      if (periodic[k] && i % 7 == 3) f[k] += (i % 2 ? 1.0 : -2.0);
    s.box.to_cart(f, x);
    s.x.insert(s.x.end(), x, x + 3);
    s.type.push_back(0);
    s.id.push_back(i + 1);
  }
  return s;
}

bool lexpos(int a, int b, int c) { return c > 0 || (c == 0 && (b > 0 || (b == 0 && a > 0))); }

Pair canonical(int i, int j, int a, int b, int c) {
  if (i < j || (i == j && lexpos(a, b, c))) return {i, j, a, b, c};
  return {j, i, -a, -b, -c};
}

// All (i, j, n) with |x_j + H n - x_i| < rn, from the atoms as the list left them.
std::multiset<Pair> brute_force(const af::Atoms& atoms, const af::Box& box, double rn, bool half) {
  auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.x);
  const int n = atoms.nlocal;
  const auto d = box.plane_spacing();
  int m[3];
  for (int k = 0; k < 3; ++k) m[k] = box.periodic[k] ? int(std::ceil(rn / d[k])) + 2 : 0;
  std::multiset<Pair> out;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int c = -m[2]; c <= m[2]; ++c)
        for (int b = -m[1]; b <= m[1]; ++b)
          for (int a = -m[0]; a <= m[0]; ++a) {
            if (i == j && a == 0 && b == 0 && c == 0) continue;
            double s[3];
            box.image_shift(a, b, c, s);
            double r2 = 0;
            for (int k = 0; k < 3; ++k) {
              const double dk = x(j, k) + s[k] - x(i, k);
              r2 += dk * dk;
            }
            if (r2 >= rn * rn) continue;
            if (half) {
              const Pair p = canonical(i, j, a, b, c);
              if (std::get<0>(p) == i && std::get<1>(p) == j && std::get<2>(p) == a && std::get<3>(p) == b &&
                  std::get<4>(p) == c)
                out.insert(p);
            } else {
              out.insert({i, j, a, b, c});
            }
          }
  return out;
}

std::multiset<Pair> from_list(const af::NeighborList& list, const af::Atoms& atoms, bool half) {
  auto v = list.view();
  auto neigh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v.neigh);
  auto num = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v.num);
  auto owner = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), list.ghost_owner());
  auto img = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), list.ghost_image());
  std::multiset<Pair> out;
  for (int i = 0; i < atoms.nlocal; ++i)
    for (int k = 0; k < num(i); ++k) {
      const int j = neigh(i, k);
      int o = j, a = 0, b = 0, c = 0;
      if (j >= atoms.nlocal) {
        const int g = j - atoms.nlocal;
        o = owner(g);
        a = img(g, 0);
        b = img(g, 1);
        c = img(g, 2);
      }
      out.insert(half ? canonical(i, o, a, b, c) : Pair{i, o, a, b, c});
    }
  return out;
}

struct Case {
  int n;
  double lo[3], hi[3], xy, xz, yz, cutoff, skin;
  bool periodic[3];
};

void check_structure(const af::Structure& s0, double cutoff, double skin, const std::string& what) {
  for (bool half : {true, false}) {
    af::Structure s = s0;
    af::Atoms atoms = af::Atoms::from_structure(s);
    af::NeighborList list;
    af::NeighborSettings ns;
    ns.skin = skin;
    list.setup(half ? af::ListKind::Half : af::ListKind::Full, cutoff, ns);
    list.build(atoms, s.box, 0);
    const auto got = from_list(list, atoms, half);
    const auto want = brute_force(atoms, s.box, cutoff + skin, half);
    EXPECT_EQ(got.size(), want.size()) << (half ? "half " : "full ") << what;
    EXPECT_TRUE(got == want) << (half ? "half " : "full ") << what;
  }
}

void check_case(const Case& c, unsigned seed) {
  for (bool half : {true, false}) {
    af::Structure s = random_structure(c.n, c.lo, c.hi, c.xy, c.xz, c.yz, seed, c.periodic);
    af::Atoms atoms = af::Atoms::from_structure(s);
    af::NeighborList list;
    af::NeighborSettings ns;
    ns.skin = c.skin;
    list.setup(half ? af::ListKind::Half : af::ListKind::Full, c.cutoff, ns);
    list.build(atoms, s.box, 0);
    const auto got = from_list(list, atoms, half);
    const auto want = brute_force(atoms, s.box, c.cutoff + c.skin, half);
    EXPECT_EQ(got.size(), want.size()) << (half ? "half" : "full") << " list, seed " << seed;
    EXPECT_TRUE(got == want) << (half ? "half" : "full") << " list differs from brute force, seed " << seed;
    // Determinism: a second build from the same state gives the same list, entry for entry.
    auto v1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), list.view().neigh);
    af::NeighborList again;
    again.setup(half ? af::ListKind::Half : af::ListKind::Full, c.cutoff, ns);
    again.build(atoms, s.box, 0);
    auto v2 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), again.view().neigh);
    auto n1 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), list.view().num);
    for (int i = 0; i < atoms.nlocal; ++i)
      for (int k = 0; k < n1(i); ++k) ASSERT_EQ(v1(i, k), v2(i, k));
  }
}

}  // namespace

TEST(Neighbor, RandomTriclinicBoxes) {
  const Case cases[] = {
      {300, {0, 0, 0}, {9, 8, 10}, 1.5, -2.0, 0.7, 2.5, 0.3, {true, true, true}},
      {200, {-3, 1, 2}, {4, 7, 6}, -2.9, 1.1, 2.2, 2.0, 0.5, {true, true, true}},
      {150, {0, 0, 0}, {12, 6, 5}, 0.0, 0.0, 0.0, 2.8, 0.2, {true, true, true}},
      {120, {0, 0, 0}, {6, 6, 12}, 2.0, 0, 0, 2.5, 0.3, {true, true, false}},
      {80, {0, 0, 0}, {5, 5, 5}, 0, 0, 0, 1.8, 0.2, {false, false, false}},
  };
  unsigned seed = 11;
  for (const auto& c : cases) check_case(c, seed++);
}

TEST(Neighbor, CutoffBeyondHalfTheBox) {
  const Case c{20, {0, 0, 0}, {3, 3.5, 4}, 0.8, 0.3, -1.1, 2.6, 0.4, {true, true, true}};
  check_case(c, 3);
}

TEST(Neighbor, OneAtomCellCutoffLargerThanBox) {
  // A one-atom triclinic cell: every neighbor is a periodic image of the atom itself.
  const Case c{1, {0, 0, 0}, {2.0, 2.2, 1.9}, 0.6, -0.4, 0.5, 5.0, 0.5, {true, true, true}};
  check_case(c, 5);
  const Case two{2, {0, 0, 0}, {2.5, 2.5, 2.5}, 1.0, 0.0, 0.0, 4.0, 0.3, {true, true, true}};
  check_case(two, 6);
}

TEST(Neighbor, ListGrowsOnOverflow) {
  // A dense cell gives far more neighbors than the first estimate from a dilute one.
  const Case c{400, {0, 0, 0}, {5, 5, 5}, 0, 0, 0, 2.5, 0.3, {true, true, true}};
  check_case(c, 9);
}

TEST(Neighbor, PerfectLatticesAtomsOnBinBoundaries) {
  // Lattice sites sit exactly on bin and cell boundaries.
  const int one[3] = {1, 1, 1}, three[3] = {3, 3, 3};
  check_structure(af::make_lattice("bcc", 1.6, one, {"A"}), 2.5, 0.4, "bcc 1x1x1");
  check_structure(af::make_lattice("sc", 1.1, one, {"A"}), 2.5, 0.4, "sc 1x1x1");
  check_structure(af::make_lattice("fcc", 1.6, three, {"A"}), 2.5, 0.4, "fcc 3x3x3");
  check_structure(af::make_lattice("diamond", 2.2, three, {"A"}), 2.5, 0.4, "diamond 3x3x3");
}
