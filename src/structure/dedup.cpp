#include "atomforge/src/structure/dedup.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

namespace af::cell {

namespace {

// Species with counts divided by their gcd, and the reduced site count: fit needs both equal.
struct Bucket {
  std::vector<std::pair<int, int>> composition;
  std::size_t sites;
  bool operator<(const Bucket& o) const { return std::tie(composition, sites) < std::tie(o.composition, o.sites); }
};

// Anonymous matching compares counts only: the species ids are dropped (set to -1) and
// the counts sorted.
Bucket bucket_of(const Cell& reduced, bool anonymous) {
  std::map<int, int> count;
  for (int s : reduced.species) ++count[s];
  int g = 0;
  for (const auto& [s, n] : count) g = std::gcd(g, n);
  Bucket b{{}, reduced.size()};
  for (const auto& [s, n] : count) b.composition.push_back({anonymous ? -1 : s, n / g});
  if (anonymous) std::sort(b.composition.begin(), b.composition.end());
  return b;
}

}  // namespace

Classes deduplicate(const std::vector<Cell>& cells, const std::vector<double>& energies, const StructureMatcher& m) {
  const std::size_t n = cells.size();
  std::vector<Cell> red(n);
  std::vector<std::array<double, 8>> key(n);
  for (std::size_t i = 0; i < n; ++i) {
    red[i] = m.reduce(cells[i]);
    const Parameters p = parameters(red[i].lattice);
    const double e = i < energies.size() && !std::isnan(energies[i]) ? energies[i] : HUGE_VAL;
    key[i] = {e, red[i].volume() / double(red[i].size()), p.a, p.b, p.c, p.alpha, p.beta, p.gamma};
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key[a] < key[b]; });

  Classes out;
  std::map<Bucket, std::vector<int>> classes_in;  // bucket -> class indices, in creation order
  for (int i : order) {
    auto& list = classes_in[bucket_of(red[i], m.options().anonymous)];
    bool joined = false;
    for (int c : list) {
      ++out.comparisons;
      if (m.fit_reduced(red[out.members[c].front()], red[i])) {
        out.members[c].push_back(i);
        joined = true;
        break;
      }
    }
    if (!joined) {
      list.push_back(static_cast<int>(out.members.size()));
      out.members.push_back({i});
    }
  }
  return out;
}

}  // namespace af::cell
