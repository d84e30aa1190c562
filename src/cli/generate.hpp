// `atomforge generate --composition Si8 --count N --seed S OUT`: unrelaxed random
// structures (samplers/generator.hpp) as extended XYZ frames.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace af::cli {

struct GenerateCommand {
  std::string composition, mode, out;  // --spacegroup alone implies symmetric
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

}  // namespace af::cli
