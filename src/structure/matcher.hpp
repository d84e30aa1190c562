// Structure matching with the semantics of pymatgen 2022.11's StructureMatcher (defaults:
// primitive_cell, scale, no supercells, species compared exactly): Niggli and primitive
// reduction, volume scaling to the geometric mean, every basis of the first lattice whose
// lengths and angles match the second's within ltol and angle_tol, translations anchored
// on the rarest species, the fractional pre-filter, optimal site assignment over periodic
// images, distances normalised by (V/N)^(1/3). fit uses the largest distance, rms_dist the
// RMS; both are capped at stol. Deviations and their reasons: docs/matcher.md.
#pragma once
#include <optional>
#include <vector>

#include "atomforge/src/structure/cell.hpp"

namespace af::cell {

struct MatcherOptions {
  double ltol = 0.2;       // fractional length tolerance
  double stol = 0.3;       // site tolerance, in units of (V/N)^(1/3)
  double angle_tol = 5.0;  // degrees
  bool primitive_cell = true;
  bool scale = true;
  // pymatgen's fit_anonymous / get_rms_anonymous: species may be relabelled (any
  // one-to-one mapping that makes the compositions equal); the best relabelling counts.
  bool anonymous = false;
  // The crystal-structure-prediction setting (DiffCSP, OMatG): ltol 0.3, stol 0.5, 10 degrees.
  static MatcherOptions csp() { return {0.3, 0.5, 10.0, true, true, false}; }
};

struct RmsDist {
  double rms, max_dist;  // normalised by (V/N)^(1/3)
};

class StructureMatcher {
 public:
  explicit StructureMatcher(MatcherOptions o = {}) : o_(o) {}
  const MatcherOptions& options() const { return o_; }
  // pymatgen's fit: equal fractional compositions and a mapping whose largest site
  // distance is within stol.
  bool fit(const Cell& a, const Cell& b) const;
  // pymatgen's get_rms_dist: the smallest RMS over mappings, and that mapping's largest
  // distance; nothing when no mapping has RMS below stol.
  std::optional<RmsDist> rms_dist(const Cell& a, const Cell& b) const;

  // The reduced (Niggli, then primitive if asked) cell the matcher compares; callers that
  // compare one structure many times reduce it once and pass reduced cells to the *_reduced
  // calls.
  Cell reduce(const Cell& c) const;
  bool fit_reduced(const Cell& a, const Cell& b) const;
  std::optional<RmsDist> rms_dist_reduced(const Cell& a, const Cell& b) const;

 private:
  std::optional<RmsDist> match(Cell a, Cell b, bool use_rms, bool break_on_match) const;
  // a as given, or with anonymous matching a relabelled by every mapping of its species
  // onto b's that makes the fractional compositions equal.
  std::vector<Cell> labelings(const Cell& a, const Cell& b) const;
  std::optional<RmsDist> strict_match(const Cell& s1, const Cell& s2, bool use_rms, bool break_on_match) const;
  MatcherOptions o_;
};

}  // namespace af::cell
