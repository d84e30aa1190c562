#include "atomforge/samplers/symmetric.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "atomforge/src/structure/cell.hpp"

namespace af::sampler {

namespace {

constexpr double kPi = 3.14159265358979323846;
using cell::Vec3;

}  // namespace

WyckoffCounts::WyckoffCounts(const SpaceGroup& group, std::vector<int> counts) : g_(group), counts_(std::move(counts)) {
  int most = 0;
  for (int c : counts_) most = std::max(most, c);
  reach_.assign(most + 1, 0);
  reach_[0] = 1;
  for (const WyckoffPosition& w : g_.wyckoff) {
    point_of_.push_back(w.dim == 0 ? static_cast<int>(point_mult_.size()) : -1);
    if (w.dim == 0) point_mult_.push_back(w.multiplicity);
    else
      for (int n = w.multiplicity; n <= most; ++n) reach_[n] |= reach_[n - w.multiplicity];
  }
}

bool WyckoffCounts::fill(int k, int left, std::uint32_t used) {
  if (left < 0) return false;
  const std::uint64_t key = (static_cast<std::uint64_t>(k) << 56) | (static_cast<std::uint64_t>(left) << 32) | used;
  if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
  const bool v = subsets(k, left, used, 0);
  memo_.emplace(key, v);
  return v;
}

// Point positions from index `from` on, each taken or not; the rest from lines and planes.
bool WyckoffCounts::subsets(int k, int left, std::uint32_t used, std::size_t from) {
  if (reach_[left] && rest(k + 1, used)) return true;
  for (std::size_t p = from; p < point_mult_.size(); ++p)
    if (!(used >> p & 1u) && point_mult_[p] <= left && subsets(k, left - point_mult_[p], used | 1u << p, p + 1))
      return true;
  return false;
}

std::string multiplicities(const SpaceGroup& group) {
  std::string s;
  for (const WyckoffPosition& w : group.wyckoff) s += (s.empty() ? "" : ", ") + std::to_string(w.multiplicity);
  return s;
}

namespace {

// The lattice vectors (rows) of the family, random with lengths within a factor `spread`
// of 1 (log-uniform) and free angles 60-120 degrees, scaled to the volume.
cell::Mat3 random_lattice(Family f, double volume, double spread, rng::Stream& r) {
  const double l = std::log(spread);
  auto length = [&] { return std::exp(l * (2 * r.uniform() - 1)); };
  cell::Parameters p{length(), length(), length(), 90, 90, 90};
  switch (f) {
    case Family::triclinic:
      p.alpha = 60 + 60 * r.uniform(), p.beta = 60 + 60 * r.uniform(), p.gamma = 60 + 60 * r.uniform();
      break;
    case Family::monoclinic: p.beta = 60 + 60 * r.uniform(); break;  // unique axis b
    case Family::orthorhombic: break;
    case Family::tetragonal: p.b = p.a; break;
    case Family::hexagonal: p.b = p.a, p.gamma = 120; break;
    case Family::cubic: p.b = p.c = p.a; break;
  }
  const double ca = std::cos(p.alpha * kPi / 180), cb = std::cos(p.beta * kPi / 180), cg = std::cos(p.gamma * kPi / 180);
  const double g = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
  if (g < 0.1) return {};  // nearly flat: the caller draws again
  const double s = std::cbrt(volume / (p.a * p.b * p.c * std::sqrt(g)));
  p.a *= s, p.b *= s, p.c *= s;
  return cell::from_parameters(p);
}

struct Geometry {
  cell::Mat3 rows, to_reduced, mapping, reduced;
  // Shortest lattice image of the fractional difference d, as a fractional difference.
  Vec3 shortest(const Vec3& d) const {
    Vec3 f = cell::mul(d, to_reduced);
    for (double& c : f) c -= std::round(c);
    Vec3 best = f;
    double len = HUGE_VAL;
    for (int a = -1; a <= 1; ++a)
      for (int b = -1; b <= 1; ++b)
        for (int c = -1; c <= 1; ++c) {
          const Vec3 t{f[0] + a, f[1] + b, f[2] + c};
          if (const double l = cell::norm(cell::mul(t, reduced)); l < len) len = l, best = t;
        }
    return cell::mul(best, mapping);
  }
  // Squared distance of the nearest images (the 27 cells around the rounded difference
  // in the LLL basis hold it), with those cells' offsets precomputed.
  std::array<Vec3, 27> offsets;
  void prepare() {
    int k = 0;
    for (int a = -1; a <= 1; ++a)
      for (int b = -1; b <= 1; ++b)
        for (int c = -1; c <= 1; ++c) offsets[k++] = cell::mul(Vec3{double(a), double(b), double(c)}, reduced);
  }
  double distance2(const Vec3& a, const Vec3& b) const {
    Vec3 f{};
    for (int j = 0; j < 3; ++j) {
      f[j] = (a[0] - b[0]) * to_reduced[0][j] + (a[1] - b[1]) * to_reduced[1][j] + (a[2] - b[2]) * to_reduced[2][j];
      f[j] -= std::nearbyint(f[j]);
    }
    Vec3 c{};
    for (int j = 0; j < 3; ++j) c[j] = f[0] * reduced[0][j] + f[1] * reduced[1][j] + f[2] * reduced[2][j];
    double best = HUGE_VAL;
    for (const Vec3& o : offsets) {
      const double x = c[0] + o[0], y = c[1] + o[1], z = c[2] + o[2];
      best = std::min(best, x * x + y * y + z * z);
    }
    return best;
  }
};

Vec3 image(const SymOp& op, const Vec3& x) {
  Vec3 y{};
  for (int i = 0; i < 3; ++i)
    y[i] = cell::mod1(op.r[i][0] * x[0] + op.r[i][1] * x[1] + op.r[i][2] * x[2] + op.t[i] / static_cast<double>(kGrid));
  return y;
}

// Distinct images of x (fractional coordinates equal to 1e-7 count as one).
std::vector<Vec3> orbit(const SpaceGroup& g, const Vec3& x) {
  std::vector<Vec3> out;
  for (const SymOp& op : g.ops) {
    const Vec3 y = image(op, x);
    bool seen = false;
    for (const Vec3& z : out) {
      const double d0 = y[0] - z[0], d1 = y[1] - z[1], d2 = y[2] - z[2];
      if (std::abs(d0 - std::nearbyint(d0)) < 1e-7 && std::abs(d1 - std::nearbyint(d1)) < 1e-7 &&
          std::abs(d2 - std::nearbyint(d2)) < 1e-7) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(y);
  }
  return out;
}

// Whether two distinct points of pts come closer than d.
bool any_closer(const std::vector<Vec3>& pts, const Geometry& geo, double d) {
  for (std::size_t i = 0; i < pts.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (geo.distance2(pts[i], pts[j]) < d * d) return true;
  return false;
}

// The Wyckoff position holding x: some image of x lies on its representative subspace.
int locate(const SpaceGroup& g, const Vec3& x, int multiplicity) {
  for (std::size_t w = 0; w < g.wyckoff.size(); ++w) {
    const WyckoffPosition& p = g.wyckoff[w];
    if (p.multiplicity != multiplicity) continue;
    if (p.dim == 3) return static_cast<int>(w);
    for (const SymOp& op : g.ops) {
      const Vec3 y = image(op, x);
      Vec3 v{y[0] - p.origin[0], y[1] - p.origin[1], y[2] - p.origin[2]};
      // Integer offsets at the pivot coordinates; back substitution gives the parameters.
      const int combos = p.dim == 0 ? 1 : p.dim == 1 ? 7 : 49;
      for (int c = 0; c < combos; ++c) {
        Vec3 res = v;
        const int n[2] = {c % 7 - 3, c / 7 - 3};
        bool ok = true;
        for (int k = 0; k < p.dim && ok; ++k) {
          const auto& d = p.directions[k];
          const int piv = d[0] ? 0 : d[1] ? 1 : 2;
          const double t = (res[piv] - n[k]) / d[piv];
          for (int i = 0; i < 3; ++i) res[i] -= t * d[i];
        }
        for (double r : res) ok = ok && std::abs(r - std::round(r)) < 1e-6;
        if (ok) return static_cast<int>(w);
      }
    }
  }
  return -1;
}

}  // namespace

bool place_symmetric(const SymmetricRequest& req, rng::Stream& r, Structure& out, std::string& wyckoff) {
  const SpaceGroup& g = *req.group;
  const auto& d = *req.d;
  Geometry geo;
  geo.rows = random_lattice(g.family, req.volume, req.spread, r);
  if (cell::det(geo.rows) == 0) return false;
  double dmax = 0;
  for (const auto& row : d)
    for (double v : row) dmax = std::max(dmax, v);
  double h[3][3], rot[3][3];
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) h[i][k] = geo.rows[i][k];
  out.box = Box::from_vectors(h, rot);
  const auto spacing = out.box.plane_spacing();
  if (*std::min_element(spacing.begin(), spacing.end()) < dmax) return false;
  const cell::Lll l = cell::lll_reduce(geo.rows);
  geo.reduced = l.matrix, geo.mapping = l.mapping, geo.to_reduced = cell::inverse(l.mapping);
  geo.prepare();

  const auto& labels = wyckoff_labels(g);
  WyckoffCounts counts(g, req.counts);
  std::vector<Vec3> placed;
  std::vector<int> kind;
  std::uint32_t used = 0;
  wyckoff.clear();
  for (int k = 0; k < static_cast<int>(req.counts.size()); ++k) {
    int left = req.counts[k];
    while (left > 0) {
      std::vector<int> options;  // positions that keep the composition reachable
      for (std::size_t w = 0; w < g.wyckoff.size(); ++w) {
        const WyckoffPosition& p = g.wyckoff[w];
        const int pi = counts.point_index(w);
        if (p.multiplicity > left || (pi >= 0 && (used >> pi & 1u))) continue;
        if (counts.fill(k, left - p.multiplicity, pi >= 0 ? used | 1u << pi : used)) options.push_back(static_cast<int>(w));
      }
      bool done = false;
      while (!options.empty() && !done) {
        const std::size_t pick = std::min(options.size() - 1, static_cast<std::size_t>(r.uniform() * options.size()));
        const WyckoffPosition& p = g.wyckoff[options[pick]];
        for (int t = 0; t < (p.dim == 0 ? 1 : req.tries) && !done; ++t) {
          Vec3 x = p.origin;
          for (int c = 0; c < p.dim; ++c) {
            const double s = r.uniform();
            for (int i = 0; i < 3; ++i) x[i] += s * p.directions[c][i];
          }
          int where = options[pick];
          std::vector<Vec3> pts = orbit(g, x);
          if (any_closer(pts, geo, d[k][k])) {
            // Images too close: move to their centroid, a special position, if that is one.
            Vec3 shift{0, 0, 0};
            int near = 0;
            for (const SymOp& op : g.ops) {
              const Vec3 y = image(op, x);
              const Vec3 dy = geo.shortest({y[0] - x[0], y[1] - x[1], y[2] - x[2]});
              if (cell::norm(cell::mul(dy, geo.rows)) < d[k][k]) {
                for (int i = 0; i < 3; ++i) shift[i] += dy[i];
                ++near;
              }
            }
            for (int i = 0; i < 3; ++i) x[i] = cell::mod1(x[i] + shift[i] / near);
            pts = orbit(g, x);
            if (any_closer(pts, geo, d[k][k]) || static_cast<int>(pts.size()) > left) continue;
            where = locate(g, x, static_cast<int>(pts.size()));
            if (where < 0) continue;
            const int pi = counts.point_index(where);
            if (pi >= 0 && (used >> pi & 1u)) continue;
            if (!counts.fill(k, left - static_cast<int>(pts.size()), pi >= 0 ? used | 1u << pi : used)) continue;
          }
          bool ok = true;
          for (std::size_t a = 0; a < pts.size() && ok; ++a)
            for (std::size_t b = 0; b < placed.size() && ok; ++b)
              ok = geo.distance2(pts[a], placed[b]) >= d[k][kind[b]] * d[k][kind[b]];
          if (!ok) continue;
          if (const int pi = counts.point_index(where); pi >= 0) used |= 1u << pi;
          placed.insert(placed.end(), pts.begin(), pts.end());
          kind.insert(kind.end(), pts.size(), k);
          left -= static_cast<int>(pts.size());
          wyckoff += (wyckoff.empty() ? "" : " ") + out.species[k] + ":" +
                     std::to_string(g.wyckoff[where].multiplicity) + labels[where].letter;
          done = true;
        }
        if (!done) options.erase(options.begin() + static_cast<long>(pick));
      }
      if (!done) return false;
    }
  }
  for (std::size_t i = 0; i < placed.size(); ++i) {
    const double u[3] = {placed[i][0], placed[i][1], placed[i][2]};
    double xc[3];
    out.box.to_cart(u, xc);
    out.x.insert(out.x.end(), xc, xc + 3);
    out.type.push_back(kind[i]);
    out.id.push_back(static_cast<long>(i + 1));
  }
  return true;
}

}  // namespace af::sampler
