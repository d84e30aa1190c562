// The exact radial MLP over a tile of edges (the exact path, radial: mlp): each layer a
// product [rows x K] x [K x N] over the tile, the forward-mode tangent dR/dd stacked
// under the values as more rows, so the reverse pass needs no MLP reverse. Weights are
// padded copies (N rounded up to kRadPad, the 1/sqrt(K) normalisation folded in). The
// host back end runs the products as register-blocked vector kernels (host/lanes.hpp);
// the portable one a row per team thread.
#pragma once
#include "atomforge/potentials/nnip/backend.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#if defined(AF_NNIP_VECTOR_EXT) && defined(AF_NNIP_HOST_BUILT)
#define AF_EQ_HOST_GEMM 1
#include "atomforge/potentials/nnip/host/lanes.hpp"
#endif

namespace af::nnip::kernels {

constexpr int kRadPad = 16;  // padded widths: whole 16-lane vectors
KOKKOS_INLINE_FUNCTION int rad_pad(int n) { return (n + kRadPad - 1) / kRadPad * kRadPad; }
// A tile's rows for ne edges: whole 4-row register blocks (gemm_block).
KOKKOS_INLINE_FUNCTION int tile_rows(int ne) { return (ne + 3) / 4 * 4; }

// Where block b's padded layers live in the padded weight View, and their widths.
struct RadialPadded {
  int off[kMaxBlocks][kMaxRadial] = {};
  int width = 0;  // the widest padded layer input (basis or hidden; the output has its own rows)
};

#ifdef AF_EQ_HOST_GEMM
// One 64-byte register of T (16 floats, 8 doubles: host/lanes.hpp's 16-lane doubles
// would span two registers, which GCC spilled to the stack here).
template <class T>
struct RegOf {
  typedef T type __attribute__((vector_size(64)));
  static constexpr int lanes = 64 / sizeof(T);
};

template <class V, class T>
inline V reg_load(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// C[i][0..np) = sum_k A[i][k] W[k][0..np) for rows i in [0, m) (m a multiple of R),
// an R-row x NV-register block at a time (R NV accumulators: 16 for 4 x 4).
// Acc: C += the product.
template <int NV, bool Acc = false, int R = 4, class T>
inline void gemm_block(int m, int K, int np, int j0, const T* A, int lda, const T* W, T* C, int ldc) {
  using V = typename RegOf<T>::type;
  constexpr int lanes = RegOf<T>::lanes;
  for (int i0 = 0; i0 < m; i0 += R) {
    V acc[R][NV];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = V{};
    for (int k = 0; k < K; ++k) {
      V w[NV];
      for (int v = 0; v < NV; ++v) w[v] = reg_load<V>(W + k * np + j0 + v * lanes);
      for (int r = 0; r < R; ++r) {
        const T a = A[(i0 + r) * lda + k];
        for (int v = 0; v < NV; ++v) acc[r][v] += a * w[v];
      }
    }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) {
        T* c = C + (i0 + r) * ldc + j0 + v * lanes;
        if (Acc) acc[r][v] += reg_load<V>(c);
        __builtin_memcpy(c, &acc[r][v], sizeof(V));
      }
  }
}

// One column block of NV registers over rows [0, m), m a multiple of 4: a single
// register column runs 8-row blocks where it can (4 rows gave 4 FMA chains, half of
// what two FMA ports with a 4-cycle latency need).
template <int NV, bool Acc, class T>
inline void gemm_cols(int m, int K, int np, int j0, const T* A, int lda, const T* W, T* C, int ldc) {
  const int m8 = NV == 1 ? m / 8 * 8 : 0;
  if (m8 > 0) gemm_block<NV, Acc, 8>(m8, K, np, j0, A, lda, W, C, ldc);
  if (m > m8) gemm_block<NV, Acc, 4>(m - m8, K, np, j0, A + m8 * lda, lda, W, C + m8 * ldc, ldc);
}

template <bool Acc = false, class T>
inline void gemm_rows(int m, int K, int np, const T* A, int lda, const T* W, T* C, int ldc) {
  constexpr int lanes = RegOf<T>::lanes;
  int j0 = 0;
  for (; j0 + 4 * lanes <= np; j0 += 4 * lanes) gemm_cols<4, Acc>(m, K, np, j0, A, lda, W, C, ldc);
  for (; j0 + 2 * lanes <= np; j0 += 2 * lanes) gemm_cols<2, Acc>(m, K, np, j0, A, lda, W, C, ldc);
  for (; j0 < np; j0 += lanes) gemm_cols<1, Acc>(m, K, np, j0, A, lda, W, C, ldc);
}

// The same for any m: whole 4-row blocks, then the last rows one at a time.
template <bool Acc = false, class T>
inline void gemm_any(int m, int K, int np, const T* A, int lda, const T* W, T* C, int ldc) {
  const int m4 = m / 4 * 4;
  if (m4 > 0) gemm_rows<Acc>(m4, K, np, A, lda, W, C, ldc);
  for (int i = m4; i < m; ++i)
    for (int o = 0; o < np; ++o) {
      T s = Acc ? C[i * ldc + o] : T(0);
      for (int k = 0; k < K; ++k) s += A[i * lda + k] * W[k * np + o];
      C[i * ldc + o] = s;
    }
}
#endif

// Radial MLP of block b for `ne` edges at distances d[0..ne): R (rows 0..ne) and, with
// tangent, dR/dd (rows rows..rows+ne) into out (leading dimension rad_pad(P*C)); rows:
// ne rounded up to 4. work: 2 buffers of 2*rows x width. One team's scratch.
template <class T, class Member, class WV>
KOKKOS_INLINE_FUNCTION void radial_tile(const Member& team, const EqLayout& L, const RadialPadded& RP, const WV& w,
                                        int b, int ne, int rows, const T* d, bool tangent, T* out, T* work) {
  T* buf[2] = {work, work + 2 * rows * RP.width};
  const int nb = rad_pad(L.NB);
  const int stack = tangent ? 2 : 1;
  // Layer 0's input: the Bessel-envelope basis and its d-derivative (padding rows zero).
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, rows), [&](const int e) {
    T a[kMaxWidth], da[kMaxWidth];
    if (e < ne) radial_basis(L, d[e], a, da);
    for (int k = 0; k < nb; ++k) {
      buf[0][e * nb + k] = e < ne && k < L.NB ? a[k] : T(0);
      if (tangent) buf[0][(rows + e) * nb + k] = e < ne && k < L.NB ? da[k] : T(0);
    }
  });
  team.team_barrier();
  for (int m = 0; m < L.nrad; ++m) {
    const int nin = L.rad_in[m], lda = rad_pad(nin), np = rad_pad(L.rad_in[m + 1]);
    const bool last = m == L.nrad - 1;
    const T* A = buf[m % 2];
    T* C = last ? out : buf[(m + 1) % 2];
    const T* W = &w(RP.off[b][m]);
#ifdef AF_EQ_HOST_GEMM
    Kokkos::single(Kokkos::PerTeam(team), [&]() { gemm_rows(stack * rows, nin, np, A, lda, W, C, np); });
#else
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, stack * rows), [&](const int i) {
      for (int o = 0; o < np; ++o) C[i * np + o] = 0;
      for (int k = 0; k < nin; ++k) {
        const T a = A[i * lda + k];
        for (int o = 0; o < np; ++o) C[i * np + o] += a * W[k * np + o];
      }
    });
#endif
    team.team_barrier();
    if (!last) {  // silu on the values; its derivative times the tangent
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, rows), [&](const int e) {
        T* z = C + e * np;
        T* tz = C + (rows + e) * np;
#ifdef AF_EQ_HOST_GEMM
        if constexpr (sizeof(T) == 4) {  // lv_exp and lv_recip on 16 floats (np: whole vectors)
          using host::LaneVec;
          for (int o = 0; o < np; o += host::kVecLanes) {
            const LaneVec<float> zv = host::lv_load(z + o);
            const LaneVec<float> sg = host::lv_recip(1.0f + host::lv_exp(-zv));
            if (tangent) host::lv_store(tz + o, host::lv_load(tz + o) * (sg * (1.0f + zv * (1.0f - sg))));
            host::lv_store(z + o, zv * sg);
          }
          return;
        }
#endif
        for (int o = 0; o < np; ++o) {
          if (tangent) tz[o] *= silu_grad(z[o]);
          z[o] = silu(z[o]);
        }
      });
      team.team_barrier();
    }
  }
}

}  // namespace af::nnip::kernels
