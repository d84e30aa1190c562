// The attention block's per-edge stages before and after the attention itself, on
// kRowBlock edge rows at a time: shared by the block kernels (attention.cpp,
// attention_reverse.cpp) and the fused last block (attention_last.cpp), which differ
// only in where the rows live (saved activations or team scratch).
#pragma once
#include "atomforge/potentials/nnip/attention/att_kernels.hpp"

namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

// Edges f .. f + R - 1 (R <= kRowBlock) of atom i, block weights w (AttLayout::blk):
// u_r = the envelope (env, column 0), message m = GELU(rms(e) W_e + b_m + P_s[sender] + P_t[i]); GELU' at the
// pre-activation to pre (row stride ldp), then Q | K | V to qkv (row stride ldq,
// columns 0, H, 2H); with `message_for_v`, the message m itself in V's place (the fused
// last block works with sums of m and leaves V unformed).
template <class T, class EView, class PView, class EnvView, class IntV>
KOKKOS_FORCEINLINE_FUNCTION void message_qkv_rows(const T* p, const int* w, int H, int i, int f, int R, const EView& e,
                                             const PView& P, const EnvView& env, const IntV& snd, T* u, T* pre,
                                             int ldp, T* qkv, int ldq, bool message_for_v = false) {
  T en[kRowBlock][kAttMaxH], m[kRowBlock][kAttMaxH];
  zero_rows(en, H);  // rows >= R read as zero
  for (int r = 0; r < R; ++r) {
    u[r] = env(f + r, 0);
    rms_norm(&e(f + r, 0), p + w[kGe], H, en[r]);
  }
  rows_affine(en[0], kAttMaxH, R, H, p + w[kWe], p + w[kBm], H, m[0], kAttMaxH);
  for (int r = 0; r < R; ++r) {
    const int s = snd(f + r);
    T* a = pre + r * ldp;
    for (int c = 0; c < H; ++c) m[r][c] += P(s, c) + P(i, H + c);
    gelu_row_with_grad(m[r], m[r], a, H);  // keeps GELU', not the pre-activation
  }
  rows_affine(m[0], kAttMaxH, R, H, p + w[kWq], static_cast<const T*>(nullptr), H, qkv, ldq);
  rows_affine(m[0], kAttMaxH, R, H, p + w[kWk], static_cast<const T*>(nullptr), H, qkv + H, ldq);
  if (message_for_v) {
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < H; ++c) qkv[r * ldq + 2 * H + c] = m[r][c];
  } else {
    rows_affine(m[0], kAttMaxH, R, H, p + w[kWv], static_cast<const T*>(nullptr), H, qkv + 2 * H, ldq);
  }
}

// Its reverse from dE/dQ, dE/dK, dE/dV (rows of H): dE/d(message pre-activation) into
// gpre (for the projections' reverse) and dE/de through rms(e) W_e into ge, added to
// what ge holds (the edge FFN's share) or, with `assign`, in place of it.
// GQ, GK, GV: row r's feature c at r ldr + c ldc (rows: ldr = H, ldc = 1; the lanes
// kernels' transposed H x Ms buffers: ldr = 1, ldc = Ms). With GV null, gmv holds dE/dm
// through V already (rows of H, the fused last block's rank-one form).
template <class T, class EView, class GView>
KOKKOS_FORCEINLINE_FUNCTION void message_qkv_reverse_rows(const T* p, const int* w, int H, int f, int R, const T* GQ,
                                                          const T* GK, const T* GV, int ldr, int ldc, const T* pre,
                                                          int ldp, const EView& e, const GView& gpre, const GView& ge,
                                                          bool assign, const T* gmv = nullptr) {
  T gm[kRowBlock][kAttMaxH], gen[kRowBlock][kAttMaxH];
  for (int r = 0; r < kRowBlock; ++r)
    for (int c = 0; c < H; ++c) gm[r][c] = gen[r][c] = 0;
  if (!GV)
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < H; ++c) gm[r][c] = gmv[r * H + c];
  rows_reverse_affine(GQ, ldr, R, H, p + w[kWq], H, gm[0], kAttMaxH, ldc);
  rows_reverse_affine(GK, ldr, R, H, p + w[kWk], H, gm[0], kAttMaxH, ldc);
  if (GV) rows_reverse_affine(GV, ldr, R, H, p + w[kWv], H, gm[0], kAttMaxH, ldc);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < H; ++c) gpre(f + r, c) = gm[r][c] *= pre[r * ldp + c];  // pre: GELU' (message_qkv_rows)
  rows_reverse_affine(gm[0], kAttMaxH, R, H, p + w[kWe], H, gen[0], kAttMaxH);
  for (int r = 0; r < R; ++r) {
    T g[kAttMaxH];
    for (int c = 0; c < H; ++c) g[c] = assign ? T(0) : ge(f + r, c);
    reverse_rms_norm(&e(f + r, 0), p + w[kGe], H, gen[r], g);
    for (int c = 0; c < H; ++c) ge(f + r, c) = g[c];
  }
}

// The u-weighted node sum reversed for R edges (f: the first): given gn = dE/dx' of the
// atom, gt_r += u_r gn / avg (gt: dE/dt of each row so far), gu_r += t_r . gn / avg (t:
// the attention outputs, row stride ldt), then GO rows = gt W_o^T.
template <class T, class GuView>
KOKKOS_FORCEINLINE_FUNCTION void node_sum_reverse_rows(const T* p, const int* w, int H, int f, int R, const T* u, T inv_avg,
                                                  const T* gn, const T* t, int ldt, T (*gt)[kAttMaxH],
                                                  const GuView& gu, T* GO) {
  for (int r = 0; r < R; ++r) {
    const T ur = u[r] * inv_avg;
    for (int c = 0; c < H; ++c) gt[r][c] += ur * gn[c];
    gu(f + r) += inv_avg * dot(t + r * ldt, gn, H);
    for (int c = 0; c < H; ++c) GO[r * H + c] = 0;
  }
  rows_reverse_affine(gt[0], kAttMaxH, R, H, p + w[kWo], H, GO, H);
}

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
