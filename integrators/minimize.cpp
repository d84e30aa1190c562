// FIRE 2.0 (Guenole et al., Comput. Mater. Sci. 175, 109584 (2020)) and Polak-Ribiere
// conjugate gradients with a derivative-based line search, on atom positions and,
// optionally, the cell. See src/minimize.hpp for the coordinates.
#include "atomforge/src/minimize.hpp"

#include "atomforge/src/fire.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace af {

namespace {

using M3 = std::array<std::array<double, 3>, 3>;

// A 3x3 matrix as device lambdas may capture it (std::array's operator[] is host-only).
struct DevM3 {
  double m[3][3];
  KOKKOS_INLINE_FUNCTION const double* operator[](int r) const { return m[r]; }
};
DevM3 dev(const M3& a) {
  DevM3 d;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) d.m[r][c] = a[r][c];
  return d;
}

M3 mul(const M3& a, const M3& b) {
  M3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

// Inverse of an upper-triangular matrix (src/fire.hpp, shared with the batched relaxer).
M3 inverse_upper(const M3& a) {
  double m[3][3], r[3][3];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) m[i][j] = a[i][j];
  invert_upper(m, r);
  M3 out{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out[i][j] = r[i][j];
  return out;
}


// A generalised vector: per-atom part (device) and 6 cell components (host).
struct GVec {
  VecView a;
  double c[6] = {0, 0, 0, 0, 0, 0};
};

class Problem {
 public:
  Problem(const MinimizeSettings& s, Atoms& atoms, Box& box, NeighborList& list, Potential& pot, const Units& u)
      : s_(s), atoms_(atoms), box_(box), box0_(box), list_(list), pot_(pot), u_(u) {
    n_ = atoms.nlocal;
    fc_ = std::max(1, n_);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) D_[i][j] = i == j;
    x_.a = VecView("min::u", n_);
    g_.a = VecView("min::g", n_);
    shift_ = VecView("min::wrap", n_);
    p_target_ = s.pressure / u.nktv2p;
    init_coordinates();
  }

  // u = D^-1 (x - lo) with D = I. (A member, not in the constructor: nvcc allows device
  // lambdas only in functions whose address can be taken.)
  void init_coordinates() {
    auto x = atoms_.x;
    auto uu = x_.a;
    const double lo0 = box_.lo[0], lo1 = box_.lo[1], lo2 = box_.lo[2];
    Kokkos::parallel_for(
        "min::init", Kokkos::RangePolicy<ExecSpace>(0, n_), KOKKOS_LAMBDA(const int i) {
          uu(i, 0) = x(i, 0) - lo0;
          uu(i, 1) = x(i, 1) - lo1;
          uu(i, 2) = x(i, 2) - lo2;
        });
  }

  GVec& x() { return x_; }
  const GVec& g() const { return g_; }
  VecView wrap_shift() const { return shift_; }
  bool wrapped() const { return wrapped_; }
  const EnergyVirial& ev() const { return ev_; }

  // Puts the generalised coordinates into atoms and cell, computes forces, energy and
  // virial, and the generalised forces.
  void evaluate(long iteration) {
    apply_coordinates();
    wrapped_ = false;
    if (list_.need_rebuild(iteration, atoms_, box_)) {
      list_.build(atoms_, box_, iteration);
      resync_after_wrap();
    } else {
      list_.update_ghosts(atoms_, box_);
    }
    ComputeFlags fl;
    ev_ = pot_.compute(atoms_, list_, fl, DblView());
    generalised_forces();
  }

  // Largest |f| over atoms (real forces) and largest stress deviation (pressure units).
  double max_force() const {
    auto f = atoms_.f;
    double m = 0;
    Kokkos::parallel_reduce(
        "min::fmax", Kokkos::RangePolicy<ExecSpace>(0, n_),
        KOKKOS_LAMBDA(const int i, double& mx) {
          const double q = f(i, 0) * f(i, 0) + f(i, 1) * f(i, 1) + f(i, 2) * f(i, 2);
          if (q > mx) mx = q;
        },
        Kokkos::Max<double>(m));
    return std::sqrt(m);
  }
  double stress_error() const {
    if (!s_.relax_cell) return 0;
    const double V = box_.volume();
    double e = 0;
    for (int k = 0; k < 6; ++k) {
      if (!cell_free(k)) continue;
      const double sigma = ev_.v[k] / V - (k < 3 ? p_target_ : 0.0);  // virial pressure minus target
      e = std::max(e, std::fabs(sigma) * u_.nktv2p);
    }
    if (s_.couple == MinimizeSettings::Couple::Iso)
      e = std::fabs((ev_.v[0] + ev_.v[1] + ev_.v[2]) / (3 * V) - p_target_) * u_.nktv2p;
    return e;
  }

  // Vector algebra on generalised vectors.
  double dot(const GVec& a, const GVec& b) const {
    auto aa = a.a, bb = b.a;
    double s = 0;
    Kokkos::parallel_reduce(
        "min::dot", Kokkos::RangePolicy<ExecSpace>(0, n_),
        KOKKOS_LAMBDA(const int i, double& acc) {
          acc += aa(i, 0) * bb(i, 0) + aa(i, 1) * bb(i, 1) + aa(i, 2) * bb(i, 2);
        },
        s);
    if (s_.relax_cell)
      for (int k = 0; k < 6; ++k) s += a.c[k] * b.c[k];
    return s;
  }
  // y = alpha * x + beta * y
  void axpby(double alpha, const GVec& x, double beta, GVec& y) const {
    auto xa = x.a, ya = y.a;
    Kokkos::parallel_for(
        "min::axpby", Kokkos::RangePolicy<ExecSpace>(0, n_), KOKKOS_LAMBDA(const int i) {
          for (int k = 0; k < 3; ++k) ya(i, k) = alpha * xa(i, k) + beta * ya(i, k);
        });
    for (int k = 0; k < 6; ++k) y.c[k] = alpha * x.c[k] + beta * y.c[k];
  }
  void copy(const GVec& x, GVec& y) const {
    if (y.a.extent(0) != x.a.extent(0)) y.a = VecView("min::vec", n_);
    Kokkos::deep_copy(y.a, x.a);
    std::copy(x.c, x.c + 6, y.c);
  }
  // Largest real-space displacement of an atom for a step `d` in generalised coordinates
  // (atom part D d_i plus the cell part acting on the farthest atom of the cell).
  double max_displacement(const GVec& d) const {
    auto da = d.a;
    const DevM3 D = dev(D_);
    double m = 0;
    Kokkos::parallel_reduce(
        "min::maxdisp", Kokkos::RangePolicy<ExecSpace>(0, n_),
        KOKKOS_LAMBDA(const int i, double& mx) {
          double q = 0;
          for (int r = 0; r < 3; ++r) {
            const double v = D[r][0] * da(i, 0) + D[r][1] * da(i, 1) + D[r][2] * da(i, 2);
            q += v * v;
          }
          if (q > mx) mx = q;
        },
        Kokkos::Max<double>(m));
    double cell = 0;
    if (s_.relax_cell) {
      double l = 0;
      for (int k = 0; k < 3; ++k) l = std::max(l, box0_.h[k][k] + std::fabs(box0_.h[0][k]) + std::fabs(box0_.h[1][k]));
      for (int k = 0; k < 6; ++k) cell = std::max(cell, std::fabs(d.c[k]) / fc_ * l);
    }
    return std::sqrt(m) + cell;
  }
  GVec zeros() const {
    GVec v;
    v.a = VecView("min::vec", n_);
    return v;
  }

 // (The rest is public only because nvcc rejects device lambdas in private members.)
  bool cell_free(int k) const {
    if (!s_.relax_cell) return false;
    if (!box_.periodic[cell_row(k)] || !box_.periodic[cell_col(k)]) return false;
    return s_.couple == MinimizeSettings::Couple::Tri || k < 3;
  }

  void apply_coordinates() {
    if (s_.relax_cell) {
      for (int k = 0; k < 6; ++k) D_[cell_row(k)][cell_col(k)] = (k < 3 ? 1.0 : 0.0) + x_.c[k] / fc_;
      M3 h0{};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) h0[i][j] = box0_.h[i][j];
      const M3 h = mul(D_, h0);
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) box_.h[i][j] = h[i][j];
      box_.update_inverse();
    }
    auto x = atoms_.x;
    auto uu = x_.a;
    const DevM3 D = dev(D_);
    const double lo0 = box_.lo[0], lo1 = box_.lo[1], lo2 = box_.lo[2];
    Kokkos::parallel_for(
        "min::apply", Kokkos::RangePolicy<ExecSpace>(0, n_), KOKKOS_LAMBDA(const int i) {
          const double a = uu(i, 0), b = uu(i, 1), c = uu(i, 2);
          x(i, 0) = lo0 + D[0][0] * a + D[0][1] * b + D[0][2] * c;
          x(i, 1) = lo1 + D[1][1] * b + D[1][2] * c;
          x(i, 2) = lo2 + D[2][2] * c;
        });
  }

  // A rebuild wraps atoms by lattice vectors: recompute u and record the jump, so
  // callers can shift positions they saved.
  void resync_after_wrap() {
    auto x = atoms_.x;
    auto uu = x_.a;
    auto sh = shift_;
    const DevM3 Di = dev(inverse_upper(D_));
    const double lo0 = box_.lo[0], lo1 = box_.lo[1], lo2 = box_.lo[2];
    Kokkos::parallel_for(
        "min::resync", Kokkos::RangePolicy<ExecSpace>(0, n_), KOKKOS_LAMBDA(const int i) {
          const double d[3] = {x(i, 0) - lo0, x(i, 1) - lo1, x(i, 2) - lo2};
          for (int r = 0; r < 3; ++r) {
            const double v = Di[r][0] * d[0] + Di[r][1] * d[1] + Di[r][2] * d[2];
            sh(i, r) = v - uu(i, r);
            uu(i, r) = v;
          }
        });
    wrapped_ = true;
  }

  void generalised_forces() {
    auto f = atoms_.f;
    auto g = g_.a;
    const DevM3 D = dev(D_);
    Kokkos::parallel_for(
        "min::gforce", Kokkos::RangePolicy<ExecSpace>(0, n_), KOKKOS_LAMBDA(const int i) {
          // g = D^T f
          g(i, 0) = D[0][0] * f(i, 0);
          g(i, 1) = D[0][1] * f(i, 0) + D[1][1] * f(i, 1);
          g(i, 2) = D[0][2] * f(i, 0) + D[1][2] * f(i, 1) + D[2][2] * f(i, 2);
        });
    for (double& c : g_.c) c = 0;
    if (!s_.relax_cell) return;
    // (W - P V I) D^-T, upper triangle, divided by the cell factor.
    const double V = box_.volume();
    M3 w{};
    w[0][0] = ev_.v[0] - p_target_ * V;
    w[1][1] = ev_.v[1] - p_target_ * V;
    w[2][2] = ev_.v[2] - p_target_ * V;
    w[0][1] = w[1][0] = ev_.v[3];
    w[0][2] = w[2][0] = ev_.v[4];
    w[1][2] = w[2][1] = ev_.v[5];
    const M3 Di = inverse_upper(D_);
    M3 DiT{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) DiT[i][j] = Di[j][i];
    const M3 G = mul(w, DiT);
    for (int k = 0; k < 6; ++k) g_.c[k] = cell_free(k) ? G[cell_row(k)][cell_col(k)] / fc_ : 0.0;
    if (s_.couple == MinimizeSettings::Couple::Iso) {
      const double m = (g_.c[0] + g_.c[1] + g_.c[2]) / 3.0;
      g_.c[0] = g_.c[1] = g_.c[2] = m;
    }
  }

  const MinimizeSettings& s_;
  Atoms& atoms_;
  Box& box_;
  const Box box0_;
  NeighborList& list_;
  Potential& pot_;
  const Units& u_;
  int n_ = 0;
  double fc_ = 1, p_target_ = 0;
  M3 D_{};
  GVec x_, g_;
  VecView shift_;
  bool wrapped_ = false;
  EnergyVirial ev_;
};

bool converged(const MinimizeSettings& s, const Problem& p, MinimizeResult& r) {
  r.fmax = p.max_force();
  r.stress_error = p.stress_error();
  r.energy = p.ev().e;
  return r.fmax <= s.fmax && r.stress_error <= s.ptol;
}

MinimizeResult fire(const MinimizeSettings& s, Problem& p, const MinimizeObserver& observe) {
  FireState st;  // src/fire.hpp: the scalar logic the batched relaxer shares
  MinimizeResult r;
  GVec v = p.zeros(), step = p.zeros();
  p.evaluate(0);
  observe(0, p.ev());
  for (long it = 1; it <= s.max_iterations; ++it) {
    if (converged(s, p, r)) {
      r.converged = true;
      r.iterations = it - 1;
      r.reason = "converged";
      return r;
    }
    const bool uphill = fire_power(st, p.dot(p.g(), v), it);
    if (st.gave_up) {
      r.iterations = it;
      r.reason = "no downhill progress";
      return r;
    }
    if (uphill) {
      p.axpby(fire_back(st), v, 1.0, p.x());
      v = p.zeros();
    }
    p.axpby(st.dt, p.g(), 1.0, v);  // semi-implicit Euler (unit masses)
    if (!uphill) {
      double keep, toward;
      fire_mix(st, std::sqrt(p.dot(v, v)), std::sqrt(p.dot(p.g(), p.g())), keep, toward);
      if (toward != 0 || keep != 1) p.axpby(toward, p.g(), keep, v);
    }
    p.copy(v, step);
    p.axpby(fire_advance(st, s.max_move, p.max_displacement(v)), step, 1.0, p.x());
    p.evaluate(it);
    observe(it, p.ev());
  }
  converged(s, p, r);
  r.iterations = s.max_iterations;
  r.reason = "reached the iteration limit";
  return r;
}

MinimizeResult cg(const MinimizeSettings& s, Problem& p, const MinimizeObserver& observe) {
  MinimizeResult r;
  GVec h = p.zeros(), g_old = p.zeros(), x0 = p.zeros();
  p.evaluate(0);
  observe(0, p.ev());
  long evals = 0, it = 0;
  p.copy(p.g(), h);
  double alpha_guess = 0;
  while (it < s.max_iterations) {
    if (converged(s, p, r)) {
      r.converged = true;
      r.iterations = it;
      r.reason = "converged";
      return r;
    }
    ++it;
    // Line search along h on the directional derivative phi'(a) = -g(a).h.
    const double slope0 = -p.dot(p.g(), h);
    if (slope0 >= 0) {  // not a descent direction: restart along the force
      p.copy(p.g(), h);
      continue;
    }
    p.copy(p.x(), x0);
    const double hmove = p.max_displacement(h);
    const double a_cap = hmove > 0 ? s.max_move / hmove : 1.0;
    double a = alpha_guess > 0 ? std::min(alpha_guess, a_cap) : a_cap;
    double a_lo = 0, s_lo = slope0, a_hi = -1, s_hi = 0;
    bool ok = false;
    for (int ls = 0; ls < 30; ++ls) {
      p.copy(x0, p.x());
      p.axpby(a, h, 1.0, p.x());
      p.evaluate(++evals);
      if (p.wrapped()) p.axpby(1.0, GVec{p.wrap_shift(), {0, 0, 0, 0, 0, 0}}, 1.0, x0);
      const double sl = -p.dot(p.g(), h);
      if (std::fabs(sl) <= 0.1 * std::fabs(slope0)) {
        ok = true;
        break;
      }
      if (sl < 0) {
        a_lo = a;
        s_lo = sl;
      } else {
        a_hi = a;
        s_hi = sl;
      }
      if (a_hi < 0) {
        a = std::min(2 * a, a_lo + a_cap);  // still descending: go further
      } else {
        const double sec = a_lo - s_lo * (a_hi - a_lo) / (s_hi - s_lo);
        const double w = a_hi - a_lo;
        a = std::min(std::max(sec, a_lo + 0.05 * w), a_hi - 0.05 * w);
      }
    }
    alpha_guess = a;
    observe(it, p.ev());
    if (!ok) {  // line search failed: restart along the force
      p.copy(p.g(), h);
      continue;
    }
    // Polak-Ribiere (+) update.
    const double gg_old = p.dot(g_old, g_old);
    double beta = 0;
    if (gg_old > 0 && it > 1) {
      GVec diff = p.zeros();
      p.copy(p.g(), diff);
      p.axpby(-1.0, g_old, 1.0, diff);
      beta = std::max(0.0, p.dot(p.g(), diff) / gg_old);
    }
    p.copy(p.g(), g_old);
    p.axpby(1.0, p.g(), beta, h);
    if (p.dot(p.g(), h) <= 0) p.copy(p.g(), h);
  }
  converged(s, p, r);
  r.iterations = it;
  r.reason = "reached the iteration limit";
  return r;
}

}  // namespace

MinimizeResult minimize(const MinimizeSettings& s, Atoms& atoms, Box& box, NeighborList& list, Potential& pot,
                        const Units& units, const MinimizeObserver& observe) {
  list.set_sorting(false);  // the minimisers keep per-atom arrays of their own
  Problem p(s, atoms, box, list, pot, units);
  MinimizeResult r = s.style == "cg" ? cg(s, p, observe) : fire(s, p, observe);
  list.set_sorting(true);
  return r;
}

}  // namespace af
