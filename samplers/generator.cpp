#include "atomforge/samplers/generator.hpp"

#include "atomforge/samplers/point_groups.hpp"
#include "atomforge/samplers/symmetric.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "atomforge/src/elements.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/structure/cell.hpp"

namespace af::sampler {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kClosePacking = 0.7405;  // pi / sqrt(18): no denser packing of equal spheres
constexpr long long kMaxAtoms = 100000;

std::string fixed(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", x);
  return b;
}

}  // namespace

std::vector<std::pair<std::string, int>> parse_formula(const std::string& f, int formula_units) {
  std::vector<std::pair<std::string, int>> out;
  std::size_t i = 0;
  while (i < f.size()) {
    if (!std::isupper(static_cast<unsigned char>(f[i])))
      throw GeneratorError("composition '" + f + "': expected an element symbol at '" + f.substr(i) + "'");
    std::string name(1, f[i++]);
    while (i < f.size() && std::islower(static_cast<unsigned char>(f[i]))) name += f[i++];
    const std::size_t digits = i;
    long long n = 0;
    while (i < f.size() && std::isdigit(static_cast<unsigned char>(f[i])) && n <= kMaxAtoms)
      n = 10 * n + (f[i++] - '0');
    if (i < f.size() && !std::isupper(static_cast<unsigned char>(f[i])))
      throw GeneratorError("composition '" + f + "': unexpected '" + f.substr(i, 1) + "'");
    if (i == digits) n = 1;
    n *= formula_units;
    if (n < 1 || n > kMaxAtoms)
      throw GeneratorError("composition '" + f + "': " + name + " needs 1 to " + std::to_string(kMaxAtoms) + " atoms");
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == name; });
    if (it != out.end()) it->second += static_cast<int>(n);  // Si2OSi: Si3O
    else out.emplace_back(name, static_cast<int>(n));
  }
  if (out.empty()) throw GeneratorError("composition is empty");
  long long total = 0;
  for (const auto& [name, n] : out) total += n;
  if (total > kMaxAtoms) throw GeneratorError("composition '" + f + "': more than " + std::to_string(kMaxAtoms) + " atoms");
  return out;
}

Generator::Generator(GeneratorSpec spec) : s_(std::move(spec)) {
  const auto& comp = s_.composition;
  if (comp.empty()) throw GeneratorError("composition is empty");
  long natoms = 0;
  for (const auto& [name, n] : comp) {
    if (n <= 0) throw GeneratorError("composition: " + name + " has " + std::to_string(n) + " atoms");
    natoms += n;
  }
  auto radius = [&](const std::string& name, const char* what) {
    const double r = covalent_radius(name);
    if (r <= 0) throw GeneratorError("no covalent radius for '" + name + "': give " + what);
    return r;
  };
  const std::size_t ns = comp.size();
  auto index = [&](const std::string& name) {
    for (std::size_t a = 0; a < ns; ++a)
      if (comp[a].first == name) return static_cast<int>(a);
    return -1;
  };
  d_.assign(ns, std::vector<double>(ns, -1.0));
  for (const auto& [pair, d] : s_.min_distance) {
    const int a = index(pair.first), b = index(pair.second);
    const std::string label = pair.first + "-" + pair.second;
    if (a < 0 || b < 0) throw GeneratorError("min_distance " + label + ": not a species of the composition");
    if (!(d >= 0)) throw GeneratorError("min_distance " + label + " must be >= 0");
    if (d_[a][b] >= 0 && d_[a][b] != d) throw GeneratorError("min_distance " + label + " is given twice, differently");
    d_[a][b] = d_[b][a] = d;
  }
  for (std::size_t a = 0; a < ns; ++a)
    for (std::size_t b = 0; b < ns; ++b)
      if (d_[a][b] < 0)
        d_[a][b] = s_.min_distance_scale * (radius(comp[a].first, "min_distance") + radius(comp[b].first, "min_distance"));
  const bool default_volume = s_.volume_min == 0 && s_.volume_max == 0;
  if (!default_volume && !(s_.volume_min > 0 && s_.volume_max >= s_.volume_min))
    throw GeneratorError("volume_per_atom: need 0 < MIN <= MAX, got " + fixed(s_.volume_min) + " " + fixed(s_.volume_max));
  if (default_volume) {
    double v0 = 0;
    for (const auto& [name, n] : comp) v0 += n * 4.0 / 3.0 * kPi * std::pow(radius(name, "volume_per_atom"), 3) / 0.5;
    v0 /= natoms;
    s_.volume_min = 0.7 * v0;
    s_.volume_max = 1.4 * v0;
  }
  // Spheres of radius rho_a = min_b d_ab / 2 around the atoms never overlap: they must fit
  // in the largest cell (or sphere, grown by rho), at no more than close packing when
  // their radii are equal (unequal spheres can pack more densely: then only the volume).
  std::vector<double> rho(ns);
  for (std::size_t a = 0; a < ns; ++a) rho[a] = *std::min_element(d_[a].begin(), d_[a].end()) / 2;
  double filled = 0;
  for (std::size_t a = 0; a < ns; ++a) filled += comp[a].second * 4.0 / 3.0 * kPi * std::pow(rho[a], 3);
  const bool equal = *std::min_element(rho.begin(), rho.end()) == *std::max_element(rho.begin(), rho.end());
  double space = natoms * s_.volume_max;
  if (s_.cluster)
    space = 4.0 / 3.0 * kPi *
            std::pow(std::cbrt(3.0 * space / (4.0 * kPi)) + *std::max_element(rho.begin(), rho.end()), 3);
  const double room = (equal ? kClosePacking : 1.0) * space;
  if (filled > room)
    throw GeneratorError("infeasible: spheres of half the minimum separations fill " + fixed(filled) +
                         " A^3, more than the " + fixed(room) + " A^3 that packing allows in the largest " +
                         (s_.cluster ? "sphere" : "cell") + " (" + fixed(natoms * s_.volume_max) +
                         " A^3 of atoms); raise volume_per_atom or lower min_distance");
  if (s_.max_cells < 1 || s_.tries_per_atom < 1) throw GeneratorError("max_cells and tries_per_atom must be >= 1");
  if (s_.mode == GeneratorMode::learned || s_.mode == GeneratorMode::mixture) load_flow();
  if (s_.mode == GeneratorMode::symmetric || s_.mode == GeneratorMode::mixture) {
    std::vector<int> counts;
    std::string what;
    for (const auto& [name, n] : comp) counts.push_back(n), what += name + std::to_string(n);
    if (s_.cluster) {
      if (s_.spacegroup != 0) throw GeneratorError("a cluster has a point group, not a space group");
      const auto& all = point_groups();
      for (std::size_t k = 0; k < all.size(); ++k)
        if ((s_.pointgroup.empty() || all[k].symbol == s_.pointgroup) && cluster_counts_possible(all[k], counts))
          groups_.push_back(static_cast<int>(k));
      if (!s_.pointgroup.empty() && !find_point_group(s_.pointgroup)) {
        std::string names;
        for (const auto& g : all) names += (names.empty() ? "" : ", ") + g.symbol;
        throw GeneratorError("point group '" + s_.pointgroup + "': not one of the 32 (" + names + ")");
      }
      if (groups_.empty()) throw GeneratorError("point group " + s_.pointgroup + " cannot hold " + what);
      return;
    }
    if (!s_.pointgroup.empty()) throw GeneratorError("a point group is for clusters (cluster: true)");
    if (s_.spacegroup != 0) {
      if (s_.spacegroup < 1 || s_.spacegroup > 230)
        throw GeneratorError("space group " + std::to_string(s_.spacegroup) + ": not in 1-230");
      const SpaceGroup& g = space_group(s_.spacegroup);
      if (!WyckoffCounts(g, counts).possible())
        throw GeneratorError("space group " + std::to_string(g.number) + " (" + g.symbol + ") cannot hold " + what +
                             ": no combination of its Wyckoff positions (multiplicities " + multiplicities(g) +
                             "; a point position once) makes those counts in the conventional cell");
      groups_ = {s_.spacegroup};
    } else {
      for (int n = 1; n <= 230; ++n)
        if (WyckoffCounts(space_group(n), counts).possible()) groups_.push_back(n);
      if (groups_.empty()) throw GeneratorError("no space group can hold " + what);  // P1 always can
    }
  }
}

Proposal Generator::propose_symmetric(std::uint64_t seed, std::uint64_t index) const {
  rng::Stream r(seed, index, 0x73796d);  // "sym"
  const auto& comp = s_.composition;
  SymmetricRequest req{nullptr, {}, &d_, 0, 1.5, s_.tries_per_atom};
  int natoms = 0;
  for (const auto& [name, n] : comp) req.counts.push_back(n), natoms += n;
  for (int attempt = 0; attempt < s_.max_cells; ++attempt) {
    const std::size_t pick = std::min(groups_.size() - 1, static_cast<std::size_t>(r.uniform() * groups_.size()));
    const double volume = natoms * (s_.volume_min + (s_.volume_max - s_.volume_min) * r.uniform());
    if (s_.cluster) {
      const PointGroup& pg = point_groups()[groups_[pick]];
      Proposal p;
      for (const auto& [name, count] : comp) p.structure.species.push_back(name);
      p.structure.masses.assign(comp.size(), 0.0);
      if (!place_symmetric_cluster({&pg, req.counts, &d_, volume, s_.tries_per_atom}, r, p.structure, p.wyckoff)) continue;
      p.spacegroup = 0, p.pointgroup = pg.symbol, p.style = "symmetric";
      return p;
    }
    req.group = &space_group(groups_[pick]);
    req.volume = volume;
    // Lengths within x1.5 at first; elongated cells later, for many atoms on one axis.
    req.spread = 1.5 * std::pow(3.0, std::min(1.0, 2.0 * attempt / s_.max_cells));
    Proposal p;
    for (const auto& [name, count] : comp) p.structure.species.push_back(name);
    p.structure.masses.assign(comp.size(), 0.0);
    if (!place_symmetric(req, r, p.structure, p.wyckoff)) continue;
    p.spacegroup = req.group->number;
    p.style = "symmetric";
    return p;
  }
  std::string what;
  for (const auto& [name, count] : comp) what += name + std::to_string(count);
  throw GeneratorError("could not place " + what + " on Wyckoff positions at the minimum separations in " +
                       std::to_string(s_.max_cells) + " random cells of " + fixed(s_.volume_min) + "-" +
                       fixed(s_.volume_max) + " A^3 per atom" +
                       (groups_.size() == 1 ? " in space group " + std::to_string(groups_[0]) : std::string()) +
                       "; raise volume_per_atom or lower min_distance");
}

Proposal Generator::propose(std::uint64_t seed, std::uint64_t index) const {
  if (s_.mode == GeneratorMode::mixture)
    return rng::Stream(seed, index, 0x6d6978).uniform() < s_.learned_weight  // "mix"
               ? propose_learned(seed, index)
               : propose_symmetric(seed, index);
  if (s_.mode == GeneratorMode::learned) return propose_learned(seed, index);
  if (s_.mode == GeneratorMode::symmetric) return propose_symmetric(seed, index);
  rng::Stream r(seed, index, 0x67656e);  // "gen"
  const auto& comp = s_.composition;
  std::vector<int> kind;  // species index per atom, species in the given order
  for (std::size_t a = 0; a < comp.size(); ++a) kind.insert(kind.end(), comp[a].second, static_cast<int>(a));
  const std::size_t n = kind.size();
  double dmax = 0;
  for (const auto& row : d_)
    for (double d : row) dmax = std::max(dmax, d);

  for (int attempt = 0; attempt < s_.max_cells; ++attempt) {
    const double volume = n * (s_.volume_min + (s_.volume_max - s_.volume_min) * r.uniform());
    Structure st;
    for (const auto& [name, count] : comp) st.species.push_back(name);
    st.masses.assign(comp.size(), 0.0);
    std::vector<cell::Vec3> pos;  // Cartesian (cluster) or fractional in the box's basis (crystal)
    if (s_.cluster) {
      const double radius = std::cbrt(3.0 * volume / (4.0 * kPi));
      const double side = 2.0 * radius + 10.0 * std::max(dmax, 1e-3);
      const double lo[3] = {-side / 2, -side / 2, -side / 2}, hi[3] = {side / 2, side / 2, side / 2};
      st.box = Box::orthogonal(lo, hi);
      for (bool& p : st.box.periodic) p = false;
      for (std::size_t i = 0; i < n && pos.size() == i; ++i)
        for (int t = 0; t < s_.tries_per_atom; ++t) {
          cell::Vec3 x;
          do {
            for (double& c : x) c = radius * (2.0 * r.uniform() - 1.0);
          } while (cell::norm(x) > radius);
          bool ok = true;
          for (std::size_t j = 0; j < i && ok; ++j) {
            const cell::Vec3 dx{x[0] - pos[j][0], x[1] - pos[j][1], x[2] - pos[j][2]};
            ok = cell::norm(dx) >= d_[kind[i]][kind[j]];
          }
          if (ok) {
            pos.push_back(x);
            break;
          }
        }
    } else {
      // Lengths within a factor 0.6-1.4 of each other, angles 60-120 degrees, scaled to
      // the volume; too flat for the separations (a plane spacing below the largest) is redrawn.
      cell::Parameters p{0.6 + 0.8 * r.uniform(), 0.6 + 0.8 * r.uniform(), 0.6 + 0.8 * r.uniform(),
                         60 + 60 * r.uniform(), 60 + 60 * r.uniform(), 60 + 60 * r.uniform()};
      const double ca = std::cos(p.alpha * kPi / 180), cb = std::cos(p.beta * kPi / 180),
                   cg = std::cos(p.gamma * kPi / 180);
      const double g = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
      if (g < 0.1) continue;  // angles that nearly close (or cannot make) a cell
      const double s = std::cbrt(volume / (p.a * p.b * p.c * std::sqrt(g)));
      p.a *= s, p.b *= s, p.c *= s;
      const cell::Mat3 rows = cell::from_parameters(p);
      double h[3][3], rot[3][3];
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k) h[i][k] = rows[i][k];
      st.box = Box::from_vectors(h, rot);
      const auto spacing = st.box.plane_spacing();
      if (*std::min_element(spacing.begin(), spacing.end()) < dmax) continue;
      const cell::Lll l = cell::lll_reduce(rows);
      const cell::Mat3 to_reduced = cell::inverse(l.mapping);
      std::vector<cell::Vec3> red;  // the same positions in the LLL basis, for distances
      for (std::size_t i = 0; i < n && pos.size() == i; ++i)
        for (int t = 0; t < s_.tries_per_atom; ++t) {
          const cell::Vec3 u{r.uniform(), r.uniform(), r.uniform()};
          const cell::Vec3 f = cell::mul(u, to_reduced);
          bool ok = true;
          for (std::size_t j = 0; j < i && ok; ++j) {
            const cell::Vec3 df{f[0] - red[j][0], f[1] - red[j][1], f[2] - red[j][2]};
            ok = cell::nearest_image_distance(df, l.matrix) >= d_[kind[i]][kind[j]];
          }
          if (ok) {
            pos.push_back(u);
            red.push_back(f);
            break;
          }
        }
    }
    if (pos.size() != n) continue;  // this cell could not take every atom: draw another
    for (std::size_t i = 0; i < n; ++i) {
      double x[3];
      if (s_.cluster) {
        for (int k = 0; k < 3; ++k) x[k] = pos[i][k];
      } else {
        const double u[3] = {pos[i][0], pos[i][1], pos[i][2]};
        st.box.to_cart(u, x);
      }
      st.x.insert(st.x.end(), x, x + 3);
      st.type.push_back(kind[i]);
      st.id.push_back(static_cast<long>(i + 1));
    }
    return Proposal{std::move(st), 1, "", "", "random"};
  }
  std::string what;
  for (const auto& [name, count] : comp) what += name + std::to_string(count);
  throw GeneratorError("could not place " + what + " at the minimum separations in " + std::to_string(s_.max_cells) +
                       " random " + (s_.cluster ? "spheres" : "cells") + " of " + fixed(s_.volume_min) + "-" +
                       fixed(s_.volume_max) + " A^3 per atom; raise volume_per_atom or lower min_distance");
}

}  // namespace af::sampler
