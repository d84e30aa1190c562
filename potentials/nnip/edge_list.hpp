// The narrow interface between the engine and a neural potential: a per-atom (CSR) list
// of directed edges i <- j inside the model's cutoff, built from the full neighbor list.
// A model maps edges to per-atom energies and per-edge gradients dE/dr_e; the engine
// turns those into forces and virial (scatter_edge_gradients), so models never see
// ghosts, list kinds or Newton's third law.
#pragma once
#include <Kokkos_ScatterView.hpp>

#include "neighbor.hpp"
#include "potential.hpp"

namespace af::nnip {

struct EdgeList {
  int nlocal = 0;
  int nedges = 0;
  int max_degree = 0;  // the most edges any receiver has (sizes per-atom scratch)
  IntView offset;    // nlocal + 1: the edges of receiver i are offset(i) .. offset(i+1)-1
  IntView receiver;  // i (local), per edge
  IntView sender;    // the local atom j stands for (its owner when j is a periodic image)
  VecView vec;       // r_e = x_j - x_i (Cartesian, image included)
  // Rebuilds the edges from a full list (every pair from both ends) for the current
  // positions; only pairs closer than `cutoff` enter.
  void build(const Atoms& atoms, const NeighborList& list, double cutoff);
  // Scratch of the build, kept between calls.
  IntView count_;
  // Scratch of scatter_edge_gradients: the forces of local atoms, one copy per host thread
  // (summed at the end) or atomic on devices, as Kokkos chooses per backend.
  using ForceScatter = Kokkos::Experimental::ScatterView<double* [3], VecView::array_layout, ExecSpace>;
  ForceScatter fscatter_;
  int fscatter_n_ = -1;  // its rows
};

// Forces F_i += g_e, F_j -= g_e for every edge (g = dE/dr_e; the reaction goes to j's
// owner, the edge's sender) into atoms.f, and the virial W = -sum_e r_e (x) g_e (LAMMPS
// order xx yy zz xy xz yz). atoms.f is overwritten (ghost rows zero).
EnergyVirial scatter_edge_gradients(Atoms& atoms, EdgeList& edges, const VecView& dedr);

}  // namespace af::nnip
