// Factory maps from deck style names to parsers. Each parser reads its own deck
// section into a typed spec (validation happens there, before anything runs); the
// spec later creates the runtime object. Adding a style = one line in registry.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/integrator.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct DeckContext {
  const Units& units;
  const Structure& structure;  // species names and types
  std::uint64_t seed;
  // Resolves a species name in the structure or fails at `at`.
  int species_index(const DeckNode& at) const;
};

class PotentialSpec {
 public:
  virtual ~PotentialSpec() = default;
  virtual std::unique_ptr<Potential> create() const = 0;
  // Pairwise potentials run on any list kind, cluster lists included.
  virtual bool pairwise() const { return false; }
  // Three-body potentials need each atom's full neighborhood.
  virtual bool needs_full_list() const { return false; }
  // Masses per type the potential's file defines (LAMMPS sets them from EAM files),
  // used where the deck and structure file give none; empty if none.
  virtual std::vector<double> masses() const { return {}; }
};

// A potential file named in a deck: as given (relative to the working directory), else
// in $LAMMPS_POTENTIALS, else in Debian's /usr/share/lammps/potentials. Fails at `at`.
std::string find_potential_file(const DeckNode& at);

class IntegratorSpec {
 public:
  virtual ~IntegratorSpec() = default;
  virtual double timestep() const = 0;
  virtual std::unique_ptr<Integrator> create(const Units& units) const = 0;
};

using PotentialParser = std::shared_ptr<const PotentialSpec> (*)(MapReader& section, const DeckContext& ctx);
using IntegratorParser = std::shared_ptr<const IntegratorSpec> (*)(MapReader& section, const DeckContext& ctx);

const std::map<std::string, PotentialParser>& potential_styles();
const std::map<std::string, IntegratorParser>& integrator_styles();

}  // namespace af
