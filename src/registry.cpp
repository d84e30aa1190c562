#include "atomforge/src/registry.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "atomforge/src/elements.hpp"

namespace af {

// Parsers live beside their physics (potentials/, integrators/).
std::shared_ptr<const PotentialSpec> parse_lj(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_morse(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_eam(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_eam_alloy(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_eam_fs(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_sw(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_tersoff(MapReader&, const DeckContext&);
std::shared_ptr<const PotentialSpec> parse_nnip(MapReader&, const DeckContext&);
std::vector<std::string> nnip_keys();  // model, precision, backend and every architecture's own (nnip_spec.cpp)
std::shared_ptr<const IntegratorSpec> parse_nve(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_langevin(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_nvt(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_csvr(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_npt(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_crescale(MapReader&, const DeckContext&);


void check_declared_keys(const std::string& style, const std::vector<std::string>& keys, const MapReader& section) {
  for (const auto& k : section.known()) {
    if (k == "style") continue;
    bool declared = false;
    for (const auto& d : keys) declared = declared || d == k || d.compare(0, k.size() + 1, k + ".") == 0;
    if (!declared) throw std::logic_error("style '" + style + "' reads key '" + k + "' that its registration does not declare");
  }
}

namespace {
const std::vector<std::string> kPairKeys = {"cutoff", "shift", "pairs", "pairs.species", "pairs.cutoff"};
std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
const std::vector<std::string> kTemperature = {"timestep", "temperature", "temperature.start", "temperature.stop",
                                               "damping"};
const std::vector<std::string> kPressure = {"pressure", "pressure.start", "pressure.stop", "pressure_damping",
                                            "couple"};
}  // namespace

const StyleTable<PotentialParser>& potential_styles() {
  static const StyleTable<PotentialParser> t(
      "potential", {
                       {"lj", parse_lj, with(kPairKeys, {"mixing", "pairs.epsilon", "pairs.sigma"})},
                       {"morse", parse_morse, with(kPairKeys, {"pairs.d0", "pairs.alpha", "pairs.r0"})},
                       {"eam", parse_eam, {"file", "files"}},
                       {"eam/alloy", parse_eam_alloy, {"file", "species"}},
                       {"eam/fs", parse_eam_fs, {"file", "species"}},
                       {"sw", parse_sw, {"file", "species"}},
                       {"tersoff", parse_tersoff, {"file", "species"}},
                       {"nnip", parse_nnip, nnip_keys()},
                   });
  return t;
}

const StyleTable<IntegratorParser>& integrator_styles() {
  static const StyleTable<IntegratorParser> t(
      "integrator", {
                        {"nve", parse_nve, {"timestep"}},
                        {"langevin", parse_langevin, with(kTemperature, {"seed"})},
                        {"nvt", parse_nvt, with(kTemperature, {"chain", "loops"})},
                        {"csvr", parse_csvr, with(kTemperature, {"seed"})},
                        {"npt", parse_npt, with(with(kTemperature, {"chain", "loops"}), with(kPressure, {"pressure_chain"}))},
                        {"crescale", parse_crescale, with(with(kTemperature, kPressure), {"compressibility", "seed"})},
                    });
  return t;
}


std::string assign_masses(Structure& s, const PotentialSpec& pot, const Units& units, const std::vector<int>& keep) {
  const auto pm = pot.masses();
  for (int t = 0; t < s.ntypes(); ++t) {
    const bool kept = std::find(keep.begin(), keep.end(), t) != keep.end();
    if (!kept && t < static_cast<int>(pm.size()) && pm[t] > 0) s.masses[t] = pm[t];
    if (s.masses[t] > 0) continue;
    const double m = units.name != "lj" ? element_mass(s.species[t]) : 0.0;
    if (m <= 0) return s.species[t];
    s.masses[t] = m;
  }
  return "";
}

std::string find_potential_file(const DeckNode& at) {
  const std::string name = at.as_string();
  std::vector<std::string> dirs = {""};
  if (const char* env = std::getenv("LAMMPS_POTENTIALS")) dirs.push_back(std::string(env) + "/");
  dirs.push_back("/usr/share/lammps/potentials/");
  for (const auto& d : dirs) {
    const std::string p = d + name;
    struct stat st;
    if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(p.c_str(), R_OK) != 0) at.fail("cannot read potential file '" + p + "'");
      return p;
    }
  }
  at.fail("cannot find potential file '" + name + "' (looked in the working directory, $LAMMPS_POTENTIALS and /usr/share/lammps/potentials)");
}

int DeckContext::species_index(const DeckNode& at) const {
  const std::string name = at.as_string();
  const int t = structure.find_species(name);
  if (t < 0) fail_choice(at, "species", name, structure.species, "the system has");
  return t;
}

}  // namespace af
