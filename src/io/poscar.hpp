// VASP POSCAR / CONTCAR (VASP 5: species names line; Direct or Cartesian; a negative
// scale is the cell volume). Selective-dynamics flags are read past with a warning;
// a velocity block after the positions is ignored.
#pragma once
#include <string>

#include "atomforge/src/structure.hpp"

namespace af {

Structure read_poscar(const std::string& path);
// Direct coordinates, atoms grouped by species in species order (VASP needs that;
// ids follow the new order), full precision.
void write_poscar(const std::string& path, const Structure& s);

}  // namespace af
