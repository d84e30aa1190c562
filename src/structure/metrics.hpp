// Crystal-structure-prediction metrics on the matcher (definitions and sources:
// docs/metrics.md). Reference structures j = 0..N-1; generated structures in groups of
// K candidates per reference, candidate c of reference j at index j*K + c.
//  - DiffCSP (Jiao et al. 2023, scripts/compute_metrics.py): match rate and mean RMSE at
//    each k. k = 1: a pair counts only if both structures are valid; k > 1: reference j is
//    matched if one of the valid candidates among its first k matches, its RMSE the
//    smallest.
//  - OMatG ("All that structure matches does not glitter", 2025): one-to-one (candidate
//    0 of j against j) match rate, RMSE and cRMSE (an unmatched pair counts stol); METRe,
//    every first candidate against every reference, each reference keeping its best RMS.
//  - validity (minimum interatomic distance and volume, DiffCSP's structure check),
//    uniqueness (dedup classes / generated), novelty (generated matching no known one).
// RMS values are get_rms_dist(generated, reference), normalised by (V/N)^(1/3).
#pragma once
#include <optional>
#include <vector>

#include "atomforge/src/structure/matcher.hpp"

namespace af::cell {

struct MetricsOptions {
  MatcherOptions matcher = MatcherOptions::csp();
  std::vector<int> ks = {1};    // candidates per reference to score, each <= K
  double min_distance = 0.5;    // Angstrom, between distinct sites (DiffCSP)
  double min_volume = 0.1;      // Angstrom^3
};

// DiffCSP's structure validity: every distance between two distinct sites (nearest
// periodic images) at least min_distance, and |volume| at least min_volume.
bool structure_valid(const Cell& c, double min_distance = 0.5, double min_volume = 0.1);
// The smallest distance between two distinct sites over periodic images (infinity for
// one site).
double min_site_distance(const Cell& c);

struct Rate {
  int matched = 0, total = 0;
  double match_rate = 0;
  std::optional<double> rmse;   // mean over matched; none when nothing matched
  std::optional<double> crmse;  // OMatG: mean over all, unmatched counting stol
};

struct CspMetrics {
  int n_reference = 0, n_generated = 0, candidates = 0;
  std::vector<std::pair<int, Rate>> diffcsp;  // per k
  Rate one_to_one, metre;
  int valid = 0;
  double validity = 0;
  int unique = 0;
  double uniqueness = 0;
  std::optional<int> novel;  // with a known set only
  std::optional<double> novelty;
  long comparisons = 0;  // rms_dist calls
};

// known: structures to measure novelty against (null: novelty not computed). Throws
// std::invalid_argument when the generated count is not a positive multiple of the
// reference count or a k exceeds it.
CspMetrics csp_metrics(const std::vector<Cell>& reference, const std::vector<Cell>& generated,
                       const std::vector<Cell>* known, const MetricsOptions& o);

}  // namespace af::cell
