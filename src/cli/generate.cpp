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
  app->add_option("--mode", mode, "random (P1, AIRSS-like), symmetric (Wyckoff positions of a space group) or "
                  "learned (samples of a crystal-flow model, --model)")
      ->check(CLI::IsMember({"learned", "random", "symmetric"}));
  app->add_option("--model", model, "Learned mode: the crystal-flow model file (aftrain.train_flow)");
  app->add_option("--steps", steps, "Learned mode: Euler steps of the flow (default 50)")->check(CLI::PositiveNumber);
  app->add_option("--spacegroup", spacegroup, "Symmetric mode: space group 1-230 (default: drawn per structure from "
                  "those that can hold the composition)");
  app->add_option("--count", count, "Structures to write")->check(CLI::PositiveNumber);
  app->add_option("--seed", seed, "Seed: structure k of a seed is always the same");
  app->add_option("--volume-per-atom", volume, "MIN MAX in A^3 (default: from covalent radii)")->expected(2);
  app->add_option("--min-distance", min_distances, "A-B=d in A, per species pair (default: 0.7 (r_A + r_B))");
  app->add_option("--min-distance-scale", min_distance_scale, "Of the covalent radii sums where no distance is given");
  app->add_option("--pointgroup", pointgroup, "Symmetric clusters: one of the 32 point groups, e.g. m-3m "
                  "(default: drawn per structure from those that can hold the composition)");
  app->add_flag("--cluster", cluster, "Atoms in a sphere in vacuum (non-periodic), e.g. Lennard-Jones clusters");
  app->add_option("OUT", out, "Output file (.xyz / .extxyz)")->required();
}

int GenerateCommand::run() const {
  const std::string tmp = out + ".atomforge-tmp";
  try {
    sampler::GeneratorSpec spec;
    if (spacegroup != 0 && mode == "random") throw InputError("--spacegroup needs --mode symmetric");
    if (spacegroup != 0 || mode == "symmetric") spec.mode = sampler::GeneratorMode::symmetric;
    spec.spacegroup = spacegroup;
    spec.pointgroup = pointgroup;
    if (!pointgroup.empty() && mode.empty()) spec.mode = sampler::GeneratorMode::symmetric;
    if (mode == "learned") {
      if (spacegroup != 0 || !pointgroup.empty() || cluster)
        throw InputError("--mode learned takes no --spacegroup, --pointgroup or --cluster");
      spec.mode = sampler::GeneratorMode::learned;
    } else if (!model.empty() || steps != 0) {
      throw InputError("--model and --steps need --mode learned");
    }
    spec.model = model;
    spec.flow_steps = steps != 0 ? steps : 50;
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
    std::vector<ExtxyzInfo> info;
    for (int k = 0; k < count; ++k) {
      sampler::Proposal p = gen.propose(seed, static_cast<std::uint64_t>(k));
      frames.push_back(std::move(p.structure));
      info.push_back({{"generator", p.style}});
      if (!p.pointgroup.empty()) info.back().push_back({"generator_pointgroup", p.pointgroup});
      else if (spec.mode == sampler::GeneratorMode::symmetric)
        info.back().push_back({"generator_spacegroup", std::to_string(p.spacegroup)});
      if (!p.wyckoff.empty()) info.back().push_back({"wyckoff", p.wyckoff});
    }
    write_extxyz_frames(tmp, frames, {}, info);
    if (std::rename(tmp.c_str(), out.c_str()) != 0) throw InputError(out + ": cannot write");
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    std::fprintf(stderr, "generate: %s\n", e.what());
    // A bad or infeasible request exits 2; anything else (out of memory) is not its fault.
    return dynamic_cast<const sampler::GeneratorError*>(&e) || dynamic_cast<const InputError*>(&e) ? 2 : 1;
  }
  return 0;
}

}  // namespace af::cli
