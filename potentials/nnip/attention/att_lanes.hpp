// The fused neighbor attention on CPUs, queries in vector lanes: for one head and a
// group of kLanes queries, each key is one step of vector operations over the queries
// (logits, running maximum, exps, sums and the outputs' accumulators are all vertical),
// so no reduction crosses lanes except dE/du's one per key. The row kernels of
// att_fused.hpp (a thread per query, as GPUs run them) had each query's keys in the
// lanes instead, with a lane reduction per row for the maximum, the sum and every output
// feature, and the outputs as 8-wide sums over keys. Same softmax, same FlashAttention-2
// split: online maximum over chunks of keys forward; backward recomputes the weights
// and never stores an N x M x M array (its tiles are M x kLanes, one head and group at
// a time). Compiled for CPU builds only.
#pragma once
#include "atomforge/potentials/nnip/attention/att_fused.hpp"

#ifdef AF_ATT_LANES

namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

// Queries per group: the padded key stride (key_stride) is a multiple, so the transposed
// operands QT and GOT (H x Ms, zero in the padding) hold whole groups.
constexpr int kLanes = kAttChunk;
static_assert(kLanes == kVecLanes, "a group of queries is one LaneVec");

// r . x_c over one head's dh features (r: a row at the head's first feature; x: the
// head's rows of a transposed operand, one vector per feature, lanes_rows): the logits of
// key r for the group's queries (x: QT scaled by 1 / sqrt(dh)), or dv_x = go_x . v (x:
// GOT). Two chains (even and odd features).
template <class T>
inline LaneVec<T> lanes_dot(const T* r, const LaneVec<T>* x, int dh) {
  LaneVec<T> a0{}, a1{};
  int c = 0;
  for (; c + 1 < dh; c += 2) {
    a0 += r[c] * x[c];
    a1 += r[c + 1] * x[c + 1];
  }
  if (c < dh) a0 += r[c] * x[c];
  return a0 + a1;
}

// The same for the dv of the backward, with XT (GOT) read from memory and the sums stored
// to st (dv_x = go_x . v): GCC compiles the backward better this way than with the
// head's rows of GOT held as lane vectors.
template <class T>
inline void lanes_dot_store(const T* r, const T* XT, int Ms, int c0, int dh, int j0, T* st) {
  T a0[kLanes], a1[kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) a0[x] = a1[x] = 0;
  int c = 0;
  for (; c + 1 < dh; c += 2) {
    const T r0 = r[c], r1 = r[c + 1];
    const T *x0 = XT + (c0 + c) * Ms + j0, *x1 = x0 + Ms;
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) {
      a0[x] += r0 * x0[x];
      a1[x] += r1 * x1[x];
    }
  }
  if (c < dh) {
    const T rc = r[c], *xt = XT + (c0 + c) * Ms + j0;
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) a0[x] += rc * xt[x];
  }
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) st[x] = a0[x] + a1[x];
}

// The head's rows c0 .. c0 + dh - 1 of a transposed operand XT (H x Ms), columns j0 ..
// j0 + kLanes - 1, times sc.
template <class T>
inline void lanes_rows(const T* XT, int Ms, int c0, int dh, int j0, T sc, LaneVec<T>* x) {
  for (int c = 0; c < dh; ++c) x[c] = lv_load(XT + (c0 + c) * Ms + j0) * sc;
}

// One head, queries j0 .. j0 + kLanes - 1 (QT: Q transposed; K, V rows of stride ld; O
// transposed, H x Ms). Online softmax over chunks of kAttChunk keys.
template <class T, int DH>
inline void lanes_forward_head(int M, int dh_rt, int h, int j0, const T* QT, const T* K, const T* V, int ld,
                               const T* u, T* O) {
  typedef LaneVec<T> Vt;
  constexpr int DM = DH > 0 ? DH : kAttMaxH;
  const int dh = DH > 0 ? DH : dh_rt, Ms = key_stride(M), c0 = h * dh;
  const T sc = T(1) / m_sqrt(T(dh));
  Vt q[DM], acc[DM];
  lanes_rows(QT, Ms, c0, dh, j0, sc, q);
  for (int c = 0; c < dh; ++c) acc[c] = Vt{};
  Vt m = lv_splat(-T(kNoRow)), l{};
  for (int k0 = 0; k0 < M; k0 += kAttChunk) {
    const int n = M - k0 < kAttChunk ? M - k0 : kAttChunk;
    Vt s[kAttChunk], cm = lv_splat(-T(kNoRow));
    for (int t = 0; t < n; ++t) {  // the chunk's logits and their maximum over keys with u > 0
      s[t] = lanes_dot(K + (k0 + t) * ld + c0, q, dh);
      if (u[k0 + t] > T(0)) cm = lv_max(cm, s[t]);
    }
    const Vt mn = lv_max(cm, m), corr = lv_exp(m - mn);  // rescale what has accumulated to the new maximum
    m = mn;
    l *= corr;
    for (int c = 0; c < dh; ++c) acc[c] *= corr;
    for (int t = 0; t < n; ++t) {
      const T uk = u[k0 + t];
      if (!(uk > T(0))) continue;
      const Vt pw = uk * lv_exp(s[t] - m);
      l += pw;
      const T* vr = V + (k0 + t) * ld + c0;
      for (int c = 0; c < dh; ++c) acc[c] += pw * vr[c];
    }
  }
  const Vt inv = l > Vt{} ? T(1) / l : Vt{};  // no key with u > 0: zero
  for (int c = 0; c < dh; ++c) lv_store(O + (c0 + c) * Ms + j0, acc[c] * inv);  // padding queries' columns unread
}

// PT[x][k] = S[k][x] for a kLanes x kLanes tile (rows k >= n of S read as zero).
template <class T>
inline void tile_transpose(const T* S, int n, T* PT) {
#ifdef AF_ATT_TRANSPOSE16
  if constexpr (std::is_same_v<T, float>) {
    transpose16x16(S, kLanes, n, PT, kLanes);
    return;
  }
#endif
  for (int x = 0; x < kLanes; ++x)
    for (int k = 0; k < kLanes; ++k) PT[x * kLanes + k] = k < n ? S[k * kLanes + x] : T(0);
}

// dE/dV and dE/dK of keys k0 .. k0 + kLanes - 1 from one head and query group, with the
// keys in lanes: GV_kc += sum_x P_kx go_xc and GK_kc += sum_x gs_kx q_xc, P and gs from
// the M x kLanes tiles S and G (rows k) transposed, go and q read from GOT and QT (zero
// beyond the group's queries). Per query x, 2 dh vector FMAs against broadcast operands.
// GK and GV are kept transposed (H x Ms, as the Q/K/V reverse products read them), so
// the sums are added as they lie.
template <class T, int DH, bool WithV = true>
inline void lanes_gkv_chunk(int M, int Ms, int dh_rt, int c0, int j0, int k0, const T* S, const T* G,
                            const T* QT, const T* GOT, T* GK, T* GV) {
  constexpr int DM = DH > 0 ? DH : kAttMaxH;
  const int dh = DH > 0 ? DH : dh_rt, n = M - k0 < kLanes ? M - k0 : kLanes;
  alignas(64) T PT[kLanes * kLanes], GT[kLanes * kLanes];
  if (WithV) tile_transpose(S + k0 * kLanes, n, PT);
  tile_transpose(G + k0 * kLanes, n, GT);
  // Accumulated as arrays under `omp simd`, so the operands' broadcasts fold into the
  // FMAs (as lane vectors GCC loads and broadcasts them separately).
  alignas(64) T acc[2 * DM][kLanes];  // rows c: dE/dV feature c; rows DM + c: dE/dK
  for (int c = 0; c < dh; ++c) {
    AF_SIMD
    for (int k = 0; k < kLanes; ++k) acc[c][k] = acc[DM + c][k] = 0;
  }
  for (int x = 0; x < kLanes; ++x) {
    const T *pt = PT + x * kLanes, *gt = GT + x * kLanes;
    for (int c = 0; c < dh; ++c) {
      const T q = QT[(c0 + c) * Ms + j0 + x];
      if (WithV) {
        const T go = GOT[(c0 + c) * Ms + j0 + x];
        AF_SIMD
        for (int k = 0; k < kLanes; ++k) acc[c][k] += go * pt[k];
      }
      AF_SIMD
      for (int k = 0; k < kLanes; ++k) acc[DM + c][k] += q * gt[k];
    }
  }
  for (int c = 0; c < dh; ++c) {  // GV, GK transposed (H x Ms): feature rows, keys in lanes
    T *gv = GV + (c0 + c) * Ms + k0, *gk = GK + (c0 + c) * Ms + k0;
    if (WithV) {
      AF_SIMD
      for (int k = 0; k < kLanes; ++k) gv[k] += acc[c][k];  // keys past n: zero rows of the tiles, zero sums
    }
    AF_SIMD
    for (int k = 0; k < kLanes; ++k) gk[k] += acc[DM + c][k];
  }
}

// The weights of one head and query group, W_jk = exp(s_jk - m_j) / sum_k' u_k' exp(s_jk' -
// m_j), into the M x kLanes tile S (rows k): the row maximum and sum come from these same
// logits (see the backward below).
template <class T, int DH>
inline void lanes_weights(int M, int dh_rt, int h, int j0, const T* QT, const T* K, int ld, const T* u, T* S) {
  typedef LaneVec<T> Vt;
  constexpr int DM = DH > 0 ? DH : kAttMaxH;
  const int dh = DH > 0 ? DH : dh_rt, Ms = key_stride(M), c0 = h * dh;
  const T sc = T(1) / m_sqrt(T(dh));
  Vt q[DM];
  lanes_rows(QT, Ms, c0, dh, j0, sc, q);
  Vt m = lv_splat(-T(kNoRow)), l{};
  for (int k = 0; k < M; ++k) {  // logits and their maximum over keys with u > 0
    const Vt s = lanes_dot(K + k * ld + c0, q, dh);
    lv_store(S + k * kLanes, s);
    if (u[k] > T(0)) m = lv_max(m, s);
  }
  const auto any = m > lv_splat(-T(kNoRow));  // a row without keys stays zero
  for (int k = 0; k < M; ++k) {  // exp(s - m) and their u-weighted sum
    const Vt e = any ? lv_exp(lv_load(S + k * kLanes) - m) : Vt{};
    lv_store(S + k * kLanes, e);
    l += u[k] * e;
  }
  const Vt inv = l > Vt{} ? T(1) / l : Vt{};
  for (int k = 0; k < M; ++k) lv_store(S + k * kLanes, lv_load(S + k * kLanes) * inv);
}

// Backward of one head and query group given its weights W (tile S, lanes_weights) and
// GOT = dE/dO transposed (and QT): sets the group's columns of GQ, adds to GK, GV (all
// three transposed, H x Ms) and to gu. DV is an M x kLanes tile (dv_jk = go_j . v_k); S
// and DV then receive P and dE/ds for lanes_gkv_chunk. As in the row kernels, D_j =
// sum_k P_jk dv_jk is summed explicitly, and P = u W, dE/du_k = sum_j W_jk (dv_jk - D_j),
// dE/ds_jk = P_jk (dv_jk - D_j).
template <class T, int DH, bool DVGiven = false>
inline void lanes_backward_weighted(int M, int dh_rt, int h, int j0, const T* QT, const T* K, const T* V,
                                    int ld, const T* GOT, const T* u, T* S, T* DV, T* GQ, T* GK, T* GV, T* gu) {
  constexpr int DM = DH > 0 ? DH : kAttMaxH;
  const int dh = DH > 0 ? DH : dh_rt, Ms = key_stride(M), c0 = h * dh;
  const T sc = T(1) / m_sqrt(T(dh));
  T D[kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) D[x] = 0;
  for (int k = 0; k < M; ++k) {  // dv, then D
    const T uk = u[k];
    const T* st = S + k * kLanes;
    T* dv = DV + k * kLanes;
    if (!DVGiven) lanes_dot_store(V + k * ld + c0, GOT, Ms, c0, dh, j0, dv);
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) D[x] += uk * st[x] * dv[x];
  }
  T gq[DM][kLanes];
  for (int c = 0; c < dh; ++c) {
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) gq[c][x] = 0;
  }
  for (int k = 0; k < M; ++k) {  // P and dE/ds into the tiles (in place of W and dv), gu, dE/dQ
    const T uk = u[k];
    T* st = S + k * kLanes;
    T* dv = DV + k * kLanes;
    T R[kLanes];
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) {  // padding lanes: dv = D = 0, so R = gs = 0
      const T r = dv[x] - D[x];
      R[x] = st[x] * r;
      st[x] *= uk;
      dv[x] = st[x] * r * sc;
    }
    gu[k] += lane_sum(R);
    const T* kr = K + k * ld + c0;
    for (int c = 0; c < dh; ++c) {
      const T kc = kr[c];
      AF_SIMD
      for (int x = 0; x < kLanes; ++x) gq[c][x] += kc * dv[x];
    }
  }
  for (int k0 = 0; k0 < M; k0 += kLanes)
    lanes_gkv_chunk<T, DH, !DVGiven>(M, Ms, dh, c0, j0, k0, S, DV, QT, GOT, GK, GV);
  for (int c = 0; c < dh; ++c) {  // GQ transposed (H x Ms); padding queries' sums are zero
    T* g = GQ + (c0 + c) * Ms + j0;
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) g[x] = gq[c][x];
  }
}

// The last block's dv tile when dE/dO is rank one per head, go_j = uq_j w (the node sum
// is the block's only consumer of O): dv_jk = go_j . v_k = uq_j beta_k with beta_k = v_k . w
// (given per key). Fills DV (M x kLanes, the queries j0 .. j0 + kLanes - 1 in lanes; uq
// zero for padding queries) for lanes_backward_weighted<T, DH, true>, which then skips dE/dV
// (GV_k = (sum_j uq_j P_jk) w, rank one too, formed by the caller), and adds
// sum_k P_jk beta_k (= O_j . w) to gnode[j - j0].
template <class T>
inline void lanes_dv_rank1(int M, const T* S, const T* u, const T* uq, const T* beta, T* DV, T* gnode) {
  T ob[kLanes];
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) ob[x] = 0;
  for (int k = 0; k < M; ++k) {
    const T uk = u[k], bk = beta[k], *st = S + k * kLanes;
    T* dv = DV + k * kLanes;
    AF_SIMD
    for (int x = 0; x < kLanes; ++x) {
      dv[x] = uq[x] * bk;
      ob[x] += uk * st[x] * bk;
    }
  }
  AF_SIMD
  for (int x = 0; x < kLanes; ++x) gnode[x] += ob[x];
}

// One atom's attention forward: O (transposed, H x Ms) from Q, K, V rows (row stride ld); QT
// (H x Ms scratch) receives Q transposed.
template <class T, int DH, class Member>
inline void lanes_forward(const Member& team, int M, int H, int heads, const T* Q, const T* K, const T* V, int ld,
                          const T* u, T* QT, T* O) {
  transpose_rows(team, M, H, Q, QT, ld);
  team.team_barrier();
  const int groups = key_stride(M) / kLanes;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, heads * groups), [&](const int hg) {
    lanes_forward_head<T, DH>(M, H / heads, hg / groups, hg % groups * kLanes, QT, K, V, ld, u, O);
  });
}

// Its backward: GQ, GK, GV (transposed, H x Ms) from GO (rows), dE/du added to gu. QT,
// GOT: H x Ms scratch;
// S, DV: M x kLanes scratch tiles. One team thread (GK, GV and gu gather over groups
// and heads).
template <class T, int DH, class Member>
inline void lanes_backward(const Member& team, int M, int H, int heads, const T* Q, const T* K, const T* V, int ld,
                           const T* u, const T* GO, T* QT, T* GOT, T* S, T* DV, T* GQ, T* GK, T* GV, T* gu) {
  transpose_rows(team, M, H, Q, QT, ld);
  transpose_rows(team, M, H, GO, GOT, H);
  team.team_barrier();
  Kokkos::single(Kokkos::PerTeam(team), [&]() {
    for (int q = 0; q < key_stride(M) * H; ++q) GK[q] = GV[q] = 0;  // transposed, H x Ms
    const int groups = key_stride(M) / kLanes;
    for (int h = 0; h < heads; ++h)
      for (int g = 0; g < groups; ++g) {
        lanes_weights<T, DH>(M, H / heads, h, g * kLanes, QT, K, ld, u, S);
        lanes_backward_weighted<T, DH>(M, H / heads, h, g * kLanes, QT, K, V, ld, GOT, u, S, DV, GQ, GK, GV, gu);
      }
  });
}

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
#endif

namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

// The block kernels' entry points, one atom's attention per team: CPU builds run the
// lanes kernels above, GPU builds the row kernels (attention_rows_*, att_fused.hpp).
// Q, K, V rows with stride ld (O and the gradients: H). Scratch: T1, T2 H x Ms; tiles
// A, B heads x Ms x Ms; D Ms x heads (row kernels only).
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_block_forward(const Member& team, int M, int H, int heads, const T* Q,
                                                    const T* K, const T* V, int ld, const T* u, T* T1, T* O) {
#ifdef AF_ATT_LANES
  if (H == 8 * heads)
    lanes_forward<T, 8>(team, M, H, heads, Q, K, V, ld, u, T1, O);
  else
    lanes_forward<T, 0>(team, M, H, heads, Q, K, V, ld, u, T1, O);
#else
  attention_rows_forward(team, M, H, heads, Q, K, V, ld, u, T1, O);
#endif
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_block_backward(const Member& team, int M, int H, int heads, const T* Q,
                                                     const T* K, const T* V, int ld, const T* u, const T* GO, T* T1,
                                                     T* T2,
                                                     T* A, T* B, T* D, T* GQ, T* GK, T* GV, T* gu) {
#ifdef AF_ATT_LANES
  (void)D;
  if (H == 8 * heads)
    lanes_backward<T, 8>(team, M, H, heads, Q, K, V, ld, u, GO, T1, T2, A, B, GQ, GK, GV, gu);
  else
    lanes_backward<T, 0>(team, M, H, heads, Q, K, V, ld, u, GO, T1, T2, A, B, GQ, GK, GV, gu);
#else
  attention_rows_backward(team, M, H, heads, Q, K, V, ld, u, GO, T1, T2, A, B, D, GQ, GK, GV, gu);
#endif
}
// Where attention_block_forward leaves row r's feature c of O, and attention_block_backward
// those of GQ, GK, GV: r ldr + c ldc, transposed (H x Ms) on CPU builds, rows on GPU
// builds.
KOKKOS_INLINE_FUNCTION void attention_out_strides(int H, int Ms, int& ldr, int& ldc) {
#ifdef AF_ATT_LANES
  (void)H, ldr = 1, ldc = Ms;
#else
  (void)Ms, ldr = H, ldc = 1;
#endif
}

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
