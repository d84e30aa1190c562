#include "atomforge/src/units.hpp"

namespace af {

bool Units::lookup(const std::string& name, Units& u) {
  if (name == "lj") {
    u = {"lj", 1.0, 1.0, 1.0, 1.0, 0.005, "epsilon", "sigma", "tau", "sigma/tau", "epsilon/sigma",
         "epsilon/sigma^3", "mass"};
    return true;
  }
  if (name == "metal") {
    u = {"metal", 8.617343e-5, 1.0364269e-4, 1.0 / 1.0364269e-4, 1.6021765e6, 0.001, "eV", "Angstrom", "ps",
         "Angstrom ps-1", "eV Angstrom-1", "bar", "g mol-1"};
    return true;
  }
  if (name == "real") {
    u = {"real", 0.0019872067, 48.88821291 * 48.88821291, 1.0 / 48.88821291 / 48.88821291, 68568.415, 1.0,
         "kcal mol-1", "Angstrom", "fs", "Angstrom fs-1", "kcal mol-1 Angstrom-1", "atm", "g mol-1"};
    return true;
  }
  return false;
}

std::vector<std::string> Units::names() { return {"lj", "metal", "real"}; }

}  // namespace af
