// The host back end's convolutions for 16 or 32 channels (eq_tp.hpp's tp_rows_edges,
// tp_paths_edges): a receiver's edges in batches of kEdgeBatch through the CG product,
// computing what the per-edge loops of equivariant.cpp compute (those run elsewhere:
// the portable back end, other channel counts, the grid product).
#pragma once
#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_tp.hpp"

#ifdef AF_EQ_HOST_GEMM
namespace af::nnip::kernels {

// Receiver i's forward: acc += its messages. R rows (rs = rad_pad(P C) apart): the
// tile's (tR, from the tile's first edge e_tile) or, on the spline path, the table's
// into the thread's rows (buf).
template <class T, class Tab, class TV, class WV, class XV, class VV>
void forward_edges_host(const EqLayout& L, const Tab& tp, const TV& table, const WV& w, int b, const IntView& off,
                        const IntView& snd, const VV& vec, const XV& x, const T* tR, int e_tile, int i, int rs,
                        T* buf, T* acc) {
  T* Ys = buf + kEdgeBatch * rs;
  const T* xs[kEdgeBatch];
  for (int e0 = off(i); e0 < off(i + 1); e0 += kEdgeBatch) {
    const int nk = off(i + 1) - e0 < kEdgeBatch ? off(i + 1) - e0 : kEdgeBatch;
    for (int k = 0; k < nk; ++k) {
      const int e = e0 + k;
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      const double inv = 1 / dd;
      spherical_harmonics(L.Lsh, T(v[0] * inv), T(v[1] * inv), T(v[2] * inv), Ys + k * kShN);
      xs[k] = &x(snd(e), 0);
      if (L.spline) radial_row(L, table, w, b, T(dd), buf + k * rs);
    }
    const T* R = L.spline ? buf : tR + (e0 - e_tile) * rs;
    if (L.C == 32)
      tp_rows_edges<32>(tp.fwd, nk, Ys, R, rs, xs, acc);
    else
      tp_rows_edges<16>(tp.fwd, nk, Ys, R, rs, xs, acc);
  }
}

template <class T>
inline T dot(const T* a, const T* b, int n) {
  T s = 0;
  for (int q = 0; q < n; ++q) s += a[q] * b[q];
  return s;
}

// Receiver i's reverse: dE/dx_i into gxi, each edge's dE/dr added to dedr. R rows (rs
// apart): the tile's (tR, dR/dd rows dr_off further) or, on the spline path, the
// table's into the thread's rows (buf). False, with nothing done, where an edge lies
// below the table (the per-edge loop runs the MLP's reverse there).
template <class T, class Tab, class TV, class XV, class GV, class VV, class OV>
bool reverse_edges_host(const EqLayout& L, const Tab& tp, const TV& table, int b, const IntView& off,
                        const IntView& snd, const VV& vec, const XV& x, const GV& gm, const OV& dedr, const T* tR,
                        long dr_off, int e_tile, int i, int rs, T* buf, T* gxi) {
  constexpr int EB = kEdgeBatch;
  T* Rb = buf;                     // EB rows of R (spline)
  T* gR = Rb + EB * rs;            // EB rows of dE/dR
  T* Ys = gR + EB * rs;            // EB x kShN harmonics
  T* gYs = Ys + EB * kShN;         // EB x kShN dE/dY
  T(*dYs)[kShN][3] = reinterpret_cast<T(*)[kShN][3]>(gYs + EB * kShN);
  if (L.spline)
    for (int e = off(i); e < off(i + 1); ++e)
      if (vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2) < L.s_d0 * L.s_d0) return false;
  const T* gmi = &gm(i, 0);
  const int nY = sh_size(L.Lsh), np = L.P * L.C;
  for (int e0 = off(i); e0 < off(i + 1); e0 += EB) {
    const int nk = off(i + 1) - e0 < EB ? off(i + 1) - e0 : EB;
    const T *xs[EB], *gms[EB], *cs[EB];
    T d[EB], u[EB][3], ts[EB], gds[EB];
    for (int k = 0; k < nk; ++k) {
      const int e = e0 + k;
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      d[k] = T(dd);
      const double inv = 1 / dd;
      for (int c = 0; c < 3; ++c) u[k][c] = T(v[c] * inv);
      harmonics_with_grad(u[k], Ys + k * kShN, dYs[k], L.Lsh);
      if (L.spline) cs[k] = spline_interval(L, table, b, d[k], ts[k]);
      xs[k] = &x(snd(e), 0);
      gms[k] = &gm(snd(e), 0);
    }
    // The paths product first: on the spline path it writes the R rows the rows product reads.
    const T* R = L.spline ? Rb : tR + (e0 - e_tile) * rs;
    const PathsRadial<T> rad{R, Rb, rs, gR, cs, ts, np, gds};
    if (L.C == 32) {
      if (L.spline)
        tp_paths_edges<32, true>(tp.paths, nk, nY, Ys, rad, xs, gmi, gYs);
      else
        tp_paths_edges<32, false>(tp.paths, nk, nY, Ys, rad, xs, gmi, gYs);
      tp_rows_edges<32>(tp.gx, nk, Ys, R, rs, gms, gxi);
    } else {
      if (L.spline)
        tp_paths_edges<16, true>(tp.paths, nk, nY, Ys, rad, xs, gmi, gYs);
      else
        tp_paths_edges<16, false>(tp.paths, nk, nY, Ys, rad, xs, gmi, gYs);
      tp_rows_edges<16>(tp.gx, nk, Ys, R, rs, gms, gxi);
    }
    for (int k = 0; k < nk; ++k) {
      const T gd = L.spline ? gds[k] / T(L.s_h) : dot(gR + k * rs, R + k * rs + dr_off, np);
      add_edge_gradient(dedr, e0 + k, nY, gYs + k * kShN, dYs[k], u[k], d[k], gd);
    }
  }
  return true;
}

}  // namespace af::nnip::kernels
#endif
