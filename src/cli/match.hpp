// `atomforge match A B`: pymatgen-style structure matching of two structure files
// (src/structure/matcher.hpp), one JSON line per pair on stdout: frame i of A with frame
// i of B, or with --all-pairs every frame of A with every frame of B.
#pragma once
#include <CLI/CLI.hpp>

namespace af::cli {

struct MatchCommand {
  std::string a, b;
  double ltol = -1, stol = -1, angle_tol = -1;
  bool no_primitive = false, no_scale = false, all_pairs = false, timing = false;
  std::string preset;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // exit code: 0, or 2 for bad input
};

}  // namespace af::cli
