// `atomforge match A B` and `atomforge dedup IN OUT`: pymatgen-style structure matching
// (src/structure/matcher.hpp) of structure files. match prints one JSON line per pair:
// frame i of A with frame i of B, or with --all-pairs every frame of A with every frame
// of B; dedup writes the unique structures and prints a JSON summary.
#pragma once
#include <CLI/CLI.hpp>

#include "atomforge/src/structure/matcher.hpp"

namespace af::cli {

// The matcher's tolerances and switches, shared by match and dedup.
struct MatcherFlags {
  double ltol = -1, stol = -1, angle_tol = -1;
  bool no_primitive = false, no_scale = false;
  std::string preset;
  void add(CLI::App& app);
  cell::MatcherOptions options() const;
};

struct MatchCommand {
  std::string a, b;
  MatcherFlags flags;
  bool all_pairs = false, timing = false;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // exit code: 0, or 2 for bad input
};

struct DedupCommand {
  std::string in, out;
  MatcherFlags flags;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;
};

}  // namespace af::cli
