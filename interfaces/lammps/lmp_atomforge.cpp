// lmp_atomforge: Debian's LAMMPS (liblammps.so.0) with pair_style atomforge registered,
// used exactly as `lmp` (input from -in FILE or stdin, every command-line switch, under
// mpirun). The style is added to LAMMPS's pair table as `plugin load` would add it.
#include <mpi.h>

#include <Kokkos_Core.hpp>

#include <cstdio>
#include <exception>

#include "atomforge/src/kokkos_init.hpp"
#include "force.h"
#include "input.h"
#include "lammps.h"
#include "pair_atomforge.h"

namespace {
LAMMPS_NS::Pair* make_pair_atomforge(LAMMPS_NS::LAMMPS* lmp) { return new LAMMPS_NS::PairAtomforge(lmp); }
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  af::initialize_kokkos(-1);  // OMP_NUM_THREADS threads per rank
  int rc = 0;
  try {
    LAMMPS_NS::LAMMPS lmp(argc, argv, MPI_COMM_WORLD);
    (*lmp.force->pair_map)["atomforge"] = &make_pair_atomforge;
    lmp.input->file();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lmp_atomforge: %s\n", e.what());
    rc = 1;
  }
  Kokkos::finalize();
  MPI_Finalize();
  return rc;
}
