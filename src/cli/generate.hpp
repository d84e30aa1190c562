// `atomforge generate --composition Si8 --count N --seed S OUT`: unrelaxed random
// structures (samplers/generator.hpp) as extended XYZ frames.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace af::cli {

struct GenerateCommand {
  std::string composition, mode = "random", out;
  int formula_units = 1, count = 1;
  std::uint64_t seed = 1;
  std::vector<double> volume;               // per atom: MIN MAX
  std::vector<std::string> min_distances;   // A-B=d
  double min_distance_scale = 0.7;
  bool cluster = false;
  CLI::App* app = nullptr;
  void add(CLI::App& parent);
  int run() const;  // exit code: 0, or 2 for a bad or infeasible request
};

}  // namespace af::cli
