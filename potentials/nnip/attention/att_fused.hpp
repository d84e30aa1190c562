// The fused neighbor attention of the attention model (forward and backward,
// FlashAttention-2 style) over one atom's edges staged in team scratch, a thread per
// query: the row kernels that GPU builds run (CPU builds run att_lanes.hpp and test
// these beside it), with the key padding and lane reductions that also let CPU
// compilers vectorise them, and the shared pieces (transposes, lane sums). Header-only
// so the block kernels (attention.cpp, attention_reverse.cpp) inline it.
#pragma once
#include "atomforge/potentials/nnip/attention/att_kernels.hpp"

#include <type_traits>

namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

// Fused neighbor attention of one atom, a team over its M edges. Rows of Q, K, V, O
// (M x H, scratch) are the edges; head h owns columns [h dh, (h+1) dh). Keys are
// weighted by u: P_jk = u_k exp(s_jk) / sum_k' u_k' exp(s_jk'), s = q.k / sqrt(dh).
// Online softmax over chunks of kAttChunk keys (FlashAttention-2's key blocks), so no
// M x M matrix exists; the backward pass recomputes each row's weights
// (attention_weights). The kernels read K (and the backward V) transposed,
// KT[c Ms + k] (transpose_rows), so a query's logits over a chunk of keys are one vector
// operation per feature, as are the exps that follow.
constexpr int kAttChunk = 16;

// On CPUs the key dimension of KT, VT and the weight tiles is padded to whole chunks
// (key_stride), the padding zero and masked, so every loop over keys runs kAttChunk
// iterations known at compile time: one or two vector registers with no remainder code.
// GPUs keep the exact M (a thread per row; padding would only add work there).
#ifndef AF_ATT_HOST
constexpr bool kAttPadKeys = false;
#else
constexpr bool kAttPadKeys = true;
#endif
KOKKOS_INLINE_FUNCTION int key_stride(int M) {
  return kAttPadKeys ? (M + kAttChunk - 1) / kAttChunk * kAttChunk : M;
}

// Keys in the chunk from k0 of `total`: kAttChunk where keys are padded (known at compile time).
KOKKOS_INLINE_FUNCTION int chunk_len(int total, int k0) {
  return kAttPadKeys ? kAttChunk : (total - k0 < kAttChunk ? total - k0 : kAttChunk);
}

// AT[c Ms + k] = A[k lda + c] for c < H (Ms = key_stride(M); the padding columns set to zero).
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void transpose_rows(const Member& team, int M, int H, const T* A, T* AT, int lda) {
  const int Ms = key_stride(M);
#ifdef AF_ATT_TRANSPOSE16
  if constexpr (std::is_same_v<T, float>) {
    if (H % 16 == 0) {  // Ms is a multiple of 16 on CPUs
      const int cb = H / 16;
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, cb * (Ms / 16)), [&](const int b) {
        const int c0 = b % cb * 16, k0 = b / cb * 16;
        transpose16x16(A + k0 * lda + c0, lda, M - k0 < 16 ? M - k0 : 16, AT + c0 * Ms + k0, Ms);
      });
      return;
    }
  }
#endif
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, H), [&](const int c) {
    for (int k = 0; k < M; ++k) AT[c * Ms + k] = A[k * lda + c];
    for (int k = M; k < Ms; ++k) AT[c * Ms + k] = 0;
  });
}

// s[t] = q . k_{k0+t} for t < n, the keys' columns of one head read from kt (= KT + h dh Ms,
// row stride Ms).
template <class T>
KOKKOS_INLINE_FUNCTION void head_logits(const T* q, const T* kt, int dh, int Ms, int k0, int n, T sc, T* s) {
  AF_SIMD
  for (int t = 0; t < n; ++t) s[t] = 0;
  for (int c = 0; c < dh; ++c) {
    const T qc = q[c];
    const T* col = kt + c * Ms + k0;
    AF_SIMD
    for (int t = 0; t < n; ++t) s[t] += qc * col[t];
  }
  AF_SIMD
  for (int t = 0; t < n; ++t) s[t] *= sc;
}

// The keys' weights u padded with zeros to key_stride(M) (CPU builds; on GPUs u itself).
template <class T>
struct PaddedKeys {
  T buf[kAttPadKeys ? kAttMaxNeighbors + kAttChunk : 1];
  const T* ptr;
  KOKKOS_INLINE_FUNCTION PaddedKeys(const T* u, int M) {
    if (kAttPadKeys) {
      const int Ms = key_stride(M);
      for (int k = 0; k < M; ++k) buf[k] = u[k];
      for (int k = M; k < Ms; ++k) buf[k] = 0;
      ptr = buf;
    } else {
      ptr = u;
    }
  }
};

static_assert(kAttChunk == kSumLanes, "lane_sum and lane_max halve a chunk of keys");

// acc[c] += sum_{t < n} w[t] rows[t stride + c] for c < dh. On CPUs in four interleaved
// partial sums: one chain of n dependent FMAs on one register was the latency of both
// the forward output and dE/dQ (a GPU thread keeps one sum; registers are scarcer there).
constexpr int kAttParts = kAttPadKeys ? 4 : 1;
template <class T, int DH>
KOKKOS_INLINE_FUNCTION void weighted_rows(const T* w, const T* rows, int stride, int n, int dh, T* acc) {
  T part[kAttParts][DH > 0 ? DH : kAttMaxH];
  for (int r = 0; r < kAttParts; ++r)
    for (int c = 0; c < dh; ++c) part[r][c] = 0;
  int t = 0;
  for (; t + kAttParts <= n; t += kAttParts)
    for (int r = 0; r < kAttParts; ++r) {
      const T wt = w[t + r];
      const T* row = rows + (t + r) * stride;
      AF_SIMD
      for (int c = 0; c < dh; ++c) part[r][c] += wt * row[c];
    }
  for (; t < n; ++t) {
    const T wt = w[t];
    const T* row = rows + t * stride;
    AF_SIMD
    for (int c = 0; c < dh; ++c) part[0][c] += wt * row[c];
  }
  for (int r = 1; r < kAttParts; ++r)
    for (int c = 0; c < dh; ++c) part[0][c] += part[r][c];
  for (int c = 0; c < dh; ++c) acc[c] += part[0][c];
}

template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_forward_dh(const Member& team, int M, int H, int heads, const T* Q, const T* KT,
                                                    const T* V, int ld, const T* u_in, T* O) {
  const int dh = DH > 0 ? DH : H / heads, Ms = key_stride(M);
  const T sc = T(1) / m_sqrt(T(dh));
  const PaddedKeys<T> pk(u_in, M);
  const T* u = pk.ptr;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      const T* q = Q + j * ld + h * dh;
      T acc[DH > 0 ? DH : kAttMaxH];
      for (int c = 0; c < dh; ++c) acc[c] = 0;
      T mx = -T(kNoRow), l = 0;
      for (int k0 = 0; k0 < M; k0 += kAttChunk) {
        const int n = chunk_len(M, k0);
        T s[kAttChunk], w[kAttChunk];
        head_logits(q, KT + h * dh * Ms, dh, Ms, k0, n, sc, s);
        AF_SIMD
        for (int t = 0; t < kAttChunk; ++t) w[t] = t < n && u[k0 + t] > T(0) ? s[t] : -T(kNoRow);
        const T cm = lane_max(w);
        if (cm > mx) {  // rescale what has accumulated to the new maximum
          const T corr = fast_exp(mx - cm);
          l *= corr;
          for (int c = 0; c < dh; ++c) acc[c] *= corr;
          mx = cm;
        }
        AF_SIMD
        for (int t = 0; t < kAttChunk; ++t) w[t] = t < n && u[k0 + t] > T(0) ? u[k0 + t] * fast_exp(s[t] - mx) : T(0);
        l += lane_sum(w);
        const int nv = M - k0 < n ? M - k0 : n;  // V has M rows
        weighted_rows<T, DH>(w, V + k0 * ld + h * dh, ld, nv, dh, acc);
      }
      T* o = O + j * H + h * dh;
      const T inv = l > T(0) ? T(1) / l : T(0);
      for (int c = 0; c < dh; ++c) o[c] = acc[c] * inv;
    }
  });
}

// The weights of one atom's rows without u, Wt[(j heads + h) Ms + k] = exp(s_jk - m) / l
// (so P_jk = u_k Wt; zero in the padding), with the row's maximum m and sum
// l = sum_k u_k exp(s_jk - m) recomputed here from these same logits rather than read
// from the forward pass: a lone key's P = 1 must hold to the last digit within the
// backward pass (dE/du of a key with tiny u magnifies any slip by 1/u), and the forward
// kernel's logits may round differently (contraction into FMAs is the compiler's choice
// per loop). A per-team M x Ms tile, never an N x M x M array.
template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_weights_dh(const Member& team, int M, int H, int heads, const T* Q, int ld,
                                                    const T* KT, const T* u_in, T* Wt) {
  const int dh = DH > 0 ? DH : H / heads, Ms = key_stride(M);
  const T sc = T(1) / m_sqrt(T(dh));
  const PaddedKeys<T> pk(u_in, M);
  const T* u = pk.ptr;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      T* w = Wt + (j * heads + h) * Ms;
      T lane[kAttChunk];
      AF_SIMD
      for (int t = 0; t < kAttChunk; ++t) lane[t] = -T(kNoRow);
      for (int k0 = 0; k0 < Ms; k0 += kAttChunk) {
        const int n = chunk_len(Ms, k0);
        T s[kAttChunk];
        head_logits(Q + j * ld + h * dh, KT + h * dh * Ms, dh, Ms, k0, n, sc, s);
        AF_SIMD
        for (int t = 0; t < kAttChunk; ++t) {
          if (t < n) w[k0 + t] = s[t];
          lane[t] = t < n && u[k0 + t] > T(0) && s[t] > lane[t] ? s[t] : lane[t];
        }
      }
      const T m = lane_max(lane);
      if (!(m > -T(kNoRow))) {  // no key with u > 0: the row's output is zero
        for (int k = 0; k < Ms; ++k) w[k] = 0;
        continue;
      }
      AF_SIMD
      for (int t = 0; t < kAttChunk; ++t) lane[t] = 0;
      for (int k0 = 0; k0 < Ms; k0 += kAttChunk) {
        const int n = chunk_len(Ms, k0);
        AF_SIMD
        for (int t = 0; t < n; ++t) {
          w[k0 + t] = k0 + t < M ? fast_exp(w[k0 + t] - m) : T(0);  // vectorised
          lane[t] += u[k0 + t] * w[k0 + t];
        }
      }
      const T l = lane_sum(lane);
      const T inv = T(1) / l;
      for (int k = 0; k < Ms; ++k) w[k] *= inv;
    }
  });
}

// Backward of attention_forward from the weight tile: given GO = dE/dO, sets GQ, GK, GV
// (M x H) and adds dE/du_k to gu[k]. Two passes as FlashAttention-2: over queries
// (D_j = sum_k P_jk dv_jk with dv = go.v, then GQ) and, after a barrier, over keys (GK,
// GV, gu). D (M x heads, scratch) is summed explicitly rather than taken as go.o, which
// keeps dv - D exact where one key carries the row; DV (a tile like Wt) keeps
// dv = go_j.v_k from the first pass for the second. KT, VT are K, V transposed; the
// second pass overwrites both (scratch). The caller puts a barrier between
// attention_weights and this.
//
// The key pass, on GPUs a team thread per key (no races), runs on CPUs (one thread per
// team) over queries instead, so that each (query, head) updates all keys' transposed
// gradients with vector operations over the (padded) keys; the per-key scalar work of
// the key-major order was the model's largest single cost there.
template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_backward_dh(const Member& team, int M, int H, int heads, const T* Q, const T* K,
                                                     int ld, T* KT, T* VT, const T* u_in, const T* Wt, const T* GO,
                                                     T* D, T* DV, T* GQ, T* GK, T* GV, T* gu) {
  const int dh = DH > 0 ? DH : H / heads, Ms = key_stride(M);
  const T sc = T(1) / m_sqrt(T(dh));
  const PaddedKeys<T> pk(u_in, M);
  const T* u = pk.ptr;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      const T* go = GO + j * H + h * dh;
      const T* w = Wt + (j * heads + h) * Ms;
      T* dv = DV + (j * heads + h) * Ms;
      T lane[kAttChunk];
      AF_SIMD
      for (int t = 0; t < kAttChunk; ++t) lane[t] = 0;
      for (int k0 = 0; k0 < Ms; k0 += kAttChunk) {  // dv_k = go . v_k and D = sum_k P_k dv_k
        const int n = chunk_len(Ms, k0);
        T s[kAttChunk];
        head_logits(go, VT + h * dh * Ms, dh, Ms, k0, n, T(1), s);
        AF_SIMD
        for (int t = 0; t < n; ++t) {
          dv[k0 + t] = s[t];
          lane[t] += u[k0 + t] * w[k0 + t] * s[t];
        }
      }
      const T dsum = lane_sum(lane);
      D[j * heads + h] = dsum;
      T gq[DH > 0 ? DH : kAttMaxH], gs[kAttPadKeys ? kAttMaxNeighbors + kAttChunk : 1];
      for (int c = 0; c < dh; ++c) gq[c] = 0;
      if (kAttPadKeys) {
        AF_SIMD
        for (int k = 0; k < Ms; ++k) gs[k] = u[k] * w[k] * (dv[k] - dsum) * sc;
        weighted_rows<T, DH>(gs, K + h * dh, ld, M, dh, gq);
      } else {
        for (int k = 0; k < M; ++k) {
          const T g = u[k] * w[k] * (dv[k] - dsum) * sc;
          for (int c = 0; c < dh; ++c) gq[c] += g * K[k * ld + h * dh + c];
        }
      }
      for (int c = 0; c < dh; ++c) GQ[j * H + h * dh + c] = gq[c];
    }
  });
  team.team_barrier();
#ifndef AF_ATT_HOST
  (void)KT;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int k) {
    T guk = 0;
    for (int c = 0; c < H; ++c) GK[k * H + c] = GV[k * H + c] = 0;
    for (int h = 0; h < heads; ++h) {
      T* gk = GK + k * H + h * dh;
      T* gv = GV + k * H + h * dh;
      for (int j = 0; j < M; ++j) {
        const T* q = Q + j * ld + h * dh;
        const T* go = GO + j * H + h * dh;
        const T dv = DV[(j * heads + h) * Ms + k];
        const T w = Wt[(j * heads + h) * Ms + k], p = u[k] * w;
        const T r = dv - D[j * heads + h];
        for (int c = 0; c < dh; ++c) {
          gv[c] += p * go[c];
          gk[c] += p * r * sc * q[c];
        }
        guk += w * r;
      }
    }
    gu[k] += guk;
  });
#else
  T* GVT = KT;  // dE/dV and dE/dK transposed (H x Ms), in the spent K^T and V^T
  T* GKT = VT;
  Kokkos::single(Kokkos::PerTeam(team), [&]() {
    for (int q = 0; q < H * Ms; ++q) GVT[q] = GKT[q] = 0;
    T gul[kAttMaxNeighbors + kAttChunk];
    for (int k = 0; k < Ms; ++k) gul[k] = 0;
    for (int j = 0; j < M; ++j)
      for (int h = 0; h < heads; ++h) {
        const T* w = Wt + (j * heads + h) * Ms;
        const T* dv = DV + (j * heads + h) * Ms;
        const T Dj = D[j * heads + h];
        T go[DH > 0 ? DH : kAttMaxH], q[DH > 0 ? DH : kAttMaxH];
        for (int c = 0; c < dh; ++c) {
          go[c] = GO[j * H + h * dh + c];
          q[c] = Q[j * ld + h * dh + c];
        }
        for (int k0 = 0; k0 < Ms; k0 += kAttChunk) {
          T p[kAttChunk], pr[kAttChunk];
          AF_SIMD
          for (int t = 0; t < kAttChunk; ++t) {
            const T r = dv[k0 + t] - Dj;
            p[t] = u[k0 + t] * w[k0 + t];
            pr[t] = p[t] * r * sc;
            gul[k0 + t] += w[k0 + t] * r;
          }
          for (int c = 0; c < dh; ++c) {
            T* gvt = GVT + (h * dh + c) * Ms + k0;
            T* gkt = GKT + (h * dh + c) * Ms + k0;
            AF_SIMD
            for (int t = 0; t < kAttChunk; ++t) {
              gvt[t] += p[t] * go[c];
              gkt[t] += pr[t] * q[c];
            }
          }
        }
      }
    for (int k = 0; k < M; ++k) gu[k] += gul[k];
  });
  team.team_barrier();
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int k) {
    for (int c = 0; c < H; ++c) {
      GV[k * H + c] = GVT[c * Ms + k];
      GK[k * H + c] = GKT[c * Ms + k];
    }
  });
#endif
}

// The three kernels with the head width dh = H / heads known at compile time where it is
// 8 (CPU builds), the generic loops otherwise.
#ifndef AF_ATT_HOST
#define AF_ATT_DH_DISPATCH(FN, ...) FN<T, 0>(__VA_ARGS__)
#else
#define AF_ATT_DH_DISPATCH(FN, ...) \
  if (H == 8 * heads)               \
    FN<T, 8>(__VA_ARGS__);          \
  else                              \
    FN<T, 0>(__VA_ARGS__)
#endif
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_forward(const Member& team, int M, int H, int heads, const T* Q, const T* KT,
                                              const T* V, int ld, const T* u, T* O) {
  AF_ATT_DH_DISPATCH(attention_forward_dh, team, M, H, heads, Q, KT, V, ld, u, O);
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_weights(const Member& team, int M, int H, int heads, const T* Q, int ld,
                                              const T* KT, const T* u, T* Wt) {
  AF_ATT_DH_DISPATCH(attention_weights_dh, team, M, H, heads, Q, ld, KT, u, Wt);
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_backward(const Member& team, int M, int H, int heads, const T* Q, const T* K,
                                               int ld, T* KT, T* VT, const T* u, const T* Wt, const T* GO, T* D,
                                               T* DV, T* GQ, T* GK, T* GV, T* gu) {
  AF_ATT_DH_DISPATCH(attention_backward_dh, team, M, H, heads, Q, K, ld, KT, VT, u, Wt, GO, D, DV, GQ, GK, GV, gu);
}
#undef AF_ATT_DH_DISPATCH

// One atom's attention with the row kernels, transposes and barriers included (GPU
// builds; on CPUs the check tool runs them beside the lanes kernels): O from Q, K, V
// rows (row stride ld; O and the gradients have stride H; KT: H x Ms scratch) and the
// backward from GO (KT, VT: H x Ms; Wt, DV: heads x Ms x Ms tiles; D: Ms x heads).
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_rows_forward(const Member& team, int M, int H, int heads, const T* Q,
                                                   const T* K, const T* V, int ld, const T* u, T* KT, T* O) {
  transpose_rows(team, M, H, K, KT, ld);
  team.team_barrier();
  attention_forward(team, M, H, heads, Q, KT, V, ld, u, O);
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_rows_backward(const Member& team, int M, int H, int heads, const T* Q,
                                                    const T* K, const T* V, int ld, const T* u, const T* GO, T* KT,
                                                    T* VT, T* Wt, T* DV, T* D, T* GQ, T* GK, T* GV, T* gu) {
  transpose_rows(team, M, H, K, KT, ld);
  transpose_rows(team, M, H, V, VT, ld);
  team.team_barrier();
  attention_weights(team, M, H, heads, Q, ld, KT, u, Wt);
  team.team_barrier();
  attention_backward(team, M, H, heads, Q, K, ld, KT, VT, u, Wt, GO, D, DV, GQ, GK, GV, gu);
}

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
