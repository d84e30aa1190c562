// Stochastic velocity rescaling (Bussi, Donadio & Parrinello, J. Chem. Phys. 126,
// 014101 (2007); LAMMPS fix temp/csvr): velocity Verlet, then at the end of each step
// the kinetic energy is moved along its exact canonical Ornstein-Uhlenbeck-like update
// with relaxation time `damping`, by rescaling all velocities. Draws are keyed by
// (seed, step), so a seed reproduces a run exactly.
#include <cmath>

#include "atomforge/integrators/common.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/rng.hpp"
#include "atomforge/src/velocity.hpp"

namespace af {

namespace {

class CSVR final : public Integrator {
 public:
  CSVR(double dt, TemperatureRamp t, double damping, std::uint64_t seed, const Units& u)
      : temp_(t), damping_(damping), seed_(seed), u_(u) {
    dt_ = dt;
  }
  std::string style() const override { return "csvr"; }
  void initial_integrate(Atoms& atoms, Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    verlet::drift(atoms, dt_);
  }
  void final_integrate(Atoms& atoms, Box&, const StepContext& ctx) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    const double dof = temperature_dof(atoms.nlocal);
    const double ke = atoms.kinetic_energy(u_.mvv2e);
    if (ke <= 0) return;
    const double ke_target = 0.5 * dof * u_.boltz * temp_.at(ctx.progress());
    const double c = std::exp(-dt_ / damping_);
    rng::Stream r(seed_, static_cast<std::uint64_t>(ctx.step), 0x63737672ull);
    const double r1 = r.normal();
    const double r2 = r.chi2(static_cast<long>(dof) - 1);
    const double ke_new = ke + (1.0 - c) * (ke_target * (r2 + r1 * r1) / dof - ke) +
                          2.0 * r1 * std::sqrt(ke * ke_target / dof * (1.0 - c) * c);
    const double s = std::sqrt(std::max(ke_new, 0.0) / ke);
    auto v = atoms.v;
    Kokkos::parallel_for(
        "csvr::scale", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
          v(i, 0) *= s;
          v(i, 1) *= s;
          v(i, 2) *= s;
        });
  }

 private:
  TemperatureRamp temp_;
  double damping_;
  std::uint64_t seed_;
  Units u_;
};

class CSVRSpec final : public IntegratorSpec {
 public:
  double dt = 0, damping = 0;
  TemperatureRamp temp;
  std::uint64_t seed = 0;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override {
    return std::make_unique<CSVR>(dt, temp, damping, seed, u);
  }
};

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_csvr(MapReader& sec, const DeckContext& ctx) {
  auto s = std::make_shared<CSVRSpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  s->temp = parse_temperature(sec);
  s->damping = sec.get_positive("damping");
  const long seed = sec.get_int("seed", static_cast<long>(ctx.seed) + 2);
  if (seed < 0) sec.get("seed").fail("seed must not be negative");
  s->seed = static_cast<std::uint64_t>(seed);
  return s;
}

}  // namespace af
