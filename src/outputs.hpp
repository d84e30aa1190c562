// Observers of a run: thermo (screen + CSV), trajectories (H5MD, LAMMPS dump, extxyz)
// and on-the-fly analysis. Each has an `every`; per-atom data is written in atom-id
// order. The
// trajectory's observables/ (thermo and analysis) get one row per trajectory frame,
// so frame k of an observable is frame k of the particles, as MDAnalysis reads them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "atomforge/src/analysis.hpp"
#include "atomforge/src/deck.hpp"
#include "atomforge/src/io/csv_writer.hpp"
#include "atomforge/src/io/frame_writers.hpp"
#include "atomforge/src/io/h5md_writer.hpp"
#include "atomforge/src/thermo.hpp"

namespace af {

class Outputs {
 public:
  // restart_step >= 0: continuing from a checkpoint at that step. The thermo CSV and the
  // trajectories (H5MD, dump, extxyz) go on in the same files: frames after that step
  // (and an early stop's extra frame at it) are dropped, then new ones appended, as
  // GROMACS appends. With new_files, trajectories start afresh under
  // "<name>.restart-<step>.<ext>" instead. Analysis CSVs always do: their RDF averages
  // and MSD origin are not in the checkpoint.
  Outputs(const Deck& deck, const Atoms& atoms, const Box& box, long restart_step = -1, bool new_files = false);
  bool checkpoint_due(long step) const { return deck_.checkpoint.every > 0 && step % deck_.checkpoint.every == 0; }
  bool thermo_due(long step, bool stage_end) const {
    return stage_end || (deck_.thermo.every > 0 && step % deck_.thermo.every == 0);
  }
  // Some trajectory file (H5MD, dump, extxyz) takes a frame at this step.
  bool frame_due(long step) const {
    return (traj_ && step % deck_.trajectory.every == 0) || (dump_ && step % deck_.dump.every == 0) ||
           (xyz_ && step % deck_.extxyz.every == 0);
  }
  bool frames_enabled() const { return traj_ || dump_ || xyz_; }
  // Screen line (returned) + CSV row.
  std::string thermo(const ThermoRow& row);
  // Which trajectory files take a frame: those due at the step, all (a stage's relaxed
  // structure), or those not due (completing every file on an early stop).
  enum class Frames { Due, All, NotDue };
  // A frame, H5MD with its observables (thermo row of the same step, analysis). ev:
  // energy and virial of the step; eatom: per-atom energies (when H5MD stores them).
  void frames(const ThermoRow& row, const EnergyVirial& ev, const Atoms& atoms, const Box& box, const DblView& eatom,
              Frames which = Frames::Due);
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
  std::unique_ptr<DumpWriter> dump_;
  std::unique_ptr<ExtxyzWriter> xyz_;
  std::unique_ptr<Analysis> analysis_;
  std::vector<long> sorted_ids_;
  std::vector<int> sorted_types_;
  // Host buffers reused across frames.
  std::vector<double> x_, v_, f_, e_;
  std::vector<int> image_;
};

}  // namespace af
