#include "atomforge/src/cli/console.hpp"

#include <cstdio>
#include <string>

namespace af::cli {

namespace {

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// "2 thread(s)" on CPUs, the backend's name on devices.
std::string where_it_ran() {
  if (kHostExec) return std::to_string(ExecSpace().concurrency()) + " thread(s)";
  return ExecSpace::name();
}

}  // namespace

StopOnSignals::StopOnSignals() {
  g_signal = 0;
  old_int_ = std::signal(SIGINT, on_signal);
  old_term_ = std::signal(SIGTERM, on_signal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, old_int_);
  std::signal(SIGTERM, old_term_);
}

int StopOnSignals::signal() { return g_signal; }

void ConsoleObserver::started(long natoms, long steps_total, const Potential& potential, const NeighborList& list) {
  natoms_ = natoms;
  bar_ = std::make_unique<Progress>(steps_total, natoms);
  if (quiet_) return;
  std::printf("atomforge %s: %ld atoms, %zu species, units %s, potential %s (cutoff %g, skin %g), %s\n",
              ATOMFORGE_VERSION, natoms, deck_.structure.species.size(), deck_.units.name.c_str(),
              deck_.potential_style.c_str(), potential.cutoff(), deck_.neighbor.skin, where_it_ran().c_str());
  std::printf("%s\n", thermo_header().c_str());
}

void ConsoleObserver::thermo(const ThermoRow& row, bool restart) {
  if (quiet_) return;
  if (bar_) bar_->clear();
  if (restart)
    std::printf("%s   (restart from %s)\n", thermo_line(row).c_str(), opt_.restart.c_str());
  else
    std::printf("%s\n", thermo_line(row).c_str());
  std::fflush(stdout);
}

void ConsoleObserver::progress(long steps_done) {
  if (bar_) bar_->update(steps_done);
}

void ConsoleObserver::minimized(const StageSpec& stage, const MinimizeResult& r) {
  if (!quiet_)
    std::printf("minimize (%s) %s after %ld iterations: energy %.12g, max |f| %.3g, stress error %.3g\n",
                stage.min.style.c_str(), r.reason.c_str(), r.iterations, r.energy, r.fmax, r.stress_error);
  if (!r.converged)
    std::fprintf(stderr, "atomforge: warning: stage '%s' did not converge (%s)\n", stage.name.c_str(), r.reason.c_str());
}

void ConsoleObserver::warning(const std::string& message) {
  std::fprintf(stderr, "atomforge: warning: %s\n", message.c_str());
}

bool ConsoleObserver::stop_requested() { return StopOnSignals::signal() != 0; }

void ConsoleObserver::finished(const RunTimes& t, const NeighborList& list) {
  close();
  if (quiet_) return;
  const double parts[] = {t.force, t.neigh, t.integrate, t.output};
  const char* names[] = {"Force", "Neigh", "Integrate", "Output"};
  const double total = t.total;
  double accounted = 0;
  std::printf("\nLoop time %.4g s for %ld steps with %ld atoms: %.4g atom-steps/s on %s\n", total, t.steps, natoms_,
              total > 0 ? double(t.steps) * natoms_ / total : 0.0, where_it_ran().c_str());
  std::printf("%-10s | %12s | %7s\n", "Section", "time (s)", "%total");
  for (int p = 0; p < 4; ++p) {
    accounted += parts[p];
    std::printf("%-10s | %12.5g | %6.2f%%\n", names[p], parts[p], total > 0 ? 100 * parts[p] / total : 0.0);
  }
  std::printf("%-10s | %12.5g | %6.2f%%\n", "Other", total - accounted, total > 0 ? 100 * (total - accounted) / total : 0.0);
  const char* kinds[] = {"half", "full", "cluster"};
  std::printf("Neighbor list (%s) builds: %ld, dangerous: %ld; %s per atom: %.4g\n", kinds[int(list.kind())],
              list.builds(), list.dangerous_builds(),
              list.kind() == ListKind::Cluster ? "pairs in cluster blocks" : "neighbors",
              natoms_ ? double(list.total_neighbors()) / natoms_ : 0.0);
}

void ConsoleObserver::close() {
  if (bar_) bar_->finish();
  bar_.reset();
}

int report(const Deck& deck, const RunResult& r) {
  const bool ck = deck.checkpoint.every > 0;
  const std::string resume = ck ? "; resume with --restart " + deck.checkpoint.file : "";
  switch (r.end) {
    case RunResult::End::Completed:
      return 0;
    case RunResult::End::Until:
      std::fprintf(stderr, "atomforge: stopped after step %ld as asked (--until)%s\n", r.step, resume.c_str());
      return 0;
    case RunResult::End::Stopped:
      std::fprintf(stderr, "atomforge: stopped by signal %d after step %ld; outputs are complete up to that step%s\n",
                   StopOnSignals::signal(), r.step, resume.c_str());
      return 128 + StopOnSignals::signal();
    case RunResult::End::GuardFailed:
      std::fprintf(stderr, "atomforge: error: %s\n", r.message.c_str());
      return 3;
  }
  return 1;
}

}  // namespace af::cli
