// Observers of a run: thermo (screen + CSV), the H5MD trajectory and on-the-fly
// analysis. Each has an `every`; per-atom data is written in atom-id order. The
// trajectory's observables/ (thermo and analysis) get one row per trajectory frame,
// so frame k of an observable is frame k of the particles, as MDAnalysis reads them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "analysis.hpp"
#include "deck.hpp"
#include "io/csv_writer.hpp"
#include "io/h5md_writer.hpp"
#include "thermo.hpp"

namespace af {

class Outputs {
 public:
  Outputs(const Deck& deck, const Atoms& atoms, const Box& box);
  bool thermo_due(long step, bool stage_end) const {
    return stage_end || (deck_.thermo.every > 0 && step % deck_.thermo.every == 0);
  }
  bool trajectory_due(long step) const { return traj_ && step % deck_.trajectory.every == 0; }
  bool trajectory_enabled() const { return traj_ != nullptr; }
  // Screen line (returned) + CSV row.
  std::string thermo(const ThermoRow& row);
  // A frame plus its observables (thermo row of the same step, analysis).
  // eatom: per-atom energies (when the trajectory stores them).
  void trajectory(const ThermoRow& row, const Atoms& atoms, const Box& box, const DblView& eatom);
  bool wants_atom_energies() const { return traj_ && deck_.trajectory.energy; }
  bool analysis_due(long step) const { return analysis_ && analysis_->due(step); }
  bool analysis_enabled() const { return analysis_ != nullptr; }
  // in_stage false: the starting structure (CSV rows and the MSD origin, no RDF average).
  void analysis(long step, double time, const Atoms& atoms, const Box& box, bool in_stage = true) {
    analysis_->sample(step, time, atoms, box, in_stage);
  }
  void end_stage(const std::string& name) {
    if (analysis_) analysis_->end_stage(name);
  }

 private:
  const Deck& deck_;
  std::unique_ptr<CsvWriter> csv_;
  std::unique_ptr<H5mdWriter> traj_;
  std::unique_ptr<Analysis> analysis_;
  std::vector<long> sorted_ids_;
  // Host buffers reused across frames.
  std::vector<double> x_, v_, f_, e_;
  std::vector<int> image_;
};

}  // namespace af
