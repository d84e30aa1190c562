#include "atomforge/src/velocity.hpp"

#include <cmath>

#include "atomforge/src/rng.hpp"

namespace af {

double temperature_dof(long natoms) { return natoms > 1 ? 3.0 * natoms - 3.0 : 3.0 * natoms; }

// A named namespace, not an anonymous one: Kokkos 4 joins with the plain operator+=
// and Kokkos 3.4 with the volatile one, and nvcc warns about whichever an anonymous
// namespace leaves unreferenced.
namespace velocity_detail {

struct Sum4 {
  double v[4] = {0, 0, 0, 0};
  Sum4() = default;
  KOKKOS_INLINE_FUNCTION Sum4& operator+=(const Sum4& o) {
    for (int k = 0; k < 4; ++k) v[k] += o.v[k];
    return *this;
  }
  KOKKOS_INLINE_FUNCTION void operator+=(const volatile Sum4& o) volatile {
    for (int k = 0; k < 4; ++k) v[k] += o.v[k];
  }
};

}  // namespace velocity_detail
}  // namespace af

namespace Kokkos {
template <>
struct reduction_identity<af::velocity_detail::Sum4> {
  KOKKOS_FORCEINLINE_FUNCTION static af::velocity_detail::Sum4 sum() { return af::velocity_detail::Sum4(); }
};
}  // namespace Kokkos

namespace af {

using velocity_detail::Sum4;

// Momentum (0..2) and total mass (3).
static Sum4 momentum_and_mass(const Atoms& atoms) {
  auto v = atoms.v;
  auto type = atoms.type;
  auto mass = atoms.mass;
  Sum4 s;
  Kokkos::parallel_reduce(
      "velocity::momentum", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal),
      KOKKOS_LAMBDA(const int i, Sum4& acc) {
        const double m = mass(type(i));
        acc.v[0] += m * v(i, 0);
        acc.v[1] += m * v(i, 1);
        acc.v[2] += m * v(i, 2);
        acc.v[3] += m;
      },
      s);
  return s;
}

void total_momentum(const Atoms& atoms, double p[3]) {
  const Sum4 s = momentum_and_mass(atoms);
  for (int k = 0; k < 3; ++k) p[k] = s.v[k];
}

void create_velocities(Atoms& atoms, const Units& units, double temperature, std::uint64_t seed) {
  auto v = atoms.v;
  auto type = atoms.type;
  auto mass = atoms.mass;
  auto id = atoms.id;
  const double mvv2e = units.mvv2e;
  Kokkos::parallel_for(
      "velocity::create", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        double g[3];
        rng::normal3(seed, 0x76656c6f63ull, static_cast<std::uint64_t>(id(i)), g);
        const double s = 1.0 / sqrt(mass(type(i)) * mvv2e);
        for (int k = 0; k < 3; ++k) v(i, k) = s * g[k];
      });
  const Sum4 p = momentum_and_mass(atoms);
  const double vc[3] = {p.v[0] / p.v[3], p.v[1] / p.v[3], p.v[2] / p.v[3]};
  Kokkos::parallel_for(
      "velocity::zero_momentum", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < 3; ++k) v(i, k) -= vc[k];
      });
  const double ke = atoms.kinetic_energy(units.mvv2e);
  const double t = 2.0 * ke / (temperature_dof(atoms.nlocal) * units.boltz);
  const double scale = t > 0 ? std::sqrt(temperature / t) : 0.0;
  Kokkos::parallel_for(
      "velocity::scale", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < 3; ++k) v(i, k) *= scale;
      });
}

}  // namespace af
