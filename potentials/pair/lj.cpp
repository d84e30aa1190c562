// Lennard-Jones 12-6 (LAMMPS lj/cut): E = 4 eps [(sigma/r)^12 - (sigma/r)^6], optionally
// shifted to zero at the cutoff; per species pair eps, sigma, cutoff; LAMMPS's
// geometric mixing for pairs not given.
#include <cmath>

#include "atomforge/potentials/pair/pair_table.hpp"

namespace af {

namespace {

struct LJParams {
  double cutsq, lj1, lj2, lj3, lj4, offset;
};

// The physics, for one pair (T = double) or a vector of pairs (T = simd::vd).
template <bool ENERGY, class T>
KOKKOS_INLINE_FUNCTION void lj_eval(const LJParams& c, T rsq, T& fpair, T& e) {
  const T r2inv = 1.0 / rsq;
  const T r6inv = r2inv * r2inv * r2inv;
  fpair = r6inv * (c.lj1 * r6inv - c.lj2) * r2inv;
  if (ENERGY) e = r6inv * (c.lj3 * r6inv - c.lj4) - c.offset;
}

// Per species pair parameters.
struct LJPhysics {
  static constexpr bool kUniform = false;
  static constexpr bool kNeedsIndices = false;
  Kokkos::View<const LJParams*, Device> p;
  int nt;

  KOKKOS_INLINE_FUNCTION double cutsq(int ti, int tj) const { return p(ti * nt + tj).cutsq; }

  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval(int ti, int tj, double rsq, double& fpair, double& e) const {
    lj_eval<ENERGY>(p(ti * nt + tj), rsq, fpair, e);
  }
};

// One species: parameters in registers, no per-neighbor type or table lookups.
struct LJPhysicsSingle {
  static constexpr bool kUniform = true;
  static constexpr bool kNeedsIndices = false;
  LJParams c;

  KOKKOS_INLINE_FUNCTION double cutsq(int, int) const { return c.cutsq; }

  template <bool ENERGY>
  KOKKOS_INLINE_FUNCTION void eval(int, int, double rsq, double& fpair, double& e) const {
    lj_eval<ENERGY>(c, rsq, fpair, e);
  }
  template <bool ENERGY, class T>
  void eval_uniform(T rsq, T& fpair, T& e) const {
    lj_eval<ENERGY>(c, rsq, fpair, e);
  }
};

struct LJCoeff {
  double epsilon, sigma, cutoff;
};

using LJSpec = PairStyleSpec<LJParams, LJPhysics, LJPhysicsSingle>;

}  // namespace

std::shared_ptr<const PotentialSpec> parse_lj(MapReader& sec, const DeckContext& ctx) {
  const double cut = sec.get_positive("cutoff");
  const bool shift = sec.get_bool("shift", false);
  const std::string mixing = sec.get_string("mixing", "geometric");
  if (mixing != "geometric" && mixing != "arithmetic" && mixing != "none")
    sec.get("mixing").fail("potential.mixing: expected geometric, arithmetic or none");
  auto t = read_pairs<LJCoeff>(sec, ctx, cut, [](MapReader& e, double gcut) {
    LJCoeff c;
    c.epsilon = e.get_double("epsilon");
    if (c.epsilon < 0) e.get("epsilon").fail("epsilon must not be negative");
    c.sigma = e.get_positive("sigma");
    c.cutoff = e.get_positive("cutoff", gcut);
    return c;
  });
  auto spec = std::make_shared<LJSpec>();
  spec->name = "lj";
  spec->nt = t.ntypes;
  spec->table.resize(t.ntypes * t.ntypes);
  for (int i = 0; i < t.ntypes; ++i)
    for (int j = 0; j < t.ntypes; ++j) {
      LJCoeff c;
      if (t.at(i, j)) {
        c = *t.at(i, j);
      } else if (mixing != "none" && t.at(i, i) && t.at(j, j)) {
        const LJCoeff a = *t.at(i, i), b = *t.at(j, j);
        // LAMMPS pair_modify mix: geometric (default for lj/cut) or arithmetic.
        const bool geo = mixing == "geometric";
        c.epsilon = std::sqrt(a.epsilon * b.epsilon);
        c.sigma = geo ? std::sqrt(a.sigma * b.sigma) : 0.5 * (a.sigma + b.sigma);
        c.cutoff = geo ? std::sqrt(a.cutoff * b.cutoff) : 0.5 * (a.cutoff + b.cutoff);
      } else {
        sec.get("pairs").fail("potential.pairs: no coefficients for " + ctx.structure.species[i] + "-" +
                              ctx.structure.species[j] + " (give them, or both self pairs for mixing)");
      }
      LJParams& p = spec->table[i * t.ntypes + j];
      const double s6 = std::pow(c.sigma, 6.0), s12 = s6 * s6;
      p.cutsq = c.cutoff * c.cutoff;
      p.lj1 = 48.0 * c.epsilon * s12;
      p.lj2 = 24.0 * c.epsilon * s6;
      p.lj3 = 4.0 * c.epsilon * s12;
      p.lj4 = 4.0 * c.epsilon * s6;
      const double ratio = c.sigma / c.cutoff;
      p.offset = shift ? 4.0 * c.epsilon * (std::pow(ratio, 12.0) - std::pow(ratio, 6.0)) : 0.0;
      spec->cutmax = std::max(spec->cutmax, c.cutoff);
    }
  return spec;
}

}  // namespace af
