// Standard atomic weights (g/mol, IUPAC), used as default masses for species named
// after elements in metal and real units.
#pragma once
#include <string>

namespace af {
// Returns 0 if the name is not an element symbol in the table.
double element_mass(const std::string& symbol);
// Covalent radius in Angstrom (Cordero et al. 2008); 0 if the name is not an element.
double covalent_radius(const std::string& symbol);
// Atomic number of an element symbol (Z = 1-96); 0 if the name is not one.
int atomic_number(const std::string& symbol);
}  // namespace af
