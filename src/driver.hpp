// Runs a validated deck: builds the system, then for each stage steps
//   initial_integrate -> [rebuild neighbors | move ghosts] -> forces -> final_integrate
// and calls the observers.
#pragma once
#include "atomforge/src/deck.hpp"

namespace af {

struct RunOptions {
  bool quiet = false;  // no thermo table on stdout
  std::string restart;  // checkpoint to continue from ("": a fresh run)
  long until = -1;      // stop cleanly after this step (with a checkpoint), e.g. to fit a job's time slot
  bool restart_new_files = false;  // trajectories of a restart in NAME.restart-STEP.EXT, not appended
};

// Returns the process exit code (0, or 128+signal after a clean stop on SIGINT/SIGTERM).
int run_simulation(const Deck& deck, const RunOptions& opt);

}  // namespace af
