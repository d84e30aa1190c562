// Checkpoints (HDF5) hold the complete state of a run, so that `atomforge run DECK
// --restart CKPT` continues bit for bit like the uninterrupted run (same thread count):
// atoms in their internal order, cell, step and time, stage progress, the neighbor
// list's last build (to rebuild the very same list), the integrator's extended state,
// and the deck. Written to a temporary file and renamed over the old one, so a crash
// while writing never destroys the previous checkpoint.
#pragma once
#include <string>
#include <vector>

#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/structure.hpp"

namespace af {

struct Checkpoint {
  long step = 0;
  double time = 0;
  int stage = 0;         // index of the stage in progress
  long stage_step = 0;   // steps of that stage already done
  Structure atoms;       // internal order; box, velocities and image flags included
  NeighborState neighbor;
  std::string integrator;  // style, checked on restart
  std::vector<double> integrator_state;
  std::string deck_text;
};

void write_checkpoint(const std::string& path, const Checkpoint& c);
// Throws InputError ("path: problem") for files that are not atomforge checkpoints.
Checkpoint read_checkpoint(const std::string& path);

}  // namespace af
