#include "atomforge/samplers/space_groups.hpp"

#include <spglib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>

namespace af::sampler {

namespace {

using IVec = std::array<int, 3>;
constexpr int kN3 = kGrid * kGrid * kGrid;

int wrap(int v) { return ((v % kGrid) + kGrid) % kGrid; }
int index_of(const IVec& x) { return (x[0] * kGrid + x[1]) * kGrid + x[2]; }
IVec point_of(int i) { return {i / (kGrid * kGrid), (i / kGrid) % kGrid, i % kGrid}; }

IVec rotate(const SymOp& g, const IVec& v) {
  IVec y{};
  for (int i = 0; i < 3; ++i) y[i] = g.r[i][0] * v[0] + g.r[i][1] * v[1] + g.r[i][2] * v[2];
  return y;
}
IVec act(const SymOp& g, const IVec& x) {
  IVec y = rotate(g, x);
  for (int i = 0; i < 3; ++i) y[i] = wrap(y[i] + g.t[i]);
  return y;
}
IVec cross(const IVec& a, const IVec& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
int dot(const IVec& a, const IVec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
bool zero(const IVec& a) { return a[0] == 0 && a[1] == 0 && a[2] == 0; }
IVec primitive(IVec a) {
  const int g = std::gcd(std::gcd(std::abs(a[0]), std::abs(a[1])), std::abs(a[2]));
  for (int& c : a) c /= g;
  return a;
}

// Integer basis of the vectors v with (R - 1) v = 0 for every rotation R of a
// site-symmetry group, given the rows of all (R - 1).
std::vector<IVec> fixed_directions(const std::vector<IVec>& rows) {
  std::vector<IVec> indep;
  for (const IVec& r : rows) {
    if (zero(r)) continue;
    if (indep.empty()) indep.push_back(r);
    else if (indep.size() == 1 && !zero(cross(indep[0], r))) indep.push_back(r);
    else if (indep.size() == 2 && dot(cross(indep[0], indep[1]), r) != 0) return {};  // rank 3: a point
  }
  if (indep.empty()) return {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  if (indep.size() == 2) return {primitive(cross(indep[0], indep[1]))};  // a line
  // A plane with normal n: two small vectors in it spanning its integer lattice (|v1 x v2| = n).
  const IVec n = primitive(indep[0]);
  std::vector<IVec> in_plane;
  for (int a = -3; a <= 3; ++a)
    for (int b = -3; b <= 3; ++b)
      for (int c = -3; c <= 3; ++c)
        if (IVec v{a, b, c}; !zero(v) && dot(v, n) == 0) in_plane.push_back(v);
  for (const IVec& v1 : in_plane)
    for (const IVec& v2 : in_plane) {
      const IVec c = cross(v1, v2);
      if (c == n || c == IVec{-n[0], -n[1], -n[2]}) return {v1, v2};
    }
  throw std::logic_error("space groups: no integer basis of a mirror plane");
}

// Hermite normal form of a basis of 1 or 2 integer vectors: pivots positive, entries
// above a pivot reduced into [0, pivot). A canonical basis, readable as "x,-x,z".
std::vector<IVec> hermite(std::vector<IVec> v) {
  std::size_t row = 0;
  for (int col = 0; col < 3 && row < v.size(); ++col) {
    for (;;) {  // Euclid on the rows at and below `row` in this column
      std::size_t best = v.size();
      for (std::size_t r = row; r < v.size(); ++r)
        if (v[r][col] != 0 && (best == v.size() || std::abs(v[r][col]) < std::abs(v[best][col]))) best = r;
      if (best == v.size()) break;
      std::swap(v[row], v[best]);
      bool done = true;
      for (std::size_t r = row + 1; r < v.size(); ++r) {
        const int q = v[r][col] / v[row][col];
        for (int c = 0; c < 3; ++c) v[r][c] -= q * v[row][c];
        if (v[r][col] != 0) done = false;
      }
      if (done) break;
    }
    if (v[row][col] == 0) continue;
    if (v[row][col] < 0)
      for (int& c : v[row]) c = -c;
    for (std::size_t r = 0; r < row; ++r) {
      int q = v[r][col] / v[row][col];
      if (v[r][col] - q * v[row][col] < 0) --q;
      for (int c = 0; c < 3; ++c) v[r][c] -= q * v[row][c];
    }
    ++row;
  }
  return v;
}

int pivot(const IVec& v) { return v[0] ? 0 : v[1] ? 1 : 2; }

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
  void join(int a, int b) { parent[find(a)] = find(b); }
};

Family family_of(int number) {
  if (number <= 2) return Family::triclinic;
  if (number <= 15) return Family::monoclinic;
  if (number <= 74) return Family::orthorhombic;
  if (number <= 142) return Family::tetragonal;
  if (number <= 194) return Family::hexagonal;
  return Family::cubic;
}

std::unique_ptr<SpaceGroup> build(int number) {
  auto g = std::make_unique<SpaceGroup>();
  g->number = number;
  g->family = family_of(number);
  for (int hall = 1; hall <= 530 && !g->hall; ++hall) {
    const SpglibSpacegroupType t = spg_get_spacegroup_type(hall);
    if (t.number == number) g->hall = hall, g->symbol = t.international_short;
  }
  int rot[192][3][3];
  double trans[192][3];
  const int n = spg_get_symmetry_from_database(rot, trans, g->hall);
  if (n <= 0) throw std::logic_error("spglib has no operations for space group " + std::to_string(number));
  for (int k = 0; k < n; ++k) {
    SymOp op{};
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) op.r[i][j] = rot[k][i][j];
      const double t = trans[k][i] * kGrid;
      if (std::abs(t - std::round(t)) > 1e-9) throw std::logic_error("space groups: a translation off the 1/24 grid");
      op.t[i] = wrap(static_cast<int>(std::lround(t)));
    }
    g->ops.push_back(op);
  }
  // Orbits of the grid points; each orbit's stabilizer and the operation reaching each point.
  struct Orbit {
    int rep;
    std::vector<int> stabilizer;
    std::vector<IVec> directions;
  };
  std::vector<Orbit> orbits;
  std::vector<int> orbit_of(kN3, -1), via(kN3, -1);
  for (int i = 0; i < kN3; ++i) {
    if (orbit_of[i] >= 0) continue;
    const IVec x = point_of(i);
    Orbit o{i, {}, {}};
    for (int k = 0; k < n; ++k) {
      const int j = index_of(act(g->ops[k], x));
      if (orbit_of[j] < 0) orbit_of[j] = static_cast<int>(orbits.size()), via[j] = k;
      if (j == i) o.stabilizer.push_back(k);
    }
    std::vector<IVec> rows;
    for (int k : o.stabilizer)
      for (int r = 0; r < 3; ++r) {
        IVec row = g->ops[k].r[r];
        row[r] -= 1;
        rows.push_back(row);
      }
    o.directions = fixed_directions(rows);
    orbits.push_back(std::move(o));
  }
  // Grid points generic on one subspace (equal stabilizer order, reached by steps along
  // it past the special points between) belong to one Wyckoff position. Each point steps
  // along the basis of its own subspace (stabilizer g S g^-1), the same from every point
  // of that subspace, so that all its generic grid points are connected.
  using IMat = std::array<IVec, 3>;
  auto mul = [](const IMat& a, const IMat& b) {
    IMat c{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
    return c;
  };
  const IMat unit{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  std::vector<int> inverse(n, -1);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n && inverse[a] < 0; ++b)
      if (mul(g->ops[a].r, g->ops[b].r) == unit) inverse[a] = b;
  UnionFind uf(orbits.size());
  for (int i = 0; i < kN3; ++i) {
    const Orbit& o = orbits[orbit_of[i]];
    const IVec x = point_of(i);
    std::vector<IVec> dirs = o.directions;
    if (o.stabilizer.size() > 1 && !dirs.empty()) {
      const IMat& rg = g->ops[via[i]].r;
      const IMat& rgi = g->ops[inverse[via[i]]].r;
      std::vector<IVec> rows;
      for (int k : o.stabilizer) {
        IMat c = mul(mul(rg, g->ops[k].r), rgi);
        for (int r = 0; r < 3; ++r) c[r][r] -= 1, rows.push_back(c[r]);
      }
      dirs = fixed_directions(rows);
    }
    for (const IVec& u : dirs) {
      IVec z = x;
      for (int step = 1; step < kGrid; ++step) {
        for (int c = 0; c < 3; ++c) z[c] = wrap(z[c] + u[c]);
        const int j = index_of(z);
        if (orbits[orbit_of[j]].stabilizer.size() == o.stabilizer.size()) {
          uf.join(orbit_of[i], orbit_of[j]);
          break;
        }
      }
    }
  }
  std::vector<int> seen(orbits.size(), 0);
  for (std::size_t k = 0; k < orbits.size(); ++k) {
    const int root = uf.find(static_cast<int>(k));
    if (seen[root]++) continue;
    const Orbit& o = orbits[k];
    WyckoffPosition w;
    w.multiplicity = n / static_cast<int>(o.stabilizer.size());
    w.dim = static_cast<int>(o.directions.size());
    w.point = point_of(o.rep);
    for (int i = 0; i < 3; ++i) w.origin[i] = w.point[i] / static_cast<double>(kGrid);
    if (w.dim < 3) {
      w.directions = hermite(o.directions);
      // Move along the directions until the pivot coordinates vanish (back substitution).
      for (int k = w.dim - 1; k >= 0; --k) {
        const int c = pivot(w.directions[k]);
        const double t = -w.origin[c] / w.directions[k][c];
        for (int i = 0; i < 3; ++i) w.origin[i] += t * w.directions[k][i];
      }
      for (int k = 0; k < w.dim; ++k) w.origin[pivot(w.directions[k])] = 0;  // exactly
    } else {
      w.directions = o.directions;
      w.origin = {0, 0, 0};
    }
    for (double& c : w.origin) c -= std::floor(c + 1e-12);
    g->wyckoff.push_back(std::move(w));
  }
  std::stable_sort(g->wyckoff.begin(), g->wyckoff.end(), [](const WyckoffPosition& a, const WyckoffPosition& b) {
    return a.multiplicity != b.multiplicity ? a.multiplicity < b.multiplicity : a.dim < b.dim;
  });
  return g;
}

std::mutex cache_mutex;
std::unique_ptr<SpaceGroup> groups[231];
std::unique_ptr<std::vector<WyckoffLabel>> labels[231];

// A lattice of the family with no accidental symmetry (column vectors, as spglib's).
void generic_lattice(Family f, double lattice[3][3]) {
  double a = 5.1, b = 5.9, c = 6.7, alpha = 81, beta = 97, gamma = 104;
  switch (f) {
    case Family::triclinic: break;
    case Family::monoclinic: alpha = gamma = 90; break;
    case Family::orthorhombic: alpha = beta = gamma = 90; break;
    case Family::tetragonal: b = a, alpha = beta = gamma = 90; break;
    case Family::hexagonal: b = a, alpha = beta = 90, gamma = 120; break;
    case Family::cubic: b = c = a, alpha = beta = gamma = 90; break;
  }
  const double d = 3.14159265358979323846 / 180;
  const double ca = std::cos(alpha * d), cb = std::cos(beta * d), cg = std::cos(gamma * d), sg = std::sin(gamma * d);
  const double v[3][3] = {{a, 0, 0}, {b * cg, b * sg, 0},
                          {c * cb, c * (ca - cb * cg) / sg, c * std::sqrt(1 - cb * cb - std::pow((ca - cb * cg) / sg, 2))}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) lattice[i][j] = v[j][i];
}

}  // namespace

const SpaceGroup& space_group(int number) {
  if (number < 1 || number > 230) throw std::out_of_range("space group " + std::to_string(number) + ": not in 1-230");
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (!groups[number]) groups[number] = build(number);
  return *groups[number];
}

const std::vector<WyckoffLabel>& wyckoff_labels(const SpaceGroup& group) {
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto& cached = labels[group.number];
  if (cached) return *cached;
  // One structure: an orbit of a generic point of every position (each its own type),
  // plus a general orbit that leaves no symmetry beyond the group's.
  std::vector<std::array<double, 3>> pos;
  std::vector<int> types;
  std::vector<std::size_t> first;
  auto add_orbit = [&](std::array<double, 3> x, int type) {
    first.push_back(pos.size());
    for (const SymOp& op : group.ops) {
      std::array<double, 3> y{};
      for (int i = 0; i < 3; ++i) {
        y[i] = op.t[i] / static_cast<double>(kGrid);
        for (int j = 0; j < 3; ++j) y[i] += op.r[i][j] * x[j];
        y[i] -= std::floor(y[i]);
      }
      bool dup = false;
      for (std::size_t k = first.back(); k < pos.size() && !dup; ++k) {
        double d = 0;
        for (int i = 0; i < 3; ++i) d = std::max(d, std::abs(std::remainder(y[i] - pos[k][i], 1.0)));
        dup = d < 1e-9;
      }
      if (!dup) pos.push_back(y), types.push_back(type);
    }
  };
  for (std::size_t w = 0; w < group.wyckoff.size(); ++w) {
    const WyckoffPosition& p = group.wyckoff[w];
    std::array<double, 3> x = p.origin;
    for (int d = 0; d < p.dim; ++d)
      for (int i = 0; i < 3; ++i) x[i] += (0.0731 + 0.1379 * d + 0.0193 * static_cast<double>(w)) * p.directions[d][i];
    add_orbit(x, static_cast<int>(w) + 1);
  }
  add_orbit({0.0713, 0.1921, 0.3117}, 0);
  double lattice[3][3];
  generic_lattice(group.family, lattice);
  auto out = std::make_unique<std::vector<WyckoffLabel>>(group.wyckoff.size());
  SpglibDataset* ds = spg_get_dataset_with_hall_number(lattice, reinterpret_cast<double(*)[3]>(pos.data()), types.data(),
                                                       static_cast<int>(pos.size()), group.hall, 1e-5);
  if (ds && ds->spacegroup_number == group.number) {
    for (std::size_t w = 0; w < group.wyckoff.size(); ++w) {
      const int l = ds->wyckoffs[first[w]];
      (*out)[w].letter = static_cast<char>(l < 26 ? 'a' + l : 'A' + l - 26);
      (*out)[w].site_symmetry = ds->site_symmetry_symbols[first[w]];
      const auto trim = (*out)[w].site_symmetry.find_last_not_of(" ");
      (*out)[w].site_symmetry.erase(trim == std::string::npos ? 0 : trim + 1);
    }
  }
  if (ds) spg_free_dataset(ds);
  cached = std::move(out);
  return *cached;
}

std::string coordinate_triplet(const WyckoffPosition& w) {
  std::string out;
  for (int i = 0; i < 3; ++i) {
    std::string c;
    for (int d = 0; d < w.dim; ++d) {
      const int k = w.directions[d][i];
      if (k == 0) continue;
      if (k < 0) c += "-";
      else if (!c.empty()) c += "+";
      if (std::abs(k) != 1) c += std::to_string(std::abs(k));
      c += "xyz"[pivot(w.directions[d])];
    }
    const double o = w.origin[i];
    if (o != 0 || c.empty()) {
      int q = 1;
      while (q < 96 && std::abs(o * q - std::round(o * q)) > 1e-9) ++q;
      const long p = std::lround(o * q);
      if (!c.empty()) c += "+";
      c += p == 0 ? "0" : std::to_string(p) + (q == 1 ? "" : "/" + std::to_string(q));
    }
    out += (i ? "," : "") + c;
  }
  return out;
}

}  // namespace af::sampler
