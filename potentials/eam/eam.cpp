// Embedded-atom method in LAMMPS's eam, eam/alloy and eam/fs flavours:
//   E = sum_i F_i(rho_i) + 1/2 sum_{i != j} phi_ij(r_ij),   rho_i = sum_{j != i} rho_j(r_ij)
// with the tabulated functions splined exactly as LAMMPS does (pair_eam.cpp), so
// energies, forces and stresses agree to rounding. Three passes: densities (pair sums),
// embedding F and F' per atom (F' copied to ghosts), then pair forces through the
// shared pair driver.
#include <cmath>
#include <cstdlib>
#include <sys/stat.h>

#include "atomforge/src/pair_driver.hpp"
#include "atomforge/potentials/eam/eam_file.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

namespace {

using Table = Kokkos::View<const double***, Kokkos::LayoutRight, Device>;  // (table, grid point, coefficients)

// Spline coefficients per grid point (LAMMPS order): 0-2 derivative, 3-6 value.
// The pair passes read per type pair (ti, tj) one interleaved row per grid point, so a
// pair costs one cache line in the density pass and two in the force pass:
//   dens(pair, m, 0..7)  = value coefficients of rho_j->i (density at i), then rho_i->j;
//   force(pair, m, 0..15) = derivative coefficients of rho_i->j and rho_j->i, z2r 0-6.
constexpr int kDens = 8, kForce = 16;

struct EamDevice {
  Table frho, dens, force;
  Kokkos::View<const int*, Device> t2frho;
  int nt, nrho, nr;
  double rdr, rdrho, rhomax, cutsq;

  // Grid cell m and fraction p of x on a table (LAMMPS's clamping).
  KOKKOS_INLINE_FUNCTION static void locate(double x, double rd, int n, int mmin, int& m, double& p) {
    p = x * rd + 1.0;
    m = static_cast<int>(p);
    m = m < n - 1 ? m : n - 1;
    m = m > mmin ? m : mmin;
    p -= m;
    p = p < 1.0 ? p : 1.0;
  }
  KOKKOS_INLINE_FUNCTION static double value(const double* c, double p) { return ((c[0] * p + c[1]) * p + c[2]) * p + c[3]; }
  KOKKOS_INLINE_FUNCTION static double deriv(const double* c, double p) { return (c[0] * p + c[1]) * p + c[2]; }
};

// Pass 1: density at i from j (a) and at j from i (b).
struct EamDensity {
  EamDevice d;
  KOKKOS_INLINE_FUNCTION double cutsq(int, int) const { return d.cutsq; }
  KOKKOS_INLINE_FUNCTION void operator()(int, int, int ti, int tj, double rsq, double& a, double& b) const {
    if (rsq >= d.cutsq) return;
    int m;
    double p;
    EamDevice::locate(sqrt(rsq), d.rdr, d.nr, 0, m, p);
    const double* c = &d.dens(ti * d.nt + tj, m, 0);
    a = EamDevice::value(c, p);
    b = EamDevice::value(c + 4, p);
  }
};

// Pass 3: pair forces with the embedding derivatives of both atoms.
struct EamForce {
  static constexpr bool kUniform = false;
  static constexpr bool kNeedsIndices = true;
  static constexpr bool kWeighsMask = true;  // fp is zero on non-contributing atoms; phi weighted here
  EamDevice d;
  DblView fp;  // F'(rho), ghosts included
  IntView contributing;  // ComputeFlags::contributing (empty: all)

  KOKKOS_INLINE_FUNCTION double cutsq(int, int) const { return d.cutsq; }
  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval(int, int, double, double&, double&) const {}  // unused: needs indices
  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval_ij(int i, int j, int ti, int tj, double rsq, double& fpair, double& e) const {
    const double r = sqrt(rsq);
    int m;
    double p;
    EamDevice::locate(r, d.rdr, d.nr, 0, m, p);
    const double* c = &d.force(ti * d.nt + tj, m, 0);
    const double rhoip = EamDevice::deriv(c, p);      // d rho_at_j(from i) / dr
    const double rhojp = EamDevice::deriv(c + 3, p);  // d rho_at_i(from j) / dr
    const double z2p = EamDevice::deriv(c + 6, p);
    const double z2 = EamDevice::value(c + 9, p);
    const double recip = 1.0 / r;
    const double w = contributing.extent(0) ? 0.5 * (contributing(i) + contributing(j)) : 1.0;
    const double phi = w * z2 * recip;
    const double phip = w * z2p * recip - phi * recip;
    const double psip = fp(i) * rhojp + fp(j) * rhoip + phip;
    fpair = -psip * recip;
    if (ENERGY) e = phi;
  }
};

std::vector<std::vector<double>> spline_all(const std::vector<std::vector<double>>& tables, int n, double delta) {
  std::vector<std::vector<double>> out;
  for (const auto& t : tables) out.push_back(eam_spline(t, n, delta));
  return out;
}

Kokkos::View<double***, Kokkos::LayoutRight, Device> frho_table(const EamTables& t) {
  const auto s = spline_all(t.frho, t.nrho, t.drho);
  Kokkos::View<double***, Kokkos::LayoutRight, Device> v("eam::frho", s.size(), t.nrho + 1, 7);
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t k = 0; k < s.size(); ++k)
    for (int m = 0; m <= t.nrho; ++m)
      for (int c = 0; c < 7; ++c) h(k, m, c) = s[k][7 * m + c];
  Kokkos::deep_copy(v, h);
  return v;
}

// The interleaved per-type-pair tables (see kDens, kForce).
using TableOut = Kokkos::View<double***, Kokkos::LayoutRight, Device>;
void pair_tables(const EamTables& t, TableOut& dens, TableOut& force) {
  const int nt = static_cast<int>(t.type2frho.size());
  const auto rhor = spline_all(t.rhor, t.nr, t.dr);
  const auto z2r = spline_all(t.z2r, t.nr, t.dr);
  dens = TableOut("eam::dens", nt * nt, t.nr + 1, kDens);
  force = TableOut("eam::force", nt * nt, t.nr + 1, kForce);
  auto hd = Kokkos::create_mirror_view(dens);
  auto hf = Kokkos::create_mirror_view(force);
  for (int ti = 0; ti < nt; ++ti)
    for (int tj = 0; tj < nt; ++tj) {
      const int pr = ti * nt + tj;
      // LAMMPS: density at i from j uses type2rhor[tj][ti]; at j from i type2rhor[ti][tj].
      const auto& ji = rhor[t.type2rhor[tj * nt + ti]];
      const auto& ij = rhor[t.type2rhor[ti * nt + tj]];
      const auto& z = z2r[t.type2z2r[ti * nt + tj]];
      for (int m = 0; m <= t.nr; ++m) {
        for (int c = 0; c < 4; ++c) {
          hd(pr, m, c) = ji[7 * m + 3 + c];
          hd(pr, m, 4 + c) = ij[7 * m + 3 + c];
        }
        for (int c = 0; c < 3; ++c) {
          hf(pr, m, c) = ij[7 * m + c];
          hf(pr, m, 3 + c) = ji[7 * m + c];
        }
        for (int c = 0; c < 7; ++c) hf(pr, m, 6 + c) = z[7 * m + c];
      }
    }
  Kokkos::deep_copy(dens, hd);
  Kokkos::deep_copy(force, hf);
}

Kokkos::View<int*, Device> ints(const std::vector<int>& v, const char* label) {
  Kokkos::View<int*, Device> d(std::string(label), v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  Kokkos::deep_copy(d, h);
  return d;
}

class Eam final : public Potential {
 public:
  Eam(std::string style, const EamTables& t) : style_(std::move(style)), cut_(t.cut) {
    d_.frho = frho_table(t);
    Kokkos::View<double***, Kokkos::LayoutRight, Device> dens, force;
    pair_tables(t, dens, force);
    d_.dens = dens;
    d_.force = force;
    d_.t2frho = ints(t.type2frho, "eam::type2frho");
    d_.nt = static_cast<int>(t.type2frho.size());
    d_.nrho = t.nrho;
    d_.nr = t.nr;
    d_.rdr = 1.0 / t.dr;
    d_.rdrho = 1.0 / t.drho;
    d_.rhomax = t.rhomax;
    d_.cutsq = t.cut * t.cut;
  }
  std::string style() const override { return style_; }
  double cutoff() const override { return cut_; }
  bool supports_batches() const override { return true; }
  bool supports_per_atom_virial() const override { return true; }  // all of EAM's forces are pairwise

  EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& fl, const DblView& eatom) override {
    const int nall = atoms.nall(), n = atoms.nlocal;
    if (rho_.extent(0) < std::size_t(nall)) {
      rho_ = DblView("eam::rho", nall + nall / 8 + 16);
      fp_ = DblView("eam::fp", rho_.extent(0));
      emb_ = DblView("eam::embedding", rho_.extent(0));
    }
    // The density pass records the pairs inside the cutoff; the force pass runs on those.
    driver_.pair_sums(EamDensity{d_}, atoms, list, rho_, &short_, fl.batch);
    // Embedding energy and its derivative per atom; beyond the table's last density a
    // linear continuation keeps the energy conserved (as LAMMPS).
    const EamDevice d = d_;
    auto rho = rho_;
    auto fp = fp_;
    auto emb = emb_;
    auto type = atoms.type;
    const IntView c = fl.contributing;  // a non-contributing atom has no embedding term
    const EnergyVirial embedding = reduce_local_atoms(
        "eam::embed", n,
        KOKKOS_LAMBDA(const int i, EnergyVirial& sum) {
          int m;
          double p;
          EamDevice::locate(rho(i), d.rdrho, d.nrho, 1, m, p);
          const int k = d.t2frho(type(i));
          const double* t = &d.frho(k, m, 0);
          const bool on = c.extent(0) == 0 || c(i);
          fp(i) = on ? EamDevice::deriv(t, p) : 0.0;
          double phi = on ? EamDevice::value(t + 3, p) : 0.0;
          if (on && rho(i) > d.rhomax) phi += fp(i) * (rho(i) - d.rhomax);
          emb(i) = phi;
          sum.e += phi;
        },
        fl.batch);
    const double fsum = embedding.e;
    if (atoms.nghost > 0) list.forward_ghosts(atoms, fp_);
    EnergyVirial ev = driver_.compute(EamForce{d_, fp_, fl.contributing}, atoms, list, fl, eatom, &short_);
    if (fl.energy) ev.e += fsum;
    if (fl.per_atom_energy) {
      DblView e = eatom;
      Kokkos::parallel_for(
          "eam::eatom", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) { e(i) += emb(i); });
    }
    return ev;
  }

 private:
  std::string style_;
  double cut_;
  EamDevice d_;
  PairDriver driver_;
  DblView rho_, fp_, emb_;
  NeighView short_;
};

class EamSpec final : public PotentialSpec {
 public:
  std::string style;
  EamTables tables;
  std::unique_ptr<Potential> create() const override { return std::make_unique<Eam>(style, tables); }
  std::vector<double> masses() const override { return tables.mass; }
};

std::shared_ptr<const PotentialSpec> parse(MapReader& sec, const DeckContext& ctx, EamFlavor flavor, const char* style) {
  if (ctx.units.name != "metal")
    sec.node().fail(std::string(style) + " potential files are in metal units; set 'units: metal'");
  const int nt = ctx.structure.ntypes();
  std::vector<std::string> files;
  std::vector<std::string> elements = ctx.structure.species;
  if (flavor == EamFlavor::Funcfl) {
    // One file for every species, or {species: file}.
    if (auto f = sec.find("files")) {
      if (!f->is_map()) f->fail("potential.files: expected {species: file, ...}");
      files.assign(nt, "");
      for (auto it = f->yaml().begin(); it != f->yaml().end(); ++it) {
        const DeckNode key = f->child(it->first, "potential.files");
        const int t = ctx.species_index(key);
        files[t] = find_potential_file(f->child(it->second, "potential.files." + key.as_string()));
      }
      for (int t = 0; t < nt; ++t)
        if (files[t].empty()) f->fail("potential.files: no file for species '" + ctx.structure.species[t] + "'");
    } else {
      files.assign(nt, find_potential_file(sec.get("file")));
    }
  } else {
    files.push_back(find_potential_file(sec.get("file")));
    if (auto sp = sec.find("species")) {
      elements = sp->as_strings();
      if (static_cast<int>(elements.size()) != nt)
        sp->fail("potential.species: give the file's element for each of the " + std::to_string(nt) + " system species");
    }
  }
  auto spec = std::make_shared<EamSpec>();
  spec->style = style;
  spec->tables = read_eam(flavor, files, elements);
  return spec;
}

}  // namespace

std::shared_ptr<const PotentialSpec> parse_eam(MapReader& sec, const DeckContext& ctx) {
  return parse(sec, ctx, EamFlavor::Funcfl, "eam");
}
std::shared_ptr<const PotentialSpec> parse_eam_alloy(MapReader& sec, const DeckContext& ctx) {
  return parse(sec, ctx, EamFlavor::Setfl, "eam/alloy");
}
std::shared_ptr<const PotentialSpec> parse_eam_fs(MapReader& sec, const DeckContext& ctx) {
  return parse(sec, ctx, EamFlavor::FinnisSinclair, "eam/fs");
}

}  // namespace af
