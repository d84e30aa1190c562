// The spherical-grid (Gaunt) tensor product, the second backend of the equivariant
// model's edge convolution ("The Price of Freedom", Facet): features and edge harmonics
// are evaluated on a Gauss-Legendre x uniform grid of the sphere, multiplied pointwise
// and projected back with the quadrature weights. Projection integrals of three
// harmonics are Gaunt coefficients, which vanish when l1 + l2 + l3 is odd and are
// proportional to the Clebsch-Gordan tensors otherwise (C = kappa_p G); so the grid
// computes the parity-even paths (scaled by kappa_p) and the odd ones stay sparse CG.
// The grid is exact: it integrates polynomials of degree 3 l_max.
#pragma once
#include <vector>

#include "atomforge/potentials/nnip/equivariant/eq_layout.hpp"

namespace af::nnip {

struct GridTP {
  int S = 0;                          // grid points
  int on_grid[kMaxPaths] = {};        // 1: path p is done on the grid
  double kappa[kMaxPaths] = {};       // C(l1,l2,l3) = kappa * Gaunt(l1,l2,l3)
};

// Grid and per-path constants for a layout; Yw(s, q) = Y_q(s) (component-normalised,
// q over l <= max(l_max, l_sh)), w(s) = quadrature weight. Throws if a path's CG tensor
// is not proportional to its Gaunt tensor (it always is; this guards the tables).
GridTP make_grid(const EqLayout& L, std::vector<double>& Y, std::vector<double>& w);

// Edge convolution of one edge on the grid, accumulating into acc (node-row layout):
//   acc[l3, k, c] += kappa_p R[p, c] sum_s w_s Y_{l3 k}(s) f_{l1}(s, c) g_{l2}(s),
// f_{l1}(s, c) = sum_a x[l1, a, c] Y_{l1 a}(s), g_{l2}(s) = sum_b Yu_{l2 b} Y_{l2 b}(s).
template <class T, class XRow, class YV, class WV>
KOKKOS_INLINE_FUNCTION void grid_forward(const EqLayout& L, const GridTP& G, const YV& Yg, const WV& wg,
                                         const XRow& x, const T* Yu, const T* R, T* acc) {
  for (int s = 0; s < G.S; ++s) {
    T g[kMaxL + 1];
    for (int l2 = 0; l2 <= L.Lsh; ++l2) {
      T v = 0;
      for (int b = 0; b < 2 * l2 + 1; ++b) v += Yu[l2 * l2 + b] * Yg(s, l2 * l2 + b);
      g[l2] = v;
    }
    T f[kMaxL + 1][kMaxC];
    for (int l1 = 0; l1 <= L.L; ++l1)
      for (int c = 0; c < L.C; ++c) {
        T v = 0;
        for (int a = 0; a < 2 * l1 + 1; ++a) v += x(L.at(l1, c, a)) * Yg(s, l1 * l1 + a);
        f[l1][c] = v;
      }
    // Sum the paths into each output degree on the grid first, then project once per
    // degree: per point P*C + F multiply-adds instead of sum_p (2 l3 + 1) C.
    T h[kMaxL + 1][kMaxC];
    for (int l3 = 0; l3 <= L.L; ++l3)
      for (int c = 0; c < L.C; ++c) h[l3][c] = 0;
    for (int p = 0; p < L.P; ++p) {
      if (!G.on_grid[p]) continue;
      const int l1 = L.l1[p], l3 = L.l3[p];
      const T ks = T(G.kappa[p]) * g[L.l2[p]];
      for (int c = 0; c < L.C; ++c) h[l3][c] += ks * R[p * L.C + c] * f[l1][c];
    }
    for (int l3 = 0; l3 <= L.L; ++l3)
      for (int k = 0; k < 2 * l3 + 1; ++k) {
        const T wy = T(wg(s)) * Yg(s, l3 * l3 + k);
        const int o3 = L.at(l3, 0, k);
        for (int c = 0; c < L.C; ++c) acc[o3 + c] += wy * h[l3][c];
      }
  }
}

// Its reverse for one edge, given dE/dm (gm, node-row layout, already / avg):
// dE/dR into gR, dE/dYu into gY (both accumulated), and dE/dx into gx (accumulated).
// sign_l2(l2) = +-1 multiplies g_{l2} (the reverse edge sees Y(-u) = (-1)^l Y(u)).
template <class T, class XRow, class GRow, class YV, class WV>
KOKKOS_INLINE_FUNCTION void grid_reverse(const EqLayout& L, const GridTP& G, const YV& Yg, const WV& wg, const XRow& x,
                                         const GRow& gm, const T* Yu, const T* R, bool parity, T* gR, T* gY,
                                         T* gx) {
  for (int s = 0; s < G.S; ++s) {
    T g[kMaxL + 1], gg[kMaxL + 1];
    for (int l2 = 0; l2 <= L.Lsh; ++l2) {
      T v = 0;
      for (int b = 0; b < 2 * l2 + 1; ++b) v += Yu[l2 * l2 + b] * Yg(s, l2 * l2 + b);
      g[l2] = parity && (l2 % 2) ? -v : v;
      gg[l2] = 0;
    }
    T f[kMaxL + 1][kMaxC], gf[kMaxL + 1][kMaxC];
    for (int l1 = 0; l1 <= L.L; ++l1)
      for (int c = 0; c < L.C; ++c) {
        T v = 0;
        if (gR)
          for (int a = 0; a < 2 * l1 + 1; ++a) v += x(L.at(l1, c, a)) * Yg(s, l1 * l1 + a);
        f[l1][c] = v;
        gf[l1][c] = 0;
      }
    // Back-projection of dE/dm onto the grid point, once per output degree.
    T gq[kMaxL + 1][kMaxC];
    for (int l3 = 0; l3 <= L.L; ++l3)
      for (int c = 0; c < L.C; ++c) {
        T q = 0;
        for (int k = 0; k < 2 * l3 + 1; ++k) q += gm(L.at(l3, c, k)) * Yg(s, l3 * l3 + k);
        gq[l3][c] = T(wg(s)) * q;
      }
    for (int p = 0; p < L.P; ++p) {
      if (!G.on_grid[p]) continue;
      const int l1 = L.l1[p], l2 = L.l2[p], l3 = L.l3[p];
      const T wk = T(G.kappa[p]);
      for (int c = 0; c < L.C; ++c) {
        const T q = wk * gq[l3][c];
        const T r = R[p * L.C + c];
        if (gR) {
          gR[p * L.C + c] += q * f[l1][c] * g[l2];
          gg[l2] += q * r * f[l1][c];
        }
        if (gx) gf[l1][c] += q * r * g[l2];
      }
    }
    if (gY)
      for (int l2 = 0; l2 <= L.Lsh; ++l2)
        for (int b = 0; b < 2 * l2 + 1; ++b) gY[l2 * l2 + b] += gg[l2] * Yg(s, l2 * l2 + b);
    if (gx)
      for (int l1 = 0; l1 <= L.L; ++l1)
        for (int a = 0; a < 2 * l1 + 1; ++a) {
          const T y = Yg(s, l1 * l1 + a);
          for (int c = 0; c < L.C; ++c) gx[L.at(l1, c, a)] += gf[l1][c] * y;
        }
  }
}

}  // namespace af::nnip
