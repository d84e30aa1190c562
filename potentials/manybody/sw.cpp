// Stillinger-Weber (LAMMPS sw, same file format and formulas as pair_sw.cpp):
//   E = sum_{i<j} phi2(r_ij) + sum_i sum_{j<k} phi3(r_ij, r_ik, theta_jik)
// On a full neighbor list: each atom takes its own share of the two-body terms and the
// three-body terms centred on it, passing reactions to j and k through a ForceSink.
// Per-atom energies as LAMMPS: two-body halves, three-body thirds.
#include <cmath>
#include <stdexcept>

#include "atomforge/src/atom_loops.hpp"
#include "atomforge/src/force_sink.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/potentials/manybody/triplet_file.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

namespace {

struct SWParam {
  double epsilon, sigma, littlea, lambda, gamma, costheta, biga, bigb, powerp, powerq, tol;
  double cut, cutsq, sigma_gamma, lambda_epsilon, lambda_epsilon2, c1, c2, c3, c4, c5, c6;
  int ip, iq;  // powerp, powerq when they are small whole numbers (as in every Si file), else -1
};

// r^-n by multiplication for the whole exponents of real files (pow costs far more).
KOKKOS_INLINE_FUNCTION double inverse_power(double r, double power, int n) {
  if (n < 0) return pow(r, -power);
  const double rinv = 1.0 / r;
  double out = 1.0;
  for (int k = 0; k < n; ++k) out *= rinv;
  return out;
}

KOKKOS_INLINE_FUNCTION void twobody(const SWParam& p, double rsq, double& fforce, double& eng) {
  const double r = sqrt(rsq);
  const double rinvsq = 1.0 / rsq;
  const double rp = inverse_power(r, p.powerp, p.ip);
  const double rq = inverse_power(r, p.powerq, p.iq);
  const double rainv = 1.0 / (r - p.cut);
  const double rainvsq = rainv * rainv * r;
  const double expsrainv = exp(p.sigma * rainv);
  fforce = (p.c1 * rp - p.c2 * rq + (p.c3 * rp - p.c4 * rq) * rainvsq) * expsrainv * rinvsq;
  eng = (p.c5 * rp - p.c6 * rq) * expsrainv;
}

// exp(gamma sigma / (r - a sigma)) of one leg of a triplet: it depends on the leg alone,
// so the kernel computes it once per neighbor rather than once per triplet.
KOKKOS_INLINE_FUNCTION double leg_exp(const SWParam& p, double rsq) {
  return exp(p.sigma_gamma * (1.0 / (sqrt(rsq) - p.cut)));
}

// e1, e2: leg_exp of the two legs.
KOKKOS_INLINE_FUNCTION void threebody(const SWParam& pij, const SWParam& pik, const SWParam& pijk, double rsq1,
                                      double rsq2, const double d1[3], const double d2[3], double e1, double e2,
                                      double fj[3], double fk[3], double& eng) {
  const double r1 = sqrt(rsq1), rinvsq1 = 1.0 / rsq1, rainv1 = 1.0 / (r1 - pij.cut);
  const double gsrainv1 = pij.sigma_gamma * rainv1, gsrainvsq1 = gsrainv1 * rainv1 / r1;
  const double r2 = sqrt(rsq2), rinvsq2 = 1.0 / rsq2, rainv2 = 1.0 / (r2 - pik.cut);
  const double gsrainv2 = pik.sigma_gamma * rainv2, gsrainvsq2 = gsrainv2 * rainv2 / r2;
  const double rinv12 = 1.0 / (r1 * r2);
  const double cs = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) * rinv12;
  const double delcs = cs - pijk.costheta;
  const double facexp = e1 * e2;
  const double facrad = pijk.lambda_epsilon * facexp * delcs * delcs;
  const double frad1 = facrad * gsrainvsq1, frad2 = facrad * gsrainvsq2;
  const double facang = pijk.lambda_epsilon2 * facexp * delcs;
  const double facang12 = rinv12 * facang;
  const double csfacang = cs * facang;
  const double csfac1 = rinvsq1 * csfacang, csfac2 = rinvsq2 * csfacang;
  for (int k = 0; k < 3; ++k) {
    fj[k] = d1[k] * (frad1 + csfac1) - d2[k] * facang12;
    fk[k] = d2[k] * (frad2 + csfac2) - d1[k] * facang12;
  }
  eng = facrad;
}

constexpr int kMaxShort = 48;  // neighbors inside the cutoff kept per atom (more: slower path)

template <bool EFLAG, bool VFLAG, bool EATOM>
struct SWKernel {
  Kokkos::View<const SWParam*, Device> p;
  Kokkos::View<const int*, Device> idx;  // (ti*nt + tj)*nt + tk -> parameter set
  int nt;
  VecView x;
  IntView type;
  NeighView nl;
  ForceSink sink;
  IntView contributing;  // ComputeFlags::contributing: terms centred on other atoms are skipped
  AtomVirials vatom;     // ComputeFlags::virial_atom

  KOKKOS_INLINE_FUNCTION const SWParam& param(int a, int b, int c) const { return p(idx((a * nt + b) * nt + c)); }

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    // Every term is centred on an atom (a pair's two halves on its two ends), so masking
    // centres gives pairs weight (c_i + c_j)/2 and triplets their centre's c.
    if (contributing.extent(0) && !contributing(i)) return;
    const auto slot = sink.open();
    const double xi[3] = {x(i, 0), x(i, 1), x(i, 2)};
    const int ti = type(i);
    double fi[3] = {0, 0, 0}, e2 = 0, ei3 = 0;  // e2: this atom's halves of its pair energies
    // The neighbors inside their cutoffs, gathered without branches (which list pairs
    // are in the skin is unpredictable); past kMaxShort the list itself is walked.
    int shortlist[kMaxShort + 1];
    double leg[kMaxShort];  // leg_exp of each short-list neighbor
    int nshort = 0;
    const int nn = nl.num(i);
    for (int k = 0; k < nn; ++k) {
      const int j = nl.neigh(i, k);
      const double d[3] = {xi[0] - x(j, 0), xi[1] - x(j, 1), xi[2] - x(j, 2)};
      const double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      shortlist[nshort < kMaxShort ? nshort : kMaxShort] = j;
      nshort += rsq < param(ti, type(j), type(j)).cutsq;
    }
    const bool overflow = nshort > kMaxShort;
    const int m = overflow ? nn : nshort;
    for (int k = 0; k < m; ++k) {
      const int j = overflow ? nl.neigh(i, k) : shortlist[k];
      const double d[3] = {xi[0] - x(j, 0), xi[1] - x(j, 1), xi[2] - x(j, 2)};
      const double rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      const SWParam& pij = param(ti, type(j), type(j));
      if (overflow && rsq >= pij.cutsq) continue;
      // Two-body: this atom's half of the pair (the partner computes the other half).
      double fpair, e;
      twobody(pij, rsq, fpair, e);
      if (!overflow) leg[k] = leg_exp(pij, rsq);
      if (contributing.extent(0) == 0) {
        for (int c = 0; c < 3; ++c) fi[c] += d[c] * fpair;  // both halves' force (j computes its own)
      } else {  // the gradient of this half alone: j may not be visited (a mask's forces are exact gradients)
        for (int c = 0; c < 3; ++c) fi[c] += 0.5 * d[c] * fpair;
        sink.force(slot, j, -0.5 * d[0] * fpair, -0.5 * d[1] * fpair, -0.5 * d[2] * fpair);
      }
      e2 += 0.5 * e;
      if (vatom.on()) {  // this atom's half of the pair: its share (j's half gives j its own)
        const double fd[3] = {d[0] * fpair, d[1] * fpair, d[2] * fpair};
        vatom.add(i, 0.5, d, fd);
      }
      if (VFLAG) {
        ev.v[0] += 0.5 * d[0] * d[0] * fpair;
        ev.v[1] += 0.5 * d[1] * d[1] * fpair;
        ev.v[2] += 0.5 * d[2] * d[2] * fpair;
        ev.v[3] += 0.5 * d[0] * d[1] * fpair;
        ev.v[4] += 0.5 * d[0] * d[2] * fpair;
        ev.v[5] += 0.5 * d[1] * d[2] * fpair;
      }
    }
    // Three-body terms centred on i, over pairs of neighbors inside their cutoffs.
    for (int a = 0; a < m - 1; ++a) {
      const int j = overflow ? nl.neigh(i, a) : shortlist[a];
      const int tj = type(j);
      const double d1[3] = {x(j, 0) - xi[0], x(j, 1) - xi[1], x(j, 2) - xi[2]};
      const double rsq1 = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
      const SWParam& pij = param(ti, tj, tj);
      if (rsq1 >= pij.cutsq) continue;  // only on the overflow path
      double fjsum[3] = {0, 0, 0};
      for (int b = a + 1; b < m; ++b) {
        const int k = overflow ? nl.neigh(i, b) : shortlist[b];
        const int tk = type(k);
        const double d2[3] = {x(k, 0) - xi[0], x(k, 1) - xi[1], x(k, 2) - xi[2]};
        const double rsq2 = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        const SWParam& pik = param(ti, tk, tk);
        if (rsq2 >= pik.cutsq) continue;
        double fj[3], fk[3], e;
        threebody(pij, pik, param(ti, tj, tk), rsq1, rsq2, d1, d2, overflow ? leg_exp(pij, rsq1) : leg[a],
                  overflow ? leg_exp(pik, rsq2) : leg[b], fj, fk, e);
        for (int c = 0; c < 3; ++c) {
          fi[c] -= fj[c] + fk[c];
          fjsum[c] += fj[c];
        }
        sink.force(slot, k, fk[0], fk[1], fk[2]);
        if (EFLAG) ev.e += e;
        if (EATOM) {  // LAMMPS gives each atom of the triplet a third
          ei3 += e / 3.0;
          sink.energy(slot, j, e / 3.0);
          sink.energy(slot, k, e / 3.0);
        }
        if (vatom.on()) {  // a third each (LAMMPS's v_tally3)
          vatom.add(i, 1.0 / 3.0, d1, fj, d2, fk);
          vatom.add(j, 1.0 / 3.0, d1, fj, d2, fk);
          vatom.add(k, 1.0 / 3.0, d1, fj, d2, fk);
        }
        if (VFLAG) {
          ev.v[0] += d1[0] * fj[0] + d2[0] * fk[0];
          ev.v[1] += d1[1] * fj[1] + d2[1] * fk[1];
          ev.v[2] += d1[2] * fj[2] + d2[2] * fk[2];
          ev.v[3] += d1[0] * fj[1] + d2[0] * fk[1];
          ev.v[4] += d1[0] * fj[2] + d2[0] * fk[2];
          ev.v[5] += d1[1] * fj[2] + d2[1] * fk[2];
        }
      }
      sink.force(slot, j, fjsum[0], fjsum[1], fjsum[2]);
    }
    sink.force(slot, i, fi[0], fi[1], fi[2]);
    if (EFLAG) ev.e += e2;
    if (EATOM) sink.energy(slot, i, e2 + ei3);
    sink.close(slot);
  }
};

class SW final : public Potential {
 public:
  SW(const std::vector<SWParam>& params, const std::vector<int>& idx, int nt, double cutmax)
      : nt_(nt), cutmax_(cutmax) {
    p_ = Kokkos::View<SWParam*, Device>("sw::params", params.size());
    auto hp = Kokkos::create_mirror_view(p_);
    for (std::size_t k = 0; k < params.size(); ++k) hp(k) = params[k];
    Kokkos::deep_copy(p_, hp);
    idx_ = Kokkos::View<int*, Device>("sw::index", idx.size());
    auto hi = Kokkos::create_mirror_view(idx_);
    for (std::size_t k = 0; k < idx.size(); ++k) hi(k) = idx[k];
    Kokkos::deep_copy(idx_, hi);
  }
  std::string style() const override { return "sw"; }
  double cutoff() const override { return cutmax_; }
  ListKind list_kind() const override { return ListKind::Full; }
  bool supports_batches() const override { return true; }
  bool supports_per_atom_virial() const override { return true; }
  EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& fl, const DblView& eatom) override {
    if (list.kind() != ListKind::Full) throw std::logic_error(style() + " needs a full neighbor list");
    zero_atom_virials(atoms, fl.virial_atom);
    const DblView e = fl.per_atom_energy ? eatom : DblView();
    ForceSink sink = owner_.begin(atoms, e, fl.batch.count > 0);
    EnergyVirial ev;
    if (fl.per_atom_energy) ev = run<true, true, true>(atoms, list, sink, fl);
    else if (fl.energy || fl.virial) ev = run<true, true, false>(atoms, list, sink, fl);
    else ev = run<false, false, false>(atoms, list, sink, fl);
    owner_.end(atoms, list, e);
    return ev;
  }

 private:
  template <bool E, bool V, bool A>
  EnergyVirial run(const Atoms& atoms, const NeighborList& list, const ForceSink& sink, const ComputeFlags& fl) {
    SWKernel<E, V, A> k{p_, idx_, nt_, atoms.x, atoms.type, list.view(), sink, fl.contributing, {fl.virial_atom}};
    return reduce_local_atoms("sw::compute", atoms.nlocal, k, fl.batch);
  }

  Kokkos::View<SWParam*, Device> p_;
  Kokkos::View<int*, Device> idx_;
  int nt_;
  double cutmax_;
  ForceSinkOwner owner_;
};

class SWSpec final : public PotentialSpec {
 public:
  std::vector<SWParam> params;
  std::vector<int> idx;
  int nt = 0;
  double cutmax = 0;
  std::unique_ptr<Potential> create() const override { return std::make_unique<SW>(params, idx, nt, cutmax); }
  bool needs_full_list() const override { return true; }
};

}  // namespace

// Element names for the system's species: `species: [...]` in the potential section,
// else the species names themselves.
std::vector<std::string> potential_elements(MapReader& sec, const DeckContext& ctx) {
  std::vector<std::string> el = ctx.structure.species;
  if (auto sp = sec.find("species")) {
    el = sp->as_strings();
    if (static_cast<int>(el.size()) != ctx.structure.ntypes())
      sp->fail("potential.species: give the file's element for each of the " + std::to_string(ctx.structure.ntypes()) +
               " system species");
  }
  return el;
}

std::shared_ptr<const PotentialSpec> parse_sw(MapReader& sec, const DeckContext& ctx) {
  if (ctx.units.name != "metal") sec.node().fail("sw potential files are in metal units; set 'units: metal'");
  const std::string path = find_potential_file(sec.get("file"));
  const auto elements = potential_elements(sec, ctx);
  const auto entries = read_triplet_file(path, 11);
  auto spec = std::make_shared<SWSpec>();
  spec->nt = ctx.structure.ntypes();
  std::vector<int> used = map_triplets(entries, elements, path);
  // Keep only the entries in use, renumbered.
  std::vector<int> remap(entries.size(), -1);
  for (int& u : used) {
    if (remap[u] < 0) {
      remap[u] = static_cast<int>(spec->params.size());
      const auto& v = entries[u].v;
      SWParam p{};
      p.epsilon = v[0];
      p.sigma = v[1];
      p.littlea = v[2];
      p.lambda = v[3];
      p.gamma = v[4];
      p.costheta = v[5];
      p.biga = v[6];
      p.bigb = v[7];
      p.powerp = v[8];
      p.powerq = v[9];
      p.tol = v[10];
      if (p.epsilon < 0 || p.sigma < 0 || p.littlea < 0 || p.lambda < 0 || p.gamma < 0 || p.biga < 0 || p.bigb < 0 ||
          p.powerp < 0 || p.powerq < 0 || p.tol < 0)
        throw InputError::at(path, 0, 0, "negative Stillinger-Weber parameter for " + entries[u].e[0] + " " +
                                             entries[u].e[1] + " " + entries[u].e[2]);
      // Derived constants as LAMMPS's PairSW::setup().
      p.cut = p.sigma * p.littlea;
      p.cutsq = p.cut * p.cut;
      p.sigma_gamma = p.sigma * p.gamma;
      p.lambda_epsilon = p.lambda * p.epsilon;
      p.lambda_epsilon2 = 2.0 * p.lambda * p.epsilon;
      p.c1 = p.biga * p.epsilon * p.powerp * p.bigb * std::pow(p.sigma, p.powerp);
      p.c2 = p.biga * p.epsilon * p.powerq * std::pow(p.sigma, p.powerq);
      p.c3 = p.biga * p.epsilon * p.bigb * std::pow(p.sigma, p.powerp + 1.0);
      p.c4 = p.biga * p.epsilon * std::pow(p.sigma, p.powerq + 1.0);
      p.c5 = p.biga * p.epsilon * p.bigb * std::pow(p.sigma, p.powerp);
      p.c6 = p.biga * p.epsilon * std::pow(p.sigma, p.powerq);
      auto whole = [](double v) { return v == std::floor(v) && v <= 12 ? static_cast<int>(v) : -1; };
      p.ip = whole(p.powerp);
      p.iq = whole(p.powerq);
      spec->params.push_back(p);
      spec->cutmax = std::max(spec->cutmax, p.cut);
    }
    u = remap[u];
  }
  spec->idx = used;
  return spec;
}

}  // namespace af
