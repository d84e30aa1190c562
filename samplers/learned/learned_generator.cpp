// Generator mode `learned` (and the learned half of `mixture`): samples of the crystal
// flow (crystal_flow.hpp) for the composition. Proposal k of a seed is a pure function of
// both: its noise comes from the counter-based stream (seed, k, "lrn" + attempt), the same
// draws as aftrain.crystal_flow.prior for attempt 0.
#include <cmath>
#include <map>
#include <mutex>

#include "atomforge/potentials/nnip/error.hpp"
#include "atomforge/samplers/generator.hpp"
#include "atomforge/samplers/learned/crystal_flow.hpp"
#include "atomforge/src/elements.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/structure/cell.hpp"

namespace af::sampler {

namespace {

constexpr std::uint64_t kLearnedStream = 0x6c726e;  // "lrn"
constexpr double kMaxStretch = 2.0;  // a sample may be enlarged to twice the largest volume for its separations

// One model per file per process: a campaign's generators (one per cell size) share it.
std::shared_ptr<const CrystalFlow> cached_flow(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const CrystalFlow>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto p = cache[path].lock()) return p;
  auto p = std::make_shared<const CrystalFlow>(path);
  cache[path] = p;
  return p;
}

}  // namespace

void Generator::load_flow() {
  if (s_.model.empty()) throw GeneratorError("generator style learned needs model: FILE (a crystal-flow model)");
  if (s_.cluster) throw GeneratorError("generator style learned makes crystals, not clusters");
  if (s_.flow_steps < 1 || s_.flow_steps > 100000) throw GeneratorError("steps must be 1-100000");
  if (!(s_.learned_weight >= 0 && s_.learned_weight <= 1)) throw GeneratorError("the learned weight must be in [0, 1]");
  for (const auto& [name, n] : s_.composition)
    if (atomic_number(name) < 1) throw GeneratorError("learned generator: '" + name + "' is not an element (Z = 1-96)");
  try {
    flow_ = cached_flow(s_.model);
  } catch (const nnip::Error& e) {
    throw GeneratorError(e.what());
  }
}

Proposal Generator::propose_learned(std::uint64_t seed, std::uint64_t index) const {
  const auto& comp = s_.composition;
  std::vector<int> kind, z;
  for (std::size_t a = 0; a < comp.size(); ++a)
    for (int c = 0; c < comp[a].second; ++c) kind.push_back(static_cast<int>(a)), z.push_back(atomic_number(comp[a].first));
  const int n = static_cast<int>(kind.size());
  for (int attempt = 0; attempt < s_.max_cells; ++attempt) {
    rng::Stream r(seed, index, kLearnedStream + (static_cast<std::uint64_t>(attempt) << 24));
    std::vector<double> frac(3 * static_cast<std::size_t>(n)), k(5);
    for (double& f : frac) f = r.uniform();
    for (double& v : k) v = flow_->sigma_k() * r.normal();
    flow_->integrate(z, {0, n}, frac, k, s_.flow_steps);
    const double volume = n * (s_.volume_min + (s_.volume_max - s_.volume_min) * r.uniform());
    double h[3][3];
    shape_cell(k.data(), volume, h);
    // The smallest separation relative to its species pair's minimum, images included.
    cell::Mat3 rows;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) rows[i][j] = h[i][j];
    const cell::Lll l = cell::lll_reduce(rows);
    const cell::Mat3 to_reduced = cell::inverse(l.mapping);
    double shortest = 1e300;  // the shortest lattice vector: an atom's nearest own image
    for (const auto& p : cell::lattice_points_within(l.matrix, cell::norm(l.matrix[0]) * 1.0000001))
      if (p.length > 0) shortest = std::min(shortest, p.length);
    double ratio = 1e300;
    std::vector<cell::Vec3> red(n);
    for (int i = 0; i < n; ++i) red[i] = cell::mul(cell::Vec3{frac[3 * i], frac[3 * i + 1], frac[3 * i + 2]}, to_reduced);
    for (int i = 0; i < n; ++i) {
      ratio = std::min(ratio, shortest / d_[kind[i]][kind[i]]);
      for (int j = 0; j < i; ++j) {
        const cell::Vec3 df{red[i][0] - red[j][0], red[i][1] - red[j][1], red[i][2] - red[j][2]};
        ratio = std::min(ratio, cell::nearest_image_distance(df, l.matrix) / d_[kind[i]][kind[j]]);
      }
    }
    double scale = 1;
    if (ratio < 1) {
      scale = 1 / ratio * (1 + 1e-9);
      if (scale * scale * scale * volume > kMaxStretch * n * s_.volume_max) continue;  // atoms (nearly) on top of each other
    }
    Structure st;
    for (const auto& [name, count] : comp) st.species.push_back(name);
    st.masses.assign(comp.size(), 0.0);
    double hs[3][3], rot[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) hs[i][j] = h[i][j] * scale;
    st.box = Box::from_vectors(hs, rot);
    for (int i = 0; i < n; ++i) {
      double x[3];
      st.box.to_cart(&frac[3 * i], x);
      st.x.insert(st.x.end(), x, x + 3);
      st.type.push_back(kind[i]);
      st.id.push_back(i + 1);
    }
    return Proposal{std::move(st), 1, "", "", "learned"};
  }
  std::string what;
  for (const auto& [name, count] : comp) what += name + std::to_string(count);
  throw GeneratorError("learned generator: no sample of " + what + " in " + std::to_string(s_.max_cells) +
                       " met the minimum separations within x" + std::to_string(static_cast<int>(kMaxStretch)) +
                       " of the largest volume per atom; raise volume_per_atom or lower min_distance");
}

}  // namespace af::sampler
