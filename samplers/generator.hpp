// Random structures for a composition, the proposals of a crystal-structure search.
// Mode `symmetric` (samplers/symmetric.hpp): a space group (given, or drawn uniformly
// from those whose Wyckoff positions can hold the composition in the conventional cell)
// and orbits on its Wyckoff positions. Mode `random` (AIRSS-like, P1): a random cell shape scaled to a volume per atom drawn
// from a range, atoms placed one by one at random positions at least the minimum
// separation of their species pair from every atom and periodic image placed before;
// a cell that cannot take them all is redrawn, up to a bounded number of cells. Clusters
// (`cluster`): atoms in a sphere of that volume in a non-periodic box. Defaults from
// covalent radii (Cordero 2008): separations 0.7 (r_i + r_j), volume per atom that of
// spheres of the covalent radius at packing fraction 0.5, range x0.7-x1.4. A request that
// cannot be met is refused with the reason (GeneratorError). Mode `learned`
// (samplers/learned/): the flow model's samples, scaled to a drawn volume per atom and
// enlarged where needed for the separations; `mixture` draws learned with probability
// learned_weight and symmetric otherwise, per proposal.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af::sampler {

struct GeneratorError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

enum class GeneratorMode { random, symmetric, learned, mixture };

class CrystalFlow;

struct GeneratorSpec {
  std::vector<std::pair<std::string, int>> composition;  // species, atoms per cell
  GeneratorMode mode = GeneratorMode::random;
  int spacegroup = 0;  // symmetric: 1-230, or 0 to draw one per structure
  std::string pointgroup;  // symmetric clusters: e.g. "m-3m", or empty to draw one
  double volume_min = 0, volume_max = 0;                 // per atom; 0: from covalent radii
  std::map<std::pair<std::string, std::string>, double> min_distance;  // either order; missing: radii
  double min_distance_scale = 0.7;  // of r_i + r_j where no distance is given
  bool cluster = false;             // atoms in a sphere, non-periodic box
  int max_cells = 2000;             // cells (spheres) drawn before giving up
  int tries_per_atom = 200;         // positions tried for one atom in one cell
  std::string model;                // learned, mixture: the crystal-flow model file
  std::string model_digest;         // of its bytes (campaign fingerprints; set by the deck reader)
  int flow_steps = 50;              // Euler steps of its flow
  double learned_weight = 0.5;      // mixture: the probability of a learned proposal
};

// "Si8", "Ni3Al", "SiO2" (counts default to 1) times formula_units.
std::vector<std::pair<std::string, int>> parse_formula(const std::string& formula, int formula_units = 1);

// A structure and how it was made.
struct Proposal {
  Structure structure;
  int spacegroup = 1;   // requested (symmetric) or 1 (random); 0 for clusters
  std::string pointgroup;  // symmetric clusters
  std::string wyckoff;  // symmetric: "Si:8a Si:16c"; clusters: orbit sizes "Ar:6 Ar:8"
  std::string style;    // the generator that made it: random, symmetric, learned
};

class Generator {
 public:
  // Resolves defaults and checks feasibility (GeneratorError with the reason).
  explicit Generator(GeneratorSpec spec);
  const GeneratorSpec& spec() const { return s_; }
  double min_distance(int species_a, int species_b) const { return d_[species_a][species_b]; }
  // Structure `index` of the stream `seed`: a pure function of both.
  Proposal propose(std::uint64_t seed, std::uint64_t index) const;
  Structure generate(std::uint64_t seed, std::uint64_t index) const { return propose(seed, index).structure; }

 private:
  Proposal propose_symmetric(std::uint64_t seed, std::uint64_t index) const;
  Proposal propose_learned(std::uint64_t seed, std::uint64_t index) const;
  void load_flow();  // learned_generator.cpp
  GeneratorSpec s_;
  std::shared_ptr<const CrystalFlow> flow_;
  std::vector<std::vector<double>> d_;  // per species pair
  std::vector<int> groups_;  // space groups, or indices into point_groups() for clusters
};

}  // namespace af::sampler
