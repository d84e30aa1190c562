// `atomforge match A B`: pymatgen-style structure matching of two structure files
// (src/structure/matcher.hpp), one JSON line on stdout.
#pragma once
#include <CLI/CLI.hpp>

namespace af::cli {

struct MatchCommand {
  std::string a, b;
  double ltol = -1, stol = -1, angle_tol = -1;
  bool no_primitive = false, no_scale = false;
  std::string preset;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // exit code: 0, or 2 for bad input
};

}  // namespace af::cli
