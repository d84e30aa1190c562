// The 230 space groups with their Wyckoff positions, derived from spglib's database of
// symmetry operations (no tables copied from elsewhere). Each group in its first spglib
// setting (monoclinic unique axis b, origin choice 1, hexagonal axes for R). The Wyckoff
// positions are found on a grid of 1/24 (every special coordinate of the ITA settings is
// a multiple of it): points are grouped into orbits, each orbit's site-symmetry group
// fixes an affine subspace (point, line, plane or space), and orbits whose grid points
// are generic on one subspace form one position. Exact integer arithmetic. The ITA
// letters come from spglib's Wyckoff assignment of a structure holding every position.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace af::sampler {

constexpr int kGrid = 24;  // fractional coordinates in units of 1/kGrid

// x' = r x + t on fractional column vectors; t in units of 1/kGrid, in [0, kGrid).
struct SymOp {
  std::array<std::array<int, 3>, 3> r;
  std::array<int, 3> t;
};

enum class Family { triclinic, monoclinic, orthorhombic, tetragonal, hexagonal, cubic };

struct WyckoffPosition {
  int multiplicity = 0;           // points of one orbit in the conventional cell
  int dim = 0;                    // free parameters: 0 point, 1 line, 2 plane, 3 general
  std::array<int, 3> point{};     // a grid point of the position, in 1/kGrid
  // Integer basis of the lattice vectors along it, in Hermite normal form (parameter k
  // named after its first non-zero coordinate), and the point of the position where those
  // coordinates are zero: origin + sum_k s_k directions[k] covers it.
  std::vector<std::array<int, 3>> directions;
  std::array<double, 3> origin{};
};

struct SpaceGroup {
  int number = 0, hall = 0;
  std::string symbol;  // international short symbol, e.g. "Fd-3m"
  Family family{};
  std::vector<SymOp> ops;  // with centring translations: |ops| = a general point's multiplicity
  // Ordered by multiplicity, then dimension; a point (dim 0) may hold one orbit only.
  std::vector<WyckoffPosition> wyckoff;
};

// Group 1-230, built on first use and cached (thread safe); std::out_of_range otherwise.
const SpaceGroup& space_group(int number);

// ITA letter ('a' highest site symmetry) and site-symmetry symbol per entry of
// group.wyckoff, from spglib; computed on first use and cached. '?' where spglib disagrees.
struct WyckoffLabel {
  char letter = '?';
  std::string site_symmetry;
};
const std::vector<WyckoffLabel>& wyckoff_labels(const SpaceGroup& group);

// The position's representative as a coordinate triplet, free parameters x, y, z: "x,2x,1/4".
std::string coordinate_triplet(const WyckoffPosition& w);

}  // namespace af::sampler
