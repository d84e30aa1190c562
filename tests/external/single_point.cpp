// An outside program's single point: a shaken 64-atom diamond Si cell built in memory,
// Stillinger-Weber from its deck-style description; prints energy, stress and forces.
#include <Kokkos_Core.hpp>

#include <cstdio>
#include <exception>

#include "atomforge/src/system.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  const double a = 5.431, basis[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                                         {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
  af::Structure s;
  const double lo[3] = {0, 0, 0}, hi[3] = {2 * a, 2 * a, 2 * a};
  s.box = af::Box::orthogonal(lo, hi);
  s.species = {"Si"};
  int n = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k)
        for (const auto& b : basis) {
          const double shake = 0.05 * ((n * 7919) % 13 - 6) / 6.0;  // deterministic, within 0.05 A
          s.x.insert(s.x.end(), {(i + b[0]) * a + shake, (j + b[1]) * a - 0.5 * shake, (k + b[2]) * a + 0.3 * shake});
          s.type.push_back(0);
          s.id.push_back(++n);
        }
  try {
    af::System sys(s, argc > 1 ? argv[1] : "{style: sw, file: Si.sw}");
    const af::Evaluation e = sys.compute();
    std::printf("energy %.17g\nstress", e.energy);
    for (double v : e.stress) std::printf(" %.17g", v);
    std::printf("\n");
    for (std::size_t i = 0; i < sys.natoms(); ++i)
      std::printf("%.17g %.17g %.17g\n", e.forces[3 * i], e.forces[3 * i + 1], e.forces[3 * i + 2]);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  }
  return 0;
}
