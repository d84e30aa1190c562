#include "atomforge/samplers/campaign.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "atomforge/samplers/batch_relax.hpp"
#include "atomforge/samplers/campaign_output.hpp"
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/cif.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/system.hpp"
#include "atomforge/src/units.hpp"

namespace af::sampler {

namespace {

constexpr double kSymprec = 0.01;  // Angstrom: relaxed to fmax 1e-3, sites sit far closer

std::string num(double x) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", x);
  return b;
}

// One proposal relaxed: its frame for relaxed.extxyz.
struct Relaxed {
  Structure structure;
  double energy = std::nan("");
  ExtxyzInfo info;
  std::string status;
  long evaluations = 0;
  double enthalpy_per_atom = std::nan("");
  std::string reason;
  bool input_error = false;  // the deck's fault (a missing mass, a species the potential lacks)
};

// Adds the seconds of its lifetime to a total.
struct Stopwatch {
  double& total;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  explicit Stopwatch(double& t) : total(t) {}
  ~Stopwatch() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

// A relaxation's outcome as relaxed.extxyz records it: status (the guards of a failed
// one: non-finite energy, a cell inside out or exploding), enthalpy, space group, and
// the generator's metadata. `failure`: an exception's message (input_error: the deck's).
Relaxed describe(const CampaignSpec& spec, const Units& units, long index, const Proposal& p, Structure relaxed,
                 const MinimizeResult& m, std::string failure, bool input_error, double& outside) {
  const Stopwatch watch(outside);
  Relaxed r;
  const Box& box0 = p.structure.box;
  const bool periodic = box0.periodic[0] && box0.periodic[1] && box0.periodic[2];
  const bool cell = spec.relax.relax_cell && periodic;
  std::string reason;
  double enthalpy = std::nan("");
  r.structure = std::move(relaxed);
  r.evaluations = m.iterations + 1;
  if (!failure.empty()) {
    r.status = "failed", reason = failure, r.input_error = input_error, r.evaluations = 0;
  } else {
    const Box& box = r.structure.box;
    const double v0 = box0.volume(), v = box.volume();
    enthalpy = m.energy + (cell ? spec.relax.pressure / units.nktv2p * v : 0.0);
    if (!std::isfinite(m.energy) || !std::isfinite(m.fmax)) {
      r.status = "failed", reason = "energy or forces not finite";
    } else if (periodic && !(v > 0 && box.h[0][0] > 0 && box.h[1][1] > 0 && box.h[2][2] > 0)) {
      r.status = "failed", reason = "the cell turned inside out";
    } else if (periodic && (v > 50 * v0 || v < v0 / 50)) {
      r.status = "failed", reason = "the cell volume changed more than x50 (an exploding relaxation)";
    } else {
      r.status = m.converged ? "converged" : "unconverged", reason = m.reason;
      r.energy = m.energy;
      r.enthalpy_per_atom = enthalpy / static_cast<double>(r.structure.natoms());
    }
  }
  if (r.status == "failed") r.structure = p.structure;  // the proposal: a failed relaxation's cell may be unusable
  else r.structure.wrap();  // (both relaxers: atoms inside the cell)
  r.structure.v.clear();
  r.structure.image.clear();
  r.reason = reason;
  r.info = {{"index", std::to_string(index)}, {"status", r.status}, {"reason", reason}};
  if (r.status != "failed") {
    r.info.push_back({"enthalpy", num(enthalpy)});
    r.info.push_back({"enthalpy_per_atom", num(r.enthalpy_per_atom)});
    if (periodic) {
      const af::SpaceGroup g = find_space_group(r.structure, kSymprec);
      r.info.push_back({"spacegroup", std::to_string(g.number)});
      r.info.push_back({"spacegroup_symbol", g.symbol});
    }
  }
  r.info.push_back({"iterations", std::to_string(m.iterations)});
  r.info.push_back({"generator", p.style.empty() ? "file" : p.style});
  if (!p.pointgroup.empty()) r.info.push_back({"generator_pointgroup", p.pointgroup});
  else if (!p.wyckoff.empty()) r.info.push_back({"generator_spacegroup", std::to_string(p.spacegroup)});
  if (!p.wyckoff.empty()) r.info.push_back({"wyckoff", p.wyckoff});
  return r;
}

// The proposal with the deck's masses (what a relaxation starts from).
Structure with_masses(const CampaignSpec& spec, const Proposal& p) {
  Structure s = p.structure;
  for (std::size_t t = 0; t < spec.masses.size() && t < s.masses.size(); ++t)
    if (spec.masses[t] > 0) s.masses[t] = spec.masses[t];
  return s;
}

SystemSettings system_settings(const CampaignSpec& spec) {
  SystemSettings ss;
  ss.units = spec.units;
  ss.neighbor = spec.neighbor;
  ss.seed = spec.seed;
  return ss;
}

// One structure at a time, through af::System (the minimize stage itself).
Relaxed relax_one(const CampaignSpec& spec, const Units& units, long index, const Proposal& p, double& outside) {
  const Box& box = p.structure.box;
  MinimizeSettings ms = spec.relax;
  ms.relax_cell = ms.relax_cell && box.periodic[0] && box.periodic[1] && box.periodic[2];
  try {
    System sys(with_masses(spec, p), spec.potential, system_settings(spec));
    const MinimizeResult m = sys.relax(ms);
    return describe(spec, units, index, p, sys.structure(), m, "", false, outside);
  } catch (const InputError& e) {
    return describe(spec, units, index, p, p.structure, {}, e.what(), true, outside);
  } catch (const std::exception& e) {  // neighbor overflow, allocation, a bad cell: this candidate only
    return describe(spec, units, index, p, p.structure, {}, e.what(), false, outside);
  }
}

// Batches for FIRE with a potential that evaluates structure batches; else one at a time.
bool batched(const CampaignSpec& spec) {
  return spec.batch > 1 && spec.relax.style == "fire" && BatchRelaxer::supported(*spec.potential);
}

long largest_structure(const CampaignSpec& spec) {
  long most = 1;
  for (const Structure& f : spec.frames) most = std::max(most, static_cast<long>(f.natoms()));
  for (const GeneratorSpec& g : spec.generators) {
    long n = 0;
    for (const auto& [name, count] : g.composition) n += count;
    most = std::max(most, n);
  }
  return most;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string CampaignSpec::fingerprint() const {
  std::string f = "units=" + units + " seed=" + std::to_string(seed);
  if (!frames.empty()) f += " file=" + frames_file + " frames=" + std::to_string(frames.size());
  for (const GeneratorSpec& g : generators) {
    f += " |";
    for (const auto& [name, n] : g.composition) f += " " + name + std::to_string(n);
    static const char* const modes[] = {"random", "symmetric", "learned", "mixture"};
    f += " mode=" + std::string(modes[static_cast<int>(g.mode)]) +
         " sg=" + std::to_string(g.spacegroup) + " pg=" + g.pointgroup + " v=" + num(g.volume_min) + "-" + num(g.volume_max) +
         " scale=" + num(g.min_distance_scale) + (g.cluster ? " cluster" : "");
    for (const auto& [pair, d] : g.min_distance) f += " " + pair.first + "-" + pair.second + "=" + num(d);
    if (!g.model.empty())
      f += " model=" + g.model + "#" + g.model_digest + " steps=" + std::to_string(g.flow_steps) +
           " w=" + num(g.learned_weight);
  }
  f += " | fmax=" + num(relax.fmax) + " ptol=" + num(relax.ptol) + " p=" + num(relax.pressure) +
       " steps=" + std::to_string(relax.max_iterations) + " max_move=" + num(relax.max_move) +
       (relax.relax_cell ? " cell" : "");
  return f;
}

CampaignResult run_campaign(const CampaignSpec& spec, bool restart, CampaignObserver& observer) {
  Units units;
  if (!Units::lookup(spec.units, units)) throw InputError("sample: unknown units '" + spec.units + "'");
  std::vector<Generator> gens;
  for (const GeneratorSpec& g : spec.generators) {
    try {
      gens.emplace_back(g);
    } catch (const GeneratorError& e) {
      throw InputError(spec.deck + ": sample.generator: " + e.what());
    }
  }
  if (gens.empty() && spec.frames.empty()) throw InputError("sample: no composition");
  CampaignFiles files(spec.dir);
  CampaignState state;
  if (restart) {
    state = files.load_state(spec.fingerprint());
  } else {
    if (exists(files.relaxed()))
      throw InputError(files.relaxed() + ": a campaign is already here; continue it with --restart or choose "
                       "another output.dir");
    files.create();
  }
  std::FILE* out = std::fopen(files.relaxed().c_str(), restart ? "r+" : "w");
  if (!out) throw InputError(files.relaxed() + ": cannot write");
  std::fseek(out, static_cast<long>(state.relaxed_bytes), SEEK_SET);
  if (::ftruncate(fileno(out), static_cast<off_t>(state.relaxed_bytes)) != 0) {
    std::fclose(out);
    throw InputError(files.relaxed() + ": cannot truncate to the checkpointed size");
  }
  CampaignProgress prog = state.progress;
  const auto t0 = std::chrono::steady_clock::now();
  const double seconds0 = prog.seconds;
  auto elapsed = [&] {
    return seconds0 + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  CampaignResult result;
  // Results are written in proposal order, whichever finishes first: a batch then writes
  // what one at a time would, and the checkpoint always covers a prefix of proposals.
  std::map<long, std::optional<Relaxed>> ready;  // finished, waiting; nullopt: not generated
  std::map<long, Proposal> flying;               // in the batch
  long drawn = state.next_index, started = prog.relaxed, failures = state.generator_failures;
  double outside = 0;  // seconds generating, analysing and writing (the rest relaxes)
  const double relax0 = prog.relax_seconds;
  auto write_ready = [&] {  // (timed by its callers)
    while (!ready.empty() && ready.begin()->first == state.next_index) {
      std::optional<Relaxed> r = std::move(ready.begin()->second);
      ready.erase(ready.begin());
      ++state.next_index;
      ++prog.attempts;
      if (!r) {
        ++state.generator_failures;
        continue;
      }
      if (r->input_error && prog.converged + prog.unconverged == 0)  // nothing has worked yet: the deck
        throw InputError(spec.deck + ": " + r->reason);
      write_extxyz_frame(out, r->structure, r->energy, r->info);
      if (std::fflush(out) != 0) throw InputError(files.relaxed() + ": write failed");
      ++prog.relaxed;
      prog.force_evaluations += r->evaluations;
      if (r->status == "converged") ++prog.converged;
      else if (r->status == "unconverged") ++prog.unconverged;
      else ++prog.failed;
      if (std::isfinite(r->enthalpy_per_atom)) {
        const double tol = 1e-4 * std::max(1.0, std::abs(r->enthalpy_per_atom));
        if (!(r->enthalpy_per_atom > prog.best - tol)) prog.best = r->enthalpy_per_atom, prog.best_hits = 1;
        else if (std::abs(r->enthalpy_per_atom - prog.best) <= tol) ++prog.best_hits;
      }
      prog.seconds = elapsed();
      prog.relax_seconds = relax0 + (prog.seconds - seconds0) - outside;
      state.progress = prog;
      state.relaxed_bytes = static_cast<long>(std::ftell(out));
      files.save_state(state, spec.fingerprint());
      observer.progress(prog);
    }
  };
  // The next proposal to relax, or none when the budget is spent or a stop was asked for.
  auto draw = [&]() -> std::optional<std::pair<long, Proposal>> {
    const Stopwatch watch(outside);
    for (;;) {
      if (result.stopped || observer.stop_requested()) {  // the batch drains, then a checkpoint
        result.stopped = true;
        return std::nullopt;
      }
      if (spec.max_relaxations > 0 && started >= spec.max_relaxations) return std::nullopt;
      if (spec.max_seconds > 0 && elapsed() >= spec.max_seconds) return std::nullopt;
      if (!spec.frames.empty() && drawn >= static_cast<long>(spec.frames.size())) return std::nullopt;
      const long k = drawn++;
      const std::size_t which =
          gens.size() <= 1 ? 0
                           : std::min(gens.size() - 1, static_cast<std::size_t>(rng::Stream(spec.seed, k, 0x73697a65)
                                                                                   .uniform() * gens.size()));
      Proposal p;
      try {
        if (!spec.frames.empty()) p.structure = spec.frames[static_cast<std::size_t>(k)], p.spacegroup = 0;
        else p = gens[which].propose(spec.seed, static_cast<std::uint64_t>(k));
      } catch (const GeneratorError& e) {
        if (started == 0 && failures == k)  // not one proposal yet: the request's fault
          throw InputError(spec.deck + ": sample.generator: " + e.what());
        ++failures;
        ready[k] = std::nullopt;
        write_ready();
        continue;
      }
      ++started;
      return std::make_pair(k, std::move(p));
    }
  };
  try {
    if (batched(spec)) {
      MinimizeSettings ms = spec.relax;  // the cell relaxes for periodic structures only
      BatchRelaxer relaxer(spec.potential, system_settings(spec), ms, spec.batch, largest_structure(spec));
      relaxer.run(
          [&]() -> std::optional<BatchJob> {
            auto d = draw();
            if (!d) return std::nullopt;
            BatchJob job{d->first, with_masses(spec, d->second)};
            flying[d->first] = std::move(d->second);
            return job;
          },
          [&](BatchOutcome&& o) {
            const Proposal p = std::move(flying.at(o.tag));
            flying.erase(o.tag);
            Relaxed r = describe(spec, units, o.tag, p, std::move(o.structure), o.result,
                                 o.failed ? o.result.reason : "", false, outside);
            if (o.failed) r.evaluations = o.evaluations;
            ready[o.tag] = std::move(r);
            const Stopwatch watch(outside);
            write_ready();
          });
    } else {
      while (auto d = draw()) {
        ready[d->first] = relax_one(spec, units, d->first, d->second, outside);
        const Stopwatch watch(outside);
        write_ready();
      }
    }
  } catch (...) {
    std::fclose(out);
    throw;
  }
  if (observer.stop_requested()) result.stopped = true;  // (a signal while the last batch drained)
  std::fclose(out);
  prog.seconds = elapsed();
  prog.relax_seconds = relax0 + (prog.seconds - seconds0) - outside;
  state.progress = prog;
  files.save_state(state, spec.fingerprint());
  result.progress = prog;
  const CampaignFiles::Ranking rk = files.finish(spec, state, result.stopped);
  result.unique = rk.unique, result.best_hits = rk.best_hits, result.best = rk.best;
  return result;
}

}  // namespace af::sampler
