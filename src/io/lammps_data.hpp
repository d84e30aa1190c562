// LAMMPS data files, atom_style atomic (orthogonal or triclinic; Masses, Atoms,
// Velocities; image flags). Types become species "1".."n" unless renamed by the deck.
#pragma once
#include <string>

#include "structure.hpp"

namespace af {

Structure read_lammps_data(const std::string& path);

}  // namespace af
