// Thermodynamic output with LAMMPS keyword meanings (energies are totals in every
// unit system). One row = one step; printed as an aligned table and as CSV.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct ThermoRow {
  long step = 0;
  double time = 0, temp = 0, pe = 0, ke = 0, etotal = 0, press = 0, vol = 0;
  double pxx = 0, pyy = 0, pzz = 0, pyz = 0, pxz = 0, pxy = 0;  // pressure tensor (LAMMPS names)
  static const std::vector<std::string>& names();
  std::vector<double> values() const;  // in names() order, step included
};

ThermoRow compute_thermo(long step, double time, const Atoms& atoms, const Box& box, const Units& units,
                         const EnergyVirial& ev);

// Aligned screen table.
std::string thermo_header();
std::string thermo_line(const ThermoRow& r);

}  // namespace af
