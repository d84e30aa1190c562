#include "atomforge/src/cli/generate.hpp"

#include <cstdio>

#include "atomforge/samplers/generator.hpp"
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/extxyz.hpp"

namespace af::cli {

void GenerateCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("generate", "Write random unrelaxed structures for a composition (extended XYZ)");
  app->add_option("--composition", composition, "Atoms per cell, e.g. Si8, Ni3Al, SiO2")->required();
  app->add_option("--formula-units", formula_units, "Multiplies the composition")->check(CLI::PositiveNumber);
  app->add_option("--mode", mode, "random (P1, AIRSS-like)")->check(CLI::IsMember({"random", "symmetric"}));
  app->add_option("--count", count, "Structures to write")->check(CLI::PositiveNumber);
  app->add_option("--seed", seed, "Seed: structure k of a seed is always the same");
  app->add_option("--volume-per-atom", volume, "MIN MAX in A^3 (default: from covalent radii)")->expected(2);
  app->add_option("--min-distance", min_distances, "A-B=d in A, per species pair (default: 0.7 (r_A + r_B))");
  app->add_option("--min-distance-scale", min_distance_scale, "Of the covalent radii sums where no distance is given");
  app->add_flag("--cluster", cluster, "Atoms in a sphere in vacuum (non-periodic), e.g. Lennard-Jones clusters");
  app->add_option("OUT", out, "Output file (.xyz / .extxyz)")->required();
}

int GenerateCommand::run() const {
  const std::string tmp = out + ".atomforge-tmp";
  try {
    if (mode == "symmetric")
      throw InputError("--mode symmetric: not available yet (space-group generation is the next step of issue 21)");
    sampler::GeneratorSpec spec;
    spec.composition = sampler::parse_formula(composition, formula_units);
    if (volume.size() == 2) spec.volume_min = volume[0], spec.volume_max = volume[1];
    for (const auto& item : min_distances) {
      const auto eq = item.find('='), dash = item.find('-');
      if (eq == std::string::npos || dash == std::string::npos || dash > eq)
        throw InputError("--min-distance " + item + ": expected A-B=d");
      try {
        spec.min_distance[{item.substr(0, dash), item.substr(dash + 1, eq - dash - 1)}] = std::stod(item.substr(eq + 1));
      } catch (const std::logic_error&) {
        throw InputError("--min-distance " + item + ": '" + item.substr(eq + 1) + "' is not a number");
      }
    }
    spec.min_distance_scale = min_distance_scale;
    spec.cluster = cluster;
    const sampler::Generator gen(spec);
    std::vector<Structure> frames;
    for (int k = 0; k < count; ++k) frames.push_back(gen.generate(seed, static_cast<std::uint64_t>(k)));
    write_extxyz_frames(tmp, frames, {});
    if (std::rename(tmp.c_str(), out.c_str()) != 0) throw InputError(out + ": cannot write");
  } catch (const sampler::GeneratorError& e) {
    std::remove(tmp.c_str());
    std::fprintf(stderr, "generate: %s\n", e.what());
    return 2;
  } catch (const InputError& e) {
    std::remove(tmp.c_str());
    std::fprintf(stderr, "generate: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // e.g. out of memory: not the request's fault
    std::remove(tmp.c_str());
    std::fprintf(stderr, "generate: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace af::cli
