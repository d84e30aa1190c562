// Reads the last frame of an H5MD file (atomforge's, or any with one particles group
// holding box/edges and position): cell, positions, species, ids, and velocities and
// image flags when present. Species names come from parameters/atomforge (our files)
// or are the species numbers. Starting a run from a trajectory's end.
#pragma once
#include <string>

#include "atomforge/src/structure.hpp"

namespace af {

Structure read_h5md_last_frame(const std::string& path);

}  // namespace af
