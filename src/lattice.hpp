// Crystal lattices in the LAMMPS `lattice` + `create_atoms` sense.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af {

// Basis of a cubic lattice style in fractional coordinates, or empty if unknown.
std::vector<std::array<double, 3>> lattice_basis(const std::string& style);
std::vector<std::string> lattice_styles();

// Replicates the cubic cell of side a (repeat[k] times along k). species has one
// name, or one per basis atom (e.g. zincblende from diamond with two species).
Structure make_lattice(const std::string& style, double a, const int repeat[3],
                       const std::vector<std::string>& species);

}  // namespace af
