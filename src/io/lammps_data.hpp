// LAMMPS data files, atom_style atomic (orthogonal or triclinic; Masses, Atoms,
// Velocities; image flags). Types become species "1".."n" unless renamed by the deck.
#pragma once
#include <string>

#include "atomforge/src/structure.hpp"

namespace af {

Structure read_lammps_data(const std::string& path);
// Full precision; Masses (when all are known) carry the species name as a comment
// ("1 63.546 # Cu"), which read_lammps_data turns back into names.
void write_lammps_data(const std::string& path, const Structure& s);

}  // namespace af
