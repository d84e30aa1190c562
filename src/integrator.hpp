// Time integration interface. An integrator owns its extended state (thermostat
// variables, random streams) and acts on local atoms (and the cell, for barostats) in
// two halves around the force call, as LAMMPS's initial_integrate / final_integrate.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct EnergyVirial;

struct StepContext {
  long step;         // global step being taken (1-based: the step the positions advance to)
  long stage_step;   // 1..stage_steps within the current stage
  long stage_steps;
  const EnergyVirial* ev;  // forces' energy/virial: from the last step in initial_integrate, this step's in final
  // Fraction of the stage completed at the end of this step, for ramps.
  double progress() const { return stage_steps > 0 ? double(stage_step) / double(stage_steps) : 1.0; }
};

class Integrator {
 public:
  virtual ~Integrator() = default;
  virtual std::string style() const = 0;
  double timestep() const { return dt_; }
  // Barostats need the virial every step (the driver then tallies it).
  virtual bool needs_virial() const { return false; }
  virtual void initial_integrate(Atoms& atoms, Box& box, const StepContext& ctx) = 0;
  virtual void final_integrate(Atoms& atoms, Box& box, const StepContext& ctx) = 0;
  // Restart: the extended state (thermostat and barostat variables) as numbers, and
  // back. Random numbers are keyed by (seed, step, atom), so they need no state.
  virtual std::vector<double> state() const { return {}; }
  virtual void restore(const std::vector<double>& s) {}

 protected:
  double dt_ = 0;
};

}  // namespace af
