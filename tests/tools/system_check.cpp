// Drives af::System from a structure built in memory (no structure file is read), for
// tests/ref/test_system_api.py. Reads from stdin:
//   units metal
//   species Si C
//   box xlo xhi ylo yhi zlo zhi xy xz yz
//   potential {style: tersoff, file: SiC.tersoff}       (the rest of the line, YAML)
//   atoms N, then N lines "type x y z" (type 1-based)
//   [relax fire|cg FMAX CELL(0|1)]
// and prints the energy, stress (xx yy zz xy xz yz, -W/V), per-atom energies and forces
// in the input's atom order (after relaxing, when asked), with 17 significant digits.
#include <Kokkos_Core.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "atomforge/src/system.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  af::Structure s;
  std::string units = "metal", potential, word, line;
  std::string relax_style;
  double relax_fmax = 0;
  int relax_cell = 0;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    if (!(in >> word)) continue;
    if (word == "units") {
      in >> units;
    } else if (word == "species") {
      while (in >> word) s.species.push_back(word);
    } else if (word == "box") {
      double lo[3], hi[3], xy, xz, yz;
      in >> lo[0] >> hi[0] >> lo[1] >> hi[1] >> lo[2] >> hi[2] >> xy >> xz >> yz;
      s.box = af::Box::triclinic(lo, hi, xy, xz, yz);
    } else if (word == "potential") {
      std::getline(in, potential);
    } else if (word == "atoms") {
      int n = 0;
      in >> n;
      for (int i = 0; i < n && std::getline(std::cin, line); ++i) {
        std::istringstream a(line);
        int t;
        double x[3];
        a >> t >> x[0] >> x[1] >> x[2];
        s.type.push_back(t - 1);
        s.id.push_back(i + 1);
        s.x.insert(s.x.end(), x, x + 3);
      }
    } else if (word == "relax") {
      in >> relax_style >> relax_fmax >> relax_cell;
    }
  }
  s.masses.assign(s.species.size(), 0.0);
  try {
    af::SystemSettings settings;
    settings.units = units;
    af::System sys(s, potential, settings);
    if (!relax_style.empty()) {
      af::MinimizeSettings m;
      m.style = relax_style;
      m.fmax = relax_fmax;
      m.relax_cell = relax_cell != 0;
      const af::MinimizeResult r = sys.relax(m);
      std::printf("relaxed %d %ld\n", r.converged ? 1 : 0, r.iterations);
    }
    const af::Evaluation e = sys.compute(true);
    std::printf("energy %.17g\nstress", e.energy);
    for (double v : e.stress) std::printf(" %.17g", v);
    const af::Structure now = sys.structure();
    std::printf("\ncell");
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) std::printf(" %.17g", now.box.h[c][r]);  // rows a, b, c
    std::printf("\natoms %zu\n", now.natoms());
    for (std::size_t i = 0; i < now.natoms(); ++i) {
      double x[3], sh[3];
      now.box.image_shift(now.image[3 * i], now.image[3 * i + 1], now.image[3 * i + 2], sh);
      for (int k = 0; k < 3; ++k) x[k] = now.x[3 * i + k] + sh[k];  // unwrapped
      std::printf("%.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", e.energies[i], e.forces[3 * i],
                  e.forces[3 * i + 1], e.forces[3 * i + 2], x[0], x[1], x[2]);
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  }
  return 0;
}
