// What a model consumes: a plain graph of nodes and directed edges, with no box, atoms,
// ghosts or neighbor-list kinds. Node i's edges i <- j are offset(i) .. offset(i+1)-1,
// each with its sender j (a node index) and vector r = x_j - x_i (the image included).
// Nodes may be ghost or padding copies (LAMMPS ghosts, KIM padding): they carry edge
// lists and are computed, but contributing(i) = 0 keeps their energies out of the total
// whose gradient the model returns.
#pragma once
#include "atomforge/src/types.hpp"

namespace af::nnip {

struct Graph {
  int nnodes = 0;
  int nedges = 0;
  int max_degree = 0;    // the most edges any node has: models size scratch by it (must not be less)
  IntView offset;        // nnodes + 1
  IntView receiver;      // i, per edge
  IntView sender;        // j, per edge: a node in [0, nnodes)
  VecView vec;           // r_e = x_j - x_i, per edge
  IntView species;       // per node: the model's species index (0 .. species - 1)
  IntView contributing;  // per node 1 or 0; empty: every node contributes
};

}  // namespace af::nnip
