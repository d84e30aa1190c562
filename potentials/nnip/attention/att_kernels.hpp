// Device-side building blocks of the attention model: GELU, RMSNorm, affine maps and
// the feed-forward network with their reverses, Gaussians, order parameters and the edge
// input (the fused neighbor attention itself is in att_lanes.hpp and att_fused.hpp). Header-only so
// kernels inline them; every reverse_X accumulates (+=) into the gradient of its input.
#pragma once
#include <type_traits>

#include "atomforge/potentials/nnip/attention/att_layout.hpp"
#include "atomforge/potentials/nnip/backend.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/host/lanes.hpp"

// Short fixed-length loops (a chunk of keys, eight outputs) carry AF_SIMD (backend.hpp).

namespace af::nnip::kernels {
inline namespace AF_ATT_NS {  // backend.hpp: one back end per object file

#ifdef AF_ATT_LANE_VECTORS
using namespace host;  // NOLINT: the host back end's vector values (host/lanes.hpp)
#endif

KOKKOS_INLINE_FUNCTION double m_tanh(double x) { return tanh(x); }
KOKKOS_INLINE_FUNCTION float m_tanh(float x) { return tanhf(x); }
KOKKOS_INLINE_FUNCTION double m_log(double x) { return log(x); }
KOKKOS_INLINE_FUNCTION float m_log(float x) { return logf(x); }

// exp for the attention kernels: libm's in double (the float64 path is checked against
// PyTorch to 1e-9); in float, Cephes' expf written inline (Cody-Waite reduction and a
// degree-6 polynomial, within 2 ulp of expf on [-87, 88]), so loops over it vectorise
// and it costs no call. Below -87 it returns 0 rather than a subnormal: subnormal floats
// take microcode assists on x86 (docs/perf/attention_cpu.md has the figures).
KOKKOS_FORCEINLINE_FUNCTION double fast_exp(double x) { return exp(x); }
KOKKOS_FORCEINLINE_FUNCTION float fast_exp(float x) {
  const bool under = x < -87.0f;
  x = under ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  // x - n ln2 in two parts as FMAs: -fassociative-math (CMakeLists.txt) would fold
  // written-out parts into one rounded constant (3.7e-6 relative error instead of 8e-8).
  const float r = fmaf(n, 2.12194440e-4f, fmaf(n, -0.693359375f, x));
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
  return under ? 0.0f : p * scale.f;
}


constexpr double kRmsEps = 1e-6;  // aftrain/attention.py EPS_RMS
constexpr double kNoRow = 1e30;   // below any logit: the running maximum's start

// GELU, tanh form (torch approximate="tanh"), and its derivative, written with
// 0.5 (1 + tanh y) = sigmoid(2y): one exp instead of tanh (libm's tanhf goes through
// expm1f and cost twice as much here).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T gelu(T z) {
  const T c2 = 2 * 0.7978845608028654;
  return z / (T(1) + fast_exp(-c2 * (z + T(0.044715) * z * z * z)));
}
// GELU'(z) given sg = sigmoid(2y) at z.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T gelu_grad_sg(T z, T sg) {
  const T c2 = 2 * 0.7978845608028654;
  return sg + z * sg * (T(1) - sg) * c2 * (T(1) + T(3 * 0.044715) * z * z);
}
// Zero where 1 / (1 + e^a) would be subnormal (a > 87 in float; see fast_exp).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T gelu_sigmoid(T z) {
  const T c2 = 2 * 0.7978845608028654, a = -c2 * (z + T(0.044715) * z * z * z);
  return a > T(sizeof(T) == 4 ? 87 : 708) ? T(0) : T(1) / (T(1) + fast_exp(a));
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T gelu_grad(T z) {
  return gelu_grad_sg(z, gelu_sigmoid(z));
}
// GELU and its derivative from one exp.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void gelu_with_grad(T z, T& y, T& dy) {
  const T sg = gelu_sigmoid(z);
  y = z * sg;
  dy = gelu_grad_sg(z, sg);
}

// y = GELU(z), dy = GELU'(z) over a row of n values (y may be z). Float rows of whole
// lane groups on CPUs as vector code: lv_exp and lv_recip (the loop over gelu_with_grad
// vectorised with fast_exp's 25 operations and a division per lane group).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void gelu_row_with_grad(const T* z, T* y, T* dy, int n) {
#ifdef AF_ATT_LANE_VECTORS
  if constexpr (std::is_same_v<T, float>) {
    if (n % kVecLanes == 0) {
      typedef LaneVec<float> V;
      const float c2 = 2 * 0.7978845608028654f;
      for (int c = 0; c < n; c += kVecLanes) {
        const V x = lv_load(z + c), x2 = x * x;
        const V a = -c2 * (x + 0.044715f * x2 * x);
        V sg = lv_recip(1.0f + lv_exp(a));
        sg = a > lv_splat(87.0f) ? V{} : sg;  // as gelu_sigmoid: no subnormals
        lv_store(y + c, x * sg);
        lv_store(dy + c, sg + x * sg * (1.0f - sg) * c2 * (1.0f + 3 * 0.044715f * x2));
      }
      return;
    }
  }
#endif
  for (int c = 0; c < n; ++c) gelu_with_grad(z[c], y[c], dy[c]);
}

// out = in W (+ b), W row-major (nin, nout); inner loops run over contiguous outputs
// (vectorised; no reductions). The shapes of the blocks' products (H x H, H x 2H,
// 2H x H for H = 16, 32, 64) run with sizes known at compile time, which lets the
// compiler keep the output row in registers.
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
// Runs CALL(NIN, NOUT) when (ni, no) is a block shape for H = 16, 32, 64 (CALL returns).
// A CPU optimisation: nvcc took six minutes per file on the nine unrolled shapes
// inlined at every call site, so GPU builds keep the generic loops (their speed there
// is still to be measured on a device).
#ifndef AF_ATT_HOST
#define AF_ATT_FIXED_SHAPES(ni, no, CALL)
#else
#define AF_ATT_FIXED_SHAPES(ni, no, CALL)                        \
  if ((ni) == (no)) {                                            \
    if ((ni) == 32) CALL(32, 32)                    \
    if ((ni) == 16) CALL(16, 16)                    \
    if ((ni) == 64) CALL(64, 64)                    \
  } else if ((no) == 2 * (ni)) {                                 \
    if ((ni) == 32) CALL(32, 64)                    \
    if ((ni) == 16) CALL(16, 32)                    \
    if ((ni) == 64) CALL(64, 128)                   \
  } else if ((ni) == 2 * (no)) {                                 \
    if ((no) == 32) CALL(64, 32)                    \
    if ((no) == 16) CALL(32, 16)                    \
    if ((no) == 64) CALL(128, 64)                   \
  }
#endif

template <class T>
KOKKOS_INLINE_FUNCTION void affine(const T* __restrict__ in, int nin, const T* __restrict__ W, const T* b, int nout,
                                   T* __restrict__ out) {
#define AF_CALL(A, B)                        \
  {                                          \
    affine_fixed<T, A, B>(in, W, b, out);    \
    return;                                  \
  }
  AF_ATT_FIXED_SHAPES(nin, nout, AF_CALL)
#undef AF_CALL
  // Other shapes (the BOO radial weights, NG x CB): eight outputs at a time in a register
  // (summing in out itself made each input row wait for the previous row's store).
  int o0 = 0;
  for (; o0 + 8 <= nout; o0 += 8) {
    T acc[8];
    for (int t = 0; t < 8; ++t) acc[t] = b ? b[o0 + t] : T(0);
    for (int c = 0; c < nin; ++c) {
      const T a = in[c];
      const T* w = W + c * nout + o0;
      AF_SIMD
      for (int t = 0; t < 8; ++t) acc[t] += a * w[t];
    }
    for (int t = 0; t < 8; ++t) out[o0 + t] = acc[t];
  }
  for (int o = o0; o < nout; ++o) out[o] = b ? b[o] : T(0);
  for (int c = 0; c < nin; ++c) {
    const T* w = W + c * nout;
    for (int o = o0; o < nout; ++o) out[o] += in[c] * w[o];
  }
}
// gin += gout W^T. The model stores every matrix followed by its transpose (nout, nin),
// so this too is a sum of contiguous rows rather than of dot products, which compilers
// do not vectorise without reassociating.
template <class T>
KOKKOS_INLINE_FUNCTION void reverse_affine(const T* __restrict__ gout, int nout, const T* __restrict__ W, int nin,
                                           T* __restrict__ gin) {
  const T* WT = W + nin * nout;
#define AF_CALL(A, B)                           \
  {                                             \
    accumulate_fixed<T, A, B>(gout, WT, gin);   \
    return;                                     \
  }
  AF_ATT_FIXED_SHAPES(nout, nin, AF_CALL)  // the transpose maps nout values to nin
#undef AF_CALL
  for (int o = 0; o < nout; ++o) {
    const T a = gout[o];
    const T* w = WT + o * nin;
    for (int c = 0; c < nin; ++c) gin[c] += a * w[c];
  }
}

// Products of a block of kRowBlock edge rows with one weight matrix: on CPUs built with
// GCC or Clang the four rows' accumulators are 512-bit vector registers (vector
// extensions), so each weight row is loaded once per four edges and feeds independent
// FMA chains (row by row, the products ran into their weight loads and FMA latency).
// GPU builds (a thread per row) and other shapes go row by row.
#ifdef AF_ATT_ROW_BLOCKS
constexpr int kRowBlock = 8;
#else
constexpr int kRowBlock = 1;
#endif

// Prefetch of rows [first, first + count) of a per-edge array (row-major View), for
// reading (RW = 0) or writing (RW = 1): the per-edge arrays come from memory and the
// hardware prefetcher leaves their first touches as demand misses. Team kernels prefetch
// the rows their atom reads, range kernels their next block or atom (what was measured,
// and what was slower: docs/perf/attention_cpu.md). No-op in GPU builds.
template <int RW, class View>
KOKKOS_FORCEINLINE_FUNCTION void prefetch_rows(const View& v, int first, int count) {
#ifdef AF_ATT_ROW_BLOCKS
  host::prefetch_bytes<RW>(v.data() + std::size_t(first) * v.stride(0),
                           std::size_t(count) * v.stride(0) * sizeof(typename View::value_type));
#else
  (void)v, (void)first, (void)count;
#endif
}
// The same for the cache line holding column c of each row (a row's few values).
template <int RW, class View>
KOKKOS_FORCEINLINE_FUNCTION void prefetch_column(const View& v, int first, int count, int c) {
#ifdef AF_ATT_ROW_BLOCKS
  for (int r = first; r < first + count; ++r) host::prefetch_line<RW>(&v(r, c));
#else
  (void)v, (void)first, (void)count, (void)c;
#endif
}

#ifdef AF_ATT_ROW_BLOCKS
// Y[r] += X[r] W for r < RB (W row-major NIN x NOUT; row strides ldx, ldy; X's entries
// in a row ldc apart: 1, or a transposed operand's column stride).
template <class T, int NIN, int NOUT, int RB>
inline void accumulate_row_block(const T* __restrict__ X, int ldx, int ldc, const T* __restrict__ W,
                                 T* __restrict__ Y, int ldy) {
  constexpr int L = 64 / static_cast<int>(sizeof(T)), V = NOUT / L;
  typedef T Vec __attribute__((vector_size(64)));
  Vec acc[RB][V];
  for (int r = 0; r < RB; ++r)
    for (int v = 0; v < V; ++v) __builtin_memcpy(&acc[r][v], Y + r * ldy + v * L, 64);
  for (int c = 0; c < NIN; ++c) {
    Vec w[V];
    for (int v = 0; v < V; ++v) __builtin_memcpy(&w[v], W + c * NOUT + v * L, 64);
    for (int r = 0; r < RB; ++r) {
      const T a = X[r * ldx + c * ldc];
      for (int v = 0; v < V; ++v) acc[r][v] += a * w[v];
    }
  }
  for (int r = 0; r < RB; ++r)
    for (int v = 0; v < V; ++v) __builtin_memcpy(Y + r * ldy + v * L, &acc[r][v], 64);
}
// Y[r] += X[r] W for r < R <= kRowBlock: blocks of as many rows as keep the accumulators
// within 16 of the 32 vector registers (eight 32-wide float rows: per weight row 2 loads
// and 8 broadcasts feed 16 FMAs; four rows fed 8 with 6), then blocks of four, then rows.
template <class T, int NIN, int NOUT>
inline void accumulate_rows(int R, const T* __restrict__ X, int ldx, int ldc, const T* __restrict__ W,
                            T* __restrict__ Y, int ldy) {
  constexpr int L = 64 / static_cast<int>(sizeof(T)), V = NOUT / L;
  static_assert(NOUT % L == 0, "the block shapes' outputs fill whole 512-bit vectors");
  int r = 0;
  if constexpr (V <= 4) {
    constexpr int RB = kRowBlock * V <= 16 ? kRowBlock : 16 / V;
    for (; r + RB <= R; r += RB)
      accumulate_row_block<T, NIN, NOUT, RB>(X + r * ldx, ldx, ldc, W, Y + r * ldy, ldy);
    if constexpr (RB > 4)
      for (; r + 4 <= R; r += 4) accumulate_row_block<T, NIN, NOUT, 4>(X + r * ldx, ldx, ldc, W, Y + r * ldy, ldy);
  }
  for (; r < R; ++r) accumulate_row_block<T, NIN, NOUT, 1>(X + r * ldx, ldx, ldc, W, Y + r * ldy, ldy);
}
// Runs accumulate_rows for the block shapes; false for any other shape.
template <class T>
inline bool accumulate_rows_fixed(int R, const T* X, int ldx, int ldc, const T* W, int nin, int nout, T* Y,
                                  int ldy) {
#define AF_CALL(A, B)                                     \
  {                                                       \
    accumulate_rows<T, A, B>(R, X, ldx, ldc, W, Y, ldy);  \
    return true;                                          \
  }
  AF_ATT_FIXED_SHAPES(nin, nout, AF_CALL)
#undef AF_CALL
  return false;
}
#endif
#undef AF_ATT_FIXED_SHAPES

// Y[r] = X[r] W + b for rows r < R (R <= kRowBlock; X has nin values per row, ldc apart,
// Y nout).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void rows_affine(const T* X, int ldx, int R, int nin, const T* W, const T* b, int nout, T* Y,
                                             int ldy, int ldc = 1) {
#ifdef AF_ATT_ROW_BLOCKS
  if (R > 1 || ldc != 1) {
    for (int r = 0; r < R; ++r)
      for (int o = 0; o < nout; ++o) Y[r * ldy + o] = b ? b[o] : T(0);
    if (accumulate_rows_fixed(R, X, ldx, ldc, W, nin, nout, Y, ldy)) return;
  }
#endif
  for (int r = 0; r < R; ++r) {
    if (ldc == 1) {
      affine(X + r * ldx, nin, W, b, nout, Y + r * ldy);
    } else {
      T x[2 * kAttMaxH];
      for (int c = 0; c < nin; ++c) x[c] = X[r * ldx + c * ldc];
      affine(x, nin, W, b, nout, Y + r * ldy);
    }
  }
}
// Y[r] += G[r] W^T for rows r < R (G has nout values per row, ldc apart, Y nin; W
// followed by its transpose, as for reverse_affine).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void rows_reverse_affine(const T* G, int ldg, int R, int nout, const T* W, int nin, T* Y,
                                                     int ldy, int ldc = 1) {
#ifdef AF_ATT_ROW_BLOCKS
  if ((R > 1 || ldc != 1) && accumulate_rows_fixed(R, G, ldg, ldc, W + nin * nout, nout, nin, Y, ldy)) return;
#endif
  for (int r = 0; r < R; ++r) {
    if (ldc == 1) {
      reverse_affine(G + r * ldg, nout, W, nin, Y + r * ldy);
    } else {
      T g[2 * kAttMaxH];
      for (int o = 0; o < nout; ++o) g[o] = G[r * ldg + o * ldc];
      reverse_affine(g, nout, W, nin, Y + r * ldy);
    }
  }
}

// Sum and maximum of kSumLanes = 16 lanes by pairwise halving: vector operations with a
// short dependency chain where a running scalar would chain one add per key (compilers
// may not reorder a floating-point sum themselves). Rows reduced this way are
// consistent within each pass, which is what the backward pass needs (a lone key's P
// = u / u holds exactly in any order: every other term is zero).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T lane_sum(const T* x) {
  T a[8], b[4];
  AF_SIMD
  for (int t = 0; t < 8; ++t) a[t] = x[t] + x[t + 8];
  AF_SIMD
  for (int t = 0; t < 4; ++t) b[t] = a[t] + a[t + 4];
  return (b[0] + b[2]) + (b[1] + b[3]);
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T lane_max(const T* x) {
  T a[8], b[4];
  AF_SIMD
  for (int t = 0; t < 8; ++t) a[t] = x[t] > x[t + 8] ? x[t] : x[t + 8];
  AF_SIMD
  for (int t = 0; t < 4; ++t) b[t] = a[t] > a[t + 4] ? a[t] : a[t + 4];
  const T c0 = b[0] > b[2] ? b[0] : b[2], c1 = b[1] > b[3] ? b[1] : b[3];
  return c0 > c1 ? c0 : c1;
}
constexpr int kSumLanes = 16;

// a . b over n values: on CPUs in kSumLanes interleaved partial sums (vector FMAs) then
// lane_sum's tree where n is a multiple of 16. Written as one running sum, compilers keep
// its order: a chain of n dependent scalar adds, 128 cycles of latency per H = 32 row,
// in every RMSNorm (forward and reverse) and the other per-row dot products.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T dot(const T* a, const T* b, const T* w, int n) {  // sum a b w
#ifdef AF_ATT_HOST
  if (n > 0 && n % kSumLanes == 0) {  // whole vectors (n = 0 falls through: no terms)
    T part[kSumLanes];
    AF_SIMD
    for (int t = 0; t < kSumLanes; ++t) part[t] = a[t] * b[t] * (w ? w[t] : T(1));
    for (int c = kSumLanes; c < n; c += kSumLanes) {
      AF_SIMD
      for (int t = 0; t < kSumLanes; ++t) part[t] += a[c + t] * b[c + t] * (w ? w[c + t] : T(1));
    }
    return lane_sum(part);
  }
#endif
  T s = 0;
  for (int c = 0; c < n; ++c) s += a[c] * b[c] * (w ? w[c] : T(1));
  return s;
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T dot(const T* a, const T* b, int n) {
  return dot(a, b, static_cast<const T*>(nullptr), n);
}

// y = z / rms(z) * g.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void rms_norm(const T* z, const T* g, int n, T* y) {
  const T r = T(1) / m_sqrt(dot(z, z, n) / T(n) + T(kRmsEps));
  for (int c = 0; c < n; ++c) y[c] = z[c] * r * g[c];
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void reverse_rms_norm(const T* z, const T* g, int n, const T* gy, T* gz) {
  const T zg = dot(gy, g, z, n);
  const T r = T(1) / m_sqrt(dot(z, z, n) / T(n) + T(kRmsEps));
  const T k = r * r * r * zg / T(n);
  for (int c = 0; c < n; ++c) gz[c] += r * g[c] * gy[c] - k * z[c];
}

// Sets the first n columns of every row of a kRowBlock-row buffer to zero: rows past R
// then read as zero in the blocked products. (Written `= {}`, the whole kRowBlock x
// kAttMaxH buffer, 4 KB, was cleared with `rep stos` per block of rows.)
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void zero_rows(T (*x)[kAttMaxH], int n) {
#ifdef AF_ATT_ROW_BLOCKS
  if (!__builtin_constant_p(n)) n = kAttMaxH;  // a runtime width: the whole rows (GCC's
#else                                           // uninitialised-use analysis cannot follow it)
  n = kAttMaxH;  // GPU builds: as before (one row, H known only at run time)
#endif
  for (int r = 0; r < kRowBlock; ++r)
    for (int c = 0; c < n; ++c) x[r][c] = 0;
}

// Pre-norm feed-forward residual on R rows (R <= kRowBlock, row stride ldz):
// z += GELU(rms(z; g) W1 + b1) W2 + b2 (H -> 2H -> H), the products through rows_affine.
// GELU' at the hidden pre-activations (2H per row) goes to pre_out (row stride ldp) when
// given, for the reverse: formed with GELU from one exp, where the reverse recomputing
// it from the pre-activations took a second exp per entry.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void ffn_residual_rows(const T* p, int H, int g, int w1, int b1, int w2, int b2, int R, T* z,
                                              int ldz, T* pre_out = nullptr, int ldp = 0) {
  T zn[kRowBlock][kAttMaxH], a[kRowBlock][2 * kAttMaxH], y[kRowBlock][kAttMaxH];
  zero_rows(zn, H);
  for (int r = 0; r < R; ++r) rms_norm(z + r * ldz, p + g, H, zn[r]);
  rows_affine(zn[0], kAttMaxH, R, H, p + w1, p + b1, 2 * H, a[0], 2 * kAttMaxH);
  for (int r = 0; r < R; ++r) {
    if (pre_out) {  // GELU' of the hidden pre-activations, for the reverse (one exp for both)
      gelu_row_with_grad(a[r], a[r], pre_out + r * ldp, 2 * H);
    } else {
      for (int o = 0; o < 2 * H; ++o) a[r][o] = gelu(a[r][o]);
    }
  }
  rows_affine(a[0], 2 * kAttMaxH, R, 2 * H, p + w2, p + b2, H, y[0], kAttMaxH);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < H; ++c) z[r * ldz + c] += y[r][c];
}
// gz += (d out / d z)^T gout for out = z + FFN(z) (the identity included) on R <=
// kRowBlock rows together, given GELU' at the hidden pre-activations in pre (saved by
// ffn_residual_rows; row strides ldz, ldg, ldp; gz has kAttMaxH per row). The products go
// through rows_reverse_affine: row by row, the 32 x 32 and 64 x 32 products had two or
// four accumulators each and waited on FMA latency.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void reverse_ffn_residual_rows(const T* p, int H, int g, int w1, int w2, int R, const T* z,
                                                      int ldz, const T* gout, int ldg, const T* pre, int ldp,
                                                      T (*gz)[kAttMaxH]) {
  T ga[kRowBlock][2 * kAttMaxH], gzn[kRowBlock][kAttMaxH];
  for (int r = 0; r < kRowBlock; ++r) {
    for (int o = 0; o < 2 * H; ++o) ga[r][o] = 0;
    for (int c = 0; c < H; ++c) gzn[r][c] = 0;
  }
  rows_reverse_affine(gout, ldg, R, H, p + w2, 2 * H, ga[0], 2 * kAttMaxH);
  for (int r = 0; r < R; ++r)
    for (int o = 0; o < 2 * H; ++o) ga[r][o] *= pre[r * ldp + o];  // pre: GELU' (ffn_residual_rows)
  rows_reverse_affine(ga[0], 2 * kAttMaxH, R, 2 * H, p + w1, H, gzn[0], kAttMaxH);
  for (int r = 0; r < R; ++r) {
    reverse_rms_norm(z + r * ldz, p + g, H, gzn[r], gz[r]);
    for (int c = 0; c < H; ++c) gz[r][c] += gout[r * ldg + c];
  }
}

// The same for R rows, the pre-activations recomputed (the node FFN: nothing saved).
template <class T>
KOKKOS_INLINE_FUNCTION void reverse_ffn_residual(const T* p, int H, int g, int w1, int b1, int w2, int R, const T* z,
                                                 int ldz, const T* gout, int ldg, T (*gz)[kAttMaxH]) {
  T zn[kRowBlock][kAttMaxH] = {}, pre[kRowBlock][2 * kAttMaxH];  // = {}: GCC cannot see rms_norm fill H values
  for (int r = 0; r < R; ++r) rms_norm(z + r * ldz, p + g, H, zn[r]);
  rows_affine(zn[0], kAttMaxH, R, H, p + w1, p + b1, 2 * H, pre[0], 2 * kAttMaxH);
  for (int r = 0; r < R; ++r)
    for (int o = 0; o < 2 * H; ++o) pre[r][o] = gelu_grad(pre[r][o]);
  reverse_ffn_residual_rows(p, H, g, w1, w2, R, z, ldz, gout, ldg, pre[0], 2 * kAttMaxH, gz);
}

// The readout of one atom of species s from its node rows xs[0 .. B] (before the
// blocks and after each): E = scale_s GELU([x^0 .. x^B] W_h + b_h) . w_out + shift_s.
// With gr given, also dE/d[x^0 .. x^B] into gr ((B + 1) H values).
template <class T>
// seed: dE_total/dE_i, 1 for a contributing node and 0 for a ghost/padding copy.
KOKKOS_INLINE_FUNCTION T readout_atom(const AttLayout& L, const T* p, int s, const T* const* xs, T* gr, T seed = T(1)) {
  T a[kAttMaxH], t[kAttMaxH];
  for (int o = 0; o < L.H; ++o) a[o] = p[L.b_h + o];
  for (int b = 0; b <= L.blocks; ++b) {  // one block of W_h's rows at a time
    affine(xs[b], L.H, p + L.w_h + b * L.H * L.H, static_cast<const T*>(nullptr), L.H, t);
    for (int o = 0; o < L.H; ++o) a[o] += t[o];
  }
  T out = 0;
  for (int o = 0; o < L.H; ++o) out += gelu(a[o]) * p[L.w_out + o];
  const T sc = p[L.scale + s];
  if (gr) {
    const T sg = seed * sc;  // exactly sc for a contributing node
    for (int o = 0; o < L.H; ++o) a[o] = sg * p[L.w_out + o] * gelu_grad(a[o]);
    for (int q = 0; q < (L.blocks + 1) * L.H; ++q) gr[q] = 0;
    reverse_affine(a, L.H, p + L.w_h, (L.blocks + 1) * L.H, gr);
  }
  return sc * out + p[L.shift + s];
}

// The Gaussians g_k(d) and their derivatives dg_k/dd (NG each), centres k r_c / (NG - 1)
// = k sigma.
template <class T>
KOKKOS_INLINE_FUNCTION void gaussians(const AttLayout& L, T d, T* g, T* dg) {
  const T inv = T(1) / T(L.sigma);
  for (int k = 0; k < L.NG; ++k) {
    const T t = (d - T(k) * T(L.sigma)) * inv;
    g[k] = fast_exp(T(-0.5) * t * t);
    dg[k] = -g[k] * t * inv;
  }
}

// The BOO radial weights R_c = sum_k g_k W_b[k, c] and dR_c/dd (CB each).
template <class T>
KOKKOS_INLINE_FUNCTION void boo_radial(const AttLayout& L, const T* p, T d, T* R, T* dR) {
  T g[kAttMaxGauss], dg[kAttMaxGauss];
  gaussians(L, d, g, dg);
  const T* W = p + L.w_b;
  int c0 = 0;
  for (; c0 + 8 <= L.CB; c0 += 8) {  // both products in one pass: two independent chains
    T r[8] = {}, dr[8] = {};
    for (int k = 0; k < L.NG; ++k) {
      const T* w = W + k * L.CB + c0;
      AF_SIMD
      for (int t = 0; t < 8; ++t) {
        r[t] += g[k] * w[t];
        dr[t] += dg[k] * w[t];
      }
    }
    for (int t = 0; t < 8; ++t) {
      R[c0 + t] = r[t];
      dR[c0 + t] = dr[t];
    }
  }
  for (int c = c0; c < L.CB; ++c) {
    T r = 0, dr = 0;
    for (int k = 0; k < L.NG; ++k) {
      r += g[k] * W[k * L.CB + c];
      dr += dg[k] * W[k * L.CB + c];
    }
    R[c] = r;
    dR[c] = dr;
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

// The per-edge part for R <= kRowBlock edges: z = GELU(pre) W_in[0:H] + S_j + T_i (H)
// with pre = g W_d + b_d, and what its reverse needs, GELU'(pre) and dpre/dd (H each),
// so that the reverse pass forms no Gaussians: dE/dd = sum_c dE/da_c GELU'(pre_c)
// dpre_c/dd. Row r of `out` (stride ldo) receives [z, GELU'(pre), dpre/dd]; d, ri, sj
// give each edge's length, receiver and sender; H = L.H, passed so that a compile-time
// width reaches the loops. The rows go through the products together (rows_affine):
// edge by edge, each step waited on the previous one's chain.
template <class T, class Side>
KOKKOS_FORCEINLINE_FUNCTION void edge_input_rows(const AttLayout& L, const T* p, int H, int R, const T* d,
                                                 const int* ri, const int* sj, const Side& side, T* out, int ldo) {
  T g[kRowBlock][kAttMaxGauss], dg[kRowBlock][kAttMaxGauss], pre[kRowBlock][kAttMaxH], a[kRowBlock][kAttMaxH];
  zero_rows(a, H);
  for (int r = 0; r < R; ++r) gaussians(L, d[r], g[r], dg[r]);
  rows_affine(g[0], kAttMaxGauss, R, L.NG, p + L.w_d, p + L.b_d, H, pre[0], kAttMaxH);
  rows_affine(dg[0], kAttMaxGauss, R, L.NG, p + L.w_d, static_cast<const T*>(nullptr), H, out + 2 * H, ldo);
  for (int r = 0; r < R; ++r)
    gelu_row_with_grad(pre[r], a[r], out + r * ldo + H, H);
  rows_affine(a[0], kAttMaxH, R, H, p + L.w_in, static_cast<const T*>(nullptr), H, out, ldo);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < H; ++c) out[r * ldo + c] += side(sj[r], c) + side(ri[r], H + c);
}

}  // namespace AF_ATT_NS
}  // namespace af::nnip::kernels
