#include "atomforge/src/simulation.hpp"

#include <chrono>
#include <string>

#include "atomforge/src/io/checkpoint.hpp"
#include "atomforge/src/minimize.hpp"
#include "atomforge/src/outputs.hpp"
#include "atomforge/src/velocity.hpp"

namespace af {

namespace {

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
  RunTimes times(double total, long steps) const {
    return RunTimes{total, acc_[Force], acc_[Neigh], acc_[Integrate], acc_[Output], steps};
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point t0_;
  double acc_[Count] = {0, 0, 0, 0};
};

}  // namespace

RunResult run_simulation(const Deck& deck, const RunOptions& opt, RunObserver& observer) {
  RunResult result;
  bool stopping = false;  // until reached or a stop requested: leave after this step

  // A restart takes atoms, cell and progress from the checkpoint, the rest from the deck.
  const bool restarting = !opt.restart.empty();
  Checkpoint ck;
  if (restarting) {
    ck = read_checkpoint(opt.restart);
    if (ck.atoms.natoms() != deck.structure.natoms() || ck.stage < 0 || ck.stage >= int(deck.stages.size()))
      throw InputError(opt.restart + ": checkpoint does not fit this deck (" + std::to_string(ck.atoms.natoms()) +
                       " atoms, stage " + std::to_string(ck.stage + 1) + ")");
    if (ck.deck_text != deck.text)
      observer.warning(opt.restart + " was written by a different deck; continuing with " + deck.path);
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
    const EnergyVirial e = potential->compute(atoms, list, all, eatom);
    Kokkos::deep_copy(atoms.f, f_keep);
    return e;
  };
  auto emit_thermo_with = [&](const EnergyVirial& e) {
    const ThermoRow row = compute_thermo(step, time, atoms, box, deck.units, e);
    out.thermo(row);
    observer.thermo(row, false);
  };
  auto emit_thermo = [&]() { emit_thermo_with(ev); };
  // ev must hold energy and virial of this step.
  long last_frame_step = -1;
  auto emit_frame = [&](Outputs::Frames which) {
    out.frames(compute_thermo(step, time, atoms, box, deck.units, ev), ev, atoms, box, eatom, which);
    last_frame_step = step;
    observer.frame(step);
  };
  const Guards guards(deck.guards);
  const long steps_total = std::max(0L, deck.total_steps() - (restarting ? ck.step : 0));
  observer.started(natoms, steps_total, *potential, list);
  if (restarting) {  // the interrupted run wrote this step's outputs
    observer.thermo(compute_thermo(step, time, atoms, box, deck.units, ev), true);
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
    emit_thermo();
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
    observer.checkpoint(step, deck.checkpoint.file);
  };

  PhaseTimers timers;
  const auto t_start = std::chrono::steady_clock::now();
  long done = 0;
  try {
  guards.check_structure(step, atoms, box, list);
  guards.check_step(step, atoms, box);
  for (int k = restarting ? ck.stage : 0; k < int(deck.stages.size()); ++k) {
    const StageSpec& stage = deck.stages[k];
    const long first = restarting && k == ck.stage ? ck.stage_step + 1 : 1;
    if (!stopping && observer.stop_requested()) {
      stopping = true;
      result.end = RunResult::End::Stopped;
    }
    if (stopping) break;
    if (stage.minimize) {
      const long start = step;
      timers.start();
      const MinimizeResult r = minimize(stage.min, atoms, box, list, *potential, deck.units,
                                        [&](long it, const EnergyVirial& e) {
                                          step = start + it;
                                          ev = e;
                                          if (deck.thermo.every > 0 && it > 0 && step % deck.thermo.every == 0)
                                            emit_thermo();
                                        });
      timers.stop(PhaseTimers::Force);
      step = start + r.iterations;
      emit_thermo();
      if (out.frames_enabled()) {
        atom_energies(true);
        flags.energy = flags.virial = true;
        ev = potential->compute(atoms, list, flags, eatom);
      }
      if (out.analysis_enabled()) out.analysis(step, time, atoms, box);  // the relaxed structure
      if (out.frames_enabled()) emit_frame(Outputs::Frames::All);  // the relaxed structure
      observer.minimized(stage, r);
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
      if (thermo_now) emit_thermo_with(ev_row);
      if (out.analysis_due(step)) out.analysis(step, time, atoms, box);
      if (frame_now) emit_frame(Outputs::Frames::Due);
      if (out.checkpoint_due(step) || (stage_end && k + 1 == int(deck.stages.size()) && deck.checkpoint.every > 0))
        write_ck(k, s, integrator.get());
      timers.stop(PhaseTimers::Output);
      observer.progress(++done);
      if (opt.until >= 0 && step >= opt.until) {  // a planned stop
        stopping = true;
        result.end = RunResult::End::Until;
      } else if (observer.stop_requested()) {
        stopping = true;
        result.end = RunResult::End::Stopped;
      }
      if (stopping) {
        if (deck.checkpoint.every > 0 && !out.checkpoint_due(step)) write_ck(k, s, integrator.get());
        // Stopping early: record the last step in every output before leaving.
        const bool frames = out.frames_enabled();  // every trajectory ends on the last step
        if (frames || !thermo_now) {  // same forces, plus the tallies (and per-atom energies) the outputs need
          atom_energies(frames);
          flags.energy = flags.virial = true;
          ev = potential->compute(atoms, list, flags, eatom);
        }
        if (!thermo_now) emit_thermo();
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
    result.end = RunResult::End::GuardFailed;
    result.message = std::string(e.what()) + (out.frames_enabled() ? "; this step is the last trajectory frame" : "") +
                     (deck.checkpoint.every > 0
                          ? "; the last checkpoint (" + deck.checkpoint.file + ") holds the last good state"
                          : "");
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  result.step = step;
  result.state = atoms.to_structure(box);
  if (result.end != RunResult::End::GuardFailed) observer.finished(timers.times(total, done), list);
  return result;
}

}  // namespace af
