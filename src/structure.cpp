#include "atomforge/src/structure.hpp"

#include <cmath>

namespace af {

int Structure::find_species(const std::string& name) const {
  for (std::size_t t = 0; t < species.size(); ++t)
    if (species[t] == name) return static_cast<int>(t);
  return -1;
}

void Structure::wrap() {
  if (image.empty()) image.assign(3 * natoms(), 0);
  for (std::size_t i = 0; i < natoms(); ++i) {
    double u[3];
    box.to_frac(&x[3 * i], u);
    int n[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k)
      if (box.periodic[k]) n[k] = static_cast<int>(std::floor(u[k]));
    if (n[0] == 0 && n[1] == 0 && n[2] == 0) continue;  // untouched: no rounding of positions inside
    double s[3];
    box.image_shift(n[0], n[1], n[2], s);
    for (int k = 0; k < 3; ++k) {
      x[3 * i + k] -= s[k];
      image[3 * i + k] += n[k];
    }
  }
}

namespace {
long g_max_atoms = 2147483647L;
}
long max_atoms() { return g_max_atoms; }
void set_max_atoms(long n) { g_max_atoms = n; }

std::vector<long> Structure::type_counts() const {
  std::vector<long> counts(species.size(), 0);
  for (int t : type) ++counts[t];
  return counts;
}

std::string Structure::formula() const {
  const auto counts = type_counts();
  std::string out;
  for (std::size_t t = 0; t < counts.size(); ++t)
    if (counts[t]) out += species[t] + std::to_string(counts[t]);
  return out;
}

}  // namespace af
