// The engine in memory: a structure and a potential, then energies, forces and stress on
// demand, new positions or cells between calls, and relaxation — no files, no printing,
// no signal handlers (what a sampler, a LAMMPS interface or a Python calculator needs).
// Kokkos must be initialised by the caller (the CLI, a test's main, a Python module).
//
//   af::Structure s = ...;                         // cell, species, types, positions
//   af::System sys(s, "{style: sw, file: Si.sw}");  // a deck's potential section
//   af::Evaluation r = sys.compute();              // r.energy, r.forces, r.stress
//   sys.relax(af::MinimizeSettings{});             // FIRE, as a deck's minimize stage
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atomforge/src/minimize.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct SystemSettings {
  std::string units = "metal";  // lj | metal | real
  // A deck's neighbor section; unset: its defaults (skin 0.3 in lj units, 2.0 otherwise).
  std::optional<NeighborSettings> neighbor;
  std::uint64_t seed = 12345;   // for potentials that draw random numbers at setup
};

// One evaluation, per-atom arrays in the structure's atom order.
struct Evaluation {
  double energy = 0;
  std::vector<double> forces;    // 3 per atom
  double virial[6] = {};         // sum r (x) f, xx yy zz xy xz yz (energy units)
  double stress[6] = {};         // -virial / V (energy / length^3; ASE's sign, no kinetic part)
  std::vector<double> energies;  // per atom, when asked for
};

class System {
 public:
  // potential: a deck's `potential:` section as YAML text; errors (InputError) name
  // "potential:line:column". Masses come from the structure, the potential file or the
  // element names, as in a deck.
  System(const Structure& structure, const std::string& potential, const SystemSettings& settings = {});
  // A parsed potential (a deck's).
  System(const Structure& structure, std::shared_ptr<const PotentialSpec> potential,
         const SystemSettings& settings = {});
  ~System();
  System(System&&) noexcept;
  System& operator=(System&&) noexcept;

  std::size_t natoms() const;
  const Units& units() const { return units_; }
  // Forces always; energy and virial unless energy_and_virial is false (then zero), as an
  // MD step computes them only when it reports them.
  Evaluation compute(bool per_atom_energies = false, bool energy_and_virial = true);
  // Cartesian positions, 3 per atom in the structure's order (unwrapped or not); the
  // neighbor list is kept until atoms have moved half the skin.
  void set_positions(const std::vector<double>& x);
  // A new cell; with scale_atoms the atoms keep their fractional coordinates.
  void set_cell(const Box& box, bool scale_atoms);
  // Minimises energy (enthalpy with a cell), exactly as a deck's minimize stage.
  MinimizeResult relax(const MinimizeSettings& settings);
  // The current state (positions wrapped into the cell, with image flags).
  Structure structure() const;

  // The engine's own objects, for callers that drive it step by step (tests, stages).
  Atoms& atoms();
  Box& box();
  NeighborList& neighbor_list();
  Potential& potential();
  // Brings the neighbor list up to date with the positions (rebuild or ghost update).
  void update_neighbors();

 private:
  struct State;
  std::unique_ptr<State> s_;
  Units units_;
};

}  // namespace af
