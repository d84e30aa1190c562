// The input stage's per-edge geometry on CPUs with edges in vector lanes: an atom's
// edges kLanes at a time, each lane one edge, so the harmonics, their gradients and the
// sums over the 16 harmonic components are vertical vector work. Edge by edge, every
// edge evaluated the harmonics in scalar code and reduced four 16-wide rows across
// lanes. Compiled for CPU builds only (att_lanes.hpp); GPU builds keep the per-edge loop
// of attention_reverse.cpp.
#pragma once
#include "atomforge/potentials/nnip/attention/att_lanes.hpp"

#ifdef AF_ATT_LANES
namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

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

// Lengths and unit vectors of edges e0 .. e0 + n - 1 (lanes x >= n repeat edge e0): the
// length in double, then T, as the per-edge loops form them.
template <class T, class VecView>
inline void edge_geometry_lanes(const VecView& vec, int e0, int n, T* d, T (*rh)[kLanes]) {
  for (int x = 0; x < kLanes; ++x) {
    const int e = e0 + (x < n ? x : 0);
    const double dd = sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2));
    d[x] = T(dd);
    for (int c = 0; c < 3; ++c) rh[c][x] = T(vec(e, c) / dd);
  }
}

// The BOO stage forward for edges e0 .. e0 + n - 1 (n <= kLanes) of one atom: u, du/dd
// into env; the radial weights R_c = sum_k g_k W_b[k, c] and dR_c/dd into the rows RdR
// (stride ld, the edge's ein_ row at R); Q_cq += u R_c Y_q. Each sum over the same terms
// in the same order as the per-edge loop (attention.cpp).
template <class T, class VecView, class EnvView>
inline void boo_forward_lanes(const AttLayout& L, const T* p, int e0, int n, const VecView& vec, const EnvView& env,
                              T* RdR, int ld, T (*Q)[16]) {
  T d[kLanes], rh[3][kLanes], u[kLanes], du[kLanes], xv[kLanes], xp[kLanes];
  edge_geometry_lanes(vec, e0, n, d, rh);
  const T rc = T(L.rc);
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) xv[x] = d[x] / rc, xp[x] = 1;
  for (int k = 0; k < L.p_env; ++k) {
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) xp[x] *= xv[x];
  }
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) {
    T ux, dux;
    envelope_of_power(xv[x], xp[x], rc, L.p_env, ux, dux);
    const bool in = xv[x] < T(1) && x < n;  // lanes past n: u = 0, so they add nothing to Q
    u[x] = in ? ux : T(0), du[x] = in ? dux : T(0);
  }
  for (int x = 0; x < n; ++x) env(e0 + x, 0) = u[x], env(e0 + x, 1) = du[x];
  T Y[16][kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) spherical_harmonics_l3(rh[0][x], rh[1][x], rh[2][x], LaneOut<T>{Y, x});
  // Gaussians g_k(d) = exp(-t^2 / 2), t = (d - k sigma) / sigma, and the radial weights.
  const int CB = L.CB;
  const T* W = p + L.w_b;
  const T sigma = T(L.sigma), inv = T(1) / sigma;
  T G[kAttMaxGauss][kLanes], DG[kAttMaxGauss][kLanes];
  for (int k = 0; k < L.NG; ++k) {
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) {
      const T t = (d[x] - T(k) * sigma) * inv;
      G[k][x] = fast_exp(T(-0.5) * t * t);
      DG[k][x] = -G[k][x] * t * inv;
    }
  }
  // Each channel's two sums over the Gaussians in registers (LaneVec): accumulated in
  // the tile over k, every step was a load, an FMA and a store per channel.
  T RT[2 * kAttMaxBooC][kLanes];
  for (int c = 0; c < CB; ++c) {
    LaneVec<T> r{}, dr{};
    for (int k = 0; k < L.NG; ++k) {
      const T w = W[k * CB + c];
      r += w * lv_load(G[k]);
      dr += w * lv_load(DG[k]);
    }
    lv_store(RT[c], r);
    lv_store(RT[CB + c], dr);
  }
  for (int x = 0; x < n; ++x)
    for (int c = 0; c < 2 * CB; ++c) RdR[x * ld + c] = RT[c][x];
  // Q_cq += sum over edges x of (u R_c)_x Y_qx, channel by channel with the 16 components
  // in lanes and the sum over edges in a register.
  T YT[kLanes][16];
  for (int q = 0; q < 16; ++q)
    for (int x = 0; x < kLanes; ++x) YT[x][q] = q < L.LB * L.LB ? Y[q][x] : T(0);  // degrees <= l_boo
  for (int c = 0; c < CB; ++c) {
    LaneVec<T> acc{};
    for (int x = 0; x < n; ++x) acc += (u[x] * RT[c][x]) * lv_load(YT[x]);
    lv_store(Q[c], lv_load(Q[c]) + acc);
  }
}

// dE/dr of edges e0 .. e0 + n - 1 (n <= kLanes) of one atom through its order parameters:
// Q_cq = sum_e u R_c Y_q with G_cq = dE/dQ_cq given (zero past degree l_boo); R, dR/dd
// (CB each) in the rows of RdR (stride ld, the edge's ein_ row at R); u, du/dd in env;
// gu, gd: dE/du and the rest of dE/dd. Same sums as the per-edge loop, each over the
// same terms.
template <class T, class VecView, class EnvView, class GView, class OutView>
inline void boo_reverse_lanes(int CB, const T (*G)[16], const T* RdR, int ld, int e0, int n, const VecView& vec,
                              const EnvView& env, const GView& gu, const GView& gd, const OutView& dedr) {
  T d[kLanes], rh[3][kLanes], u[kLanes], du[kLanes], gue[kLanes], gde[kLanes];
  edge_geometry_lanes(vec, e0, n, d, rh);
  for (int x = 0; x < kLanes; ++x) {
    const int e = e0 + (x < n ? x : 0);
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
  for (int q = 0; q < 16; ++q) {  // the sums over channels in registers (LaneVec)
    LaneVec<T> r{}, dr{};
    for (int c = 0; c < CB; ++c) {
      const T a = G[c][q];
      r += a * lv_load(RT[c]);
      dr += a * lv_load(RT[CB + c]);
    }
    lv_store(QR[q], r);
    lv_store(QdR[q], dr);
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

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
#endif
