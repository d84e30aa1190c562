// Deduplication: a set of structures split into classes of equal structures (the
// matcher's fit), each represented by its lowest-energy member. Structures are visited
// in a canonical order (energy, then volume per atom and the reduced cell's lattice
// parameters, input index last), so the classes do not depend on the input order except
// among structures equal in all of these; each joins the first earlier class whose
// representative it fits. Only pairs that can match are compared: equal fractional
// composition and equal reduced site counts (both required by fit).
#pragma once
#include <vector>

#include "atomforge/src/structure/matcher.hpp"

namespace af::cell {

struct Classes {
  std::vector<std::vector<int>> members;  // input indices, representative first
  long comparisons = 0;                   // fits run
};

// energies: one per cell, NaN where unknown (visited after every known energy).
Classes deduplicate(const std::vector<Cell>& cells, const std::vector<double>& energies, const StructureMatcher& m);

}  // namespace af::cell
