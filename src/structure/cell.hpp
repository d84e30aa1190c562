// Periodic cells for structure comparison (the matcher, deduplication, metrics): a
// lattice as three row vectors, fractional coordinates and integer species, with the
// reductions pymatgen 2022.11 applies before matching (docs/matcher.md): LLL (delta
// 0.75), Niggli (Grosse-Kunstleve, Sauter & Adams 2004 on the LLL basis, eps = 1e-5
// V^(1/3)) and the primitive-cell search with a 0.25 Angstrom site tolerance.
// Host code, double precision.
#pragma once
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af::cell {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;  // rows: lattice vectors a, b, c (Cartesian, Angstrom)

Mat3 mul(const Mat3& a, const Mat3& b);
Vec3 mul(const Vec3& v, const Mat3& m);  // row vector times matrix
Mat3 inverse(const Mat3& m);
Mat3 transpose(const Mat3& m);
double det(const Mat3& m);
double dot(const Vec3& a, const Vec3& b);
double norm(const Vec3& a);
// x % 1 as Python and numpy compute it: in [0, 1), except 1.0 for a tiny negative x.
inline double mod1(double x) {
  const double r = std::fmod(x, 1.0);
  return r < 0 ? r + 1.0 : r;
}

// a, b, c (Angstrom) and alpha, beta, gamma (degrees).
struct Parameters {
  double a, b, c, alpha, beta, gamma;
};
Parameters parameters(const Mat3& m);
// pymatgen's Lattice.from_parameters (c along z, a in the xz plane).
Mat3 from_parameters(const Parameters& p);
// Reciprocal lattice vector lengths including the factor 2 pi (pymatgen's
// reciprocal_lattice.abc).
Vec3 reciprocal_lengths(const Mat3& m);

// LLL-reduced basis and the integer mapping with reduced = mapping * m.
struct Lll {
  Mat3 matrix, mapping;
};
Lll lll_reduce(const Mat3& m, double delta = 0.75);

// Lattice points n m (n integer, n != 0 included as given) with |n m| <= r, each with its
// integer coefficients and length, in the order of a scan over n0, n1, n2.
struct LatticePoint {
  std::array<int, 3> n;
  Vec3 cart;
  double length;
};
std::vector<LatticePoint> lattice_points_within(const Mat3& m, double r);

// Length of the shortest image of the fractional difference d (coordinates in the LLL
// basis `lll`) over the 27 nearest cells, as pymatgen's pbc_shortest_vectors.
double nearest_image_distance(const Vec3& d, const Mat3& lll);

// Bases of lattice m whose lengths are within a relative ltol (open interval
// 1/(1+ltol)..1+ltol) and angles within atol degrees of target's (pymatgen's
// Lattice.find_all_mappings): each as Cartesian rows `aligned` = scale * m.
struct Mapping {
  Mat3 aligned, scale;
};
std::vector<Mapping> find_all_mappings(const Mat3& m, const Mat3& target, double ltol, double atol,
                                       bool first_only = false);

// The Niggli-reduced lattice of m (a basis of the same lattice; right-handed).
Mat3 niggli_reduce(const Mat3& m, double tol = 1e-5);

// A periodic structure for matching: species are small integers (equal means the same
// species), frac[i] in the basis `lattice`.
struct Cell {
  Mat3 lattice{};
  std::vector<Vec3> frac;
  std::vector<int> species;
  std::size_t size() const { return frac.size(); }
  double volume() const;
  std::vector<Vec3> cart() const;
};

// An af::Structure as a Cell: species ids from `names` (each structure's species name
// looked up there; new names appended), so that two cells built with the same list
// compare species by name. Requires a fully periodic box.
Cell from_structure(const Structure& s, std::vector<std::string>& names);

// pymatgen's get_reduced_structure("niggli"): the Niggli lattice, sites wrapped into it.
Cell niggli_cell(const Cell& c);
// pymatgen's get_primitive_structure(tolerance) (recursive; each smaller cell Niggli
// reduced): the smallest cell found whose translations map every site onto a site of
// its species within `tolerance` Angstrom per coordinate; the input when none is.
Cell primitive_cell(const Cell& c, double tolerance = 0.25);

}  // namespace af::cell
