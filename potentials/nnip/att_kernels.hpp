// Device-side building blocks of the attention model: GELU, RMSNorm, affine maps and
// the feed-forward network with their reverses, the smooth cutoff, and the fused
// neighbor attention (forward and backward, FlashAttention-2 style) over one atom's
// edges staged in team scratch. Header-only so kernels inline them; every reverse_X
// accumulates (+=) into the gradient of its input.
#pragma once
#include "potentials/nnip/att_layout.hpp"
#include "potentials/nnip/eq_kernels.hpp"

namespace af::nnip::kernels {

KOKKOS_INLINE_FUNCTION double m_tanh(double x) { return tanh(x); }
KOKKOS_INLINE_FUNCTION float m_tanh(float x) { return tanhf(x); }
KOKKOS_INLINE_FUNCTION double m_log(double x) { return log(x); }
KOKKOS_INLINE_FUNCTION float m_log(float x) { return logf(x); }

// exp for the attention kernels: libm's in double (the float64 path is checked against
// PyTorch to 1e-9); in float, Cephes' expf written inline (Cody-Waite reduction and a
// degree-6 polynomial, within 2 ulp of expf on [-87, 88]), so loops over it vectorise
// and it costs no call: libm's expf was 15% of a float32 energy+forces call.
KOKKOS_INLINE_FUNCTION double fast_exp(double x) { return exp(x); }
KOKKOS_INLINE_FUNCTION float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union {
    int i;
    float f;
  } scale;
  scale.i = (static_cast<int>(n) + 127) << 23;  // 2^n
  return p * scale.f;
}

constexpr double kRmsEps = 1e-6;  // aftrain/attention.py EPS_RMS
constexpr double kNoRow = 1e30;   // below any logit: the running maximum's start

// GELU, tanh form (torch approximate="tanh"), and its derivative, written with
// 0.5 (1 + tanh y) = sigmoid(2y): one exp instead of tanh (libm's tanhf goes through
// expm1f and cost twice as much here).
template <class T>
KOKKOS_INLINE_FUNCTION T gelu(T z) {
  const T c2 = 2 * 0.7978845608028654;
  return z / (T(1) + fast_exp(-c2 * (z + T(0.044715) * z * z * z)));
}
template <class T>
KOKKOS_INLINE_FUNCTION T gelu_grad(T z) {
  const T c2 = 2 * 0.7978845608028654;
  const T sg = T(1) / (T(1) + fast_exp(-c2 * (z + T(0.044715) * z * z * z)));
  return sg + z * sg * (T(1) - sg) * c2 * (T(1) + T(3 * 0.044715) * z * z);
}

// out = in W (+ b), W row-major (nin, nout); inner loops run over contiguous outputs
// (vectorised; no reductions). The shapes of the blocks' products (H x H, H x 2H,
// 2H x H for H = 16, 32, 64) run with sizes known at compile time, which lets the
// compiler keep the output row in registers (twice the throughput measured on AVX-512).
template <class T, int NIN, int NOUT>
KOKKOS_INLINE_FUNCTION void affine_fixed(const T* __restrict__ in, const T* __restrict__ W, const T* b,
                                         T* __restrict__ out) {
  T acc[NOUT];
  for (int o = 0; o < NOUT; ++o) acc[o] = b ? b[o] : T(0);
  for (int c = 0; c < NIN; ++c) {
    const T a = in[c];
    const T* w = W + c * NOUT;
    for (int o = 0; o < NOUT; ++o) acc[o] += a * w[o];
  }
  for (int o = 0; o < NOUT; ++o) out[o] = acc[o];
}
template <class T, int NIN, int NOUT>
KOKKOS_INLINE_FUNCTION void accumulate_fixed(const T* __restrict__ in, const T* __restrict__ W, T* __restrict__ out) {
  T acc[NOUT];
  for (int o = 0; o < NOUT; ++o) acc[o] = out[o];
  for (int c = 0; c < NIN; ++c) {
    const T a = in[c];
    const T* w = W + c * NOUT;
    for (int o = 0; o < NOUT; ++o) acc[o] += a * w[o];
  }
  for (int o = 0; o < NOUT; ++o) out[o] = acc[o];
}
// Runs CALL(NIN, NOUT) and returns when (ni, no) is a block shape for H = 16, 32, 64.
// A CPU optimisation: nvcc took six minutes per file on the nine unrolled shapes
// inlined at every call site, so GPU builds keep the generic loops (their speed there
// is still to be measured on a device).
#if defined(KOKKOS_ENABLE_CUDA) || defined(KOKKOS_ENABLE_HIP)
#define AF_ATT_FIXED_SHAPES(ni, no, CALL)
#else
#define AF_ATT_FIXED_SHAPES(ni, no, CALL)                        \
  if ((ni) == (no)) {                                            \
    if ((ni) == 32) { CALL(32, 32); return; }                    \
    if ((ni) == 16) { CALL(16, 16); return; }                    \
    if ((ni) == 64) { CALL(64, 64); return; }                    \
  } else if ((no) == 2 * (ni)) {                                 \
    if ((ni) == 32) { CALL(32, 64); return; }                    \
    if ((ni) == 16) { CALL(16, 32); return; }                    \
    if ((ni) == 64) { CALL(64, 128); return; }                   \
  } else if ((ni) == 2 * (no)) {                                 \
    if ((no) == 32) { CALL(64, 32); return; }                    \
    if ((no) == 16) { CALL(32, 16); return; }                    \
    if ((no) == 64) { CALL(128, 64); return; }                   \
  }
#endif

template <class T>
KOKKOS_INLINE_FUNCTION void affine(const T* __restrict__ in, int nin, const T* __restrict__ W, const T* b, int nout,
                                   T* __restrict__ out) {
#define AF_CALL(A, B) affine_fixed<T, A, B>(in, W, b, out)
  AF_ATT_FIXED_SHAPES(nin, nout, AF_CALL)
#undef AF_CALL
  for (int o = 0; o < nout; ++o) out[o] = b ? b[o] : T(0);
  for (int c = 0; c < nin; ++c) {
    const T a = in[c];
    const T* w = W + c * nout;
    for (int o = 0; o < nout; ++o) out[o] += a * w[o];
  }
}
// gin += gout W^T. The model stores every matrix followed by its transpose (nout, nin),
// so this too is a sum of contiguous rows rather than of dot products, which compilers
// do not vectorise without reassociating.
template <class T>
KOKKOS_INLINE_FUNCTION void reverse_affine(const T* __restrict__ gout, int nout, const T* __restrict__ W, int nin,
                                           T* __restrict__ gin) {
  const T* WT = W + nin * nout;
#define AF_CALL(A, B) accumulate_fixed<T, A, B>(gout, WT, gin)
  AF_ATT_FIXED_SHAPES(nout, nin, AF_CALL)  // the transpose maps nout values to nin
#undef AF_CALL
  for (int o = 0; o < nout; ++o) {
    const T a = gout[o];
    const T* w = WT + o * nin;
    for (int c = 0; c < nin; ++c) gin[c] += a * w[c];
  }
}

#undef AF_ATT_FIXED_SHAPES

// y = z / rms(z) * g.
template <class T>
KOKKOS_INLINE_FUNCTION void rms_norm(const T* z, const T* g, int n, T* y) {
  T s = 0;
  for (int c = 0; c < n; ++c) s += z[c] * z[c];
  const T r = T(1) / m_sqrt(s / T(n) + T(kRmsEps));
  for (int c = 0; c < n; ++c) y[c] = z[c] * r * g[c];
}
template <class T>
KOKKOS_INLINE_FUNCTION void reverse_rms_norm(const T* z, const T* g, int n, const T* gy, T* gz) {
  T s = 0, zg = 0;
  for (int c = 0; c < n; ++c) {
    s += z[c] * z[c];
    zg += gy[c] * g[c] * z[c];
  }
  const T r = T(1) / m_sqrt(s / T(n) + T(kRmsEps));
  const T k = r * r * r * zg / T(n);
  for (int c = 0; c < n; ++c) gz[c] += r * g[c] * gy[c] - k * z[c];
}

// Pre-norm feed-forward residual: z += GELU(rms(z; g) W1 + b1) W2 + b2 (H -> 2H -> H).
// The hidden pre-activation (2H) goes to pre_out when given (kept for the reverse).
template <class T>
KOKKOS_INLINE_FUNCTION void ffn_residual(const T* p, int H, int g, int w1, int b1, int w2, int b2, T* z,
                                         T* pre_out = nullptr) {
  T zn[kAttMaxH] = {}, a[2 * kAttMaxH], y[kAttMaxH];  // = {}: GCC cannot see rms_norm fill n <= kAttMaxH
  rms_norm(z, p + g, H, zn);
  affine(zn, H, p + w1, p + b1, 2 * H, a);
  if (pre_out)
    for (int o = 0; o < 2 * H; ++o) pre_out[o] = a[o];
  for (int o = 0; o < 2 * H; ++o) a[o] = gelu(a[o]);
  affine(a, 2 * H, p + w2, p + b2, H, y);
  for (int c = 0; c < H; ++c) z[c] += y[c];
}
// gz += (d out / d z)^T gout for out = z + FFN(z) (the identity included), the hidden
// pre-activation given (saved by ffn_residual) or, when null, recomputed.
template <class T>
KOKKOS_INLINE_FUNCTION void reverse_ffn_residual(const T* p, int H, int g, int w1, int b1, int w2, const T* z,
                                                 const T* gout, T* gz, const T* saved_pre = nullptr) {
  T pre_buf[2 * kAttMaxH], ga[2 * kAttMaxH], gzn[kAttMaxH];
  const T* pre = saved_pre;
  if (!pre) {
    T zn[kAttMaxH] = {};
    rms_norm(z, p + g, H, zn);
    affine(zn, H, p + w1, p + b1, 2 * H, pre_buf);
    pre = pre_buf;
  }
  for (int o = 0; o < 2 * H; ++o) ga[o] = 0;
  reverse_affine(gout, H, p + w2, 2 * H, ga);
  for (int o = 0; o < 2 * H; ++o) ga[o] *= gelu_grad(pre[o]);
  for (int c = 0; c < H; ++c) gzn[c] = 0;
  reverse_affine(ga, 2 * H, p + w1, H, gzn);
  reverse_rms_norm(z, p + g, H, gzn, gz);
  for (int c = 0; c < H; ++c) gz[c] += gout[c];
}

// The Gaussians g_k(d) (NG) and the BOO radial weights R_c = u sum_k g_k W_b[k, c] (CB).
template <class T>
KOKKOS_INLINE_FUNCTION void gaussians(const AttLayout& L, T d, T* g) {
  const T inv = T(1) / T(L.sigma);
  for (int k = 0; k < L.NG; ++k) {
    const T t = (d - T(k) * T(L.sigma)) * inv;  // centres k r_c / (NG - 1) = k sigma
    g[k] = fast_exp(T(-0.5) * t * t);
  }
}

// dE/dd from dE/dg_k (gg) and the Gaussians' values g.
template <class T>
KOKKOS_INLINE_FUNCTION T gaussians_reverse(const AttLayout& L, T d, const T* g, const T* gg) {
  const T inv2 = T(1) / (T(L.sigma) * T(L.sigma));
  T s = 0;
  for (int k = 0; k < L.NG; ++k) s -= gg[k] * g[k] * (d - T(k) * T(L.sigma)) * inv2;
  return s;
}

// Q[c][lm] = sum over edges e in [e0, e1) of u R_c Y_lm (one atom's BOO sums, before
// the 1/avg), R_c = sum_k g_k W_b[k, c].
template <class T, class Vec>
KOKKOS_INLINE_FUNCTION void boo_sums(const AttLayout& L, const T* p, const Vec& vec, int e0, int e1,
                                     T Q[kAttMaxBooC][16]) {
  for (int c = 0; c < L.CB; ++c)
    for (int q = 0; q < 16; ++q) Q[c][q] = 0;
  for (int e = e0; e < e1; ++e) {
    const double dd = sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2));
    T u, du, Y[16], g[kAttMaxGauss], R[kAttMaxBooC];
    envelope(T(dd), T(L.rc), L.p_env, u, du);
    spherical_harmonics_l3(T(vec(e, 0) / dd), T(vec(e, 1) / dd), T(vec(e, 2) / dd), Y);
    gaussians(L, T(dd), g);
    affine(g, L.NG, p + L.w_b, static_cast<const T*>(nullptr), L.CB, R);
    for (int c = 0; c < L.CB; ++c)
      for (int q = 0; q < L.LB * L.LB; ++q) Q[c][q] += u * R[c] * Y[q];
  }
}

// The edge input z = [GELU(g W_d + b_d), a_j, a_i, boo_j, boo_i] W_in + b_in splits into
// a per-edge product and two per-atom ones, formed once per atom (edge_input_sides):
// z = GELU(pre) W_in[0:H] + S_j + T_i, with S_j = [a_j, boo_j] W_in[sender rows] and
// T_i = [a_i, boo_i] W_in[receiver rows] + b_in. Same sums, a fifth of the per-edge work.
template <class T>
KOKKOS_INLINE_FUNCTION void edge_input_sides(const AttLayout& L, const T* p, int s, const T* boo, T* S, T* Tr) {
  const int H = L.H;
  const T* W = p + L.w_in;
  affine(p + L.w_emb + s * H, H, W + H * H, static_cast<const T*>(nullptr), H, S);
  affine(p + L.w_emb + s * H, H, W + 2 * H * H, p + L.b_in, H, Tr);
  for (int q = 0; q < L.NBOO; ++q) {
    const T* ws = W + (3 * H + q) * H;
    const T* wt = W + (3 * H + L.NBOO + q) * H;
    for (int o = 0; o < H; ++o) {
      S[o] += boo[q] * ws[o];
      Tr[o] += boo[q] * wt[o];
    }
  }
}

// The per-edge part: Gaussians g (NG), the distance projection's pre-activation pre (H)
// and z = GELU(pre) W_in[0:H] + S_j + T_i (H).
template <class T, class Side>
KOKKOS_INLINE_FUNCTION void edge_input(const AttLayout& L, const T* p, T d, const Side& side, int i, int j, T* g,
                                       T* pre, T* z) {
  T a[kAttMaxH] = {};
  gaussians(L, d, g);
  affine(g, L.NG, p + L.w_d, p + L.b_d, L.H, pre);
  for (int c = 0; c < L.H; ++c) a[c] = gelu(pre[c]);
  affine(a, L.H, p + L.w_in, static_cast<const T*>(nullptr), L.H, z);
  for (int c = 0; c < L.H; ++c) z[c] += side(j, c) + side(i, L.H + c);
}

// Fused neighbor attention of one atom, a team over its M edges. Rows of Q, K, V, O
// (M x H, scratch) are the edges; head h owns columns [h dh, (h+1) dh). Keys are
// weighted by u: P_jk = u_k exp(s_jk) / sum_k' u_k' exp(s_jk'), s = q.k / sqrt(dh).
// Online softmax over chunks of kAttChunk keys (FlashAttention-2's key blocks), so no
// M x M matrix exists; stat (M x 2 heads) keeps each row's running maximum m and sum
// l = sum_k u_k exp(s_jk - m) for the backward pass, which recomputes
// P = u exp(s - m) / l exactly as the forward pass formed it (a single log-sum-exp
// would lose the last digits of P = 1 for a lone key, which dE/du of a key with tiny u
// magnifies by 1/u). The kernels also read K (and the backward V) transposed, KT[c M + k]
// (transpose_rows), so a query's logits over a chunk of keys are one vector operation
// per feature, as are the exps that follow.
constexpr int kAttChunk = 16;

template <class T, class Member>
KOKKOS_INLINE_FUNCTION void transpose_rows(const Member& team, int M, int H, const T* A, T* AT) {
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, H), [&](const int c) {
    for (int k = 0; k < M; ++k) AT[c * M + k] = A[k * H + c];
  });
}

// s[t] = q . k_{k0+t} for t < n, the keys' columns of one head read from kt (= KT + h dh M).
template <class T>
KOKKOS_INLINE_FUNCTION void head_logits(const T* q, const T* kt, int dh, int M, int k0, int n, T sc, T* s) {
  for (int t = 0; t < n; ++t) s[t] = 0;
  for (int c = 0; c < dh; ++c) {
    const T qc = q[c];
    const T* col = kt + c * M + k0;
    for (int t = 0; t < n; ++t) s[t] += qc * col[t];
  }
  for (int t = 0; t < n; ++t) s[t] *= sc;
}

template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_forward_dh(const Member& team, int M, int H, int heads, const T* Q, const T* KT,
                                                    const T* V, const T* u, T* O, T* stat) {
  const int dh = DH > 0 ? DH : H / heads;
  const T sc = T(1) / m_sqrt(T(dh));
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      const T* q = Q + j * H + h * dh;
      T acc[kAttMaxH];
      for (int c = 0; c < dh; ++c) acc[c] = 0;
      T mx = -T(kNoRow), l = 0;
      for (int k0 = 0; k0 < M; k0 += kAttChunk) {
        const int n = M - k0 < kAttChunk ? M - k0 : kAttChunk;
        T s[kAttChunk], w[kAttChunk];
        head_logits(q, KT + h * dh * M, dh, M, k0, n, sc, s);
        T cm = mx;
        for (int t = 0; t < n; ++t)
          if (u[k0 + t] > T(0) && s[t] > cm) cm = s[t];
        if (cm > mx) {  // rescale what has accumulated to the new maximum
          const T corr = fast_exp(mx - cm);
          l *= corr;
          for (int c = 0; c < dh; ++c) acc[c] *= corr;
          mx = cm;
        }
        for (int t = 0; t < n; ++t) w[t] = u[k0 + t] > T(0) ? u[k0 + t] * fast_exp(s[t] - mx) : T(0);
        for (int t = 0; t < n; ++t) {
          l += w[t];
          const T* vv = V + (k0 + t) * H + h * dh;
          for (int c = 0; c < dh; ++c) acc[c] += w[t] * vv[c];
        }
      }
      T* o = O + j * H + h * dh;
      const T inv = l > T(0) ? T(1) / l : T(0);
      for (int c = 0; c < dh; ++c) o[c] = acc[c] * inv;
      stat[2 * (j * heads + h)] = mx;
      stat[2 * (j * heads + h) + 1] = l;
    }
  });
}

// The weights of one atom's rows without u, Wt[(j heads + h) M + k] = exp(s_jk - m) / l
// (so P_jk = u_k Wt), recomputed from the forward statistics: one exp per entry, shared
// by every backward pass. A per-team M x M tile, never an N x M x M array.
template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_weights_dh(const Member& team, int M, int H, int heads, const T* Q, const T* KT,
                                                    const T* stat, T* Wt) {
  const int dh = DH > 0 ? DH : H / heads;
  const T sc = T(1) / m_sqrt(T(dh));
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      const T* st = stat + 2 * (j * heads + h);
      T* w = Wt + (j * heads + h) * M;
      if (!(st[1] > T(0))) {
        for (int k = 0; k < M; ++k) w[k] = 0;
        continue;
      }
      head_logits(Q + j * H + h * dh, KT + h * dh * M, dh, M, 0, M, sc, w);
      const T m = st[0], inv = T(1) / st[1];
      for (int k = 0; k < M; ++k) w[k] = fast_exp(w[k] - m) * inv;  // vectorised
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
// gradients with vector operations over the keys; the per-key scalar work of the
// key-major order was the model's largest single cost there.
template <class T, int DH, class Member>
KOKKOS_INLINE_FUNCTION void attention_backward_dh(const Member& team, int M, int H, int heads, const T* Q, const T* K,
                                                     T* KT, T* VT, const T* u, const T* Wt, const T* GO, T* D, T* DV,
                                                     T* GQ, T* GK, T* GV, T* gu) {
  const int dh = DH > 0 ? DH : H / heads;
  const T sc = T(1) / m_sqrt(T(dh));
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int j) {
    for (int h = 0; h < heads; ++h) {
      const T* go = GO + j * H + h * dh;
      const T* w = Wt + (j * heads + h) * M;
      T* gq = GQ + j * H + h * dh;
      T* dv = DV + (j * heads + h) * M;
      head_logits(go, VT + h * dh * M, dh, M, 0, M, T(1), dv);  // dv_k = go . v_k
      T dsum = 0;
      for (int k = 0; k < M; ++k) dsum += u[k] * w[k] * dv[k];
      D[j * heads + h] = dsum;
      for (int c = 0; c < dh; ++c) gq[c] = 0;
      for (int k = 0; k < M; ++k) {
        const T gs = u[k] * w[k] * (dv[k] - dsum) * sc;
        const T* kk = K + k * H + h * dh;
        for (int c = 0; c < dh; ++c) gq[c] += gs * kk[c];
      }
    }
  });
  team.team_barrier();
#if defined(KOKKOS_ENABLE_CUDA) || defined(KOKKOS_ENABLE_HIP)
  (void)KT;
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int k) {
    T guk = 0;
    for (int c = 0; c < H; ++c) GK[k * H + c] = GV[k * H + c] = 0;
    for (int h = 0; h < heads; ++h) {
      T* gk = GK + k * H + h * dh;
      T* gv = GV + k * H + h * dh;
      for (int j = 0; j < M; ++j) {
        const T* q = Q + j * H + h * dh;
        const T* go = GO + j * H + h * dh;
        const T dv = DV[(j * heads + h) * M + k];
        const T w = Wt[(j * heads + h) * M + k], p = u[k] * w;
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
  T* GVT = KT;  // dE/dV and dE/dK transposed (H x M), in the spent K^T and V^T
  T* GKT = VT;
  Kokkos::single(Kokkos::PerTeam(team), [&]() {
    for (int q = 0; q < H * M; ++q) GVT[q] = GKT[q] = 0;
    T p[kAttMaxNeighbors], pr[kAttMaxNeighbors];
    for (int j = 0; j < M; ++j)
      for (int h = 0; h < heads; ++h) {
        const T* w = Wt + (j * heads + h) * M;
        const T* dv = DV + (j * heads + h) * M;
        const T Dj = D[j * heads + h];
        for (int k = 0; k < M; ++k) {
          const T r = dv[k] - Dj;
          p[k] = u[k] * w[k];
          pr[k] = p[k] * r * sc;
          gu[k] += w[k] * r;
        }
        for (int c = 0; c < dh; ++c) {
          const T goc = GO[j * H + h * dh + c], qc = Q[j * H + h * dh + c];
          T* gvt = GVT + (h * dh + c) * M;
          T* gkt = GKT + (h * dh + c) * M;
          for (int k = 0; k < M; ++k) {
            gvt[k] += p[k] * goc;
            gkt[k] += pr[k] * qc;
          }
        }
      }
  });
  team.team_barrier();
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, M), [&](const int k) {
    for (int c = 0; c < H; ++c) {
      GV[k * H + c] = GVT[c * M + k];
      GK[k * H + c] = GKT[c * M + k];
    }
  });
#endif
}

// The three kernels with the head width dh = H / heads known at compile time where it is
// 8 (CPU builds), the generic loops otherwise.
#if defined(KOKKOS_ENABLE_CUDA) || defined(KOKKOS_ENABLE_HIP)
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
                                              const T* V, const T* u, T* O, T* stat) {
  AF_ATT_DH_DISPATCH(attention_forward_dh, team, M, H, heads, Q, KT, V, u, O, stat);
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_weights(const Member& team, int M, int H, int heads, const T* Q, const T* KT,
                                              const T* stat, T* Wt) {
  AF_ATT_DH_DISPATCH(attention_weights_dh, team, M, H, heads, Q, KT, stat, Wt);
}
template <class T, class Member>
KOKKOS_INLINE_FUNCTION void attention_backward(const Member& team, int M, int H, int heads, const T* Q, const T* K,
                                               T* KT, T* VT, const T* u, const T* Wt, const T* GO, T* D, T* DV,
                                               T* GQ, T* GK, T* GV, T* gu) {
  AF_ATT_DH_DISPATCH(attention_backward_dh, team, M, H, heads, Q, K, KT, VT, u, Wt, GO, D, DV, GQ, GK, GV, gu);
}
#undef AF_ATT_DH_DISPATCH

}  // namespace af::nnip::kernels
