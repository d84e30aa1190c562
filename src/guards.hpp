// Runtime guards: conditions that mean a run has gone wrong, caught with a message that
// names the step, the atoms and their positions instead of running on with garbage:
//   non-finite positions, velocities or forces (every step);
//   atoms outside the cell along a non-periodic direction (every step; LAMMPS "lost atoms");
//   two atoms closer than min_distance (when set; at list rebuilds and thermo steps);
//   more than max_neighbors neighbors for one atom (at list rebuilds; LAMMPS neigh_modify
//   one, 2000 by default), the sign of a collapsed system.
#pragma once
#include <stdexcept>
#include <string>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/neighbor.hpp"

namespace af {

struct GuardSettings {
  double min_distance = 0;  // 0: off
  int max_neighbors = 2000;
};

struct GuardError : std::runtime_error {
  explicit GuardError(const std::string& msg) : std::runtime_error(msg) {}
};

class Guards {
 public:
  explicit Guards(const GuardSettings& s) : s_(s) {}
  // After the forces of a step (throws GuardError).
  void check_step(long step, const Atoms& atoms, const Box& box) const;
  // After a list rebuild, or when thermo is written.
  void check_structure(long step, const Atoms& atoms, const Box& box, const NeighborList& list) const;

  // Public only because nvcc rejects device lambdas in private member functions.
  int first_bad(const Atoms& atoms, const Box& box, bool finite_check) const;

 private:
  std::string describe(const Atoms& atoms, int i) const;
  GuardSettings s_;
};

}  // namespace af
