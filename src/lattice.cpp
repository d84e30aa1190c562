#include "atomforge/src/lattice.hpp"

#include <stdexcept>

namespace af {

std::vector<std::array<double, 3>> lattice_basis(const std::string& style) {
  if (style == "sc") return {{0, 0, 0}};
  if (style == "bcc") return {{0, 0, 0}, {0.5, 0.5, 0.5}};
  if (style == "fcc") return {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  if (style == "diamond")
    return {{0, 0, 0},          {0, 0.5, 0.5},       {0.5, 0, 0.5},       {0.5, 0.5, 0},
            {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75}, {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
  return {};
}

std::vector<std::string> lattice_styles() { return {"sc", "bcc", "fcc", "diamond"}; }

Structure make_lattice(const std::string& style, double a, const int repeat[3],
                       const std::vector<std::string>& species) {
  const auto basis = lattice_basis(style);
  if (basis.empty()) throw std::invalid_argument("unknown lattice style " + style);
  Structure s;
  const double lo[3] = {0, 0, 0};
  const double hi[3] = {a * repeat[0], a * repeat[1], a * repeat[2]};
  s.box = Box::orthogonal(lo, hi);
  // Species: distinct names in order of first appearance; basis atom m gets species[m].
  std::vector<int> basis_type(basis.size());
  for (std::size_t m = 0; m < basis.size(); ++m) {
    const std::string& name = species.size() == 1 ? species[0] : species[m];
    int t = s.find_species(name);
    if (t < 0) {
      t = s.ntypes();
      s.species.push_back(name);
    }
    basis_type[m] = t;
  }
  s.masses.assign(s.species.size(), 0.0);
  long id = 1;
  const std::size_t n = basis.size() * repeat[0] * repeat[1] * repeat[2];
  s.x.reserve(3 * n);
  for (int k = 0; k < repeat[2]; ++k)
    for (int j = 0; j < repeat[1]; ++j)
      for (int i = 0; i < repeat[0]; ++i)
        for (std::size_t m = 0; m < basis.size(); ++m) {
          s.x.push_back((i + basis[m][0]) * a);
          s.x.push_back((j + basis[m][1]) * a);
          s.x.push_back((k + basis[m][2]) * a);
          s.type.push_back(basis_type[m]);
          s.id.push_back(id++);
        }
  return s;
}

}  // namespace af
