#include <cstdio>

#include "atomforge/samplers/space_groups.hpp"
#include "atomforge/src/cli/generate.hpp"

namespace af::cli {

void SpacegroupCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("spacegroup", "Print a space group's Wyckoff positions (derived from spglib's operations)");
  app->add_option("NUMBER", number, "Space group 1-230")->required()->check(CLI::Range(1, 230));
  app->add_flag("--json", json, "One JSON object instead of a table");
}

int SpacegroupCommand::run() const {
  const sampler::SpaceGroup& g = sampler::space_group(number);
  const auto& labels = sampler::wyckoff_labels(g);
  if (json) {
    std::printf("{\"number\": %d, \"symbol\": \"%s\", \"hall_number\": %d, \"order\": %zu, \"wyckoff\": [", g.number,
                g.symbol.c_str(), g.hall, g.ops.size());
    for (std::size_t w = 0; w < g.wyckoff.size(); ++w) {
      const auto& p = g.wyckoff[w];
      std::printf("%s\n  {\"letter\": \"%c\", \"multiplicity\": %d, \"site_symmetry\": \"%s\", \"dim\": %d, "
                  "\"point\": [%d, %d, %d], \"directions\": [", w ? "," : "", labels[w].letter, p.multiplicity,
                  labels[w].site_symmetry.c_str(), p.dim, p.point[0], p.point[1], p.point[2]);
      for (int d = 0; d < p.dim; ++d)
        std::printf("%s[%d, %d, %d]", d ? ", " : "", p.directions[d][0], p.directions[d][1], p.directions[d][2]);
      std::printf("], \"coordinates\": \"%s\"}", sampler::coordinate_triplet(p).c_str());
    }
    std::printf("], \"grid\": %d}\n", sampler::kGrid);
    return 0;
  }
  std::printf("%d %s (spglib Hall number %d), %zu operations in the conventional cell\n", g.number, g.symbol.c_str(),
              g.hall, g.ops.size());
  for (std::size_t w = 0; w < g.wyckoff.size(); ++w)
    std::printf("  %3d%c  %-8s %s\n", g.wyckoff[w].multiplicity, labels[w].letter, labels[w].site_symmetry.c_str(),
                sampler::coordinate_triplet(g.wyckoff[w]).c_str());
  return 0;
}

}  // namespace af::cli
