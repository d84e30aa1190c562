#include "registry.hpp"

#include <vector>

namespace af {

// Parsers live beside their physics (potentials/, integrators/).
std::shared_ptr<const PotentialSpec> parse_lj(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_morse(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_nve(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_langevin(MapReader&, const DeckContext&);

const std::map<std::string, PotentialParser>& potential_styles() {
  static const std::map<std::string, PotentialParser> m = {
      {"lj", parse_lj},
      {"morse", parse_morse},
  };
  return m;
}

const std::map<std::string, IntegratorParser>& integrator_styles() {
  static const std::map<std::string, IntegratorParser> m = {
      {"nve", parse_nve},
      {"langevin", parse_langevin},
  };
  return m;
}

int DeckContext::species_index(const DeckNode& at) const {
  const std::string name = at.as_string();
  const int t = structure.find_species(name);
  if (t < 0) fail_choice(at, "species", name, structure.species, "the system has");
  return t;
}

}  // namespace af
