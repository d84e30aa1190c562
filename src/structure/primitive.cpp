// pymatgen 2022.11's Structure.get_primitive_structure(tolerance), step for step: the
// candidate translations from the rarest species, supercell matrices in Hermite normal
// form for each divisor of the formula-unit count, the site groups each must map onto
// each other, positions averaged within a group, then recursion and Niggli reduction.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "atomforge/src/structure/cell.hpp"

namespace af::cell {

namespace {

bool within(const Vec3& d, const Vec3& tol) {  // |d - round(d)| < tol on every axis
  for (int k = 0; k < 3; ++k)
    if (!(std::fabs(d[k] - std::nearbyint(d[k])) < tol[k])) return false;
  return true;
}
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

// Calls visit(size, m) for every supercell matrix m = [[a, b, c], [0, e, f], [0, 0, g]]
// of determinant det | fu, det > 1, in pymatgen's get_hnf order (det, a, e ascending;
// then b, c, f), skipping those whose inverse has a row that keep_row rejects: rows 3
// (0, 0, 1/g) and 2 (0, 1/e, -f/(e g)) are tested once for all the matrices sharing them.
template <class KeepRow, class Visit>
bool for_each_hnf(int fu, const KeepRow& keep_row, const Visit& visit) {
  std::vector<char> f_ok;
  for (int det = 2; det <= fu; ++det) {
    if (fu % det) continue;
    for (int a = 1; a <= det; ++a) {
      if (det % a) continue;
      for (int e = 1; e <= det / a; ++e) {
        if ((det / a) % e) continue;
        const int g = det / a / e;
        if (!keep_row(Vec3{0.0, 0.0, 1.0 / g})) continue;
        f_ok.assign(e, 0);
        for (int f = 0; f < e; ++f) f_ok[f] = keep_row(Vec3{0.0, 1.0 / e, -double(f) / (double(e) * g)});
        for (int b = 0; b < a; ++b)
          for (int c = 0; c < a; ++c)
            for (int f = 0; f < e; ++f) {
              if (!f_ok[f]) continue;
              const Mat3 m = {Vec3{double(a), double(b), double(c)}, Vec3{0.0, double(e), double(f)},
                              Vec3{0.0, 0.0, double(g)}};
              const Mat3 inv = inverse(m);
              if (!keep_row(inv[0])) continue;
              if (visit(det, m, inv)) return true;
            }
      }
    }
  }
  return false;
}

}  // namespace

Cell primitive_cell(const Cell& cell, double tolerance) {
  const std::size_t n = cell.size();
  if (n == 0) return cell;
  // Sites grouped by species (ascending id; stable within a species).
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return cell.species[x] < cell.species[y]; });
  std::vector<std::vector<int>> groups;
  for (std::size_t k = 0; k < n; ++k) {
    if (k == 0 || cell.species[order[k]] != cell.species[order[k - 1]]) groups.emplace_back();
    groups.back().push_back(order[k]);
  }
  std::vector<std::vector<Vec3>> gf(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (int i : groups[g]) gf[g].push_back(cell.frac[i]);

  std::size_t gmin = 0;
  for (std::size_t g = 1; g < groups.size(); ++g)
    if (gf[g].size() < gf[gmin].size()) gmin = g;
  std::vector<Vec3> min_vecs;
  for (const auto& f : gf[gmin]) min_vecs.push_back(sub(f, gf[gmin][0]));

  const Parameters p = parameters(cell.lattice);
  const Vec3 super_ftol = {tolerance / p.a, tolerance / p.b, tolerance / p.c};
  const Vec3 super_ftol_2 = {2 * super_ftol[0], 2 * super_ftol[1], 2 * super_ftol[2]};

  // Keep the translations that map every site near a site of its species.
  for (const auto& g : gf)
    for (const auto& f : g) {
      std::vector<Vec3> kept;
      for (const auto& v : min_vecs)
        for (const auto& x : g)
          if (within(sub(v, sub(x, f)), super_ftol_2)) {
            kept.push_back(v);
            break;
          }
      min_vecs.swap(kept);
    }

  // Sites may not match their own neighbours in the supercell.
  std::vector<std::vector<char>> non_nbrs(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t m = gf[g].size();
    non_nbrs[g].assign(m * m, 0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < m; ++j) {
        const Vec3 d = sub(gf[g][j], gf[g][i]);
        bool far = i == j;
        for (int k = 0; k < 3; ++k) far = far || std::fabs(d[k] - std::nearbyint(d[k])) > super_ftol_2[k];
        non_nbrs[g][i * m + j] = far;
      }
  }

  int num_fu = 0;
  for (const auto& g : gf) num_fu = std::gcd(num_fu, static_cast<int>(g.size()));
  // A translation of the smaller cell must be close to one of min_vecs.
  auto keep_row = [&](const Vec3& r) {
    for (const auto& v : min_vecs)
      if (within(sub(r, v), super_ftol)) return true;
    return false;
  };
  Cell found;
  auto try_matrix = [&](int size, const Mat3& hm, const Mat3& inv_m) {
    const Mat3 new_m = mul(inv_m, cell.lattice);
    const Vec3 ftol = {tolerance / norm(new_m[0]), tolerance / norm(new_m[1]), tolerance / norm(new_m[2])};
    Cell out;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::size_t m = gf[g].size();
      std::vector<Vec3> all_frac(m);
      for (std::size_t i = 0; i < m; ++i) all_frac[i] = mul(gf[g][i], hm);
      std::vector<char> grp(m * m);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < m; ++j)
          grp[i * m + j] = within(sub(all_frac[j], all_frac[i]), ftol) && non_nbrs[g][i * m + j];
      for (std::size_t j = 0; j < m; ++j) {  // each site in exactly `size` groups
        int count = 0;
        for (std::size_t i = 0; i < m; ++i) count += grp[i * m + j];
        if (count != size) return false;
      }
      for (std::size_t i = 0; i < m; ++i)  // each group a clique
        for (std::size_t x = 0; x < m; ++x)
          for (std::size_t y = 0; y < m; ++y)
            if (grp[i * m + x] && grp[i * m + y] && !grp[x * m + y]) return false;
      std::vector<Vec3> nf(m);
      for (std::size_t i = 0; i < m; ++i)
        for (int k = 0; k < 3; ++k) nf[i][k] = mod1(all_frac[i][k]);
      std::vector<char> added(m, 0);
      for (std::size_t i = 0; i < m; ++i) {
        if (added[i]) continue;
        std::vector<std::size_t> inds;
        for (std::size_t j = 0; j < m; ++j)
          if (grp[i * m + j]) {
            added[j] = 1;
            inds.push_back(j);
          }
        Vec3& coords = nf[inds[0]];  // pymatgen averages in place, as here
        for (std::size_t t = 1; t < inds.size(); ++t) {
          const Vec3 off = sub(nf[inds[t]], coords);
          for (int k = 0; k < 3; ++k) coords[k] += (off[k] - std::nearbyint(off[k])) / double(t + 1);
        }
        out.frac.push_back(coords);
        out.species.push_back(cell.species[groups[g][inds[0]]]);
      }
    }
    out.lattice = mul(inverse(hm), cell.lattice);
    found = std::move(out);
    return true;
  };
  if (for_each_hnf(num_fu, keep_row, try_matrix)) return niggli_cell(primitive_cell(found, tolerance));
  return cell;
}

}  // namespace af::cell
