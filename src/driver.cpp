#include "atomforge/src/driver.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "atomforge/src/io/checkpoint.hpp"
#include "atomforge/src/minimize.hpp"
#include "atomforge/src/outputs.hpp"
#include "atomforge/src/progress.hpp"
#include "atomforge/src/velocity.hpp"

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

  // A restart takes atoms, cell and progress from the checkpoint, the rest from the deck.
  const bool restarting = !opt.restart.empty();
  Checkpoint ck;
  if (restarting) {
    ck = read_checkpoint(opt.restart);
    if (ck.atoms.natoms() != deck.structure.natoms() || ck.stage < 0 || ck.stage >= int(deck.stages.size()))
      throw InputError(opt.restart + ": checkpoint does not fit this deck (" + std::to_string(ck.atoms.natoms()) +
                       " atoms, stage " + std::to_string(ck.stage + 1) + ")");
    if (ck.deck_text != deck.text)
      std::fprintf(stderr, "atomforge: warning: %s was written by a different deck; continuing with %s\n",
                   opt.restart.c_str(), deck.path.c_str());
  }
  Box box = restarting ? ck.atoms.box : deck.structure.box;
  Atoms atoms = Atoms::from_structure(restarting ? ck.atoms : deck.structure);
  if (!restarting && deck.velocities.create)
    create_velocities(atoms, deck.units, deck.velocities.temperature, deck.velocities.seed);
  auto potential = deck.potential->create();
  NeighborList list;
  list.setup(choose_list_kind(deck.neighbor, potential->list_kind(), potential->supports_clusters()),
             potential->cutoff(), deck.neighbor);
  Outputs out(deck, atoms, box, restarting ? ck.step : -1, opt.restart_new_files);
  const long natoms = atoms.nlocal;
  if (!opt.quiet)
    std::printf("atomforge %s: %ld atoms, %d species, units %s, potential %s (cutoff %g, skin %g), %s\n",
                ATOMFORGE_VERSION, natoms, atoms.ntypes(), deck.units.name.c_str(), deck.potential_style.c_str(),
                potential->cutoff(), deck.neighbor.skin, where_it_ran().c_str());

  long step = restarting ? ck.step : 0;
  double time = restarting ? ck.time : 0;
  DblView eatom;  // per-atom energies, when the trajectory stores them
  ComputeFlags flags;
  if (restarting)
    list.restore(atoms, box, ck.neighbor);  // the very list the interrupted run was using
  else
    list.build(atoms, box, step);
  // Per-atom energies on trajectory steps only; the array must cover ghosts too.
  auto atom_energies = [&](bool want) {
    flags.per_atom_energy = want && out.wants_atom_energies();
    if (flags.per_atom_energy && eatom.extent(0) < std::size_t(atoms.nall()))
      eatom = DblView("eatom", atoms.nall() + atoms.nall() / 8 + 16);
  };
  atom_energies(out.frame_due(step));
  EnergyVirial ev = potential->compute(atoms, list, flags, eatom);
  // Energy and virial for an output that is due off the regular schedule (a stage's
  // last step): a second call whose forces are discarded, so the forces that move the
  // atoms come from the kernels the schedule alone selects and a longer run passing
  // this step, or a restart from it, stays bit-identical.
  VecView f_keep;
  auto tallies_only = [&]() {
    if (f_keep.extent(0) != atoms.f.extent(0)) f_keep = VecView("f_keep", atoms.f.extent(0));
    Kokkos::deep_copy(f_keep, atoms.f);
    ComputeFlags all;
    all.per_atom_energy = false;
    const EnergyVirial e = potential->compute(atoms, list, all, eatom);
    Kokkos::deep_copy(atoms.f, f_keep);
    return e;
  };
  auto emit_thermo_with = [&](Progress* bar, const EnergyVirial& e) {
    const std::string line = out.thermo(compute_thermo(step, time, atoms, box, deck.units, e));
    if (!opt.quiet) {
      if (bar) bar->clear();
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
  };
  auto emit_thermo = [&](Progress* bar) { emit_thermo_with(bar, ev); };
  // ev must hold energy and virial of this step.
  long last_frame_step = -1;
  auto emit_frame = [&](Outputs::Frames which) {
    out.frames(compute_thermo(step, time, atoms, box, deck.units, ev), ev, atoms, box, eatom, which);
    last_frame_step = step;
  };
  const Guards guards(deck.guards);
  if (!opt.quiet) std::printf("%s\n", thermo_header().c_str());
  if (restarting) {  // the interrupted run wrote this step's outputs
    if (!opt.quiet)
      std::printf("%s   (restart from %s)\n", thermo_line(compute_thermo(step, time, atoms, box, deck.units, ev)).c_str(),
                  opt.restart.c_str());
    // Forces once more with the tallies the interrupted run asked for at this step:
    // kernels compiled for other tallies may round differently (FMA contraction), and
    // the continuation must be bit for bit the uninterrupted run.
    const StageSpec& st = deck.stages[ck.stage];
    const bool thermo_sched = out.thermo_due(step, false);
    const bool thermo_then = out.thermo_due(step, st.minimize || ck.stage_step == st.steps);
    const bool frame_then = out.frame_due(step);
    flags.energy = thermo_sched || frame_then;
    flags.virial = flags.energy || (!st.minimize && st.integrator->create(deck.units)->needs_virial());
    atom_energies(frame_then);
    ev = potential->compute(atoms, list, flags, eatom);
    if (thermo_then)  // CSV row, as before
      out.thermo(compute_thermo(step, time, atoms, box, deck.units, flags.energy ? ev : tallies_only()));
  } else {
    emit_thermo(nullptr);
    if (out.analysis_due(step)) out.analysis(step, time, atoms, box, false);
    if (out.frame_due(step)) emit_frame(Outputs::Frames::Due);
  }
  // Checkpoint of the state after `step` (stage k with s of its steps done).
  auto write_ck = [&](int k, long s, const Integrator* integ) {
    Checkpoint c;
    c.step = step;
    c.time = time;
    c.stage = k;
    c.stage_step = s;
    c.atoms = atoms.to_structure(box);
    c.neighbor = list.state(atoms);
    if (integ) {
      c.integrator = integ->style();
      c.integrator_state = integ->state();
    }
    c.deck_text = deck.text;
    write_checkpoint(deck.checkpoint.file, c);
  };

  PhaseTimers timers;
  Progress bar(std::max(0L, deck.total_steps() - (restarting ? ck.step : 0)), natoms);
  const auto t_start = std::chrono::steady_clock::now();
  long done = 0;
  try {
  guards.check_structure(step, atoms, box, list);
  guards.check_step(step, atoms, box);
  for (int k = restarting ? ck.stage : 0; k < int(deck.stages.size()); ++k) {
    const StageSpec& stage = deck.stages[k];
    const long first = restarting && k == ck.stage ? ck.stage_step + 1 : 1;
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
    if (first > 1) {
      if (ck.integrator != integrator->style())
        throw InputError(opt.restart + ": checkpoint integrator '" + ck.integrator + "' but the deck's stage '" +
                         stage.name + "' runs '" + integrator->style() + "'");
      integrator->restore(ck.integrator_state);
    }
    const double dt = integrator->timestep();
    for (long s = first; s <= stage.steps; ++s) {
      ++step;
      StepContext ctx{step, s, stage.steps, &ev};
      const bool stage_end = s == stage.steps;
      const bool thermo_now = out.thermo_due(step, stage_end);
      const bool frame_now = out.frame_due(step);
      timers.start();
      integrator->initial_integrate(atoms, box, ctx);
      timers.stop(PhaseTimers::Integrate);
      const bool rebuilt = list.need_rebuild(step, atoms, box);
      if (rebuilt)
        list.build(atoms, box, step);
      else
        list.update_ghosts(atoms, box);
      if (rebuilt || (thermo_now && deck.guards.min_distance > 0)) guards.check_structure(step, atoms, box, list);
      timers.stop(PhaseTimers::Neigh);
      flags.energy = out.thermo_due(step, false) || frame_now;
      flags.virial = flags.energy || integrator->needs_virial();
      atom_energies(frame_now);
      ev = potential->compute(atoms, list, flags, eatom);
      // Before final_integrate: a barostat may move atoms and cell there.
      const EnergyVirial ev_row = thermo_now && !flags.energy ? tallies_only() : ev;
      timers.stop(PhaseTimers::Force);
      integrator->final_integrate(atoms, box, ctx);
      time += dt;
      guards.check_step(step, atoms, box);
      timers.stop(PhaseTimers::Integrate);
      if (thermo_now) emit_thermo_with(&bar, ev_row);
      if (out.analysis_due(step)) out.analysis(step, time, atoms, box);
      if (frame_now) emit_frame(Outputs::Frames::Due);
      if (out.checkpoint_due(step) || (stage_end && k + 1 == int(deck.stages.size()) && deck.checkpoint.every > 0))
        write_ck(k, s, integrator.get());
      timers.stop(PhaseTimers::Output);
      bar.update(++done);
      if (opt.until >= 0 && step >= opt.until && !g_signal) g_signal = -1;  // a planned stop
      if (g_signal) {
        if (deck.checkpoint.every > 0 && !out.checkpoint_due(step)) write_ck(k, s, integrator.get());
        // Stopping early: record the last step in every output before leaving.
        const bool frames = out.frames_enabled();  // every trajectory ends on the last step
        if (frames || !thermo_now) {  // same forces, plus the tallies (and per-atom energies) the outputs need
          atom_energies(frames);
          flags.energy = flags.virial = true;
          ev = potential->compute(atoms, list, flags, eatom);
        }
        if (!thermo_now) emit_thermo(&bar);
        if (frames) emit_frame(Outputs::Frames::NotDue);
        break;
      }
    }
    out.end_stage(stage.name);
  }
  } catch (const GuardError& e) {
    // The state as it went wrong: a last frame in every trajectory file (the checkpoint
    // keeps the last good state), then a clear stop.
    if (out.frames_enabled() && last_frame_step != step) emit_frame(Outputs::Frames::All);
    bar.finish();
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    std::fprintf(stderr, "atomforge: error: %s%s%s\n", e.what(),
                 out.frames_enabled() ? "; this step is the last trajectory frame" : "",
                 deck.checkpoint.every > 0 ? ("; the last checkpoint (" + deck.checkpoint.file + ") holds the last good state").c_str() : "");
    return 3;
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  bar.finish();
  if (!opt.quiet) print_breakdown(timers, total, done, natoms, list);
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (g_signal == -1) {
    std::fprintf(stderr, "atomforge: stopped after step %ld as asked (--until)%s%s\n", step,
                 deck.checkpoint.every > 0 ? "; resume with --restart " : "",
                 deck.checkpoint.every > 0 ? deck.checkpoint.file.c_str() : "");
    return 0;
  }
  if (g_signal) {
    std::fprintf(stderr, "atomforge: stopped by signal %d after step %ld; outputs are complete up to that step%s%s\n",
                 int(g_signal), step, deck.checkpoint.every > 0 ? "; resume with --restart " : "",
                 deck.checkpoint.every > 0 ? deck.checkpoint.file.c_str() : "");
    return 128 + int(g_signal);
  }
  return 0;
}

}  // namespace af
