// Nose-Hoover chains and the MTK barostat, step for step as LAMMPS fix nvt / fix npt
// (fix_nh.cpp: Martyna, Tobias & Klein 1994 with Shinoda et al. 2004's splitting).
// Thermostat: half a chain update and a velocity rescale around each pair of half kicks,
// chain masses Q_0 = dof kB T / f^2, Q_i = kB T / f^2 (f = 1/damping). Barostat: cell
// velocities omega_dot (iso, aniso or the six components of a triclinic cell), masses
// W = (N+1) kB T / fp^2, their own thermostat chain, MTK correction terms, and the cell
// propagated as h_dot = omega_dot h in two half steps around the drift.
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "atomforge/integrators/common.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/thermo.hpp"
#include "atomforge/src/velocity.hpp"

namespace af {

namespace {

void scale_velocities(Atoms& atoms, double s) {
  auto v = atoms.v;
  Kokkos::parallel_for(
      "nh::scale", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        v(i, 0) *= s;
        v(i, 1) *= s;
        v(i, 2) *= s;
      });
}

// One Nose-Hoover chain (LAMMPS's eta / etap variables). `ke` is twice the kinetic energy
// of what it thermostats; `ke_target` its target; scale(s) rescales those velocities.
struct Chain {
  int n = 3, loops = 1;
  std::vector<double> eta, eta_dot, eta_dotdot, mass;  // eta_dot has a dummy n-th entry
  void init(int length, int nloops) {
    n = length;
    loops = nloops;
    eta.assign(n, 0.0);
    eta_dot.assign(n + 1, 0.0);
    eta_dotdot.assign(n, 0.0);
    mass.assign(n, 0.0);
  }
  void set_masses(double m0, double mi) {
    mass[0] = m0;
    for (int i = 1; i < n; ++i) mass[i] = mi;
  }
  void init_forces(double kT) {
    for (int i = 1; i < n; ++i) eta_dotdot[i] = (mass[i - 1] * eta_dot[i - 1] * eta_dot[i - 1] - kT) / mass[i];
  }
  // nhc_temp_integrate / nhc_press_integrate: returns the velocity scale applied.
  template <class KE, class Scale>
  void half_step(double dt, double kT, double ke_target, KE ke_of, Scale scale) {
    const double dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
    eta_dotdot[0] = mass[0] > 0 ? (ke_of() - ke_target) / mass[0] : 0.0;
    const double ncfac = 1.0 / loops;
    for (int loop = 0; loop < loops; ++loop) {
      for (int i = n - 1; i > 0; --i) {
        const double e = std::exp(-ncfac * dt8 * eta_dot[i + 1]);
        eta_dot[i] = (eta_dot[i] * e + eta_dotdot[i] * ncfac * dt4) * e;
      }
      double e = std::exp(-ncfac * dt8 * eta_dot[1]);
      eta_dot[0] = (eta_dot[0] * e + eta_dotdot[0] * ncfac * dt4) * e;
      scale(std::exp(-ncfac * dthalf * eta_dot[0]));
      eta_dotdot[0] = mass[0] > 0 ? (ke_of() - ke_target) / mass[0] : 0.0;
      for (int i = 0; i < n; ++i) eta[i] += ncfac * dthalf * eta_dot[i];
      eta_dot[0] = (eta_dot[0] * e + eta_dotdot[0] * ncfac * dt4) * e;
      for (int i = 1; i < n; ++i) {
        e = std::exp(-ncfac * dt8 * eta_dot[i + 1]);
        eta_dot[i] *= e;
        eta_dotdot[i] = (mass[i - 1] * eta_dot[i - 1] * eta_dot[i - 1] - kT) / mass[i];
        eta_dot[i] = (eta_dot[i] + eta_dotdot[i] * ncfac * dt4) * e;
      }
    }
  }
};

struct BarostatSettings {
  bool on = false;
  TemperatureRamp pressure;  // start/stop (pressure units), hydrostatic
  double damping = 1.0;
  enum class Couple { Iso, Aniso, Tri } couple = Couple::Iso;
  int chain = 3, loops = 1;
};

// fix nvt (barostat off) and fix npt (on).
class NoseHoover final : public Integrator {
 public:
  NoseHoover(double dt, TemperatureRamp t, double damping, int chain, int loops, const BarostatSettings& b,
             const Units& u)
      : temp_(t), tfreq_(1.0 / damping), baro_(b), u_(u) {
    dt_ = dt;
    tchain_.init(chain, loops);
    if (b.on) pchain_.init(b.chain, b.loops);
  }
  std::string style() const override { return baro_.on ? "npt" : "nvt"; }
  bool needs_virial() const override { return baro_.on; }

  void initial_integrate(Atoms& atoms, Box& box, const StepContext& ctx) override {
    if (!ready_) setup(atoms, box, ctx);
    if (baro_.on && pchain_.n > 0) press_chain();
    target(ctx.progress());
    temp_chain(atoms);
    if (baro_.on) {
      pressure_now(atoms, box, *ctx.ev);
      press_target(ctx.progress());
      omega_dot(atoms, box);
      v_press(atoms);
    }
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    if (baro_.on) remap(atoms, box);
    verlet::drift(atoms, dt_);
    if (baro_.on) remap(atoms, box);
  }
  void final_integrate(Atoms& atoms, Box& box, const StepContext& ctx) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    if (baro_.on) v_press(atoms);
    t_current_ = temperature(atoms);
    if (baro_.on) {
      pressure_now(atoms, box, *ctx.ev);
      omega_dot(atoms, box);
    }
    temp_chain(atoms);
    if (baro_.on && pchain_.n > 0) press_chain();
  }

  std::vector<double> state() const override {
    std::vector<double> s = {ready_ ? 1.0 : 0.0, dof_, t_current_, t_target_, ke_target_, double(natoms_), pfreq_,
                             p_hydro_, mtk2_};
    for (const auto* a : {&wdot_, &wmass_, &p_, &mvv_}) s.insert(s.end(), a->begin(), a->end());
    for (const Chain* c : {&tchain_, &pchain_}) {
      s.push_back(c->n);
      s.push_back(c->loops);
      for (const auto* v : {&c->eta, &c->eta_dot, &c->eta_dotdot, &c->mass}) {
        s.push_back(double(v->size()));
        s.insert(s.end(), v->begin(), v->end());
      }
    }
    return s;
  }
  void restore(const std::vector<double>& s) override {
    std::size_t k = 0;
    auto next = [&]() {
      if (k >= s.size()) throw std::runtime_error("checkpoint: Nose-Hoover state is truncated");
      return s[k++];
    };
    ready_ = next() != 0;
    dof_ = next();
    t_current_ = next();
    t_target_ = next();
    ke_target_ = next();
    natoms_ = static_cast<long>(next());
    pfreq_ = next();
    p_hydro_ = next();
    mtk2_ = next();
    for (auto* a : {&wdot_, &wmass_, &p_, &mvv_})
      for (double& v : *a) v = next();
    for (Chain* c : {&tchain_, &pchain_}) {
      c->n = static_cast<int>(next());
      c->loops = static_cast<int>(next());
      for (auto* v : {&c->eta, &c->eta_dot, &c->eta_dotdot, &c->mass}) {
        v->resize(static_cast<std::size_t>(next()));
        for (double& x : *v) x = next();
      }
    }
  }

 // Internals (public only because nvcc rejects device lambdas in private members).
  double temperature(const Atoms& atoms) const { return 2.0 * atoms.kinetic_energy(u_.mvv2e) / (dof_ * u_.boltz); }
  void target(double progress) {
    t_target_ = temp_.at(progress);
    ke_target_ = dof_ * u_.boltz * t_target_;
  }
  void press_target(double progress) { p_hydro_ = baro_.pressure.at(progress); }
  int free_dims() const { return baro_.couple == BarostatSettings::Couple::Tri ? 6 : 3; }

  void setup(Atoms& atoms, Box& box, const StepContext& ctx) {
    natoms_ = atoms.nlocal;
    dof_ = temperature_dof(atoms.nlocal);
    t_current_ = temperature(atoms);
    target(ctx.stage_steps > 0 ? double(ctx.stage_step - 1) / ctx.stage_steps : 0.0);
    tchain_.set_masses(dof_ * u_.boltz * t_target_ / (tfreq_ * tfreq_), u_.boltz * t_target_ / (tfreq_ * tfreq_));
    tchain_.init_forces(u_.boltz * t_target_);
    if (baro_.on) {
      pfreq_ = 1.0 / baro_.damping;
      press_target(0.0);
      pressure_now(atoms, box, *ctx.ev);
      barostat_masses();
      if (pchain_.n > 0) pchain_.init_forces(u_.boltz * t_target_);
    }
    ready_ = true;
  }
  void barostat_masses() {
    const double kt = u_.boltz * t_target_;
    for (int k = 0; k < 6; ++k) wmass_[k] = (natoms_ + 1) * kt / (pfreq_ * pfreq_);  // W = (N+1) kT / fp^2
    if (pchain_.n > 0) pchain_.set_masses(kt / (pfreq_ * pfreq_), kt / (pfreq_ * pfreq_));
  }

  void temp_chain(Atoms& atoms) {
    tchain_.set_masses(dof_ * u_.boltz * t_target_ / (tfreq_ * tfreq_), u_.boltz * t_target_ / (tfreq_ * tfreq_));
    tchain_.half_step(
        dt_, u_.boltz * t_target_, ke_target_, [&] { return dof_ * u_.boltz * t_current_; },
        [&](double s) {
          scale_velocities(atoms, s);
          t_current_ *= s * s;
        });
  }
  // (Barostat and barostat-chain masses stay as set up, as LAMMPS's defaults
  // omega_mass_flag = etap_mass_flag = 0; only the particle chain follows a ramp.)
  void press_chain() {
    const int m = free_dims();
    auto ke = [&] {
      double k = 0;
      for (int i = 0; i < m; ++i) k += wmass_[i] * wdot_[i] * wdot_[i];
      return k;
    };
    // Target: kT for the single iso degree of freedom, kT per cell component otherwise.
    const double target = (baro_.couple == BarostatSettings::Couple::Iso ? 1 : m) * u_.boltz * t_target_;
    pchain_.half_step(dt_, u_.boltz * t_target_, target, ke, [&](double s) {
      for (int i = 0; i < m; ++i) wdot_[i] *= s;
    });
  }

  // Pressure (kinetic + virial) coupled as the barostat needs it: p_[0..2] diagonal
  // (all equal for iso), p_[3..5] = yz xz xy (Voigt order, LAMMPS's p_current).
  void pressure_now(const Atoms& atoms, const Box& box, const EnergyVirial& ev) {
    double k[6];
    atoms.kinetic_tensor(u_.mvv2e, k);
    for (int c = 0; c < 6; ++c) mvv_[c] = k[c];
    const double V = box.volume();
    const double s = u_.nktv2p / V;
    if (baro_.couple == BarostatSettings::Couple::Iso) {
      const double T = temperature(atoms);
      const double p = (dof_ * u_.boltz * T + ev.v[0] + ev.v[1] + ev.v[2]) / (3.0 * V) * u_.nktv2p;
      p_[0] = p_[1] = p_[2] = p;
    } else {
      for (int c = 0; c < 3; ++c) p_[c] = (k[c] + ev.v[c]) * s;
    }
    p_[3] = (k[5] + ev.v[5]) * s;  // yz
    p_[4] = (k[4] + ev.v[4]) * s;  // xz
    p_[5] = (k[3] + ev.v[3]) * s;  // xy
  }

  // nh_omega_dot(): cell velocities from the pressure imbalance, with MTK terms.
  void omega_dot(const Atoms& atoms, const Box& box) {
    const double V = box.volume();
    const double pdim = 3.0;
    double mtk1;
    if (baro_.couple == BarostatSettings::Couple::Iso) {
      mtk1 = dof_ * u_.boltz * t_current_ / (pdim * natoms_);
    } else {
      mtk1 = (mvv_[0] + mvv_[1] + mvv_[2]) / (pdim * natoms_);
    }
    for (int i = 0; i < 3; ++i) {
      const double f = (p_[i] - p_hydro_) * V / (wmass_[i] * u_.nktv2p) + mtk1 / wmass_[i];
      wdot_[i] += f * 0.5 * dt_;
    }
    mtk2_ = (wdot_[0] + wdot_[1] + wdot_[2]) / (pdim * natoms_);
    if (baro_.couple == BarostatSettings::Couple::Tri)
      for (int i = 3; i < 6; ++i) wdot_[i] += p_[i] * V / (wmass_[i] * u_.nktv2p) * 0.5 * dt_;
    if (baro_.couple == BarostatSettings::Couple::Iso) wdot_[1] = wdot_[2] = wdot_[0] = (wdot_[0] + wdot_[1] + wdot_[2]) / 3.0;
  }

  // nh_v_press(): velocity scaling by the cell velocities (plus the triclinic shear).
  void v_press(Atoms& atoms) {
    const double dt4 = 0.25 * dt_, dthalf = 0.5 * dt_;
    const double f0 = std::exp(-dt4 * (wdot_[0] + mtk2_)), f1 = std::exp(-dt4 * (wdot_[1] + mtk2_)),
                 f2 = std::exp(-dt4 * (wdot_[2] + mtk2_));
    const bool tri = baro_.couple == BarostatSettings::Couple::Tri;
    const double w3 = wdot_[3], w4 = wdot_[4], w5 = wdot_[5];
    auto v = atoms.v;
    Kokkos::parallel_for(
        "npt::v_press", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
          v(i, 0) *= f0;
          v(i, 1) *= f1;
          v(i, 2) *= f2;
          if (tri) {
            v(i, 0) += -dthalf * (v(i, 1) * w5 + v(i, 2) * w4);
            v(i, 1) += -dthalf * v(i, 2) * w3;
          }
          v(i, 0) *= f0;
          v(i, 1) *= f1;
          v(i, 2) *= f2;
        });
  }

  // remap(): half a step of h_dot = omega_dot h; atoms keep their fractional coordinates.
  void remap(Atoms& atoms, Box& box) {
    const double dto = 0.5 * dt_, dto2 = dto / 2, dto4 = dto / 4, dto8 = dto / 8;
    const Box old = box;
    double& xy = box.h[0][1];
    double& xz = box.h[0][2];
    double& yz = box.h[1][2];
    const bool tri = baro_.couple == BarostatSettings::Couple::Tri;
    // Both tilt half-updates use the diagonal of the cell before this remap (LAMMPS
    // refreshes h only at the end of remap()).
    const double ly = old.h[1][1], lz = old.h[2][2];
    auto off = [&] {
      double e = std::exp(dto8 * wdot_[0]);
      xz = (xz * e + dto4 * (wdot_[5] * yz + wdot_[4] * lz)) * e;
      e = std::exp(dto4 * wdot_[1]);
      yz = (yz * e + dto2 * (wdot_[3] * lz)) * e;
      e = std::exp(dto4 * wdot_[0]);
      xy = (xy * e + dto2 * (wdot_[5] * ly)) * e;
      e = std::exp(dto8 * wdot_[0]);
      xz = (xz * e + dto4 * (wdot_[5] * yz + wdot_[4] * lz)) * e;
    };
    if (tri) off();
    for (int k = 0; k < 3; ++k) {
      if (!box.periodic[k]) continue;
      const double e = std::exp(dto * wdot_[k]);
      const double ctr = box.lo[k] + 0.5 * box.h[k][k];
      box.lo[k] = (box.lo[k] - ctr) * e + ctr;
      box.h[k][k] *= e;
      if (!tri) {  // tilt factors scale with the cell (LAMMPS's scalexy/xz/yz defaults)
        if (k == 1) xy *= e;
        if (k == 2) {
          xz *= e;
          yz *= e;
        }
      }
    }
    if (tri) off();
    box.update_inverse();
    // Atoms keep fractional coordinates.
    const Box a = old, b = box;
    auto x = atoms.x;
    Kokkos::parallel_for(
        "npt::remap", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
          double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, u[3];
          a.to_frac(xi, u);
          b.to_cart(u, xi);
          x(i, 0) = xi[0];
          x(i, 1) = xi[1];
          x(i, 2) = xi[2];
        });
  }

  TemperatureRamp temp_;
  double tfreq_;
  BarostatSettings baro_;
  Units u_;
  Chain tchain_, pchain_;
  double dof_ = 0, t_current_ = 0, t_target_ = 0, ke_target_ = 0;
  long natoms_ = 0;
  double pfreq_ = 1, p_hydro_ = 0, mtk2_ = 0;
  std::array<double, 6> wdot_{}, wmass_{}, p_{}, mvv_{};
  bool ready_ = false;
};

class NoseHooverSpec final : public IntegratorSpec {
 public:
  double dt = 0, damping = 0;
  TemperatureRamp temp;
  int chain = 3, loops = 1;
  BarostatSettings baro;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override {
    return std::make_unique<NoseHoover>(dt, temp, damping, chain, loops, baro, u);
  }
};

std::shared_ptr<NoseHooverSpec> parse_common(MapReader& sec, const DeckContext& ctx, const char* style) {
  auto s = std::make_shared<NoseHooverSpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  s->temp = parse_temperature(sec);
  if (s->temp.start <= 0 || s->temp.stop <= 0) sec.get("temperature").fail(std::string(style) + ": temperature must be positive");
  s->damping = sec.get_positive("damping");
  s->chain = static_cast<int>(sec.get_int("chain", 3));
  if (s->chain < 1) sec.get("chain").fail(std::string(style) + ": chain must be at least 1");
  s->loops = static_cast<int>(sec.get_int("loops", 1));
  if (s->loops < 1) sec.get("loops").fail(std::string(style) + ": loops must be at least 1");
  return s;
}

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_nvt(MapReader& sec, const DeckContext& ctx) {
  return parse_common(sec, ctx, "nvt");
}

std::shared_ptr<const IntegratorSpec> parse_npt(MapReader& sec, const DeckContext& ctx) {
  auto s = parse_common(sec, ctx, "npt");
  BarostatSettings& b = s->baro;
  b.on = true;
  const DeckNode p = sec.get("pressure");
  if (p.is_map()) {
    MapReader m(p);
    b.pressure.start = m.get_double("start");
    b.pressure.stop = m.get_double("stop");
    m.finish();
  } else {
    b.pressure.start = b.pressure.stop = p.as_double();
  }
  b.damping = sec.get_positive("pressure_damping");
  const std::string couple = sec.get_string("couple", "iso");
  if (couple == "iso") b.couple = BarostatSettings::Couple::Iso;
  else if (couple == "aniso") b.couple = BarostatSettings::Couple::Aniso;
  else if (couple == "tri") b.couple = BarostatSettings::Couple::Tri;
  else fail_choice(sec.get("couple"), "barostat coupling", couple, {"iso", "aniso", "tri"});
  b.chain = static_cast<int>(sec.get_int("pressure_chain", 3));
  if (b.chain < 0) sec.get("pressure_chain").fail("npt: pressure_chain must not be negative");
  for (int k = 0; k < 3; ++k)
    if (!ctx.structure.box.periodic[k]) sec.node().fail("npt needs a cell periodic in x, y and z");
  return s;
}

}  // namespace af
