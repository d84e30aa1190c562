// Per-atom state on the device, structure of arrays. Local atoms occupy [0, nlocal);
// periodic ghost images (made by the neighbor list) follow in [nlocal, nlocal+nghost)
// of x, f and type, so pair kernels read every neighbor's position directly.
#pragma once
#include <string>
#include <vector>

#include "atomforge/src/structure.hpp"
#include "atomforge/src/types.hpp"

namespace af {

struct Atoms {
  int nlocal = 0;
  int nghost = 0;
  VecView x, v, f;
  IntView type;
  IdView id;
  Int3View image;
  DblView mass;  // per type
  std::vector<double> mass_host;
  std::vector<std::string> species;

  int nall() const { return nlocal + nghost; }
  int ntypes() const { return static_cast<int>(species.size()); }

  static Atoms from_structure(const Structure& s);
  // Copies local atoms back to the host (positions as stored: wrapped, with images).
  Structure to_structure(const Box& box) const;
  // Ensures room for n ghosts in x, f and type (contents of locals kept).
  void reserve_ghosts(int n);
  // Reorders local atoms: new atom i is old atom perm(i).
  void permute(const IntView& perm);
  // Total kinetic energy (energy units).
  double kinetic_energy(double mvv2e) const;
  // Kinetic energy tensor sum m v_a v_b (energy units): xx yy zz xy xz yz (LAMMPS order).
  void kinetic_tensor(double mvv2e, double t[6]) const;
};

}  // namespace af
