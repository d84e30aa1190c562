// atomforge command line: run, validate, --version.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "atomforge/src/deck.hpp"
#include "atomforge/src/cli/console.hpp"
#include "atomforge/src/cli/generate.hpp"
#include "atomforge/src/cli/match.hpp"
#include "atomforge/src/io/structure_io.hpp"
#include "atomforge/src/kokkos_init.hpp"
#include "atomforge/src/registry.hpp"

namespace {

// Reads by the input's name, writes by the output's (through a temporary file, so a
// failure never leaves a half-written output). Bad input: one line, exit 2.
int convert_structure(const std::string& in, const std::string& out, const std::vector<std::string>& species) {
  const af::StructureFormat* from = af::structure_format(in);
  const af::StructureFormat* to = af::structure_format(out);
  for (const auto& [path, f] : {std::pair{in, from}, std::pair{out, to}})
    if (!f) {
      std::fprintf(stderr, "%s: cannot tell the format from the name (known: %s)\n", path.c_str(),
                   af::structure_formats_help().c_str());
      return 2;
    }
  if (!to->write) {
    std::fprintf(stderr, "%s: atomforge does not write %s files\n", out.c_str(), to->name);
    return 2;
  }
  const std::string tmp = out + ".atomforge-tmp";
  try {
    af::Structure s = from->read(in);
    if (!species.empty()) {
      if (static_cast<int>(species.size()) != s.ntypes())
        throw af::InputError(in + ": --species names " + std::to_string(species.size()) + " types, the file has " +
                             std::to_string(s.ntypes()));
      s.species = species;
    }
    to->write(tmp, s);
    if (std::rename(tmp.c_str(), out.c_str()) != 0) throw af::InputError(out + ": cannot write");
    std::printf("%s (%s, %zu atoms) -> %s (%s)\n", in.c_str(), from->name, s.natoms(), out.c_str(), to->name);
  } catch (const af::InputError& e) {
    std::remove(tmp.c_str());
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"atomforge: molecular dynamics with native neural potentials"};
  app.set_version_flag("--version", std::string("atomforge ") + ATOMFORGE_VERSION + " (Kokkos " +
                                        std::to_string(KOKKOS_VERSION / 10000) + "." +
                                        std::to_string(KOKKOS_VERSION / 100 % 100) + "." +
                                        std::to_string(KOKKOS_VERSION % 100) + ")");
  app.require_subcommand(1);

  std::string deck_path;
  int threads = 0;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "Run a YAML deck");
  run->add_option("deck", deck_path, "Input deck (YAML)")->required();
  run->add_option("--threads,-t", threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  run->add_flag("--quiet,-q", quiet, "No thermo table on stdout");
  std::string restart;
  run->add_option("--restart", restart, "Continue from a checkpoint (output.checkpoint) written by this deck");
  long until = -1;
  run->add_option("--until", until, "Stop cleanly after this step, writing outputs and a checkpoint")
      ->check(CLI::NonNegativeNumber);
  bool restart_new_files = false;
  run->add_flag("--restart-new-files", restart_new_files,
                "On --restart, write trajectories to NAME.restart-STEP.EXT instead of continuing them");

  std::string validate_path;
  auto* validate = app.add_subcommand("validate", "Check a deck without running it");
  validate->add_option("deck", validate_path, "Input deck (YAML)")->required();

  auto* styles = app.add_subcommand("styles", "List every deck style (potentials, integrators, ...) and its keys");

  af::cli::MatchCommand match;
  match.add(app);
  af::cli::DedupCommand dedup;
  dedup.add(app);
  af::cli::MetricsCommand metrics;
  metrics.add(app);
  af::cli::GenerateCommand generate;
  generate.add(app);
  af::cli::SpacegroupCommand spacegroup;
  spacegroup.add(app);
  af::cli::SampleCommand sample;
  sample.add(app);
  std::string convert_in, convert_out;
  auto* convert = app.add_subcommand("convert", "Convert a structure file to another format (by file name)");
  convert->add_option("input", convert_in, "Structure to read")->required();
  convert->add_option("output", convert_out, "Structure to write")->required();
  std::vector<std::string> convert_species;
  convert->add_option("--species", convert_species, "Names for the input's types in order (LAMMPS data: types 1, 2, ...)")
      ->delimiter(',');

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "atomforge: %s (atomforge --help lists the commands)\n", e.what());
    return 2;  // a usage error: one line, as for bad input
  }

  if (convert->parsed()) return convert_structure(convert_in, convert_out, convert_species);
  if (match.app->parsed()) return match.run();
  if (dedup.app->parsed()) return dedup.run();
  if (metrics.app->parsed()) return metrics.run();
  if (generate.app->parsed()) {
    if (generate.mode != "learned") return generate.run();
    af::initialize_kokkos(0);  // the flow model runs in Kokkos
    const int rc = generate.run();
    Kokkos::finalize();
    return rc;
  }
  if (spacegroup.app->parsed()) return spacegroup.run();
  if (sample.app->parsed()) {
    af::initialize_kokkos(sample.threads);
    const int rc = sample.run();
    Kokkos::finalize();
    return rc;
  }
  if (styles->parsed()) {  // kind <tab> style <tab> keys
    for (const auto& st : af::registered_styles()) {
      std::string keys;
      for (const auto& k : st.keys) keys += (keys.empty() ? "" : " ") + k;
      std::printf("%s\t%s\t%s\n", st.kind.c_str(), st.name.c_str(), keys.c_str());
    }
    return 0;
  }

  const std::string& path = run->parsed() ? deck_path : validate_path;
  if (validate->parsed()) {  // a sample deck (a sample: section, no system) validates as one
    const int rc = af::cli::validate_sample_deck(path);
    if (rc >= 0) return rc;
  }
  af::Deck deck;
  try {
    deck = af::load_deck(path);
  } catch (const af::InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // a programming error (e.g. a style's undeclared key)
    std::fprintf(stderr, "atomforge: internal error: %s\n", e.what());
    return 1;
  }
  for (const auto& w : deck.warnings) std::fprintf(stderr, "%s\n", w.c_str());
  if (!quiet || validate->parsed())
    for (const auto& n : deck.notes) std::fprintf(stderr, "%s\n", n.c_str());
  if (validate->parsed()) {
    std::printf("%s: OK (%zu atoms, %zu stage(s), %ld steps)\n", path.c_str(), deck.structure.natoms(),
                deck.stages.size(), deck.total_steps());
    return 0;
  }
  af::initialize_kokkos(threads);  // OMP_PROC_BIND=spread binds threads
  int rc = 0;
  try {
    // The run itself prints nothing: the console observer shows it, SIGINT/SIGTERM stop it.
    const af::RunOptions options{restart, until, restart_new_files};
    af::cli::ConsoleObserver console(deck, options, quiet);
    af::cli::StopOnSignals stop;
    const af::RunResult result = af::run_simulation(deck, options, console);
    console.close();
    rc = af::cli::report(deck, result);
  } catch (const af::InputError& e) {  // e.g. a checkpoint that does not fit the deck
    std::fprintf(stderr, "%s\n", e.what());
    rc = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atomforge: %s\n", e.what());
    rc = 1;
  }
  Kokkos::finalize();
  return rc;
}
