// The files of a campaign directory (samplers/campaign.hpp): relaxed.extxyz (streamed),
// campaign.json (the state after each relaxation, replaced atomically), and at the end
// unique.extxyz, top/rankNN.cif (or .xyz for clusters) and summary.json.
#pragma once
#include <string>
#include <utility>

#include "atomforge/samplers/campaign.hpp"

namespace af::sampler {

struct CampaignState {
  long next_index = 0;          // the next proposal
  long relaxed_bytes = 0;       // relaxed.extxyz holds exactly this many bytes of whole frames
  long generator_failures = 0;  // proposals the generator could not make
  CampaignProgress progress;
};

class CampaignFiles {
 public:
  explicit CampaignFiles(std::string dir) : dir_(std::move(dir)) {}
  std::string relaxed() const { return dir_ + "/relaxed.extxyz"; }
  // Creates the directory (and parents).
  void create() const;
  // The stopped campaign's state; InputError when there is none or it was another campaign.
  CampaignState load_state(const std::string& fingerprint) const;
  void save_state(const CampaignState& s, const std::string& fingerprint) const;
  // Deduplicates relaxed.extxyz and writes unique.extxyz, top/ and summary.json; returns
  // the distinct minima, the best's enthalpy per atom and the relaxations that found it.
  struct Ranking {
    long unique = 0, best_hits = 0;
    double best = 0;
  };
  Ranking finish(const CampaignSpec& spec, const CampaignState& s, bool stopped) const;

 private:
  std::string dir_;
};

}  // namespace af::sampler
