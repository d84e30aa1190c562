// Runs a validated deck: builds the system, then for each stage steps
//   initial_integrate -> [rebuild neighbors | move ghosts] -> forces -> final_integrate
// and calls the observers.
#pragma once
#include "deck.hpp"

namespace af {

struct RunOptions {
  bool quiet = false;  // no thermo table on stdout
};

// Returns the process exit code (0, or 128+signal after a clean stop on SIGINT/SIGTERM).
int run_simulation(const Deck& deck, const RunOptions& opt);

}  // namespace af
