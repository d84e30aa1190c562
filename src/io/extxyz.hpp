// Extended XYZ (ASE conventions): Lattice, Properties (species, pos, optional vel),
// pbc. Reading takes the last frame, as ase.io.read does by default.
#pragma once
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af {

Structure read_extxyz(const std::string& path);
// Every frame in file order (last_only: just the last, as read_extxyz); energies, when
// given, receives each frame's `energy` (NaN where the comment line has none), info each
// frame's comment-line pairs (keys lower-cased, quotes removed).
std::vector<Structure> read_extxyz_frames(const std::string& path, bool last_only = false,
                                          std::vector<double>* energies = nullptr,
                                          std::vector<std::map<std::string, std::string>>* info = nullptr);
// One frame: Lattice (origin at 0), species, pos, vel when present, pbc; full precision.
void write_extxyz(const std::string& path, const Structure& s);
// Extra key=value pairs of a frame's comment line (values quoted where needed).
using ExtxyzInfo = std::vector<std::pair<std::string, std::string>>;
// Several frames, each with energy=E on its comment line where energies holds a number,
// and the pairs of info[k] where given.
void write_extxyz_frames(const std::string& path, const std::vector<Structure>& frames,
                         const std::vector<double>& energies, const std::vector<ExtxyzInfo>& info = {});
// One frame appended to an open file (streams, e.g. a search's relaxed structures).
void write_extxyz_frame(std::FILE* f, const Structure& s, double energy, const ExtxyzInfo& info = {});

}  // namespace af
