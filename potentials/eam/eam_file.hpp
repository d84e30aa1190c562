// EAM potential files in LAMMPS's three formats, turned into LAMMPS's internal arrays
// (file2array in LAMMPS's pair_eam*.cpp): one grid for every function, tabulated
// embedding F(rho), densities rho(r) and r*phi(r), and maps from atom types to tables.
#pragma once
#include <string>
#include <vector>

namespace af {

struct EamTables {
  int nrho = 0, nr = 0;          // grid points (1-based arrays, index 0 unused)
  double drho = 0, dr = 0, cut = 0, rhomax = 0;
  std::vector<std::vector<double>> frho, rhor, z2r;  // each of size n+1
  // Maps for the system's types (0-based): which table to use.
  std::vector<int> type2frho;                 // [t]
  std::vector<int> type2rhor, type2z2r;       // [ti * nt + tj]
  std::vector<double> mass;                   // per type, from the file
};

enum class EamFlavor { Funcfl, Setfl, FinnisSinclair };

// files: one per system type for funcfl (types sharing a file share it), or one file
// for setfl/fs with `elements` naming the file element of each system type.
// Throws InputError naming file:line on malformed files.
EamTables read_eam(EamFlavor flavor, const std::vector<std::string>& files, const std::vector<std::string>& elements);

// LAMMPS's cubic spline coefficients (7 per grid point) for one table.
std::vector<double> eam_spline(const std::vector<double>& f, int n, double delta);

}  // namespace af
