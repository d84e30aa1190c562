// The input stage's per-edge geometry on CPUs with edges in vector lanes: an atom's
// edges kLanes at a time, each lane one edge, so the harmonics, their gradients and the
// sums over the 16 harmonic components are vertical vector work. Edge by edge, every
// edge evaluated the harmonics in scalar code and reduced four 16-wide rows across
// lanes. Compiled for CPU builds only (att_lanes.hpp); GPU builds keep the per-edge loop
// of attention_reverse.cpp.
#pragma once
#include "potentials/nnip/att_lanes.hpp"

#ifdef AF_ATT_LANES
namespace af::nnip::kernels {

// XT[c][x] = X[x][c] for rows x < n (stride ld) and columns c < nc (nc <= 2 kAttMaxBooC);
// rows x >= n read as row 0 (their lanes are computed and discarded).
template <class T>
inline void columns_to_lanes(const T* X, int ld, int n, int nc, T (*XT)[kLanes]) {
#ifdef AF_ATT_TRANSPOSE16
  if constexpr (std::is_same_v<T, float>)
    if (nc == 16 && n == kLanes) {
      transpose16x16(X, ld, n, XT[0], kLanes);
      return;
    }
#endif
  for (int x = 0; x < kLanes; ++x) {
    const T* r = X + (x < n ? x : 0) * ld;
    for (int c = 0; c < nc; ++c) XT[c][x] = r[c];
  }
}

// Lane x of per-component arrays, indexed as a harmonics function's output row (A[q][x])
// or row of 3 (A[q][c][x]): the inlined stores become vector stores.
template <class T>
struct LaneOut {
  T (*a)[kLanes];
  int x;
  T& operator[](int q) const { return a[q][x]; }
};
template <class T>
struct LaneOut3 {
  T (*a)[3][kLanes];
  int x;
  LaneOut<T> operator[](int q) const { return {a[q], x}; }
};

// dE/dr of edges e0 .. e0 + n - 1 (n <= kLanes) of one atom through its order parameters:
// Q_cq = sum_e u R_c Y_q with G_cq = dE/dQ_cq given (zero past degree l_boo); R, dR/dd
// (CB each) in the rows of RdR (stride ld, the edge's ein_ row at R); u, du/dd in env;
// gu, gd: dE/du and the rest of dE/dd. Same sums as the per-edge loop, each over the
// same terms.
template <class T, class VecView, class EnvView, class GView, class OutView>
inline void boo_reverse_lanes(int CB, const T (*G)[16], const T* RdR, int ld, int e0, int n, const VecView& vec,
                              const EnvView& env, const GView& gu, const GView& gd, const OutView& dedr) {
  T d[kLanes], rh[3][kLanes], u[kLanes], du[kLanes], gue[kLanes], gde[kLanes];
  for (int x = 0; x < kLanes; ++x) {
    const int e = e0 + (x < n ? x : 0);
    const double dd = sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2));
    d[x] = T(dd);
    for (int c = 0; c < 3; ++c) rh[c][x] = T(vec(e, c) / dd);
    u[x] = env(e, 0), du[x] = env(e, 1), gue[x] = gu(e), gde[x] = gd(e);
  }
  T Y[16][kLanes], dY[16][3][kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) {
    spherical_harmonics_l3(rh[0][x], rh[1][x], rh[2][x], LaneOut<T>{Y, x});
    harmonics_grad_l3(rh[0][x], rh[1][x], rh[2][x], LaneOut3<T>{dY, x});
  }
  T RT[2 * kAttMaxBooC][kLanes];
  columns_to_lanes(RdR, ld, n, 2 * CB, RT);
  // QR_q = sum_c G_cq R_c, QdR_q = sum_c G_cq dR_c/dd.
  T QR[16][kLanes], QdR[16][kLanes];
  for (int q = 0; q < 16; ++q) {
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) QR[q][x] = QdR[q][x] = 0;
  }
  for (int c = 0; c < CB; ++c)
    for (int q = 0; q < 16; ++q) {
      const T a = G[c][q];
      AF_SIMD
      for (int x = 0; x < kLanes; ++x) {
        QR[q][x] += a * RT[c][x];
        QdR[q][x] += a * RT[CB + c][x];
      }
    }
  // dE/du = sum_q Y_q QR_q, dE/dd through R = u sum_q Y_q QdR_q, dE/dY_q = u QR_q.
  T out[3][kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) {
    T yr = 0, ydr = 0, g0 = 0, g1 = 0, g2 = 0;
    for (int q = 0; q < 16; ++q) {
      yr += Y[q][x] * QR[q][x];
      ydr += Y[q][x] * QdR[q][x];
      g0 += dY[q][0][x] * QR[q][x];
      g1 += dY[q][1][x] * QR[q][x];
      g2 += dY[q][2][x] * QR[q][x];
    }
    g0 *= u[x], g1 *= u[x], g2 *= u[x];
    const T gdist = (gue[x] + yr) * du[x] + gde[x] + u[x] * ydr;
    const T rg = rh[0][x] * g0 + rh[1][x] * g1 + rh[2][x] * g2, inv = T(1) / d[x];
    out[0][x] = gdist * rh[0][x] + (g0 - rg * rh[0][x]) * inv;
    out[1][x] = gdist * rh[1][x] + (g1 - rg * rh[1][x]) * inv;
    out[2][x] = gdist * rh[2][x] + (g2 - rg * rh[2][x]) * inv;
  }
  for (int x = 0; x < n; ++x)
    for (int c = 0; c < 3; ++c) dedr(e0 + x, c) = double(out[c][x]);
}

}  // namespace af::nnip::kernels
#endif
