// Observers of a run: thermo (screen + CSV + H5MD observables) and the H5MD
// trajectory. Each has an `every`; per-atom data is written in atom-id order.
#pragma once
#include <memory>
#include <string>
#include <vector>

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
  // Screen line (returned) + CSV row + H5MD observables.
  std::string thermo(const ThermoRow& row);
  // eatom: per-atom energies (when the trajectory stores them).
  void trajectory(long step, double time, const Atoms& atoms, const Box& box, const DblView& eatom);
  bool wants_atom_energies() const { return traj_ && deck_.trajectory.energy; }

 private:
  const Deck& deck_;
  std::unique_ptr<CsvWriter> csv_;
  std::unique_ptr<H5mdWriter> traj_;
  std::vector<long> sorted_ids_;
  // Host buffers reused across frames.
  std::vector<double> x_, v_, f_, e_;
  std::vector<int> image_;
};

}  // namespace af
