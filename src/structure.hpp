// Host-side description of a system as read from a file or generated: what readers
// produce and writers consume. The engine copies it into device Views (Atoms).
#pragma once
#include <string>
#include <vector>

#include "atomforge/src/box.hpp"

namespace af {

struct Structure {
  Box box;
  std::vector<std::string> species;  // names; type t (0-based) is species[t]
  std::vector<double> masses;        // per type; 0 = not given
  std::vector<long> id;              // per atom, 1-based like LAMMPS
  std::vector<int> type;             // per atom, 0-based
  std::vector<double> x;             // per atom, 3 each
  std::vector<double> v;             // empty, or 3 per atom
  std::vector<int> image;            // empty, or 3 per atom
  // The rotation a reader applied to bring a general cell into the box's restricted form
  // (x_box = rotation x_file); identity otherwise. The structure matcher undoes it, as
  // pymatgen's results depend on the cell's orientation in rare near-degenerate cases.
  double rotation[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

  std::size_t natoms() const { return type.size(); }
  int ntypes() const { return static_cast<int>(species.size()); }
  bool has_velocities() const { return !v.empty(); }
  // Index of a species name, or -1.
  int find_species(const std::string& name) const;
  // Wraps positions into the periodic cell, updating image flags.
  void wrap();
  // Atoms per type (present types only): "Si6O12" in type order.
  std::vector<long> type_counts() const;
  std::string formula() const;
};

// The most atoms a structure may hold: 2^31 - 1 (atom indices are int on the device).
// Readers and lattices check it before allocating; fuzzing lowers it.
long max_atoms();
void set_max_atoms(long n);

}  // namespace af
