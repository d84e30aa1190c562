// Morse (LAMMPS morse): E = D0 [exp(-2 alpha (r - r0)) - 2 exp(-alpha (r - r0))],
// optionally shifted to zero at the cutoff; every species pair given explicitly.
#include <cmath>

#include "atomforge/potentials/pair/pair_table.hpp"

namespace af {

namespace {

struct MorseParams {
  double cutsq, d0, alpha, r0, morse1, offset;
};

// The physics, for one pair (T = double) or a vector of pairs (T = simd::vd, host only).
template <bool ENERGY, class T>
KOKKOS_INLINE_FUNCTION void morse_eval(const MorseParams& c, T rsq, T& fpair, T& e) {
  using namespace simd_math;
  const T r = sqrt(rsq);
  const T dexp = exp(-c.alpha * (r - c.r0));
  fpair = c.morse1 * (dexp * dexp - dexp) / r;
  if (ENERGY) e = c.d0 * (dexp * dexp - 2.0 * dexp) - c.offset;
}

struct MorsePhysics {
  static constexpr bool kUniform = false;
  static constexpr bool kNeedsIndices = false;
  Kokkos::View<const MorseParams*, Device> p;
  int nt;

  KOKKOS_INLINE_FUNCTION double cutsq(int ti, int tj) const { return p(ti * nt + tj).cutsq; }

  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval(int ti, int tj, double rsq, double& fpair, double& e) const {
    morse_eval<ENERGY>(p(ti * nt + tj), rsq, fpair, e);
  }
};

// One species: parameters held by value (vectorised on CPU cluster lists).
struct MorsePhysicsSingle {
  static constexpr bool kUniform = true;
  static constexpr bool kNeedsIndices = false;
  MorseParams c;

  KOKKOS_INLINE_FUNCTION double cutsq(int, int) const { return c.cutsq; }

  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval(int, int, double rsq, double& fpair, double& e) const {
    morse_eval<ENERGY>(c, rsq, fpair, e);
  }
  template <bool ENERGY, class T>
  void eval_uniform(T rsq, T& fpair, T& e) const {
    morse_eval<ENERGY>(c, rsq, fpair, e);
  }
};

struct MorseCoeff {
  double d0, alpha, r0, cutoff;
};

using MorseSpec = PairStyleSpec<MorseParams, MorsePhysics, MorsePhysicsSingle>;

}  // namespace

std::shared_ptr<const PotentialSpec> parse_morse(MapReader& sec, const DeckContext& ctx) {
  const double cut = sec.get_positive("cutoff");
  const bool shift = sec.get_bool("shift", false);
  auto t = read_pairs<MorseCoeff>(sec, ctx, cut, [](MapReader& e, double gcut) {
    MorseCoeff c;
    c.d0 = e.get_double("d0");
    c.alpha = e.get_positive("alpha");
    c.r0 = e.get_double("r0");
    c.cutoff = e.get_positive("cutoff", gcut);
    return c;
  });
  auto spec = std::make_shared<MorseSpec>();
  spec->name = "morse";
  spec->nt = t.ntypes;
  spec->table.resize(t.ntypes * t.ntypes);
  for (int i = 0; i < t.ntypes; ++i)
    for (int j = 0; j < t.ntypes; ++j) {
      if (!t.at(i, j))
        sec.get("pairs").fail("potential.pairs: no coefficients for " + ctx.structure.species[i] + "-" +
                              ctx.structure.species[j] + " (morse has no mixing rule)");
      const MorseCoeff c = *t.at(i, j);
      MorseParams& p = spec->table[i * t.ntypes + j];
      p.cutsq = c.cutoff * c.cutoff;
      p.d0 = c.d0;
      p.alpha = c.alpha;
      p.r0 = c.r0;
      p.morse1 = 2.0 * c.d0 * c.alpha;
      const double alpha_dr = -c.alpha * (c.cutoff - c.r0);
      p.offset = shift ? c.d0 * (std::exp(2.0 * alpha_dr) - 2.0 * std::exp(alpha_dr)) : 0.0;
      spec->cutmax = std::max(spec->cutmax, c.cutoff);
    }
  return spec;
}

}  // namespace af
