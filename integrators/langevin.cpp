// Langevin dynamics, BAOAB splitting (Leimkuhler & Matthews 2013): half kick, half
// drift, exact Ornstein-Uhlenbeck velocity update, half drift, [forces], half kick.
// The noise comes from a counter-based generator keyed by (seed, step, atom id), so a
// seed reproduces the trajectory exactly, whatever the thread count.
#include <cmath>

#include "atomforge/integrators/common.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/rng.hpp"

namespace af {

namespace {

class Langevin final : public Integrator {
 public:
  Langevin(double dt, TemperatureRamp t, double damping, std::uint64_t seed, const Units& u)
      : temp_(t), damping_(damping), seed_(seed), u_(u) {
    dt_ = dt;
  }
  std::string style() const override { return "langevin"; }

  void initial_integrate(Atoms& atoms, Box&, const StepContext& ctx) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
    verlet::drift(atoms, 0.5 * dt_);
    // O: v <- c1 v + sqrt(1 - c1^2) sqrt(kT/m) xi, at the target temperature of this step.
    const double target = temp_.at(ctx.progress());
    const double c1 = std::exp(-dt_ / damping_);
    const double c2 = std::sqrt((1.0 - c1 * c1) * u_.boltz * target / u_.mvv2e);
    const std::uint64_t seed = seed_;
    const std::uint64_t step = static_cast<std::uint64_t>(ctx.step);
    auto v = atoms.v;
    auto type = atoms.type;
    auto mass = atoms.mass;
    auto id = atoms.id;
    Kokkos::parallel_for(
        "langevin::O", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
          double g[3];
          rng::normal3(seed, step, static_cast<std::uint64_t>(id(i)), g);
          const double s = c2 / sqrt(mass(type(i)));
          for (int k = 0; k < 3; ++k) v(i, k) = c1 * v(i, k) + s * g[k];
        });
    verlet::drift(atoms, 0.5 * dt_);
  }

  void final_integrate(Atoms& atoms, Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, u_.ftm2v);
  }

 private:
  TemperatureRamp temp_;
  double damping_;
  std::uint64_t seed_;
  Units u_;
};

class LangevinSpec final : public IntegratorSpec {
 public:
  double dt = 0, damping = 0;
  TemperatureRamp temp;
  std::uint64_t seed = 0;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override {
    return std::make_unique<Langevin>(dt, temp, damping, seed, u);
  }
};

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_langevin(MapReader& sec, const DeckContext& ctx) {
  auto s = std::make_shared<LangevinSpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  s->temp = parse_temperature(sec);
  s->damping = sec.get_positive("damping");
  const long seed = sec.get_int("seed", static_cast<long>(ctx.seed) + 1);
  if (seed < 0) sec.get("seed").fail("seed must not be negative");
  s->seed = static_cast<std::uint64_t>(seed);
  return s;
}

}  // namespace af
