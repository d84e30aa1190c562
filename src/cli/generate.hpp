// `atomforge generate --composition Si8 --count N --seed S OUT`: unrelaxed random
// structures (samplers/generator.hpp) as extended XYZ frames.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace af::cli {

struct GenerateCommand {
  std::string composition, mode, out, pointgroup;  // --spacegroup alone implies symmetric
  std::string model;  // --mode learned: the crystal-flow model file
  int steps = 0;      // its Euler steps (0: not given, 50)
  int formula_units = 1, count = 1, spacegroup = 0;  // 0: drawn (symmetric mode)
  std::uint64_t seed = 1;
  std::vector<double> volume;               // per atom: MIN MAX
  std::vector<std::string> min_distances;   // A-B=d
  double min_distance_scale = 0.7;
  bool cluster = false;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // exit code: 0, or 2 for a bad or infeasible request
};

// `atomforge spacegroup N [--json]`: the group's symbol, setting and Wyckoff positions
// (samplers/space_groups.hpp), as derived from spglib's operations.
struct SpacegroupCommand {
  int number = 0;
  bool json = false;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;
};

// `atomforge sample DECK [--restart] [--threads N] [--quiet]`: a crystal-structure search
// (samplers/campaign.hpp). Exit 0 when the budget is spent, 128 + signal after a stop on
// SIGINT/SIGTERM (continue with --restart), 2 for a bad deck or output directory.
struct SampleCommand {
  std::string deck;
  bool restart = false, quiet = false;
  int threads = 0;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // Kokkos must be initialised
};

// `atomforge validate` of a deck with a top-level sample: section: 0 (OK, printed), 2 (one
// line), or -1 when the deck has none (a run deck).
int validate_sample_deck(const std::string& path);

}  // namespace af::cli
