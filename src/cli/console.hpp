// What `atomforge run` shows a person: the run's header and thermo table on stdout, a
// progress bar (or plain progress lines) and warnings on stderr, and the loop-time table
// at the end, like LAMMPS's. Stops when SIGINT or SIGTERM arrives (handlers installed by
// the CLI for the run's duration).
#pragma once
#include <csignal>
#include <memory>

#include "atomforge/src/cli/progress.hpp"
#include "atomforge/src/simulation.hpp"

namespace af::cli {

class ConsoleObserver final : public RunObserver {
 public:
  ConsoleObserver(const Deck& deck, const RunOptions& opt, bool quiet) : deck_(deck), opt_(opt), quiet_(quiet) {}
  void started(long natoms, long steps_total, const Potential& potential, const NeighborList& list) override;
  void thermo(const ThermoRow& row, bool restart) override;
  void progress(long steps_done) override;
  void minimized(const StageSpec& stage, const MinimizeResult& r) override;
  void warning(const std::string& message) override;
  bool stop_requested() override;
  void finished(const RunTimes& times, const NeighborList& list) override;
  // Ends the progress display (also after a failed run).
  void close();

 private:
  const Deck& deck_;
  const RunOptions& opt_;
  bool quiet_;
  long natoms_ = 0;
  std::unique_ptr<Progress> bar_;
};

// SIGINT/SIGTERM set the flag that stop_requested() reads, while one of these lives.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  static int signal();  // the signal received, 0 if none

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

// Prints what a finished run's result means and returns the exit code: 0 (completed,
// or stopped at --until), 128 + signal after a stop on a signal, 3 after a guard.
int report(const Deck& deck, const RunResult& r);

}  // namespace af::cli
