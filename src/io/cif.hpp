// CIF (Crystallographic Information File, CIF 1.1 syntax) for crystal structures.
// Reading: the first data block; cell from _cell_length_*/_cell_angle_*, sites from the
// _atom_site_ loop (fractional coordinates; species from _atom_site_type_symbol, else the
// label), symmetry operations from _symmetry_equiv_pos_as_xyz or
// _space_group_symop_operation_xyz, applied to every site with duplicates merged as
// pymatgen does (fractional tolerance 1e-4, periodic). Occupancies must be 1.
// Writing: P1 (every atom listed), with the space group spglib finds stated in the
// header comment, full precision so that write -> read is lossless.
#pragma once
#include <string>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af {

Structure read_cif(const std::string& path);
void write_cif(const std::string& path, const Structure& s);

// A symmetry operation x' = R x + t in fractional coordinates.
struct SymOp {
  double r[3][3];
  double t[3];
};
// Parses "x, y, z", "-x+1/2, y-x, z+0.25", ... Returns false (and a reason) if malformed.
bool parse_symop(const std::string& text, SymOp& op, std::string& why);

// International symbol and number spglib finds for s (symprec in Å); number 0 if none.
struct SpaceGroup {
  int number = 0;
  std::string symbol;
};
SpaceGroup find_space_group(const Structure& s, double symprec);

}  // namespace af
