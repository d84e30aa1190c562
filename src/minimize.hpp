// Energy minimisation stages: FIRE 2.0 and Polak-Ribiere conjugate gradients, on the
// atom positions and optionally the cell (enthalpy E + P V at a target pressure, like
// LAMMPS fix box/relax or ASE's cell filters).
//
// Generalised coordinates: reference-frame positions u_i (x_i = D u_i) and the cell
// deformation D (H = D H0, upper triangular, so the cell stays in LAMMPS's restricted
// form), the latter scaled by the atom count so cell and atom "forces" are comparable.
// Generalised forces: D^T f_i for atoms and (W - P V I) D^-T for the cell.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct MinimizeSettings {
  std::string style = "fire";  // fire | cg
  double fmax = 1e-6;          // converged when every atom's |f| is below this ...
  double ptol = 0.01;          // ... and every stress component is within ptol of the target (pressure units)
  long max_iterations = 100000;
  double max_move = 0.1;       // largest atom displacement per iteration (length units)
  bool relax_cell = false;
  double pressure = 0;         // target (pressure units)
  enum class Couple { Iso, Aniso, Tri } couple = Couple::Tri;
};

struct MinimizeResult {
  long iterations = 0;
  bool converged = false;
  double energy = 0, fmax = 0, stress_error = 0;
  std::string reason;
};

// Called after each iteration with (iteration, energy/virial of the current state).
using MinimizeObserver = std::function<void(long, const EnergyVirial&)>;

MinimizeResult minimize(const MinimizeSettings& s, Atoms& atoms, Box& box, NeighborList& list, Potential& pot,
                        const Units& units, const MinimizeObserver& observe);

}  // namespace af
