// Symmetric random structures (PyXtal/AIRSS-like): atoms of each species on Wyckoff
// positions of one space group, drawn one orbit at a time among the positions that
// still leave the rest of the composition reachable; a random point of a line, plane or
// general position whose images come closer than the species' separation is merged onto
// the special position at the centroid of those images; every orbit keeps the minimum
// separations to the others. A lattice of the group's crystal family (conventional cell).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "atomforge/samplers/space_groups.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/structure.hpp"

namespace af::sampler {

// Which Wyckoff positions may hold the composition: a point position holds one orbit.
class WyckoffCounts {
 public:
  WyckoffCounts(const SpaceGroup& group, std::vector<int> counts);
  bool possible() { return rest(0, 0); }
  // Species k still needs `left` atoms with the point positions in `used` taken: can it,
  // and every species after it, be completed?
  bool fill(int k, int left, std::uint32_t used);
  int point_index(std::size_t wyckoff) const { return point_of_[wyckoff]; }

 private:
  bool rest(int k, std::uint32_t used) { return k == static_cast<int>(counts_.size()) || fill(k, counts_[k], used); }
  bool subsets(int k, int left, std::uint32_t used, std::size_t from);
  const SpaceGroup& g_;
  std::vector<int> counts_, point_mult_, point_of_;  // point_of_: wyckoff -> point index or -1
  std::vector<char> reach_;                          // sums of line/plane/general multiplicities
  std::unordered_map<std::uint64_t, bool> memo_;
};

struct SymmetricRequest {
  const SpaceGroup* group;
  std::vector<int> counts;                    // atoms per species
  const std::vector<std::vector<double>>* d;  // minimum separations per species pair
  double volume;                              // of the cell
  double spread;                              // lattice lengths within this factor of each other's mean
  int tries;                                  // random points tried per orbit
};

// One structure, or false when this lattice and these draws could not hold the
// composition. `wyckoff` receives e.g. "Si:8a Si:16c" (ITA letters).
bool place_symmetric(const SymmetricRequest& req, rng::Stream& r, Structure& out, std::string& wyckoff);

// Multiplicities of the group's positions, "4, 4, 8, 24, ...", for messages.
std::string multiplicities(const SpaceGroup& group);

}  // namespace af::sampler
