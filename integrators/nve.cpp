// Microcanonical velocity Verlet, step for step as LAMMPS fix nve.
#include "atomforge/integrators/common.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

namespace {

class NVE final : public Integrator {
 public:
  NVE(double dt, const Units& u) : ftm2v_(u.ftm2v) { dt_ = dt; }
  std::string style() const override { return "nve"; }
  void initial_integrate(Atoms& atoms, Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, ftm2v_);
    verlet::drift(atoms, dt_);
  }
  void final_integrate(Atoms& atoms, Box&, const StepContext&) override {
    verlet::half_kick(atoms, dt_, ftm2v_);
  }

 private:
  double ftm2v_;
};

class NVESpec final : public IntegratorSpec {
 public:
  double dt = 0;
  double timestep() const override { return dt; }
  std::unique_ptr<Integrator> create(const Units& u) const override { return std::make_unique<NVE>(dt, u); }
};

}  // namespace

std::shared_ptr<const IntegratorSpec> parse_nve(MapReader& sec, const DeckContext& ctx) {
  auto s = std::make_shared<NVESpec>();
  s->dt = sec.get_positive("timestep", ctx.units.dt);
  return s;
}

}  // namespace af
