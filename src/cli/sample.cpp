#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>

#include "atomforge/samplers/campaign.hpp"
#include "atomforge/src/cli/console.hpp"
#include "atomforge/src/cli/generate.hpp"
#include "atomforge/src/deck_reader.hpp"

namespace af::cli {

namespace {

// One progress line on a terminal (rewritten in place at most 4 times a second); at
// most one every 10 s otherwise, so that logs stay short.
class SampleProgress final : public sampler::CampaignObserver {
 public:
  explicit SampleProgress(bool quiet) : quiet_(quiet), tty_(::isatty(2) != 0) {}
  void progress(const sampler::CampaignProgress& p) override {
    if (quiet_) return;
    const double gap = tty_ ? 0.25 : 10.0;
    if (p.seconds - last_ < gap) return;
    last_ = p.seconds;
    print(p, tty_ ? "\r" : "", tty_ ? "" : "\n");
  }
  void done(const sampler::CampaignProgress& p) {
    if (!quiet_) print(p, tty_ ? "\r" : "", "\n");
  }
  bool stop_requested() override { return StopOnSignals::signal() != 0; }

 private:
  void print(const sampler::CampaignProgress& p, const char* head, const char* tail) {
    char best[48] = "-";
    if (std::isfinite(p.best)) std::snprintf(best, sizeof best, "%.6f", p.best);
    std::fprintf(stderr, "%ssample: %ld relaxed (%ld converged, %ld failed), %.1f relaxations/s, best %s per atom, %ld hits%s",
                 head, p.relaxed, p.converged, p.failed, p.seconds > 0 ? p.relaxed / p.seconds : 0.0, best,
                 p.best_hits, tail);
    std::fflush(stderr);
  }
  bool quiet_, tty_;
  double last_ = -1e9;
};

}  // namespace

int validate_sample_deck(const std::string& path) {
  try {
    const DeckNode root = load_yaml(path);
    if (!root.is_map() || !root.yaml()["sample"]) return -1;
    const sampler::CampaignSpec spec = sampler::load_campaign(path);
    long atoms = 0;
    for (const auto& [name, n] : spec.generators.front().composition) atoms += n;
    std::printf("%s: OK (sample deck: %ld atoms per cell%s, %s generator)\n", path.c_str(), atoms,
                spec.generators.size() > 1 ? " and more" : "",
                std::array<const char*, 4>{"random", "symmetric", "learned", "mixture"}[static_cast<int>(
                    spec.generators.front().mode)]);
    return 0;
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}

void SampleCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("sample", "Crystal-structure search: generate, relax, deduplicate (a sample deck)");
  app->add_option("deck", deck, "Sample deck (YAML with a sample: section)")->required();
  app->add_flag("--restart", restart, "Continue the campaign stopped in the deck's output.dir");
  app->add_option("--threads,-t", threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  app->add_flag("--quiet,-q", quiet, "No progress line");
}

int SampleCommand::run() const {
  try {
    const sampler::CampaignSpec spec = sampler::load_campaign(deck);
    SampleProgress progress(quiet);
    StopOnSignals stop;
    const sampler::CampaignResult r = sampler::run_campaign(spec, restart, progress);
    progress.done(r.progress);
    if (r.stopped) {
      std::fprintf(stderr, "sample: stopped by signal %d after %ld relaxations; continue with --restart\n",
                   StopOnSignals::signal(), r.progress.relaxed);
      return 128 + StopOnSignals::signal();
    }
    std::printf("%s: %ld relaxations, %ld unique minima; best %.10g per atom (%ld hits); %s/summary.json\n",
                deck.c_str(), r.progress.relaxed, r.unique, r.best, r.best_hits, spec.dir.c_str());
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atomforge: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace af::cli
