// Extended XYZ (ASE conventions): Lattice, Properties (species, pos, optional vel),
// pbc. Reading takes the last frame, as ase.io.read does by default.
#pragma once
#include <string>

#include "structure.hpp"

namespace af {

Structure read_extxyz(const std::string& path);

}  // namespace af
