// Device-side building blocks of the equivariant model: math wrappers for float and
// double, activations, the radial basis and MLP (forward, reverse, spline table) and the
// harmonics with their gradients. Header-only so kernels inline them.
#pragma once
#include <cmath>

#include "atomforge/potentials/nnip/equivariant/eq_layout.hpp"
#include "atomforge/potentials/nnip/so3.hpp"
#include "atomforge/src/types.hpp"

namespace af::nnip::kernels {


// Float and double versions of the math the kernels use (sqrtf & co. on both host and
// device; Kokkos 3.4 and 4.x name their own overloads differently).
KOKKOS_INLINE_FUNCTION double m_sqrt(double x) { return sqrt(x); }
KOKKOS_INLINE_FUNCTION float m_sqrt(float x) { return sqrtf(x); }
KOKKOS_INLINE_FUNCTION double m_exp(double x) { return exp(x); }
KOKKOS_INLINE_FUNCTION float m_exp(float x) { return expf(x); }
KOKKOS_INLINE_FUNCTION double m_sin(double x) { return sin(x); }
KOKKOS_INLINE_FUNCTION float m_sin(float x) { return sinf(x); }
KOKKOS_INLINE_FUNCTION double m_cos(double x) { return cos(x); }
KOKKOS_INLINE_FUNCTION float m_cos(float x) { return cosf(x); }


constexpr double kPiD = 3.14159265358979323846;

template <class T>
KOKKOS_INLINE_FUNCTION T sigmoid(T z) { return 1.0 / (1.0 + m_exp(-z)); }
template <class T>
KOKKOS_INLINE_FUNCTION T silu(T z) { return z * sigmoid(z); }
template <class T>
KOKKOS_INLINE_FUNCTION T silu_grad(T z) {
  const T s = sigmoid(z);
  return s * (1.0 + z * (1.0 - s));
}

// NequIP's polynomial envelope u(d) (1 at 0, 0 at rc with p continuous derivatives)
// and du/dd, for both neural potentials. x^p by multiplication (p is a small whole
// number; powf was 2% of an attention call).
// envelope_of_power: the same from x = d / rc and xp = x^p (x < 1), for callers that
// form the power themselves (att_input_lanes.hpp, vectorised over edges).
template <class T>
KOKKOS_INLINE_FUNCTION void envelope_of_power(T x, T xp, T rc, int p_env, T& u, T& du) {
  const T p = T(p_env);
  u = T(1) - (p + 1) * (p + 2) / 2 * xp + p * (p + 2) * xp * x - p * (p + 1) / 2 * xp * x * x;
  du = (-(p + 1) * (p + 2) / 2 * p * xp / x + p * (p + 2) * (p + 1) * xp - p * (p + 1) / 2 * (p + 2) * xp * x) / rc;
}
template <class T>
KOKKOS_INLINE_FUNCTION void envelope(T d, T rc, int p_env, T& u, T& du) {
  const T x = d / rc;
  u = 0, du = 0;
  if (x < T(1)) {
    T xp = 1;
    for (int k = 0; k < p_env; ++k) xp *= x;
    envelope_of_power(x, xp, rc, p_env, u, du);
  }
}

// Radial inputs bessel_k(d) * envelope(d), k = 1..NB, and their d-derivatives.
template <class T>
KOKKOS_INLINE_FUNCTION void radial_basis(const EqLayout& L, T d, T* a, T* da) {
  T u, du;
  envelope(d, T(L.rc), L.p_env, u, du);
  const T pre = m_sqrt(2.0 / L.rc), w1 = T(kPiD) / L.rc, s1 = m_sin(w1 * d), c1 = m_cos(w1 * d);
  T s = s1, c = c1;  // sin and cos of (k + 1) w1 d, by rotation (one sin and cos per edge)
  for (int k = 0; k < L.NB; ++k) {
    const T w = (k + 1) * w1;
    if (k > 0) {
      const T sn = s * c1 + c * s1;
      c = c * c1 - s * s1, s = sn;
    }
    const T b = pre * s / d, db = pre * (w * c / d - s / (d * d));
    a[k] = b * u;
    da[k] = db * u + b * du;
  }
}

// The radial MLP of block `blk`: a0 (NB) -> R (P*C); z keeps the hidden pre-activations.
template <class T>
KOKKOS_INLINE_FUNCTION void radial_forward(const EqLayout& L, const Kokkos::View<T*, Device>& w, int blk, const T* a0,
                                           T z[kMaxRadial][kMaxWidth], T* R) {
  T in[kMaxWidth];
  for (int k = 0; k < L.rad_in[0]; ++k) in[k] = a0[k];
  for (int m = 0; m < L.nrad; ++m) {
    const int nin = L.rad_in[m], nout = L.rad_in[m + 1], off = L.rad[blk][m];
    const T norm = 1.0 / m_sqrt(T(nin));
    const bool last = m == L.nrad - 1;
    T* out = last ? R : z[m];
    for (int o = 0; o < nout; ++o) out[o] = 0;
    for (int k = 0; k < nin; ++k) {  // rows of W are contiguous: the inner loop vectorises
      const T a = in[k] * norm;
      const T* wk = &w(off + k * nout);
      for (int o = 0; o < nout; ++o) out[o] += a * wk[o];
    }
    if (!last)
      for (int o = 0; o < nout; ++o) in[o] = silu(z[m][o]);
  }
}

// dE/d(a0) from dE/dR through the MLP (z from radial_forward).
template <class T>
KOKKOS_INLINE_FUNCTION void radial_reverse(const EqLayout& L, const Kokkos::View<T*, Device>& w, int blk, const T* a0,
                                           T z[kMaxRadial][kMaxWidth], T* gR, T* ga0) {
  T g[kMaxC * kMaxPaths];  // widest layer: the output (hidden widths <= kMaxWidth)
  int n = L.rad_in[L.nrad];
  for (int o = 0; o < n; ++o) g[o] = gR[o];
  for (int m = L.nrad - 1; m >= 0; --m) {
    const int nin = L.rad_in[m], nout = L.rad_in[m + 1], off = L.rad[blk][m];
    const T norm = 1.0 / m_sqrt(T(nin));
    T gin[kMaxWidth];
    for (int k = 0; k < nin; ++k) {
      T s = 0;
      for (int o = 0; o < nout; ++o) s += g[o] * w(off + k * nout + o);
      gin[k] = s * norm;
    }
    if (m > 0)
      for (int k = 0; k < nin; ++k) g[k] = gin[k] * silu_grad(z[m - 1][k]);
    else
      for (int k = 0; k < nin; ++k) ga0[k] = gin[k];
  }
  (void)a0;
}

// A node's feature row as the grid product reads it: view(i, q) * scale.
template <class V, class T>
struct Row {
  V v;
  int i;
  T scale;
  KOKKOS_INLINE_FUNCTION T operator()(int q) const { return v(i, q) * scale; }
};

// The interval of d in block blk's Hermite table: its coefficients c0 (c1..c3 follow,
// P*C apart) and t.
template <class T>
KOKKOS_INLINE_FUNCTION const T* spline_interval(const EqLayout& L, const Kokkos::View<T*, Device>& table, int blk, T d,
                                                T& t) {
  T s = (d - L.s_d0) / L.s_h;
  int k = static_cast<int>(s);
  if (k >= L.n_knots) k = L.n_knots - 1;
  t = s - k;
  return &table((static_cast<long>(blk) * L.n_knots + k) * 4L * L.P * L.C);
}

// R(d) and, if dR is given, dR/dd from the Hermite table of block `blk`: per interval
// the cubic's coefficients in t = (d - d_k) / h (c0 + c1 t + c2 t^2 + c3 t^3; in that
// form float tables keep dR/dd to float precision, where knot values and slopes lose
// it to the difference y1 - y0 over a small h).
template <class T>
KOKKOS_INLINE_FUNCTION void radial_spline(const EqLayout& L, const Kokkos::View<T*, Device>& table, int blk, T d, T* R,
                                          T* dR) {
  const int n = L.P * L.C;
  T t;
  const T* c0 = spline_interval(L, table, blk, d, t);
  const T ih = T(1) / L.s_h;
  const T *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
  for (int o = 0; o < n; ++o) R[o] = c0[o] + t * (c1[o] + t * (c2[o] + t * c3[o]));
  if (dR)
    for (int o = 0; o < n; ++o) dR[o] = (c1[o] + t * (2 * c2[o] + 3 * t * c3[o])) * ih;
}

// The spline path's R(d) of block b: the table, or below its first knot the MLP itself.
template <class T, class TV, class WV>
KOKKOS_INLINE_FUNCTION void radial_row(const EqLayout& L, const TV& table, const WV& w, int b, T d, T* R) {
  if (d >= L.s_d0) {
    radial_spline<T>(L, table, b, d, R, nullptr);
    return;
  }
  T a0[kMaxWidth], da0[kMaxWidth], z[kMaxRadial][kMaxWidth];
  radial_basis(L, d, a0, da0);
  radial_forward(L, w, b, a0, z, R);
}

// dE/dr of one edge (added to dedr's row e) from dE/dd (gd) and dE/dY_q (gY) with the
// harmonics' gradients dY at the unit vector u, d = |r|.
template <class T, class DY, class OV>
KOKKOS_INLINE_FUNCTION void add_edge_gradient(const OV& dedr, int e, int nY, const T* gY, const DY& dY, const T u[3],
                                              T d, T gd) {
  T G[3] = {0, 0, 0};  // dE/du
  for (int q = 0; q < nY; ++q)
    for (int c = 0; c < 3; ++c) G[c] += gY[q] * dY[q][c];
  const T ug = u[0] * G[0] + u[1] * G[1] + u[2] * G[2];
  for (int c = 0; c < 3; ++c) dedr(e, c) += double(gd * u[c] + (G[c] - ug * u[c]) / d);
}

// The gradients of Y^0..Y^3 (spherical_harmonics_l3) at (x, y, z), as polynomials, into
// dY[0..15] (Out: T (*)[3], or anything indexed like one). Scalars in, so that callers
// can vectorise it over edges.
template <class T, class Out>
KOKKOS_INLINE_FUNCTION void harmonics_grad_l3(T x, T y, T z, Out dY) {
  // Derivatives in (X, Yp, Z) = (z, x, y), stored as d/dx = d/dYp, d/dy = d/dZ, d/dz = d/dX.
  const T X = z, Yp = x, Z = y;
  const T s3 = 1.7320508075688772, s15 = 3.872983346207417, h5 = 1.118033988749895;
  const T a = 2.091650066335189, b = 10.246950765959598, d = 1.620185174601965, e = 1.3228756555322954;
  // Rows (d/dx, d/dy, d/dz) = (d/dYp, d/dZ, d/dX), written out (a table of the same
  // entries, copied into dY, kept GCC from vectorising callers over edges).
  dY[0][0] = T(0), dY[0][1] = T(0), dY[0][2] = T(0);
  dY[1][0] = s3, dY[1][1] = T(0), dY[1][2] = T(0);
  dY[2][0] = T(0), dY[2][1] = s3, dY[2][2] = T(0);
  dY[3][0] = T(0), dY[3][1] = T(0), dY[3][2] = s3;
  dY[4][0] = s15 * X, dY[4][1] = T(0), dY[4][2] = s15 * Yp;
  dY[5][0] = s15 * Z, dY[5][1] = s15 * Yp, dY[5][2] = T(0);
  dY[6][0] = -2 * h5 * Yp, dY[6][1] = 4 * h5 * Z, dY[6][2] = -2 * h5 * X;
  dY[7][0] = T(0), dY[7][1] = s15 * X, dY[7][2] = s15 * Z;
  dY[8][0] = -s15 * Yp, dY[8][1] = T(0), dY[8][2] = s15 * X;
  dY[9][0] = 3 * a * (X * X - Yp * Yp), dY[9][1] = T(0), dY[9][2] = 6 * a * X * Yp;
  dY[10][0] = b * X * Z, dY[10][1] = b * X * Yp, dY[10][2] = b * Yp * Z;
  dY[11][0] = d * (4 * Z * Z - X * X - 3 * Yp * Yp), dY[11][1] = 8 * d * Yp * Z, dY[11][2] = -2 * d * X * Yp;
  dY[12][0] = -6 * e * Yp * Z, dY[12][1] = e * (6 * Z * Z - 3 * X * X - 3 * Yp * Yp), dY[12][2] = -6 * e * X * Z;
  dY[13][0] = -2 * d * X * Yp, dY[13][1] = 8 * d * X * Z, dY[13][2] = d * (4 * Z * Z - 3 * X * X - Yp * Yp);
  dY[14][0] = -b * Yp * Z, dY[14][1] = b / 2 * (X * X - Yp * Yp), dY[14][2] = b * X * Z;
  dY[15][0] = -6 * a * X * Yp, dY[15][1] = T(0), dY[15][2] = 3 * a * (X * X - Yp * Yp);
}

// Harmonics Y^0..Y^3 (and Y^4 if l_max >= 4) of the unit vector u and their gradients
// dY/du (as polynomials); dY has room for kShN rows, rows past (l_max+1)^2 are not written.
template <class T>
KOKKOS_INLINE_FUNCTION void harmonics_with_grad(const T u[3], T* Y, T dY[][3], int l_max = 3) {
  spherical_harmonics(l_max, u[0], u[1], u[2], Y);
  harmonics_grad_l3(u[0], u[1], u[2], dY);
  if (l_max < 4) return;
  const T X = u[2], Yp = u[0], Z = u[1];
  // Y^4 (so3.hpp, spherical_harmonics_4), same storage order.
  const T a4 = 8.874119674649425, a3 = 6.274950199005565, a2 = 3.3541019662496847, a1 = 2.3717082451262845;
  const T r2 = X * X + Yp * Yp, P = X * X - Yp * Yp, Q = 6 * Z * Z - r2;
  const T g4[9][3] = {
      {a4 * Yp * (3 * X * X - Yp * Yp), a4 * X * (X * X - 3 * Yp * Yp), 0},
      {6 * a3 * X * Yp * Z, 3 * a3 * Z * P, a3 * Yp * (3 * X * X - Yp * Yp)},
      {a2 * Yp * (6 * Z * Z - 3 * X * X - Yp * Yp), a2 * X * (6 * Z * Z - X * X - 3 * Yp * Yp), 12 * a2 * X * Yp * Z},
      {-6 * a1 * X * Yp * Z, a1 * Z * (4 * Z * Z - 3 * X * X - 9 * Yp * Yp), 3 * a1 * Yp * (4 * Z * Z - r2)},
      {T(0.375) * X * (12 * r2 - 48 * Z * Z), T(0.375) * Yp * (12 * r2 - 48 * Z * Z), T(0.375) * Z * (32 * Z * Z - 48 * r2)},
      {a1 * Z * (4 * Z * Z - 9 * X * X - 3 * Yp * Yp), -6 * a1 * X * Yp * Z, 3 * a1 * X * (4 * Z * Z - r2)},
      {a2 * X * (Q - P), -a2 * Yp * (Q + P), 6 * a2 * P * Z},
      {3 * a3 * Z * P, -6 * a3 * X * Yp * Z, a3 * X * (X * X - 3 * Yp * Yp)},
      {a4 * X * (X * X - 3 * Yp * Yp), a4 * Yp * (Yp * Yp - 3 * X * X), 0},
  };
  for (int k = 0; k < 9; ++k) {
    dY[16 + k][0] = g4[k][1];
    dY[16 + k][1] = g4[k][2];
    dY[16 + k][2] = g4[k][0];
  }
}


}  // namespace af::nnip::kernels

namespace af::nnip::kernels {

// The gate and residual of node i: h_out = h + silu(y) (l = 0), h + y sigmoid(gate)
// (l > 0; the gates are y's columns F + (l - 1) C + c). H, Y: Views of rows.
template <class HV, class YV, class OV>
KOKKOS_INLINE_FUNCTION void gate_forward(const EqLayout& L, const HV& h, const YV& y, const OV& hn, int i) {
  for (int c = 0; c < L.C; ++c) hn(i, L.at(0, c, 0)) = h(i, L.at(0, c, 0)) + silu(y(i, L.at(0, c, 0)));
  for (int l = 1; l <= L.L; ++l)
    for (int c = 0; c < L.C; ++c) {
      const auto g = sigmoid(y(i, L.F + (l - 1) * L.C + c));
      for (int m = 0; m < 2 * l + 1; ++m) hn(i, L.at(l, c, m)) = h(i, L.at(l, c, m)) + y(i, L.at(l, c, m)) * g;
    }
}

// Its reverse: dE/dy (gy, y's layout: F values, then the gates) from dE/dh_out (gh);
// the residual's dE/dh = gh is kept by the caller.
template <class T, class GV, class YV>
KOKKOS_INLINE_FUNCTION void gate_reverse(const EqLayout& L, const GV& gh, const YV& y, int i, T* gy) {
  for (int c = 0; c < L.C; ++c) gy[L.at(0, c, 0)] = gh(i, L.at(0, c, 0)) * silu_grad(y(i, L.at(0, c, 0)));
  for (int l = 1; l <= L.L; ++l)
    for (int c = 0; c < L.C; ++c) {
      const T zg = y(i, L.F + (l - 1) * L.C + c), g = sigmoid(zg);
      T gg = 0;
      for (int m = 0; m < 2 * l + 1; ++m) {
        gy[L.at(l, c, m)] = gh(i, L.at(l, c, m)) * g;
        gg += gh(i, L.at(l, c, m)) * y(i, L.at(l, c, m));
      }
      gy[L.F + (l - 1) * L.C + c] = gg * g * (1 - g);
    }
}

}  // namespace af::nnip::kernels
