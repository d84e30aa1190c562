// Runs a validated deck: builds the system, then for each stage steps
//   initial_integrate -> [rebuild neighbors | move ghosts] -> forces -> final_integrate
// and writes the deck's outputs (thermo CSV, trajectories, analysis, checkpoints). What a
// person would see goes to a RunObserver: the library prints nothing, installs no signal
// handler and leaves Kokkos to its caller (the command line: src/cli/).
#pragma once
#include <string>

#include "atomforge/src/deck.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/thermo.hpp"

namespace af {

struct RunOptions {
  std::string restart;             // checkpoint to continue from ("": a fresh run)
  long until = -1;                 // stop cleanly after this step (with a checkpoint), e.g. to fit a job's time slot
  bool restart_new_files = false;  // trajectories of a restart in NAME.restart-STEP.EXT, not appended
};

// Wall time per phase of the step loop (fenced, so GPU work counts where it was launched).
struct RunTimes {
  double total = 0, force = 0, neigh = 0, integrate = 0, output = 0;
  long steps = 0;  // MD steps taken by this run
};

// Callbacks of a run, all optional.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // The system is built (atoms, potential, list), before the first thermo row; the run
  // will take steps_total MD steps unless stopped.
  virtual void started(long natoms, long steps_total, const Potential& potential, const NeighborList& list) {}
  // A thermo row (written to the CSV too); `restart`: the restart step's row, which the
  // interrupted run wrote already.
  virtual void thermo(const ThermoRow& row, bool restart) {}
  virtual void progress(long steps_done) {}
  virtual void minimized(const StageSpec& stage, const MinimizeResult& result) {}
  // A trajectory frame (H5MD, dump or extxyz) and a checkpoint, once written and flushed.
  virtual void frame(long step) {}
  virtual void checkpoint(long step, const std::string& file) {}
  virtual void warning(const std::string& message) {}
  // Polled after every MD step and between stages: true stops the run cleanly, with a
  // checkpoint (when enabled) and every output recording that step.
  virtual bool stop_requested() { return false; }
  virtual void finished(const RunTimes& times, const NeighborList& list) {}
};

struct RunResult {
  enum class End { Completed, Until, Stopped, GuardFailed } end = End::Completed;
  long step = 0;        // the last step taken
  std::string message;  // GuardFailed: what went wrong and where the last good state is
  Structure state;      // the atoms and cell at the end (internal atom order, as written to files)
};

// Throws InputError for a checkpoint that does not fit the deck.
RunResult run_simulation(const Deck& deck, const RunOptions& opt, RunObserver& observer);

}  // namespace af
