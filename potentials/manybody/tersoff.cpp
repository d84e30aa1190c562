// Tersoff (LAMMPS tersoff: file format and formulas as pair_tersoff.cpp, including its
// large/small-argument forms of the bond order b_ij):
//   E = 1/2 sum_i sum_{j != i} fc(r_ij) [fR(r_ij) + b_ij fA(r_ij)]
// Full neighbor list; repulsion is taken per atom (half of each pair), the bond-order
// attraction per ordered pair (i, j) with its three-body derivatives passed to j and k
// through a ForceSink. Per-atom energies as LAMMPS: each pair term split in halves.
#include <cmath>
#include <stdexcept>

#include "atomforge/src/atom_loops.hpp"
#include "atomforge/src/force_sink.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/potentials/manybody/triplet_file.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

std::vector<std::string> potential_elements(MapReader& sec, const DeckContext& ctx);  // sw.cpp

namespace {

struct TersoffParam {
  double powerm, gamma, lam3, c, d, h, powern, beta, lam2, bigb, bigr, bigd, lam1, biga;
  double cut, cutsq, c1, c2, c3, c4;
};

constexpr double kPi2 = 1.5707963267948966;   // pi/2
constexpr double kPi4 = 0.78539816339744831;  // pi/4

KOKKOS_INLINE_FUNCTION double ters_fc(double r, const TersoffParam& p) {
  if (r < p.bigr - p.bigd) return 1.0;
  if (r > p.bigr + p.bigd) return 0.0;
  return 0.5 * (1.0 - sin(kPi2 * (r - p.bigr) / p.bigd));
}
KOKKOS_INLINE_FUNCTION double ters_fc_d(double r, const TersoffParam& p) {
  if (r < p.bigr - p.bigd) return 0.0;
  if (r > p.bigr + p.bigd) return 0.0;
  return -(kPi4 / p.bigd) * cos(kPi2 * (r - p.bigr) / p.bigd);
}
KOKKOS_INLINE_FUNCTION double ters_fa(double r, const TersoffParam& p) {
  if (r > p.bigr + p.bigd) return 0.0;
  return -p.bigb * exp(-p.lam2 * r) * ters_fc(r, p);
}
KOKKOS_INLINE_FUNCTION double ters_fa_d(double r, const TersoffParam& p) {
  if (r > p.bigr + p.bigd) return 0.0;
  return p.bigb * exp(-p.lam2 * r) * (p.lam2 * ters_fc(r, p) - ters_fc_d(r, p));
}
KOKKOS_INLINE_FUNCTION double ters_bij(double zeta, const TersoffParam& p) {
  const double tmp = p.beta * zeta;
  if (tmp > p.c1) return 1.0 / sqrt(tmp);
  if (tmp > p.c2) return (1.0 - pow(tmp, -p.powern) / (2.0 * p.powern)) / sqrt(tmp);
  if (tmp < p.c4) return 1.0;
  if (tmp < p.c3) return 1.0 - pow(tmp, p.powern) / (2.0 * p.powern);
  return pow(1.0 + pow(tmp, p.powern), -1.0 / (2.0 * p.powern));
}
KOKKOS_INLINE_FUNCTION double ters_bij_d(double zeta, const TersoffParam& p) {
  const double tmp = p.beta * zeta;
  if (tmp > p.c1) return p.beta * -0.5 * pow(tmp, -1.5);
  if (tmp > p.c2)
    return p.beta * (-0.5 * pow(tmp, -1.5) * (1.0 - 0.5 * (1.0 + 1.0 / (2.0 * p.powern)) * pow(tmp, -p.powern)));
  if (tmp < p.c4) return 0.0;
  if (tmp < p.c3) return -0.5 * p.beta * pow(tmp, p.powern - 1.0);
  const double tmp_n = pow(tmp, p.powern);
  return -0.5 * pow(1.0 + tmp_n, -1.0 - (1.0 / (2.0 * p.powern))) * tmp_n / zeta;
}
KOKKOS_INLINE_FUNCTION double ters_gijk(double costheta, const TersoffParam& p) {
  const double c2 = p.c * p.c, d2 = p.d * p.d, hc = p.h - costheta;
  return p.gamma * (1.0 + c2 / d2 - c2 / (d2 + hc * hc));
}
KOKKOS_INLINE_FUNCTION double ters_gijk_d(double costheta, const TersoffParam& p) {
  const double hc = p.h - costheta;
  const double den = p.d * p.d + hc * hc;
  return p.gamma * (-2.0 * p.c * p.c * hc) / (den * den);
}
// exp(lam3^m (rij - rik)^m), clamped as LAMMPS does; m is 1 or 3.
KOKKOS_INLINE_FUNCTION double ters_exp(double rij, double rik, const TersoffParam& p) {
  const double t = p.lam3 * (rij - rik);
  const double arg = p.powerm == 3.0 ? t * t * t : t;
  if (arg > 69.0776) return 1.e30;
  if (arg < -69.0776) return 0.0;
  return exp(arg);
}

KOKKOS_INLINE_FUNCTION double zeta(const TersoffParam& p, double rsqij, double rsqik, const double* dij,
                                   const double* dik) {
  const double rij = sqrt(rsqij), rik = sqrt(rsqik);
  const double costheta = (dij[0] * dik[0] + dij[1] * dik[1] + dij[2] * dik[2]) / (rij * rik);
  return ters_fc(rik, p) * ters_gijk(costheta, p) * ters_exp(rij, rik, p);
}

// Forces on i, j, k from d(zeta_ij)/dr times prefactor (LAMMPS's ters_zetaterm_d).
KOKKOS_INLINE_FUNCTION void zetaterm_d(const TersoffParam& p, double prefactor, double rsqij, double rsqik,
                                       const double* dij, const double* dik, double* fi, double* fj, double* fk) {
  const double rij = sqrt(rsqij), rik = sqrt(rsqik);
  double hij[3], hik[3];
  for (int c = 0; c < 3; ++c) {
    hij[c] = dij[c] / rij;
    hik[c] = dik[c] / rik;
  }
  const double fc = ters_fc(rik, p), dfc = ters_fc_d(rik, p);
  const double ex = ters_exp(rij, rik, p);
  const double ex_d = p.powerm == 3.0 ? 3.0 * p.lam3 * p.lam3 * p.lam3 * (rij - rik) * (rij - rik) * ex
                                      : p.lam3 * ex;
  const double cs = hij[0] * hik[0] + hij[1] * hik[1] + hij[2] * hik[2];
  const double g = ters_gijk(cs, p), g_d = ters_gijk_d(cs, p);
  double dcj[3], dck[3], dci[3];
  for (int c = 0; c < 3; ++c) {
    dcj[c] = (hik[c] - cs * hij[c]) / rij;
    dck[c] = (hij[c] - cs * hik[c]) / rik;
    dci[c] = -(dcj[c] + dck[c]);
  }
  for (int c = 0; c < 3; ++c) {
    fi[c] = prefactor * (-dfc * g * ex * hik[c] + fc * g_d * ex * dci[c] + fc * g * ex_d * hik[c] -
                         fc * g * ex_d * hij[c]);
    fj[c] = prefactor * (fc * g_d * ex * dcj[c] + fc * g * ex_d * hij[c]);
    fk[c] = prefactor * (dfc * g * ex * hik[c] + fc * g_d * ex * dck[c] - fc * g * ex_d * hik[c]);
  }
}

template <bool EFLAG, bool VFLAG, bool EATOM>
struct TersoffKernel {
  Kokkos::View<const TersoffParam*, Device> p;
  Kokkos::View<const int*, Device> idx;
  int nt;
  VecView x;
  IntView type;
  NeighView nl;
  ForceSink sink;
  IntView contributing;  // ComputeFlags::contributing: terms centred on other atoms are skipped
  AtomVirials vatom;     // ComputeFlags::virial_atom

  KOKKOS_INLINE_FUNCTION const TersoffParam& param(int a, int b, int c) const { return p(idx((a * nt + b) * nt + c)); }

  KOKKOS_INLINE_FUNCTION void virial(EnergyVirial& ev, const double* a, const double* fa, const double* b,
                                     const double* fb) const {
    ev.v[0] += a[0] * fa[0] + b[0] * fb[0];
    ev.v[1] += a[1] * fa[1] + b[1] * fb[1];
    ev.v[2] += a[2] * fa[2] + b[2] * fb[2];
    ev.v[3] += a[0] * fa[1] + b[0] * fb[1];
    ev.v[4] += a[0] * fa[2] + b[0] * fb[2];
    ev.v[5] += a[1] * fa[2] + b[1] * fb[2];
  }

  KOKKOS_INLINE_FUNCTION void operator()(const int i, EnergyVirial& ev) const {
    // Every term is centred on an atom (a pair's two halves on its two ends), so masking
    // centres gives pairs weight (c_i + c_j)/2 and triplets their centre's c.
    if (contributing.extent(0) && !contributing(i)) return;
    const auto slot = sink.open();
    const double xi[3] = {x(i, 0), x(i, 1), x(i, 2)};
    const int ti = type(i);
    double fi[3] = {0, 0, 0}, etot = 0, emine = 0;  // energy of i's terms; i's per-atom share
    const int nn = nl.num(i);
    const double zero[3] = {0, 0, 0};
    for (int a = 0; a < nn; ++a) {
      const int j = nl.neigh(i, a);
      const int tj = type(j);
      const TersoffParam& pij = param(ti, tj, tj);
      const double d1[3] = {x(j, 0) - xi[0], x(j, 1) - xi[1], x(j, 2) - xi[2]};
      const double rsq1 = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
      if (rsq1 >= pij.cutsq) continue;
      const double r = sqrt(rsq1);
      // Repulsion: this atom's half of the pair.
      {
        const double fc = ters_fc(r, pij), fc_d = ters_fc_d(r, pij), ex = exp(-pij.lam1 * r);
        const double fpair = -pij.biga * ex * (fc_d - fc * pij.lam1) / r;  // along x_i - x_j
        const double fr[3] = {-d1[0] * fpair, -d1[1] * fpair, -d1[2] * fpair};
        if (contributing.extent(0) == 0) {
          for (int c = 0; c < 3; ++c) fi[c] += fr[c];  // both halves' force (j computes its own)
        } else {  // the gradient of this half alone: j may not be visited (a mask's forces are exact gradients)
          for (int c = 0; c < 3; ++c) fi[c] += 0.5 * fr[c];
          sink.force(slot, j, -0.5 * fr[0], -0.5 * fr[1], -0.5 * fr[2]);
        }
        etot += 0.5 * fc * pij.biga * ex;
        emine += 0.5 * fc * pij.biga * ex;
        if (VFLAG || vatom.on()) {
          const double half[3] = {-0.5 * d1[0], -0.5 * d1[1], -0.5 * d1[2]};
          if (VFLAG) virial(ev, half, fr, zero, zero);
          if (vatom.on()) vatom.add(i, 1.0, half, fr);  // this atom's half of the pair (j's gives j its own)
        }
      }
      // Bond order of (i, j) from every other neighbor k of i.
      double z = 0;
      for (int b = 0; b < nn; ++b) {
        if (b == a) continue;
        const int k = nl.neigh(i, b);
        const TersoffParam& pijk = param(ti, tj, type(k));
        const double d2[3] = {x(k, 0) - xi[0], x(k, 1) - xi[1], x(k, 2) - xi[2]};
        const double rsq2 = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        if (rsq2 >= pijk.cutsq) continue;
        z += zeta(pijk, rsq1, rsq2, d1, d2);
      }
      // Attraction b_ij fA(r_ij) / 2, as a pair force between i and j ...
      const double fa = ters_fa(r, pij), fa_d = ters_fa_d(r, pij), bij = ters_bij(z, pij);
      const double fpair = 0.5 * bij * fa_d / r;  // along x_j - x_i, on i
      const double prefactor = -0.5 * fa * ters_bij_d(z, pij);
      const double eattr = 0.5 * bij * fa;
      for (int c = 0; c < 3; ++c) fi[c] += d1[c] * fpair;
      sink.force(slot, j, -d1[0] * fpair, -d1[1] * fpair, -d1[2] * fpair);
      etot += eattr;
      emine += 0.5 * eattr;
      if (EATOM) sink.energy(slot, j, 0.5 * eattr);
      if (VFLAG || vatom.on()) {
        const double fj[3] = {-d1[0] * fpair, -d1[1] * fpair, -d1[2] * fpair};
        if (VFLAG) virial(ev, d1, fj, zero, zero);
        if (vatom.on()) {  // half to each end (LAMMPS's ev_tally of the bond-order pair force)
          vatom.add(i, 0.5, d1, fj);
          vatom.add(j, 0.5, d1, fj);
        }
      }
      // ... plus the derivatives of b_ij through zeta_ij on i, j and k.
      double fjsum[3] = {0, 0, 0};
      for (int b = 0; b < nn; ++b) {
        if (b == a) continue;
        const int k = nl.neigh(i, b);
        const TersoffParam& pijk = param(ti, tj, type(k));
        const double d2[3] = {x(k, 0) - xi[0], x(k, 1) - xi[1], x(k, 2) - xi[2]};
        const double rsq2 = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        if (rsq2 >= pijk.cutsq) continue;
        double f1[3], f2[3], f3[3];
        zetaterm_d(pijk, prefactor, rsq1, rsq2, d1, d2, f1, f2, f3);
        for (int c = 0; c < 3; ++c) {
          fi[c] += f1[c];
          fjsum[c] += f2[c];
        }
        sink.force(slot, k, f3[0], f3[1], f3[2]);
        if (VFLAG) virial(ev, d1, f2, d2, f3);
        if (vatom.on()) {  // a third each (LAMMPS's v_tally3)
          vatom.add(i, 1.0 / 3.0, d1, f2, d2, f3);
          vatom.add(j, 1.0 / 3.0, d1, f2, d2, f3);
          vatom.add(k, 1.0 / 3.0, d1, f2, d2, f3);
        }
      }
      sink.force(slot, j, fjsum[0], fjsum[1], fjsum[2]);
    }
    sink.force(slot, i, fi[0], fi[1], fi[2]);
    if (EFLAG) ev.e += etot;
    if (EATOM) sink.energy(slot, i, emine);
    sink.close(slot);
  }
};

class Tersoff final : public Potential {
 public:
  Tersoff(const std::vector<TersoffParam>& params, const std::vector<int>& idx, int nt, double cutmax)
      : nt_(nt), cutmax_(cutmax) {
    p_ = Kokkos::View<TersoffParam*, Device>("tersoff::params", params.size());
    auto hp = Kokkos::create_mirror_view(p_);
    for (std::size_t k = 0; k < params.size(); ++k) hp(k) = params[k];
    Kokkos::deep_copy(p_, hp);
    idx_ = Kokkos::View<int*, Device>("tersoff::index", idx.size());
    auto hi = Kokkos::create_mirror_view(idx_);
    for (std::size_t k = 0; k < idx.size(); ++k) hi(k) = idx[k];
    Kokkos::deep_copy(idx_, hi);
  }
  std::string style() const override { return "tersoff"; }
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
    TersoffKernel<E, V, A> k{p_, idx_, nt_, atoms.x, atoms.type, list.view(), sink, fl.contributing, {fl.virial_atom}};
    return reduce_local_atoms("tersoff::compute", atoms.nlocal, k, fl.batch);
  }

  Kokkos::View<TersoffParam*, Device> p_;
  Kokkos::View<int*, Device> idx_;
  int nt_;
  double cutmax_;
  ForceSinkOwner owner_;
};

class TersoffSpec final : public PotentialSpec {
 public:
  std::vector<TersoffParam> params;
  std::vector<int> idx;
  int nt = 0;
  double cutmax = 0;
  std::unique_ptr<Potential> create() const override { return std::make_unique<Tersoff>(params, idx, nt, cutmax); }
  bool needs_full_list() const override { return true; }
};

}  // namespace

std::shared_ptr<const PotentialSpec> parse_tersoff(MapReader& sec, const DeckContext& ctx) {
  if (ctx.units.name != "metal") sec.node().fail("tersoff potential files are in metal units; set 'units: metal'");
  const std::string path = find_potential_file(sec.get("file"));
  const auto elements = potential_elements(sec, ctx);
  const auto entries = read_triplet_file(path, 14);
  auto spec = std::make_shared<TersoffSpec>();
  spec->nt = ctx.structure.ntypes();
  std::vector<int> used = map_triplets(entries, elements, path);
  std::vector<int> remap(entries.size(), -1);
  for (int& u : used) {
    if (remap[u] < 0) {
      remap[u] = static_cast<int>(spec->params.size());
      const auto& v = entries[u].v;
      TersoffParam p{};
      p.powerm = v[0];
      p.gamma = v[1];
      p.lam3 = v[2];
      p.c = v[3];
      p.d = v[4];
      p.h = v[5];
      p.powern = v[6];
      p.beta = v[7];
      p.lam2 = v[8];
      p.bigb = v[9];
      p.bigr = v[10];
      p.bigd = v[11];
      p.lam1 = v[12];
      p.biga = v[13];
      const bool bad = p.c < 0 || p.d < 0 || p.powern < 0 || p.beta < 0 || p.lam2 < 0 || p.bigb < 0 || p.bigr < 0 ||
                       p.bigd < 0 || p.bigd > p.bigr || p.lam1 < 0 || p.biga < 0 || p.gamma < 0 ||
                       (p.powerm != 3.0 && p.powerm != 1.0);
      if (bad)
        throw InputError::at(path, 0, 0, "illegal Tersoff parameters for " + entries[u].e[0] + " " + entries[u].e[1] +
                                             " " + entries[u].e[2] + " (m must be 1 or 3, D <= R, others >= 0)");
      // Derived constants as LAMMPS's PairTersoff::setup().
      p.cut = p.bigr + p.bigd;
      p.cutsq = p.cut * p.cut;
      p.c1 = std::pow(2.0 * p.powern * 1.0e-16, -1.0 / p.powern);
      p.c2 = std::pow(2.0 * p.powern * 1.0e-8, -1.0 / p.powern);
      p.c3 = 1.0 / p.c2;
      p.c4 = 1.0 / p.c1;
      spec->params.push_back(p);
      spec->cutmax = std::max(spec->cutmax, p.cut);
    }
    u = remap[u];
  }
  spec->idx = used;
  return spec;
}

}  // namespace af

