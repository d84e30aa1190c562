#include "atomforge/src/registry.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

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
std::shared_ptr<const IntegratorSpec> parse_nve(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_langevin(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_nvt(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_csvr(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_npt(MapReader&, const DeckContext&);
std::shared_ptr<const IntegratorSpec> parse_crescale(MapReader&, const DeckContext&);

const std::map<std::string, PotentialParser>& potential_styles() {
  static const std::map<std::string, PotentialParser> m = {
      {"lj", parse_lj},
      {"morse", parse_morse},
      {"eam", parse_eam},
      {"eam/alloy", parse_eam_alloy},
      {"eam/fs", parse_eam_fs},
      {"sw", parse_sw},
      {"tersoff", parse_tersoff},
      {"nnip", parse_nnip},
  };
  return m;
}

const std::map<std::string, IntegratorParser>& integrator_styles() {
  static const std::map<std::string, IntegratorParser> m = {
      {"nve", parse_nve},
      {"langevin", parse_langevin},
      {"nvt", parse_nvt},
      {"csvr", parse_csvr},
      {"npt", parse_npt},
      {"crescale", parse_crescale},
  };
  return m;
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
