// Nose-Hoover chain thermostat (Martyna-Klein-Tuckerman), step for step as LAMMPS
// fix nvt (fix_nh.cpp): half a chain update and a velocity rescale around each
// velocity-Verlet pair of half kicks; chain masses Q_0 = dof kB T / f^2,
// Q_i = kB T / f^2 (f = 1/damping) follow the target along a ramp.
#include <cmath>
#include <vector>

#include "integrators/common.hpp"
#include "registry.hpp"
#include "velocity.hpp"

namespace af {

namespace {

void scale_velocities(Atoms& atoms, double s) {
  auto v = atoms.v;
  Kokkos::parallel_for(
      "nvt::scale", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        v(i, 0) *= s;
        v(i, 1) *= s;
        v(i, 2) *= s;
      });
}

class NoseHoover final : public Integrator {
 public:
  NoseHoover(double dt, TemperatureRamp t, double damping, int chain, int loops, const Units& u)
      : temp_(t), tfreq_(1.0 / damping), chain_(chain), loops_(loops), u_(u), eta_(chain, 0.0),
        eta_dot_(chain + 1, 0.0), eta_dotdot_(chain, 0.0), eta_mass_(chain, 0.0) {
    dt_ = dt;
  }
  std::string style() const override { return "nvt"; }

  void initial_integrate(Atoms& atoms, const Box&, const StepContext& ctx) override {
    if (!ready_) setup(atoms, ctx);
    target(ctx.progress());
    chain_half_step(atoms);
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    verlet::drift(atoms, dt_);
  }
  void final_integrate(Atoms& atoms, const Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    t_current_ = 2.0 * atoms.kinetic_energy(u_.mvv2e) / (dof_ * u_.boltz);
    chain_half_step(atoms);
  }

 private:
  void target(double progress) {
    t_target_ = temp_.at(progress);
    ke_target_ = dof_ * u_.boltz * t_target_;
  }
  void setup(Atoms& atoms, const StepContext& ctx) {
    dof_ = temperature_dof(atoms.nlocal);
    t_current_ = 2.0 * atoms.kinetic_energy(u_.mvv2e) / (dof_ * u_.boltz);
    target(ctx.stage_steps > 0 ? double(ctx.stage_step - 1) / ctx.stage_steps : 0.0);
    masses();
    for (int i = 1; i < chain_; ++i)
      eta_dotdot_[i] = (eta_mass_[i - 1] * eta_dot_[i - 1] * eta_dot_[i - 1] - u_.boltz * t_target_) / eta_mass_[i];
    ready_ = true;
  }
  void masses() {
    eta_mass_[0] = dof_ * u_.boltz * t_target_ / (tfreq_ * tfreq_);
    for (int i = 1; i < chain_; ++i) eta_mass_[i] = u_.boltz * t_target_ / (tfreq_ * tfreq_);
  }
  // LAMMPS's nhc_temp_integrate(): chain forces, half-step chain velocities, rescale.
  void chain_half_step(Atoms& atoms) {
    const double dthalf = 0.5 * dt_, dt4 = 0.25 * dt_, dt8 = 0.125 * dt_;
    masses();
    double ke = dof_ * u_.boltz * t_current_;
    eta_dotdot_[0] = eta_mass_[0] > 0 ? (ke - ke_target_) / eta_mass_[0] : 0.0;
    const double ncfac = 1.0 / loops_;
    for (int loop = 0; loop < loops_; ++loop) {
      for (int i = chain_ - 1; i > 0; --i) {
        const double expfac = std::exp(-ncfac * dt8 * eta_dot_[i + 1]);
        eta_dot_[i] = (eta_dot_[i] * expfac + eta_dotdot_[i] * ncfac * dt4) * expfac;
      }
      double expfac = std::exp(-ncfac * dt8 * eta_dot_[1]);
      eta_dot_[0] = (eta_dot_[0] * expfac + eta_dotdot_[0] * ncfac * dt4) * expfac;
      const double scale = std::exp(-ncfac * dthalf * eta_dot_[0]);
      scale_velocities(atoms, scale);
      t_current_ *= scale * scale;
      ke = dof_ * u_.boltz * t_current_;
      eta_dotdot_[0] = eta_mass_[0] > 0 ? (ke - ke_target_) / eta_mass_[0] : 0.0;
      for (int i = 0; i < chain_; ++i) eta_[i] += ncfac * dthalf * eta_dot_[i];
      eta_dot_[0] = (eta_dot_[0] * expfac + eta_dotdot_[0] * ncfac * dt4) * expfac;
      for (int i = 1; i < chain_; ++i) {
        expfac = std::exp(-ncfac * dt8 * eta_dot_[i + 1]);
        eta_dot_[i] *= expfac;
        eta_dotdot_[i] = (eta_mass_[i - 1] * eta_dot_[i - 1] * eta_dot_[i - 1] - u_.boltz * t_target_) / eta_mass_[i];
        eta_dot_[i] = (eta_dot_[i] + eta_dotdot_[i] * ncfac * dt4) * expfac;
      }
    }
  }
  TemperatureRamp temp_;
  double tfreq_;
  int chain_, loops_;
  Units u_;
  std::vector<double> eta_, eta_dot_, eta_dotdot_, eta_mass_;
  double dof_ = 0, t_current_ = 0, t_target_ = 0, ke_target_ = 0;
  bool ready_ = false;
};

class NoseHooverSpec final : public IntegratorSpec {
 public:
  double dt = 0, damping = 0;
  TemperatureRamp temp;
  int chain = 3, loops = 1;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override {
    return std::make_unique<NoseHoover>(dt, temp, damping, chain, loops, u);
  }
};

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_nvt(MapReader& sec, const DeckContext& ctx) {
  auto s = std::make_shared<NoseHooverSpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  s->temp = parse_temperature(sec);
  if (s->temp.start <= 0 || s->temp.stop <= 0) sec.get("temperature").fail("nvt: temperature must be positive");
  s->damping = sec.get_positive("damping");
  s->chain = static_cast<int>(sec.get_int("chain", 3));
  if (s->chain < 1) sec.get("chain").fail("nvt: chain must be at least 1");
  s->loops = static_cast<int>(sec.get_int("loops", 1));
  if (s->loops < 1) sec.get("loops").fail("nvt: loops must be at least 1");
  return s;
}

}  // namespace af
