// Unit systems with LAMMPS's constants (src/update.cpp of LAMMPS), so thermo output
// can be compared number for number.
#pragma once
#include <string>
#include <vector>

namespace af {

struct Units {
  std::string name;
  double boltz;    // Boltzmann constant in energy/temperature
  double mvv2e;    // mass*velocity^2 -> energy
  double ftm2v;    // force/mass*time -> velocity
  double nktv2p;   // (energy/volume) -> pressure
  double dt;       // LAMMPS's default timestep
  const char* energy_unit;
  const char* length_unit;
  const char* time_unit;
  const char* velocity_unit;
  const char* force_unit;
  const char* pressure_unit;
  const char* mass_unit;

  // Returns false for an unknown name.
  static bool lookup(const std::string& name, Units& out);
  static std::vector<std::string> names();
};

}  // namespace af
