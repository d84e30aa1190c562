#include "driver.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "minimize.hpp"
#include "outputs.hpp"
#include "progress.hpp"
#include "velocity.hpp"

namespace af {

namespace {

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// Wall time per phase (fenced, so GPU work is charged to the phase that launched it).
class PhaseTimers {
 public:
  enum Phase { Force, Neigh, Integrate, Output, Count };
  void start() {
    Kokkos::fence();
    t0_ = Clock::now();
  }
  void stop(Phase p) {
    Kokkos::fence();
    const auto t = Clock::now();
    acc_[p] += std::chrono::duration<double>(t - t0_).count();
    t0_ = t;
  }
  double operator[](int p) const { return acc_[p]; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point t0_;
  double acc_[Count] = {0, 0, 0, 0};
};

// "2 thread(s)" on CPUs, the backend's name on devices.
std::string where_it_ran() {
  if (kHostExec) return std::to_string(ExecSpace().concurrency()) + " thread(s)";
  return ExecSpace::name();
}

void print_breakdown(const PhaseTimers& t, double total, long steps, long natoms, const NeighborList& list) {
  const char* names[] = {"Force", "Neigh", "Integrate", "Output"};
  double accounted = 0;
  std::printf("\nLoop time %.4g s for %ld steps with %ld atoms: %.4g atom-steps/s on %s\n", total, steps, natoms,
              total > 0 ? double(steps) * natoms / total : 0.0, where_it_ran().c_str());
  std::printf("%-10s | %12s | %7s\n", "Section", "time (s)", "%total");
  for (int p = 0; p < PhaseTimers::Count; ++p) {
    accounted += t[p];
    std::printf("%-10s | %12.5g | %6.2f%%\n", names[p], t[p], total > 0 ? 100 * t[p] / total : 0.0);
  }
  std::printf("%-10s | %12.5g | %6.2f%%\n", "Other", total - accounted, total > 0 ? 100 * (total - accounted) / total : 0.0);
  const char* kinds[] = {"half", "full", "cluster"};
  std::printf("Neighbor list (%s) builds: %ld, dangerous: %ld; %s per atom: %.4g\n", kinds[int(list.kind())],
              list.builds(), list.dangerous_builds(),
              list.kind() == ListKind::Cluster ? "pairs in cluster blocks" : "neighbors",
              natoms ? double(list.total_neighbors()) / natoms : 0.0);
}

}  // namespace

int run_simulation(const Deck& deck, const RunOptions& opt) {
  g_signal = 0;
  auto old_int = std::signal(SIGINT, on_signal);
  auto old_term = std::signal(SIGTERM, on_signal);

  Box box = deck.structure.box;
  Atoms atoms = Atoms::from_structure(deck.structure);
  if (deck.velocities.create) create_velocities(atoms, deck.units, deck.velocities.temperature, deck.velocities.seed);
  auto potential = deck.potential->create();
  NeighborList list;
  list.setup(choose_list_kind(deck.neighbor, potential->list_kind(), potential->supports_clusters()),
             potential->cutoff(), deck.neighbor);
  Outputs out(deck, atoms, box);
  const long natoms = atoms.nlocal;
  if (!opt.quiet)
    std::printf("atomforge %s: %ld atoms, %d species, units %s, potential %s (cutoff %g, skin %g), %s\n",
                ATOMFORGE_VERSION, natoms, atoms.ntypes(), deck.units.name.c_str(), deck.potential_style.c_str(),
                potential->cutoff(), deck.neighbor.skin, where_it_ran().c_str());

  long step = 0;
  double time = 0;
  DblView eatom;  // per-atom energies, when the trajectory stores them
  ComputeFlags flags;
  list.build(atoms, box, step);
  // Per-atom energies on trajectory steps only; the array must cover ghosts too.
  auto atom_energies = [&](bool want) {
    flags.per_atom_energy = want && out.wants_atom_energies();
    if (flags.per_atom_energy && eatom.extent(0) < std::size_t(atoms.nall()))
      eatom = DblView("eatom", atoms.nall() + atoms.nall() / 8 + 16);
  };
  atom_energies(out.frame_due(step));
  EnergyVirial ev = potential->compute(atoms, list, flags, eatom);
  auto emit_thermo = [&](Progress* bar) {
    const std::string line = out.thermo(compute_thermo(step, time, atoms, box, deck.units, ev));
    if (!opt.quiet) {
      if (bar) bar->clear();
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
  };
  // ev must hold energy and virial of this step.
  auto emit_frame = [&](Outputs::Frames which) {
    out.frames(compute_thermo(step, time, atoms, box, deck.units, ev), ev, atoms, box, eatom, which);
  };
  if (!opt.quiet) std::printf("%s\n", thermo_header().c_str());
  emit_thermo(nullptr);
  if (out.analysis_due(step)) out.analysis(step, time, atoms, box, false);
  if (out.frame_due(step)) emit_frame(Outputs::Frames::Due);

  PhaseTimers timers;
  Progress bar(deck.total_steps(), natoms);
  const auto t_start = std::chrono::steady_clock::now();
  long done = 0;
  for (const StageSpec& stage : deck.stages) {
    if (g_signal) break;
    if (stage.minimize) {
      const long start = step;
      timers.start();
      const MinimizeResult r = minimize(stage.min, atoms, box, list, *potential, deck.units,
                                        [&](long it, const EnergyVirial& e) {
                                          step = start + it;
                                          ev = e;
                                          if (deck.thermo.every > 0 && it > 0 && step % deck.thermo.every == 0)
                                            emit_thermo(&bar);
                                        });
      timers.stop(PhaseTimers::Force);
      step = start + r.iterations;
      emit_thermo(&bar);
      if (out.frames_enabled()) {
        atom_energies(true);
        flags.energy = flags.virial = true;
        ev = potential->compute(atoms, list, flags, eatom);
      }
      if (out.analysis_enabled()) out.analysis(step, time, atoms, box);  // the relaxed structure
      if (out.frames_enabled()) emit_frame(Outputs::Frames::All);  // the relaxed structure
      if (!opt.quiet)
        std::printf("minimize (%s) %s after %ld iterations: energy %.12g, max |f| %.3g, stress error %.3g\n",
                    stage.min.style.c_str(), r.reason.c_str(), r.iterations, r.energy, r.fmax, r.stress_error);
      if (!r.converged)
        std::fprintf(stderr, "atomforge: warning: stage '%s' did not converge (%s)\n", stage.name.c_str(),
                     r.reason.c_str());
      out.end_stage(stage.name);
      continue;
    }
    auto integrator = stage.integrator->create(deck.units);
    const double dt = integrator->timestep();
    for (long s = 1; s <= stage.steps; ++s) {
      ++step;
      StepContext ctx{step, s, stage.steps, &ev};
      const bool stage_end = s == stage.steps;
      const bool thermo_now = out.thermo_due(step, stage_end);
      const bool frame_now = out.frame_due(step);
      timers.start();
      integrator->initial_integrate(atoms, box, ctx);
      timers.stop(PhaseTimers::Integrate);
      if (list.need_rebuild(step, atoms, box))
        list.build(atoms, box, step);
      else
        list.update_ghosts(atoms, box);
      timers.stop(PhaseTimers::Neigh);
      flags.energy = thermo_now || frame_now;
      flags.virial = thermo_now || frame_now || integrator->needs_virial();
      atom_energies(frame_now);
      ev = potential->compute(atoms, list, flags, eatom);
      timers.stop(PhaseTimers::Force);
      integrator->final_integrate(atoms, box, ctx);
      time += dt;
      timers.stop(PhaseTimers::Integrate);
      if (thermo_now) emit_thermo(&bar);
      if (out.analysis_due(step)) out.analysis(step, time, atoms, box);
      if (frame_now) emit_frame(Outputs::Frames::Due);
      timers.stop(PhaseTimers::Output);
      bar.update(++done);
      if (g_signal) {
        // Stopping early: record the last step in every output before leaving.
        if (!thermo_now && !frame_now) {
          flags.energy = flags.virial = true;
          ev = potential->compute(atoms, list, flags, eatom);  // same forces, plus tallies
        }
        if (!thermo_now) emit_thermo(&bar);
        if (out.frames_enabled()) {  // every trajectory ends on the last step
          atom_energies(true);
          flags.energy = flags.virial = true;
          ev = potential->compute(atoms, list, flags, eatom);
          emit_frame(Outputs::Frames::NotDue);
        }
        break;
      }
    }
    out.end_stage(stage.name);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  bar.finish();
  if (!opt.quiet) print_breakdown(timers, total, done, natoms, list);
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (g_signal) {
    std::fprintf(stderr, "atomforge: stopped by signal %d after step %ld; outputs are complete up to that step\n",
                 int(g_signal), step);
    return 128 + int(g_signal);
  }
  return 0;
}

}  // namespace af
