// `atomforge match A B`, `atomforge dedup IN OUT`, `atomforge metrics`: pymatgen-style structure matching
// (src/structure/matcher.hpp) of structure files. match prints one JSON line per pair:
// frame i of A with frame i of B, or with --all-pairs every frame of A with every frame
// of B; dedup writes the unique structures and prints a JSON summary.
#pragma once
#include <CLI/CLI.hpp>

#include "atomforge/src/structure/matcher.hpp"

namespace af::cli {

// The matcher's tolerances and switches, shared by match, dedup and metrics.
struct MatcherFlags {
  double ltol = -1, stol = -1, angle_tol = -1;
  bool no_primitive = false, no_scale = false, anonymous = false;
  std::string preset;
  void add(CLI::App& app);
  // `fallback`: the preset when none is given (pymatgen's defaults, or csp for metrics).
  cell::MatcherOptions options(const std::string& fallback = "pymatgen") const;
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

// `atomforge metrics --reference REF --generated GEN`: DiffCSP and OMatG metrics
// (src/structure/metrics.hpp) as one JSON object; tolerances default to the csp preset.
struct MetricsCommand {
  std::string reference, generated, known;
  std::vector<int> ks;
  MatcherFlags flags;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;
};

}  // namespace af::cli
