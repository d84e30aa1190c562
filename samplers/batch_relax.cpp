// The batched relaxer's FIRE steps, evaluations and the loop that feeds and drains
// slots (batch_relax.hpp). The arithmetic mirrors the minimize stage's
// (integrators/minimize.cpp) term by term, per structure in atom order.
#include "atomforge/samplers/batch_relax.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "atomforge/samplers/batch_kernels.hpp"
#include "atomforge/src/deck_reader.hpp"

namespace af::sampler {

namespace {

const char* reason(int status) {
  switch (status) {
    case kConverged: return "converged";
    case kIterationLimit: return "reached the iteration limit";
    case kNoProgress: return "no downhill progress";
    case kNotFinite: return "energy or forces not finite";
    case kInsideOut: return "the cell turned inside out";
    case kExploded: return "the cell volume changed more than x50 (an exploding relaxation)";
    case kCollapsed: return "the cell collapsed (more than 512 n + 8192 periodic images in the list radius)";
    default: return "not finished";
  }
}

}  // namespace

BatchRelaxer::BatchRelaxer(std::shared_ptr<const PotentialSpec> potential, const SystemSettings& settings,
                           const MinimizeSettings& relax, int batch, int max_atoms)
    : d_(std::make_unique<Impl>()) {
  Impl& d = *d_;
  if (!Units::lookup(settings.units, d.units)) throw InputError("units: unknown units '" + settings.units + "'");
  if (relax.style != "fire") throw InputError("batched relaxation runs FIRE (style fire), not '" + relax.style + "'");
  d.spec = std::move(potential);
  d.pot = d.spec->create();
  if (!d.pot->supports_batches())
    throw std::logic_error("potential style " + d.pot->style() + " does not evaluate structure batches");
  d.ms = relax;
  d.nb.skin = d.units.name == "lj" ? 0.3 : 2.0;
  if (settings.neighbor) d.nb = *settings.neighbor;
  d.kind = d.pot->list_kind() == ListKind::Full ? ListKind::Full : ListKind::Half;
  d.rn = d.pot->cutoff() + d.nb.skin;
  d.S = std::max(1, batch);
  d.L = std::max(1, max_atoms);
  d.G = 32 * d.L;
  d.W = 64;
  d.jobs.resize(d.S);
  d.allocate();
}

BatchRelaxer::~BatchRelaxer() = default;

bool BatchRelaxer::supported(const PotentialSpec& potential) { return potential.create()->supports_batches(); }

void BatchRelaxer::Impl::load(int s, BatchJob&& job) {
  const Structure& st = job.structure;
  const int n = static_cast<int>(st.natoms());
  if (n > L) throw std::invalid_argument("batched relaxation: a structure of " + std::to_string(n) + " atoms (at most " +
                                         std::to_string(L) + ")");
  if (atoms.species.empty()) atoms.species = st.species;
  Slot& h = hslots(s);
  h = Slot{};
  h.box = h.box0 = h.built = st.box;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) h.D[i][j] = i == j;
  for (int k = 0; k < 6; ++k) h.xc[k] = h.vc[k] = h.gc[k] = h.w[k] = 0;
  h.fire = FireState{};
  h.e = 0;
  h.fmax = std::numeric_limits<double>::infinity();
  h.serr = 0;
  h.v0 = st.box.volume();
  h.fc = std::max(1, n);
  h.it = 0;
  h.last_build = -1;
  h.n = n;
  h.status = kRunning;
  const bool periodic = st.box.periodic[0] && st.box.periodic[1] && st.box.periodic[2];
  h.cell = ms.relax_cell && periodic;
  h.iso = ms.couple == MinimizeSettings::Couple::Iso;
  h.gcount = 0;
  for (int k = 0; k < 6; ++k)
    h.free[k] = h.cell && (ms.couple == MinimizeSettings::Couple::Tri || k < 3);
  if (static_cast<int>(stage.extent(0)) < L) {
    stage = VecView("batch::stage", L);
    stage_type = IntView("batch::stage_type", L);
    hstage = Kokkos::create_mirror_view(stage);
    hstage_type = Kokkos::create_mirror_view(stage_type);
  }
  const auto hx = hstage;
  const auto ht = hstage_type;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) hx(i, k) = st.x[3 * i + k];
    ht(i) = st.type[i];
  }
  Kokkos::deep_copy(stage, hx);
  Kokkos::deep_copy(stage_type, ht);
  const auto x = atoms.x, uu = u, vv = v, sx = stage;
  const auto t = atoms.type, stt = stage_type;
  const int a = s * L;
  const double lo0 = st.box.lo[0], lo1 = st.box.lo[1], lo2 = st.box.lo[2];
  Kokkos::parallel_for(
      "batch::load", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const double lo[3] = {lo0, lo1, lo2};
        for (int k = 0; k < 3; ++k) {
          x(a + i, k) = sx(i, k);
          uu(a + i, k) = sx(i, k) - lo[k];  // u = D^-1 (x - lo), D = I
          vv(a + i, k) = 0;
        }
        t(a + i) = stt(i);
      });
  const auto one = std::make_pair(s, s + 1);
  Kokkos::deep_copy(Kokkos::subview(slots, one), Kokkos::subview(hslots, one));
  hflags(s, 0) = kRunning;
  hflags(s, 1) = 1;
  hflags(s, 2) = 0;
  jobs[s] = std::move(job);
}

BatchOutcome BatchRelaxer::Impl::unload(int s) {
  const auto one = std::make_pair(s, s + 1);
  Kokkos::deep_copy(Kokkos::subview(hslots, one), Kokkos::subview(slots, one));
  const Slot& h = hslots(s);
  BatchOutcome out;
  out.tag = jobs[s].tag;
  out.structure = std::move(jobs[s].structure);
  MinimizeResult& r = out.result;
  r.iterations = h.it;
  r.converged = h.status == kConverged;
  r.energy = h.e;
  r.fmax = h.fmax;
  r.stress_error = h.serr;
  r.reason = reason(h.status);
  out.failed = h.status >= kNotFinite;
  out.evaluations = h.it + (h.status == kInsideOut || h.status == kExploded ? 0 : 1);  // (no evaluation after those)
  if (!out.failed) {
    const auto x = atoms.x, sx = stage;
    const int a = s * L;
    Kokkos::parallel_for(
        "batch::unload", Kokkos::RangePolicy<ExecSpace>(0, h.n), KOKKOS_LAMBDA(const int i) {
          for (int k = 0; k < 3; ++k) sx(i, k) = x(a + i, k);
        });
    Kokkos::deep_copy(hstage, stage);
    const auto hx = hstage;
    out.structure.box = h.box;
    for (int i = 0; i < h.n; ++i)
      for (int k = 0; k < 3; ++k) out.structure.x[3 * i + k] = hx(i, k);
    out.structure.image.clear();
    out.structure.wrap();
  }
  hflags(s, 0) = kEmpty;
  return out;
}

void BatchRelaxer::run(const std::function<std::optional<BatchJob>()>& next,
                       const std::function<void(BatchOutcome&&)>& done) {
  Impl& d = *d_;
  bool more = true;
  for (int s = 0; s < d.S; ++s) d.hflags(s, 0) = kEmpty;
  for (;;) {
    int running = 0;
    for (int s = 0; s < d.S; ++s) {
      if (d.hflags(s, 0) == kEmpty && more) {
        std::optional<BatchJob> job = next();
        if (!job) {
          more = false;
        } else if (job->structure.natoms() == 0) {  // nothing to relax
          BatchOutcome o;
          o.tag = job->tag;
          o.structure = std::move(job->structure);
          o.result.converged = true;
          o.result.reason = "converged";
          done(std::move(o));
          --s;  // this slot is still free
          continue;
        } else {
          d.load(s, std::move(*job));
        }
      }
      running += d.hflags(s, 0) == kRunning;
    }
    if (running == 0) return;
    Kokkos::deep_copy(d.flags, d.hflags);
    d.build_lists();
    d.update_ghosts();
    d.evaluate();
    d.fire_step();
    Kokkos::deep_copy(d.hflags, d.flags);
    for (int s = 0; s < d.S; ++s)
      if (d.hflags(s, 0) != kRunning && d.hflags(s, 0) != kEmpty) done(d.unload(s));
  }
}

}  // namespace af::sampler
