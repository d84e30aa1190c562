// CIF writing (P1) and the space-group look-up through spglib.
#include <spglib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/cif.hpp"

namespace af {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSymprec = 1e-3;  // Å: tolerates files written with 8 decimals

double wrap01(double u) {
  u -= std::floor(u);
  return u >= 1.0 ? 0.0 : u;
}

double angle(const std::array<double, 3>& p, const std::array<double, 3>& q) {
  const double pq = p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  const double pp = p[0] * p[0] + p[1] * p[1] + p[2] * p[2], qq = q[0] * q[0] + q[1] * q[1] + q[2] * q[2];
  return std::acos(std::max(-1.0, std::min(1.0, pq / std::sqrt(pp * qq)))) * 180.0 / kPi;
}

double norm(const std::array<double, 3>& p) { return std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]); }

}  // namespace

SpaceGroup find_space_group(const Structure& s, double symprec) {
  SpaceGroup g;
  if (s.natoms() == 0) return g;
  double lattice[3][3];  // spglib: cell vectors as columns, as Box::h
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) lattice[r][c] = s.box.h[r][c];
  std::vector<double> frac(3 * s.natoms());
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    s.box.to_frac(&s.x[3 * i], &frac[3 * i]);
    for (int k = 0; k < 3; ++k) frac[3 * i + k] = wrap01(frac[3 * i + k]);
  }
  SpglibDataset* d = spg_get_dataset(lattice, reinterpret_cast<double(*)[3]>(frac.data()), s.type.data(),
                                     static_cast<int>(s.natoms()), symprec);
  if (!d) return g;
  g.number = d->spacegroup_number;
  g.symbol = d->international_symbol;
  spg_free_dataset(d);
  return g;
}

void write_cif(const std::string& path, const Structure& s) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw InputError(path + ": cannot write");
  const Box& b = s.box;
  const std::string formula = s.formula();
  const SpaceGroup g = find_space_group(s, kSymprec);
  std::fprintf(f, "# Written by atomforge: the P1 cell with every atom listed.\n");
  if (g.number > 0)
    std::fprintf(f, "# Space group found by spglib (symprec %g A): %s (No. %d)\n", kSymprec, g.symbol.c_str(), g.number);
  std::fprintf(f, "data_%s\n", formula.empty() ? "empty" : formula.c_str());
  std::fprintf(f, "_symmetry_space_group_name_H-M   'P 1'\n_symmetry_Int_Tables_number   1\n");
  const auto a = b.vector(0), bb = b.vector(1), c = b.vector(2);
  std::fprintf(f, "_cell_length_a   %.17g\n_cell_length_b   %.17g\n_cell_length_c   %.17g\n", norm(a), norm(bb),
               norm(c));
  std::fprintf(f, "_cell_angle_alpha   %.17g\n_cell_angle_beta   %.17g\n_cell_angle_gamma   %.17g\n",
               angle(bb, c), angle(a, c), angle(a, bb));
  std::fprintf(f, "_cell_volume   %.17g\n", b.volume());
  std::fprintf(f, "loop_\n _symmetry_equiv_pos_site_id\n _symmetry_equiv_pos_as_xyz\n  1  'x, y, z'\n");
  std::fprintf(f, "loop_\n _atom_type_symbol\n");  // keeps the species (type) order
  for (const auto& sp : s.species) std::fprintf(f, "  %s\n", sp.c_str());
  std::fprintf(f, "loop_\n _atom_site_label\n _atom_site_type_symbol\n _atom_site_fract_x\n _atom_site_fract_y\n"
                  " _atom_site_fract_z\n _atom_site_occupancy\n");
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    double u[3];
    b.to_frac(&s.x[3 * i], u);
    const std::string& sp = s.species[s.type[i]];
    std::fprintf(f, "  %s%ld  %s  %.17g  %.17g  %.17g  1\n", sp.c_str(), s.id.empty() ? long(i + 1) : s.id[i],
                 sp.c_str(), wrap01(u[0]), wrap01(u[1]), wrap01(u[2]));
  }
  if (std::fclose(f) != 0) throw InputError(path + ": write failed");
}

}  // namespace af
