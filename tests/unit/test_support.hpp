// Helpers for unit tests: temporary files and systems built through the real deck path.
#pragma once
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/deck.hpp"
#include "atomforge/src/lattice.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/system.hpp"

namespace aft {

inline std::string temp_path(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/atomforge-test-XXXXXX";
    const char* d = mkdtemp(tmpl);
    return std::string(d ? d : "/tmp");
  }();
  return dir + "/" + name;
}

inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p) << text;
  return p;
}

// A random two-species triclinic LAMMPS data file with no pair closer than rmin.
inline std::string random_data_file(const std::string& name, int n, double l, double xy, double xz, double yz,
                                    double rmin, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0, 1);
  af::Box box = af::Box::triclinic(std::vector<double>{0, 0, 0}.data(), std::vector<double>{l, l * 1.1, l * 0.9}.data(), xy, xz, yz);
  std::vector<double> x;
  for (long attempt = 0; static_cast<int>(x.size()) < 3 * n; ++attempt) {
    if (attempt > 1000000) throw std::runtime_error("random_data_file: cannot place atoms; lower rmin");
    double f[3] = {u(g), u(g), u(g)}, c[3];
    box.to_cart(f, c);
    bool ok = true;
    for (std::size_t j = 0; j < x.size() / 3 && ok; ++j)
      for (int a = -1; a <= 1 && ok; ++a)
        for (int b = -1; b <= 1 && ok; ++b)
          for (int cc = -1; cc <= 1 && ok; ++cc) {
            double s[3];
            box.image_shift(a, b, cc, s);
            double r2 = 0;
            for (int k = 0; k < 3; ++k) r2 += (c[k] - x[3 * j + k] - s[k]) * (c[k] - x[3 * j + k] - s[k]);
            ok = r2 > rmin * rmin;
          }
    if (ok) x.insert(x.end(), c, c + 3);
  }
  std::string s = "random test structure\n\n" + std::to_string(n) + " atoms\n2 atom types\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n%.17g %.17g %.17g xy xz yz\n\nAtoms # atomic\n\n",
                l, l * 1.1, l * 0.9, xy, xz, yz);
  s += buf;
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%d %d %.17g %.17g %.17g\n", i + 1, 1 + (i % 3 == 0), x[3 * i], x[3 * i + 1], x[3 * i + 2]);
    s += buf;
  }
  return write_file(name, s);
}

// A lattice with every atom displaced randomly by up to `shake`, as a LAMMPS data file.
inline std::string lattice_data_file(const std::string& name, const std::string& style, double a, int n,
                                     double shake, unsigned seed) {
  const int rep[3] = {n, n, n};
  af::Structure s = af::make_lattice(style, a, rep, {"A"});
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(-shake, shake);
  char buf[256];
  std::string out = "shaken lattice\n\n" + std::to_string(s.natoms()) + " atoms\n1 atom types\n";
  for (int k = 0; k < 3; ++k) {
    std::snprintf(buf, sizeof buf, "0 %.17g %clo %chi\n", s.box.h[k][k], 'x' + k, 'x' + k);
    out += buf;
  }
  out += "\nAtoms # atomic\n\n";
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    std::snprintf(buf, sizeof buf, "%zu 1 %.17g %.17g %.17g\n", i + 1, s.x[3 * i] + u(g), s.x[3 * i + 1] + u(g),
                  s.x[3 * i + 2] + u(g));
    out += buf;
  }
  return write_file(name, out);
}

inline af::SystemSettings settings_of(const af::Deck& d) {
  af::SystemSettings s;
  s.units = d.units.name;
  s.neighbor = d.neighbor;
  s.seed = d.seed;
  return s;
}

// A deck's system through the in-memory API (af::System), with its parts exposed for
// tests that move atoms and cells by hand (compute() then only moves the ghosts).
struct System {
  af::Deck deck;
  af::System engine;
  af::Box& box;
  af::Atoms& atoms;
  af::NeighborList& list;
  af::Potential* pot;

  explicit System(const std::string& deck_path)
      : deck(af::load_deck(deck_path)),
        engine(deck.structure, deck.potential, settings_of(deck)),
        box(engine.box()),
        atoms(engine.atoms()),
        list(engine.neighbor_list()),
        pot(&engine.potential()) {}
  af::EnergyVirial compute() {
    list.update_ghosts(atoms, box);
    af::ComputeFlags fl;
    return pot->compute(atoms, list, fl, af::DblView());
  }
  std::vector<double> host(const af::VecView& v) const {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
    std::vector<double> out(3 * atoms.nlocal);
    for (int i = 0; i < atoms.nlocal; ++i)
      for (int k = 0; k < 3; ++k) out[3 * i + k] = h(i, k);
    return out;
  }
  void set_positions(const std::vector<double>& x) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.x);
    for (int i = 0; i < atoms.nlocal; ++i)
      for (int k = 0; k < 3; ++k) h(i, k) = x[3 * i + k];
    Kokkos::deep_copy(atoms.x, h);
  }
};

}  // namespace aft
