// A crystal-structure search campaign (`atomforge sample`): proposals from a generator,
// each relaxed (FIRE, cell included for periodic structures) with the deck's potential,
// every result streamed to DIR/relaxed.extxyz as it completes, the campaign state kept
// in DIR/campaign.json after each one (so that a stopped or killed campaign continues
// exactly with `restart`), and at the end the deduplicated, enthalpy-ranked minima
// (unique.extxyz), CIFs of the best (top/) and summary.json.
//
// Proposal k of a campaign is a pure function of (seed, k): a restarted campaign
// relaxes the same structures in the same order and ends with the same results.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atomforge/samplers/generator.hpp"
#include "atomforge/src/minimize.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/structure/matcher.hpp"

namespace af::sampler {

struct CampaignSpec {
  std::string units = "lj";
  std::uint64_t seed = 12345;
  std::shared_ptr<const PotentialSpec> potential;
  std::optional<NeighborSettings> neighbor;
  // One generator per cell size (formula units); proposal k draws one uniformly.
  std::vector<GeneratorSpec> generators;
  // Or proposals from a file (generator style file): frame k is proposal k, each once.
  std::string frames_file;
  std::vector<Structure> frames;
  MinimizeSettings relax;          // fire; relax_cell for periodic structures
  long max_relaxations = 0;        // budget: 0 = none (then seconds)
  double max_seconds = 0;          //         0 = none
  int batch = 1;                   // structures relaxed together
  cell::MatcherOptions match = cell::MatcherOptions::csp();
  double cluster_energy_tol = 1e-6;  // clusters: same minimum when |dE| per atom is below this
  int top = 10;                    // CIFs of the best minima
  std::vector<double> masses;      // per species of the composition; 0: the potential's or the element's
  std::string dir;
  std::string deck;                // its path, for messages
  std::string fingerprint() const;  // what a restart must share with the stopped campaign
};

struct CampaignProgress {
  long attempts = 0, relaxed = 0, converged = 0, unconverged = 0, failed = 0;
  long force_evaluations = 0;
  double seconds = 0;
  double relax_seconds = 0;  // of those, relaxing (not generating, analysing or writing)
  double best = 0;   // enthalpy per atom of the best so far (NaN before the first)
  long best_hits = 0;  // relaxations that reached it so far (energy within tolerance)
};

class CampaignObserver {
 public:
  virtual ~CampaignObserver() = default;
  virtual void progress(const CampaignProgress&) {}
  virtual bool stop_requested() { return false; }
};

struct CampaignResult {
  CampaignProgress progress;
  long unique = 0;
  long best_hits = 0;    // relaxations in the best minimum's class (matcher; clusters: energy)
  double best = 0;       // its enthalpy per atom (NaN if none)
  bool stopped = false;  // by the observer (a signal): continue with restart
};

// A sample deck (docs/sampler.md): units, seed, potential, neighbor, sample, output.
// InputError ("file:line:col: problem") on any problem.
CampaignSpec load_campaign(const std::string& path);
CampaignSpec load_campaign_text(const std::string& text, const std::string& name = "<deck>");

// Runs (or with restart continues) the campaign; InputError for a bad request or an
// output directory that does not fit (a campaign there without restart, or none with it).
CampaignResult run_campaign(const CampaignSpec& spec, bool restart, CampaignObserver& observer);

}  // namespace af::sampler
