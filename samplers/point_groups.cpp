#include "atomforge/samplers/point_groups.hpp"

#include <spglib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "atomforge/samplers/space_groups.hpp"

namespace af::sampler {

namespace {

using V3 = std::array<double, 3>;

Mat3d mul(const Mat3d& a, const Mat3d& b) {
  Mat3d c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}
V3 rotate(const Mat3d& m, const V3& x) {
  return {m[0][0] * x[0] + m[0][1] * x[1] + m[0][2] * x[2], m[1][0] * x[0] + m[1][1] * x[1] + m[1][2] * x[2],
          m[2][0] * x[0] + m[2][1] * x[1] + m[2][2] * x[2]};
}
double dist(const V3& a, const V3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}
bool same(const Mat3d& a, const Mat3d& b) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (std::abs(a[i][j] - b[i][j]) > 1e-9) return false;
  return true;
}

// Distinct images of x (closer than 1e-9 count as one).
std::vector<V3> orbit(const PointGroup& g, const V3& x) {
  std::vector<V3> out;
  for (const Mat3d& m : g.ops) {
    const V3 y = rotate(m, x);
    if (std::none_of(out.begin(), out.end(), [&](const V3& z) { return dist(y, z) < 1e-9; })) out.push_back(y);
  }
  return out;
}

PointGroup build(int spacegroup, const std::string& symbol) {
  PointGroup g;
  g.symbol = symbol, g.spacegroup = spacegroup;
  const SpaceGroup& sg = space_group(spacegroup);
  // Cartesian form L^T R L^-T with a lattice of the family (unit lengths; gamma 120 for hexagonal).
  const bool hex = sg.family == Family::hexagonal;
  const Mat3d lt = hex ? Mat3d{{{1, -0.5, 0}, {0, std::sqrt(3.0) / 2, 0}, {0, 0, 1}}} : Mat3d{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  const Mat3d lti = hex ? Mat3d{{{1, 1 / std::sqrt(3.0), 0}, {0, 2 / std::sqrt(3.0), 0}, {0, 0, 1}}} : lt;
  for (const SymOp& op : sg.ops) {
    Mat3d r{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) r[i][j] = op.r[i][j];
    const Mat3d m = mul(mul(lt, r), lti);
    if (std::none_of(g.ops.begin(), g.ops.end(), [&](const Mat3d& o) { return same(o, m); })) g.ops.push_back(m);
  }
  // Site types: the fixed space of each operation (projector = the average over the
  // cyclic group it generates), conjugates merged; the origin and the general position.
  std::vector<Mat3d> projectors{Mat3d{}};  // origin
  for (const Mat3d& m : g.ops) {
    Mat3d p{}, power{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
    int order = 0;
    do {
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) p[i][j] += power[i][j];
      power = mul(power, m);
      ++order;
    } while (!same(power, Mat3d{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}) && order < 12);
    for (auto& row : p)
      for (double& v : row) v /= order;
    const bool seen = std::any_of(projectors.begin(), projectors.end(), [&](const Mat3d& q) {
      return std::any_of(g.ops.begin(), g.ops.end(), [&](const Mat3d& o) {
        Mat3d ot{};
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) ot[i][j] = o[j][i];
        return same(mul(mul(o, q), ot), p);
      });
    });
    if (!seen) projectors.push_back(p);
  }
  for (const Mat3d& p : projectors) {
    SiteType s;
    s.project = p;
    s.dim = static_cast<int>(std::lround(p[0][0] + p[1][1] + p[2][2]));  // trace of a projector
    const V3 x = rotate(p, V3{0.3711, 0.5297, 0.7613});
    s.size = static_cast<int>(orbit(g, x).size());
    g.sites.push_back(s);
  }
  std::stable_sort(g.sites.begin(), g.sites.end(), [](const SiteType& a, const SiteType& b) { return a.dim < b.dim; });
  return g;
}

// Species k on: can it and those after it be completed (origin_free: the origin untaken)?
bool completes(const PointGroup& g, const std::vector<int>& counts, std::size_t k, int left, bool origin_free,
               std::map<std::tuple<std::size_t, int, bool>, bool>& memo) {
  if (left == 0) return k + 1 == counts.size() || completes(g, counts, k + 1, counts[k + 1], origin_free, memo);
  const auto key = std::make_tuple(k, left, origin_free);
  if (const auto it = memo.find(key); it != memo.end()) return it->second;
  bool ok = false;
  for (std::size_t s = 0; s < g.sites.size() && !ok; ++s) {
    const bool origin = g.sites[s].dim == 0;
    if ((origin && !origin_free) || g.sites[s].size > left) continue;
    ok = completes(g, counts, k, left - g.sites[s].size, origin_free && !origin, memo);
  }
  memo[key] = ok;
  return ok;
}

}  // namespace

const std::vector<PointGroup>& point_groups() {
  static std::once_flag once;
  static std::vector<PointGroup> groups;
  std::call_once(once, [] {
    std::map<std::string, bool> seen;
    for (int hall = 1; hall <= 530; ++hall) {
      const SpglibSpacegroupType t = spg_get_spacegroup_type(hall);
      if (seen[t.pointgroup_international]) continue;
      seen[t.pointgroup_international] = true;
      std::string symbol = t.pointgroup_international;
      symbol.erase(symbol.find_last_not_of(' ') + 1);
      groups.push_back(build(t.number, symbol));
    }
  });
  return groups;
}

const PointGroup* find_point_group(const std::string& symbol) {
  for (const PointGroup& g : point_groups())
    if (g.symbol == symbol) return &g;
  return nullptr;
}

bool cluster_counts_possible(const PointGroup& g, const std::vector<int>& counts) {
  std::map<std::tuple<std::size_t, int, bool>, bool> memo;
  return !counts.empty() && completes(g, counts, 0, counts[0], true, memo);
}

bool place_symmetric_cluster(const ClusterRequest& req, rng::Stream& r, Structure& out, std::string& sites) {
  const PointGroup& g = *req.group;
  const auto& d = *req.d;
  const double radius = std::cbrt(3.0 * req.volume / (4.0 * 3.14159265358979323846));
  std::vector<V3> placed;
  std::vector<int> kind;
  std::map<std::tuple<std::size_t, int, bool>, bool> memo;
  bool origin_free = true;
  sites.clear();
  for (std::size_t k = 0; k < req.counts.size(); ++k) {
    int left = req.counts[k];
    while (left > 0) {
      std::vector<std::size_t> options;
      for (std::size_t s = 0; s < g.sites.size(); ++s) {
        const bool origin = g.sites[s].dim == 0;
        if ((origin && !origin_free) || g.sites[s].size > left) continue;
        if (completes(g, req.counts, k, left - g.sites[s].size, origin_free && !origin, memo)) options.push_back(s);
      }
      bool done = false;
      while (!options.empty() && !done) {
        const std::size_t pick = std::min(options.size() - 1, static_cast<std::size_t>(r.uniform() * options.size()));
        const SiteType& site = g.sites[options[pick]];
        for (int t = 0; t < (site.dim == 0 ? 1 : req.tries) && !done; ++t) {
          // A uniform point of the site's subspace within the sphere.
          V3 x{};
          if (site.dim > 0) {
            V3 dir{};
            double len = 0;
            do {
              const V3 gauss{r.normal(), r.normal(), r.normal()};
              dir = rotate(site.project, gauss);
              len = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
            } while (len < 1e-6);
            const double rad = radius * std::pow(r.uniform(), 1.0 / site.dim);
            for (int i = 0; i < 3; ++i) x[i] = dir[i] / len * rad;
          }
          std::vector<V3> pts = orbit(g, x);
          const auto crowded = [&](const std::vector<V3>& p) {
            for (std::size_t a = 0; a < p.size(); ++a)
              for (std::size_t b = 0; b < a; ++b)
                if (dist(p[a], p[b]) < d[k][k]) return true;
            return false;
          };
          if (crowded(pts)) {  // merge onto the centroid of the images near x
            V3 c{0, 0, 0};
            int near = 0;
            for (const Mat3d& m : g.ops)
              if (const V3 y = rotate(m, x); dist(y, x) < d[k][k]) {
                for (int i = 0; i < 3; ++i) c[i] += y[i];
                ++near;
              }
            for (int i = 0; i < 3; ++i) x[i] = c[i] / near;
            pts = orbit(g, x);
            if (crowded(pts) || static_cast<int>(pts.size()) > left) continue;
          }
          const bool at_origin = std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) < 1e-9;
          if (at_origin && !origin_free) continue;
          if (!completes(g, req.counts, k, left - static_cast<int>(pts.size()), origin_free && !at_origin, memo))
            continue;
          bool ok = true;
          for (std::size_t a = 0; a < pts.size() && ok; ++a)
            for (std::size_t b = 0; b < placed.size() && ok; ++b) ok = dist(pts[a], placed[b]) >= d[k][kind[b]];
          if (!ok) continue;
          origin_free = origin_free && !at_origin;
          placed.insert(placed.end(), pts.begin(), pts.end());
          kind.insert(kind.end(), pts.size(), static_cast<int>(k));
          left -= static_cast<int>(pts.size());
          sites += (sites.empty() ? "" : " ") + out.species[k] + ":" + std::to_string(pts.size());
          done = true;
        }
        if (!done) options.erase(options.begin() + static_cast<long>(pick));
      }
      if (!done) return false;
    }
  }
  double dmax = 0;
  for (const auto& row : d)
    for (double v : row) dmax = std::max(dmax, v);
  const double side = 2.0 * radius + 10.0 * std::max(dmax, 1e-3);
  const double lo[3] = {-side / 2, -side / 2, -side / 2}, hi[3] = {side / 2, side / 2, side / 2};
  out.box = Box::orthogonal(lo, hi);
  for (bool& p : out.box.periodic) p = false;
  for (std::size_t i = 0; i < placed.size(); ++i) {
    out.x.insert(out.x.end(), placed[i].begin(), placed[i].end());
    out.type.push_back(kind[i]);
    out.id.push_back(static_cast<long>(i + 1));
  }
  return true;
}

}  // namespace af::sampler
