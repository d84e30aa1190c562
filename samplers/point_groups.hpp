// Symmetric clusters: the 32 crystallographic point groups (the operations of the first
// symmorphic space group of each, spglib's database, in Cartesian form) and their site
// types: the origin, each rotation axis and mirror plane (the fixed space of an
// operation; conjugate ones counted once) and the general position. A cluster is built
// orbit by orbit as in a crystal (samplers/symmetric.hpp): a random point of a site type
// inside the sphere of the drawn volume, images closer than the species' separation
// merged at their centroid, separations kept to the orbits placed before.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "atomforge/src/rng.hpp"
#include "atomforge/src/structure.hpp"

namespace af::sampler {

using Mat3d = std::array<std::array<double, 3>, 3>;

struct SiteType {
  int size = 0;    // atoms in an orbit of a generic point of it
  int dim = 0;     // 0 origin, 1 axis, 2 plane, 3 general
  Mat3d project{}; // orthogonal projector onto it
};

struct PointGroup {
  std::string symbol;  // international, e.g. "m-3m"
  int spacegroup = 0;  // the symmorphic space group it was taken from
  std::vector<Mat3d> ops;
  std::vector<SiteType> sites;  // origin first (if it is a site of its own: always)
};

// The 32 groups, built on first use (thread safe).
const std::vector<PointGroup>& point_groups();
const PointGroup* find_point_group(const std::string& symbol);

// Whether the counts can be made of orbit sizes (the origin once).
bool cluster_counts_possible(const PointGroup& g, const std::vector<int>& counts);

struct ClusterRequest {
  const PointGroup* group;
  std::vector<int> counts;
  const std::vector<std::vector<double>>* d;
  double volume;  // of the sphere
  int tries;
};

// One cluster centred in a non-periodic cubic box, or false. `sites` receives e.g.
// "Ar:6 Ar:8 Ar:24" (orbit sizes).
bool place_symmetric_cluster(const ClusterRequest& req, rng::Stream& r, Structure& out, std::string& sites);

}  // namespace af::sampler
