#include "atomforge/src/structure/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

#include "atomforge/src/structure/dedup.hpp"

namespace af::cell {

double min_site_distance(const Cell& c) {
  // Nearest images in the LLL basis, as pymatgen's distance_matrix finds them.
  const Lll r = lll_reduce(c.lattice);
  const Mat3 to_reduced = inverse(r.mapping);  // frac in m -> frac in the reduced basis
  std::vector<Vec3> f(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) f[i] = mul(c.frac[i], to_reduced);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t j = i + 1; j < f.size(); ++j)
      best = std::min(best, nearest_image_distance({f[j][0] - f[i][0], f[j][1] - f[i][1], f[j][2] - f[i][2]}, r.matrix));
  return best;
}

bool structure_valid(const Cell& c, double min_distance, double min_volume) {
  return std::abs(det(c.lattice)) >= min_volume && min_site_distance(c) >= min_distance;
}

namespace {

Rate finish(Rate r, const std::vector<std::optional<double>>& best, double stol) {
  double sum = 0, csum = 0;
  for (const auto& b : best) {
    r.matched += b.has_value();
    sum += b.value_or(0.0);
    csum += b.value_or(stol);
  }
  r.total = static_cast<int>(best.size());
  r.match_rate = r.total ? static_cast<double>(r.matched) / r.total : 0.0;
  if (r.matched) r.rmse = sum / r.matched;
  if (r.total) r.crmse = csum / r.total;
  return r;
}

}  // namespace

CspMetrics csp_metrics(const std::vector<Cell>& reference, const std::vector<Cell>& generated,
                       const std::vector<Cell>* known, const MetricsOptions& o) {
  const std::size_t n = reference.size(), m = generated.size();
  if (n == 0 || m == 0 || m % n != 0)
    throw std::invalid_argument(std::to_string(m) + " generated structures for " + std::to_string(n) +
                                " references: give K candidates for each reference (K >= 1)");
  const int K = static_cast<int>(m / n);
  for (int k : o.ks)
    if (k < 1 || k > K)
      throw std::invalid_argument("k = " + std::to_string(k) + " needs that many candidates per reference; there are " +
                                  std::to_string(K));
  const StructureMatcher matcher(o.matcher);
  CspMetrics out;
  out.n_reference = static_cast<int>(n);
  out.n_generated = static_cast<int>(m);
  out.candidates = K;

  std::vector<Cell> ref_r(n), gen_r(m);
  std::vector<char> ref_ok(n), gen_ok(m);
  for (std::size_t j = 0; j < n; ++j) {
    ref_r[j] = matcher.reduce(reference[j]);
    ref_ok[j] = structure_valid(reference[j], o.min_distance, o.min_volume);
  }
  for (std::size_t g = 0; g < m; ++g) {
    gen_r[g] = matcher.reduce(generated[g]);
    gen_ok[g] = structure_valid(generated[g], o.min_distance, o.min_volume);
    out.valid += gen_ok[g];
  }
  out.validity = static_cast<double>(out.valid) / m;

  // Pairs that cannot match (other composition or reduced size, both required by
  // rms_dist) are skipped; a candidate's RMS against its own reference is kept, as the
  // k-metrics and one-to-one reuse it (METRe's other pairs are computed once each).
  std::vector<std::vector<std::pair<int, int>>> key_ref(n), key_gen(m);
  auto key = [&](const Cell& c) {
    std::map<int, int> count;
    for (int s : c.species) ++count[s];
    std::vector<std::pair<int, int>> k;
    for (const auto& [s, x] : count) k.emplace_back(o.matcher.anonymous ? -1 : s, x);
    std::sort(k.begin(), k.end());
    k.emplace_back(-2, static_cast<int>(c.size()));
    return k;
  };
  for (std::size_t j = 0; j < n; ++j) key_ref[j] = key(ref_r[j]);
  for (std::size_t g = 0; g < m; ++g) key_gen[g] = key(gen_r[g]);
  std::map<std::size_t, std::optional<double>> own;  // g -> rms against reference g / K
  auto compute = [&](std::size_t g, std::size_t j) -> std::optional<double> {
    if (key_gen[g] != key_ref[j]) return std::nullopt;
    ++out.comparisons;
    const auto d = matcher.rms_dist_reduced(gen_r[g], ref_r[j]);
    return d ? std::optional<double>(d->rms) : std::nullopt;
  };
  auto rms = [&](std::size_t g, std::size_t j) -> std::optional<double> {
    if (g / K != j) return compute(g, j);
    auto it = own.find(g);
    if (it != own.end()) return it->second;
    return own[g] = compute(g, j);
  };

  for (int k : o.ks) {  // DiffCSP: k = 1 gates on both, k > 1 on the candidate only
    std::vector<std::optional<double>> best(n);
    for (std::size_t j = 0; j < n; ++j)
      for (int c = 0; c < k; ++c) {
        const std::size_t g = j * K + c;
        if (!gen_ok[g] || (k == 1 && !ref_ok[j])) continue;
        const auto r = rms(g, j);
        if (r && (!best[j] || *r < *best[j])) best[j] = r;
      }
    Rate rate = finish({}, best, o.matcher.stol);
    rate.crmse.reset();  // not a DiffCSP quantity
    out.diffcsp.emplace_back(k, rate);
  }

  std::vector<std::optional<double>> pair(n), metre(n);
  for (std::size_t j = 0; j < n; ++j) pair[j] = rms(j * K, j);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i) {  // first candidates against every reference
      const auto r = rms(i * K, j);
      if (r && (!metre[j] || *r < *metre[j])) metre[j] = r;
    }
  out.one_to_one = finish({}, pair, o.matcher.stol);
  out.metre = finish({}, metre, o.matcher.stol);

  const Classes classes = deduplicate(generated, std::vector<double>(m, std::nan("")), matcher);
  out.unique = static_cast<int>(classes.members.size());
  out.uniqueness = static_cast<double>(out.unique) / m;

  if (known) {
    std::vector<Cell> known_r;
    for (const Cell& c : *known) known_r.push_back(matcher.reduce(c));
    int novel = 0;
    for (std::size_t g = 0; g < m; ++g) {
      bool seen = false;
      for (std::size_t t = 0; t < known_r.size() && !seen; ++t) seen = matcher.fit_reduced(gen_r[g], known_r[t]);
      novel += !seen;
    }
    out.novel = novel;
    out.novelty = static_cast<double>(novel) / m;
  }
  return out;
}

}  // namespace af::cell
