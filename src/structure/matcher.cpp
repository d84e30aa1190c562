#include "atomforge/src/structure/matcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "atomforge/src/structure/assignment.hpp"

namespace af::cell {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kFar = 1e20;  // pymatgen's value for pairs beyond the pre-filter

// Species fractions equal within 1e-8 (pymatgen's Composition equality).
bool same_fractional_composition(const Cell& a, const Cell& b) {
  std::map<int, double> fa, fb;
  for (int s : a.species) fa[s] += 1.0 / a.size();
  for (int s : b.species) fb[s] += 1.0 / b.size();
  for (const auto& [s, x] : fa)
    if (std::fabs(x - (fb.count(s) ? fb[s] : 0.0)) > 1e-8) return false;
  for (const auto& [s, x] : fb)
    if (std::fabs(x - (fa.count(s) ? fa[s] : 0.0)) > 1e-8) return false;
  return true;
}

Mat3 scaled(const Mat3& m, double f) {
  Mat3 o = m;
  for (auto& r : o)
    for (auto& x : r) x *= f;
  return o;
}

// Every subset site (t_s2) within frac_tol of an allowed superset site (fc1), per axis
// (pymatgen's is_coord_subset_pbc; C round, half away from zero).
bool coord_subset_pbc(const std::vector<Vec3>& sub, const std::vector<Vec3>& sup, const Vec3& tol,
                      const std::vector<char>& mask) {
  const std::size_t ns = sup.size();
  for (std::size_t i = 0; i < sub.size(); ++i) {
    bool ok = false;
    for (std::size_t j = 0; j < ns && !ok; ++j) {
      if (mask[i * ns + j]) continue;
      ok = true;
      for (int k = 0; k < 3 && ok; ++k) {
        const double d = sub[i][k] - sup[j][k];
        ok = std::fabs(d - std::round(d)) <= tol[k];
      }
    }
    if (!ok) return false;
  }
  return true;
}

// Distances from each s2 site (t_s2) to its assigned s1 site (fc1) after the mean
// displacement is removed, times normalization; empty when the assignment needs a pair
// beyond the pre-filter (pymatgen's 1e20 entries).
std::vector<double> cart_dists(const std::vector<Vec3>& fc1, const std::vector<Vec3>& t_s2, const Mat3& avg,
                               const std::vector<char>& mask, double normalization, double stol) {
  const Lll lll = lll_reduce(avg);
  const Mat3 lll_inv = inverse(lll.mapping);
  const Vec3 rl = reciprocal_lengths(lll.matrix);
  const Vec3 ftol = {rl[0] * stol / (kPi * normalization), rl[1] * stol / (kPi * normalization),
                     rl[2] * stol / (kPi * normalization)};
  const std::size_t n1 = t_s2.size(), n2 = fc1.size();
  std::vector<Vec3> f1(n1), f2(n2), c1(n1), c2(n2);
  auto to_lll = [&](const Vec3& f, Vec3& fl, Vec3& c) {
    fl = mul(f, lll_inv);
    const Vec3 w = {mod1(fl[0]), mod1(fl[1]), mod1(fl[2])};
    c = mul(w, lll.matrix);
  };
  for (std::size_t i = 0; i < n1; ++i) to_lll(t_s2[i], f1[i], c1[i]);
  for (std::size_t j = 0; j < n2; ++j) to_lll(fc1[j], f2[j], c2[j]);
  Vec3 images[27];
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 3; ++c) images[9 * a + 3 * b + c] = mul(Vec3{double(a - 1), double(b - 1), double(c - 1)}, lll.matrix);

  std::vector<double> d2(n1 * n2, kFar);
  std::vector<Vec3> vecs(n1 * n2, Vec3{kFar, kFar, kFar});
  double big = 0;
  for (std::size_t i = 0; i < n1; ++i)
    for (std::size_t j = 0; j < n2; ++j) {
      if (mask[i * n2 + j]) continue;
      bool within = true;
      for (int l = 0; l < 3 && within; ++l) {
        const double fd = f2[j][l] - f1[i][l];
        within = !(std::fabs(fd - std::round(fd)) > ftol[l]);
      }
      if (!within) continue;
      const Vec3 pre = {c2[j][0] - c1[i][0], c2[j][1] - c1[i][1], c2[j][2] - c1[i][2]};
      double best = 1e100;
      int bk = 0;
      for (int k = 0; k < 27; ++k) {
        const double da = pre[0] + images[k][0], db = pre[1] + images[k][1], dc = pre[2] + images[k][2];
        const double d = da * da + db * db + dc * dc;
        if (d < best) {
          best = d;
          bk = k;
        }
      }
      d2[i * n2 + j] = best;
      vecs[i * n2 + j] = {pre[0] + images[bk][0], pre[1] + images[bk][1], pre[2] + images[bk][2]};
      big = std::max(big, best);
    }
  // Forbidden pairs cost more than any assignment of allowed ones (not 1e20, which
  // would swamp the allowed costs' precision in the potentials).
  const double forbidden = (big + 1.0) * double(n1 + 1) * 4.0;
  std::vector<double> cost(d2);
  for (auto& c : cost)
    if (c >= kFar) c = forbidden;
  const std::vector<int> col = min_cost_assignment(cost, static_cast<int>(n1));
  Vec3 mean{0, 0, 0};
  for (std::size_t i = 0; i < n1; ++i) {
    if (d2[i * n2 + col[i]] >= kFar) return {};
    for (int k = 0; k < 3; ++k) mean[k] += vecs[i * n2 + col[i]][k];
  }
  for (auto& x : mean) x /= double(n1);
  std::vector<double> dist(n1);
  for (std::size_t i = 0; i < n1; ++i) {
    const Vec3& v = vecs[i * n2 + col[i]];
    const double dx = v[0] - mean[0], dy = v[1] - mean[1], dz = v[2] - mean[2];
    dist[i] = std::sqrt(dx * dx + dy * dy + dz * dz) * normalization;
  }
  return dist;
}

}  // namespace

Cell StructureMatcher::reduce(const Cell& c) const {
  Cell r = niggli_cell(c);
  return o_.primitive_cell ? primitive_cell(r) : r;
}

bool StructureMatcher::fit(const Cell& a, const Cell& b) const {
  if (labelings(a, b).empty()) return false;  // compositions cannot agree
  return fit_reduced(reduce(a), reduce(b));
}

std::optional<RmsDist> StructureMatcher::rms_dist(const Cell& a, const Cell& b) const {
  return rms_dist_reduced(reduce(a), reduce(b));
}

bool StructureMatcher::fit_reduced(const Cell& a, const Cell& b) const {
  for (const Cell& m : labelings(a, b)) {
    const auto r = match(m, b, false, true);
    if (r && r->rms <= o_.stol) return true;
  }
  return false;
}

std::optional<RmsDist> StructureMatcher::rms_dist_reduced(const Cell& a, const Cell& b) const {
  if (!o_.anonymous) return match(a, b, true, false);
  std::optional<RmsDist> best;
  for (const Cell& m : labelings(a, b)) {
    const auto r = match(m, b, true, false);
    if (r && (!best || r->rms < best->rms)) best = r;
  }
  return best;
}

std::vector<Cell> StructureMatcher::labelings(const Cell& a, const Cell& b) const {
  if (!o_.anonymous) return same_fractional_composition(a, b) ? std::vector<Cell>{a} : std::vector<Cell>{};
  std::vector<int> sa(a.species), sb(b.species);
  for (auto* v : {&sa, &sb}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  std::vector<Cell> out;
  if (sa.size() != sb.size()) return out;
  std::vector<int> image = sb;  // image[k]: the b species a's k-th species becomes
  do {
    Cell m = a;
    for (int& s : m.species) s = image[std::lower_bound(sa.begin(), sa.end(), s) - sa.begin()];
    if (same_fractional_composition(m, b)) out.push_back(std::move(m));
  } while (std::next_permutation(image.begin(), image.end()));
  return out;
}

// Volumes scaled to their geometric mean, then the larger cell first.
std::optional<RmsDist> StructureMatcher::match(Cell a, Cell b, bool use_rms, bool break_on_match) const {
  if (o_.scale) {
    const double ratio = std::pow(b.volume() / a.volume(), 1.0 / 6.0);
    a.lattice = scaled(a.lattice, ratio);
    b.lattice = scaled(b.lattice, 1.0 / ratio);
  }
  if (a.size() >= b.size()) return strict_match(a, b, use_rms, break_on_match);
  return strict_match(b, a, use_rms, break_on_match);
}

// s2 onto s1 (rms holds the criterion's value: RMS or largest distance).
std::optional<RmsDist> StructureMatcher::strict_match(const Cell& s1, const Cell& s2, bool use_rms,
                                                      bool break_on_match) const {
  const std::size_t n1 = s1.size(), n2 = s2.size();
  if (n1 != n2 || n1 == 0) return std::nullopt;
  std::vector<char> mask(n2 * n1);
  for (std::size_t i = 0; i < n2; ++i)
    for (std::size_t j = 0; j < n1; ++j) mask[i * n1 + j] = s2.species[i] != s1.species[j];
  {  // a species-consistent bijection exists: equal species multisets
    std::vector<int> x = s1.species, y = s2.species;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x != y) return std::nullopt;
  }
  // Translations: the s2 site of the rarest species onto each s1 site of that species.
  std::size_t anchor = 0;
  int most = -1;
  for (std::size_t i = 0; i < n2; ++i) {
    int c = 0;
    for (std::size_t j = 0; j < n1; ++j) c += mask[i * n1 + j];
    if (c > most) {
      most = c;
      anchor = i;
    }
  }
  std::vector<std::size_t> targets;
  for (std::size_t j = 0; j < n1; ++j)
    if (!mask[anchor * n1 + j]) targets.push_back(j);

  const std::vector<Vec3> cart1 = s1.cart();
  const Parameters p2 = parameters(s2.lattice);
  std::optional<RmsDist> best;
  double best_val = std::numeric_limits<double>::infinity();
  for (const Mapping& map : find_all_mappings(s1.lattice, s2.lattice, o_.ltol, o_.angle_tol)) {
    if (std::fabs(std::fabs(det(map.scale)) - 1.0) >= 0.5) continue;
    const Mat3 inv = inverse(map.aligned);
    std::vector<Vec3> fc1(n1);
    for (std::size_t j = 0; j < n1; ++j) {
      fc1[j] = mul(cart1[j], inv);
      for (auto& x : fc1[j]) x -= std::floor(x);
    }
    const Parameters p1 = parameters(map.aligned);
    const Mat3 avg = from_parameters({(p1.a + p2.a) / 2, (p1.b + p2.b) / 2, (p1.c + p2.c) / 2,
                                      (p1.alpha + p2.alpha) / 2, (p1.beta + p2.beta) / 2, (p1.gamma + p2.gamma) / 2});
    const double normalization = std::cbrt(double(n1) / std::fabs(det(avg)));
    const Vec3 rl = reciprocal_lengths(avg);
    const Vec3 frac_tol = {rl[0] * o_.stol / (kPi * normalization), rl[1] * o_.stol / (kPi * normalization),
                           rl[2] * o_.stol / (kPi * normalization)};
    for (std::size_t s1i : targets) {
      Vec3 t;
      for (int k = 0; k < 3; ++k) t[k] = fc1[s1i][k] - s2.frac[anchor][k];
      std::vector<Vec3> t_s2(n2);
      for (std::size_t i = 0; i < n2; ++i)
        for (int k = 0; k < 3; ++k) t_s2[i][k] = s2.frac[i][k] + t[k];
      if (!coord_subset_pbc(t_s2, fc1, frac_tol, mask)) continue;
      const std::vector<double> dist = cart_dists(fc1, t_s2, avg, mask, normalization, o_.stol);
      if (dist.empty()) continue;
      double val = 0;
      if (use_rms) {
        for (double d : dist) val += d * d;
        val = std::sqrt(val) / std::sqrt(double(dist.size()));
      } else {
        for (double d : dist) val = std::max(val, d);
      }
      if (!best || val < best_val) {
        best_val = val;
        best = RmsDist{val, *std::max_element(dist.begin(), dist.end())};
        if ((break_on_match || val < 1e-5) && val < o_.stol) return best;
      }
    }
  }
  if (best && best_val < o_.stol) return best;
  return std::nullopt;
}

}  // namespace af::cell
