// The engine's side of the NNIP model contract (potentials/nnip/graph.hpp): the graph of
// the local atoms, each with its directed edges i <- j inside the model's cutoff, built
// from the full neighbor list; a periodic image j enters as its owner, so every node is
// a local atom with its complete edge list and every node contributes. The model maps
// it to per-atom energies and per-edge dE/dr_e; scatter_edge_gradients turns those into
// forces and virial, so models never see ghosts, list kinds or Newton's third law.
#pragma once
#include "atomforge/src/force_sink.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/potentials/nnip/graph.hpp"

namespace af::nnip {

struct EdgeList : Graph {
  // Rebuilds the edges from a full list (every pair from both ends) for the current
  // positions; only pairs closer than `cutoff` enter. species_of_type maps the engine's
  // types to the model's species.
  void build(const Atoms& atoms, const NeighborList& list, double cutoff, const IntView& species_of_type);
  // Scratch of the build, kept between calls.
  IntView count_;
  // The force sink of scatter_edge_gradients (its thread copies kept between calls).
  ForceSinkOwner sink_;
};

// Forces F_i += g_e, F_j -= g_e for every edge (g = dE/dr_e; the reaction goes to j's
// owner, the edge's sender) into atoms.f, and the virial W = -sum_e r_e (x) g_e (LAMMPS
// order xx yy zz xy xz yz). atoms.f is overwritten (ghost rows zero).
EnergyVirial scatter_edge_gradients(Atoms& atoms, EdgeList& edges, const VecView& dedr);

}  // namespace af::nnip
