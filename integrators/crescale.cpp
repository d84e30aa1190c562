// Stochastic cell rescaling (Bernetti & Bussi, J. Chem. Phys. 153, 114107 (2020);
// anisotropic and triclinic forms after Del Tatto, Raiteri, Bernetti & Bussi, Appl.
// Sci. 12, 1139 (2022)) with the Bussi velocity-rescaling thermostat: a first-order,
// noise-driven barostat that samples the isothermal-isobaric ensemble without the
// oscillations of second-order barostats, hence robust far from equilibrium.
// Each step: velocity Verlet; thermostat; then the strain
//   d eps = -(beta_T / tau_p) (P0 - P - kT/V) dt + sqrt(2 kT beta_T dt / (V tau_p)) dW
// (per cell component for aniso/tri, on ln V / 3 for iso) rescales positions and cell by
// exp(d eps) and velocities by its inverse.
#include <cmath>

#include "atomforge/integrators/common.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/velocity.hpp"

namespace af {

namespace {

enum class Couple { Iso, Aniso, Tri };

void scale_velocities(Atoms& atoms, double s0, double s1, double s2) {
  auto v = atoms.v;
  Kokkos::parallel_for(
      "crescale::v", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        v(i, 0) *= s0;
        v(i, 1) *= s1;
        v(i, 2) *= s2;
      });
}

// Deforms cell and positions by the upper-triangular matrix (I + e), fractional
// coordinates kept.
void deform(Atoms& atoms, Box& box, const double e[3][3]) {
  const Box old = box;
  double h[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) h[i][j] += ((i == k) + e[i][k]) * old.h[k][j];
  for (int i = 0; i < 3; ++i) {
    const double ctr = old.lo[i] + 0.5 * old.h[i][i];
    box.lo[i] = ctr - 0.5 * h[i][i];
    for (int j = 0; j < 3; ++j) box.h[i][j] = h[i][j];
  }
  box.update_inverse();
  const Box a = old, b = box;
  auto x = atoms.x;
  Kokkos::parallel_for(
      "crescale::x", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, u[3];
        a.to_frac(xi, u);
        b.to_cart(u, xi);
        for (int k = 0; k < 3; ++k) x(i, k) = xi[k];
      });
}

class CRescale final : public Integrator {
 public:
  CRescale(double dt, TemperatureRamp t, double damping, TemperatureRamp p, double pdamping, double beta, Couple c,
           std::uint64_t seed, const Units& u)
      : temp_(t), damping_(damping), press_(p), pdamping_(pdamping), beta_(beta * u.nktv2p), couple_(c),
        seed_(seed), u_(u) {
    dt_ = dt;
  }
  std::string style() const override { return "crescale"; }
  bool needs_virial() const override { return true; }

  void initial_integrate(Atoms& atoms, Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    verlet::drift(atoms, dt_);
  }
  void final_integrate(Atoms& atoms, Box& box, const StepContext& ctx) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    const double dof = temperature_dof(atoms.nlocal);
    const double T = temp_.at(ctx.progress());
    const double kT = u_.boltz * T;
    rng::Stream r(seed_, static_cast<std::uint64_t>(ctx.step), 0x6372736cull);
    // Thermostat (Bussi): kinetic energy resampled along its canonical dynamics.
    double ke = atoms.kinetic_energy(u_.mvv2e);
    if (ke > 0) {
      const double c = std::exp(-dt_ / damping_);
      const double ke_target = 0.5 * dof * kT;
      const double r1 = r.normal(), r2 = r.chi2(static_cast<long>(dof) - 1);
      const double ke_new = ke + (1 - c) * (ke_target * (r2 + r1 * r1) / dof - ke) +
                            2 * r1 * std::sqrt(ke * ke_target / dof * (1 - c) * c);
      const double s = std::sqrt(std::max(ke_new, 0.0) / ke);
      scale_velocities(atoms, s, s, s);
    }
    // Barostat, with the pressure of the rescaled velocities and this step's virial.
    double k[6];
    atoms.kinetic_tensor(u_.mvv2e, k);
    const EnergyVirial& ev = *ctx.ev;
    const double V = box.volume();
    const double p0 = press_.at(ctx.progress()) / u_.nktv2p;
    const double rate = beta_ * dt_ / pdamping_;
    const double noise = std::sqrt(2.0 * kT * beta_ * dt_ / (V * pdamping_));
    double e[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    if (couple_ == Couple::Iso) {
      const double p = (k[0] + k[1] + k[2] + ev.v[0] + ev.v[1] + ev.v[2]) / (3 * V);
      // On eps = ln V, then a third per direction.
      const double deps = -rate * (p0 - p - kT / V) + noise * r.normal();
      const double m = std::exp(deps / 3.0) - 1.0;
      e[0][0] = e[1][1] = e[2][2] = m;
    } else {
      for (int a = 0; a < 3; ++a) {
        const double p = (k[a] + ev.v[a]) / V;
        e[a][a] = std::exp(-rate * (p0 - p - kT / V) + noise * r.normal()) - 1.0;
      }
      if (couple_ == Couple::Tri) {
        const int ia[3] = {0, 0, 1}, ib[3] = {1, 2, 2}, voigt[3] = {3, 4, 5};  // xy xz yz
        for (int q = 0; q < 3; ++q) {
          const double p = (k[voigt[q]] + ev.v[voigt[q]]) / V;
          e[ia[q]][ib[q]] = rate * p + noise * r.normal();
        }
      }
    }
    deform(atoms, box, e);
    scale_velocities(atoms, 1.0 / (1.0 + e[0][0]), 1.0 / (1.0 + e[1][1]), 1.0 / (1.0 + e[2][2]));
  }

 private:
  TemperatureRamp temp_;
  double damping_;
  TemperatureRamp press_;
  double pdamping_, beta_;
  Couple couple_;
  std::uint64_t seed_;
  Units u_;
};

class CRescaleSpec final : public IntegratorSpec {
 public:
  double dt = 0, damping = 0, pdamping = 0, beta = 0;
  TemperatureRamp temp, press;
  Couple couple = Couple::Iso;
  std::uint64_t seed = 0;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override {
    return std::make_unique<CRescale>(dt, temp, damping, press, pdamping, beta, couple, seed, u);
  }
};

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_crescale(MapReader& sec, const DeckContext& ctx) {
  auto s = std::make_shared<CRescaleSpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  s->temp = parse_temperature(sec);
  s->damping = sec.get_positive("damping");
  const DeckNode p = sec.get("pressure");
  if (p.is_map()) {
    MapReader m(p);
    s->press.start = m.get_double("start");
    s->press.stop = m.get_double("stop");
    m.finish();
  } else {
    s->press.start = s->press.stop = p.as_double();
  }
  s->pdamping = sec.get_positive("pressure_damping");
  // Isothermal compressibility (1/pressure units): sets how fast the volume relaxes,
  // not what it samples. Default: about a metal's (metal, real units) or 1 (lj).
  s->beta = sec.get_positive("compressibility", ctx.units.name == "lj" ? 1.0 : (ctx.units.name == "metal" ? 1e-6 : 1e-6));
  const std::string couple = sec.get_string("couple", "iso");
  if (couple == "iso") s->couple = Couple::Iso;
  else if (couple == "aniso") s->couple = Couple::Aniso;
  else if (couple == "tri") s->couple = Couple::Tri;
  else fail_choice(sec.get("couple"), "barostat coupling", couple, {"iso", "aniso", "tri"});
  const long seed = sec.get_int("seed", static_cast<long>(ctx.seed) + 3);
  if (seed < 0) sec.get("seed").fail("seed must not be negative");
  s->seed = static_cast<std::uint64_t>(seed);
  for (int k = 0; k < 3; ++k)
    if (!ctx.structure.box.periodic[k]) sec.node().fail("crescale needs a cell periodic in x, y and z");
  return s;
}

}  // namespace af
