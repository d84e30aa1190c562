// Building blocks shared by the integrators.
#include "atomforge/integrators/common.hpp"

namespace af {
namespace verlet {

void half_kick(Atoms& atoms, double dt, double ftm2v) {
  const double dtf = 0.5 * dt * ftm2v;
  auto v = atoms.v;
  auto f = atoms.f;
  auto type = atoms.type;
  auto mass = atoms.mass;
  Kokkos::parallel_for(
      "verlet::kick", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        const double dtfm = dtf / mass(type(i));
        v(i, 0) += dtfm * f(i, 0);
        v(i, 1) += dtfm * f(i, 1);
        v(i, 2) += dtfm * f(i, 2);
      });
}

void drift(Atoms& atoms, double dt) {
  auto x = atoms.x;
  auto v = atoms.v;
  Kokkos::parallel_for(
      "verlet::drift", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        x(i, 0) += dt * v(i, 0);
        x(i, 1) += dt * v(i, 1);
        x(i, 2) += dt * v(i, 2);
      });
}

}  // namespace verlet

TemperatureRamp parse_temperature(MapReader& sec) {
  const DeckNode t = sec.get("temperature");
  TemperatureRamp r;
  if (t.is_map()) {
    MapReader m(t);
    r.start = m.get_double("start");
    r.stop = m.get_double("stop");
    m.finish();
  } else {
    r.start = r.stop = t.as_double();
  }
  if (r.start < 0 || r.stop < 0) t.fail("temperature must not be negative");
  return r;
}

}  // namespace af
