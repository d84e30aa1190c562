// Counter-based random numbers: a value is a pure function of (seed, step, atom id,
// stream), so results do not depend on thread count or atom order, and restarting
// needs no generator state. Mixing: SplitMix64 finaliser (Steele et al. 2014).
#pragma once
#include <Kokkos_Macros.hpp>

#include <cmath>
#include <cstdint>

namespace af {
namespace rng {

KOKKOS_INLINE_FUNCTION std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

KOKKOS_INLINE_FUNCTION std::uint64_t key(std::uint64_t seed, std::uint64_t step, std::uint64_t id, std::uint64_t stream) {
  return mix(mix(mix(mix(seed) ^ step) ^ id) ^ stream);
}

// Uniform in (0, 1): 53 random bits, never exactly 0.
KOKKOS_INLINE_FUNCTION double uniform(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

// Three standard normal deviates for one atom at one step (Box-Muller on two draws).
KOKKOS_INLINE_FUNCTION void normal3(std::uint64_t seed, std::uint64_t step, std::uint64_t id, double g[3]) {
  const double two_pi = 6.283185307179586476925;
  const std::uint64_t k = key(seed, step, id, 0);
  const double u1 = uniform(mix(k ^ 1)), u2 = uniform(mix(k ^ 2));
  const double u3 = uniform(mix(k ^ 3)), u4 = uniform(mix(k ^ 4));
  const double r1 = sqrt(-2.0 * log(u1)), r2 = sqrt(-2.0 * log(u3));
  g[0] = r1 * cos(two_pi * u2);
  g[1] = r1 * sin(two_pi * u2);
  g[2] = r2 * cos(two_pi * u4);
}

// A sequence of draws for host-side decisions (a thermostat's few numbers per step),
// keyed like the per-atom ones so restarts need only (seed, step).
class Stream {
 public:
  Stream(std::uint64_t seed, std::uint64_t step, std::uint64_t stream) : key_(key(seed, step, ~0ull, stream)) {}
  double uniform() { return rng::uniform(mix(key_ ^ ++n_)); }
  double normal() {
    const double u1 = uniform(), u2 = uniform();
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
  }
  // Gamma(shape a, scale 1), Marsaglia & Tsang (2000); a < 1 by the boost a+1 -> a.
  double gamma(double a) {
    if (a < 1.0) return gamma(a + 1.0) * pow(uniform(), 1.0 / a);
    const double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
  }
  // Sum of n squared standard normals (chi-squared with n degrees of freedom).
  double chi2(long n) { return n > 0 ? 2.0 * gamma(0.5 * n) : 0.0; }

 private:
  std::uint64_t key_, n_ = 0;
};

}  // namespace rng
}  // namespace af
