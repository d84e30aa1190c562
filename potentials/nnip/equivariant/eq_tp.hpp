// The convolutions' sparse Clebsch-Gordan product of one edge, forward and reverse, over
// flat nonzero tables the model builds when it loads (equivariant.cpp). A nonzero t of
// path p joins output row o3, input row o1 and harmonic b with value v_t:
//   forward     M_i[o3] += v_t Y_b R_p . x_j[o1]
//   reverse     dE/dR_p += v_t Y_b dE/dM_i[o3] . x_j[o1] / avg,
//               dE/dY_b += v_t sum_c (dE/dM_i[o3] . x_j[o1] . R_p) / avg, and through
//               the reverse edge (j <- i), with Y(-u) = (-1)^l2 Y(u):
//               dE/dx_i[o1] += (-1)^l2 v_t Y_b R_p . dE/dM_j[o3] / avg
// (. elementwise over channels). The forward and the last line have one shape, "rows":
// out[row] = sum over p of R_p . (sum over t of w_t Y_b in[col]), the nonzeros sorted
// by (row, p). dE/dR and dE/dY ("paths") sort them by (p, b): per run of one b the sum
// a = sum_t w_t dE/dM_i[o3] . x_j[o1] gives dE/dR_p += Y_b a and dE/dY_b += sum_c R_p a.
// Each nonzero is then one product and one sum of channel rows; runs' sums stay in
// registers. CC: the channel count at compile time (16, 32), else 0 (L.C at run time).
// The host back end holds channel rows as 64-byte vector values (eq_radial.hpp's RegOf;
// as `omp simd` arrays GCC kept the sums on the stack, a load, an FMA and a store per
// nonzero, and left alone it vectorised over the nonzeros with gathers).
#pragma once
#include <type_traits>

#include "atomforge/potentials/nnip/equivariant/eq_radial.hpp"

namespace af::nnip::kernels {

// Nonzeros in runs within runs: outer (key, first inner run, end), inner (key, first
// nonzero, end); per nonzero two offsets (rows: col, b; paths: o3, o1) and a weight.
template <class IV, class TV>
struct TpRuns {
  IV outer, inner, idx;
  TV w;
  int nouter = 0;
};

// The tables a convolution reads (Views of the model, captured by value).
template <class IV, class TV>
struct TpTables {
  TpRuns<IV, TV> fwd;    // M_i from x_j: outer o3, inner p C, (o1, b), w = v
  TpRuns<IV, TV> gx;     // dE/dx_i from dE/dM_j: outer o1, inner p C, (o3, b), w = (-1)^l2 v / avg
  TpRuns<IV, TV> paths;  // outer p C, inner b, (o3, o1), w = v / avg
};

#ifdef AF_EQ_HOST_GEMM
template <int CC, class T, class Runs>
inline void tp_rows_host(const Runs& tb, const T* KOKKOS_RESTRICT Y, const T* KOKKOS_RESTRICT R,
                         const T* KOKKOS_RESTRICT in, T* KOKKOS_RESTRICT out) {
  using V = typename RegOf<T>::type;
  constexpr int lanes = RegOf<T>::lanes, NV = CC / lanes;
  static_assert(CC % lanes == 0, "whole registers per channel row");
  for (int s = 0; s < tb.nouter; ++s) {
    V S[NV];
    for (int v = 0; v < NV; ++v) S[v] = V{};
    for (int q = tb.outer(3 * s + 1); q < tb.outer(3 * s + 2); ++q) {
      V a[NV];
      for (int v = 0; v < NV; ++v) a[v] = V{};
      for (int t = tb.inner(3 * q + 1); t < tb.inner(3 * q + 2); ++t) {
        const T c = tb.w(t) * Y[tb.idx(2 * t + 1)];
        for (int v = 0; v < NV; ++v) a[v] += c * reg_load<V>(in + tb.idx(2 * t) + v * lanes);
      }
      const T* r = R + tb.inner(3 * q);
      for (int v = 0; v < NV; ++v) S[v] += reg_load<V>(r + v * lanes) * a[v];
    }
    T* o = out + tb.outer(3 * s);
    for (int v = 0; v < NV; ++v) {
      const V a = reg_load<V>(o + v * lanes) + S[v];
      __builtin_memcpy(o + v * lanes, &a, sizeof(V));
    }
  }
}

template <int CC, class T, class Runs>
inline void tp_paths_host(const Runs& tb, int nY, const T* KOKKOS_RESTRICT Y, const T* KOKKOS_RESTRICT R,
                          const T* KOKKOS_RESTRICT xj, const T* KOKKOS_RESTRICT gmi, T* KOKKOS_RESTRICT gR,
                          T* KOKKOS_RESTRICT gY) {
  using V = typename RegOf<T>::type;
  constexpr int lanes = RegOf<T>::lanes, NV = CC / lanes;
  V gyv[kShN][NV];  // dE/dY_b as channel vectors, one lane sum each at the end
  for (int q = 0; q < nY; ++q)
    for (int v = 0; v < NV; ++v) gyv[q][v] = V{};
  for (int s = 0; s < tb.nouter; ++s) {
    const int rp = tb.outer(3 * s);
    V r[NV], g[NV];
    for (int v = 0; v < NV; ++v) r[v] = reg_load<V>(R + rp + v * lanes), g[v] = V{};
    for (int q = tb.outer(3 * s + 1); q < tb.outer(3 * s + 2); ++q) {
      const int b = tb.inner(3 * q), t1 = tb.inner(3 * q + 2);
      V a[NV];
      for (int v = 0; v < NV; ++v) a[v] = V{};
      for (int t = tb.inner(3 * q + 1); t < t1; ++t) {
        const T c = tb.w(t);
        const T *m = gmi + tb.idx(2 * t), *x = xj + tb.idx(2 * t + 1);
        for (int v = 0; v < NV; ++v) a[v] += c * (reg_load<V>(m + v * lanes) * reg_load<V>(x + v * lanes));
      }
      const T yb = Y[b];
      for (int v = 0; v < NV; ++v) {
        g[v] += yb * a[v];
        gyv[b][v] += r[v] * a[v];
      }
    }
    for (int v = 0; v < NV; ++v) {
      const V a = reg_load<V>(gR + rp + v * lanes) + g[v];
      __builtin_memcpy(gR + rp + v * lanes, &a, sizeof(V));
    }
  }
  for (int q = 0; q < nY; ++q) {
    V a = gyv[q][0];
    for (int v = 1; v < NV; ++v) a += gyv[q][v];
    T sum = 0;
    for (int l = 0; l < lanes; ++l) sum += a[l];
    gY[q] += sum;
  }
}

// The same two products for nk (<= kEdgeBatch) edges of one receiver at once, the edge
// loop inside each run: per edge, each of the ~150 runs of 1-4 nonzeros (shipped model)
// reloaded its indices and ended in a loop branch; now a run's loads serve nk edges and
// its trip count repeats nk times. Edge k: harmonics Y + k * kShN, radial row R + k * rs
// (PathsRadial for the paths product), input row in[k] (rows) or x_j row xj[k] and
// dE/dY gY + k * kShN (paths; written, not added to: every path is one outer run of the
// paths table, off the grid).
inline constexpr int kEdgeBatch = 8;

// f(std::integral_constant<int, nk>) for nk in 1..kEdgeBatch: the kernels unrolled per batch size.
template <class F>
inline void with_batch_size(int nk, F&& f) {
  switch (nk) {
    case 8: return f(std::integral_constant<int, 8>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 2: return f(std::integral_constant<int, 2>{});
    default: return f(std::integral_constant<int, 1>{});
  }
}

template <int CC, int NK, class T, class Runs>
inline void tp_rows_edges_n(const Runs& tb, const T* KOKKOS_RESTRICT Y, const T* KOKKOS_RESTRICT R, int rs,
                            const T* const* in, T* KOKKOS_RESTRICT out) {
  using V = typename RegOf<T>::type;
  constexpr int lanes = RegOf<T>::lanes, NV = CC / lanes, KC = NV >= 8 ? 1 : 8 / NV;
  for (int s = 0; s < tb.nouter; ++s) {
    V S[NK][NV];  // one sum per edge: independent FMA chains
    for (int k = 0; k < NK; ++k)
      for (int v = 0; v < NV; ++v) S[k][v] = V{};
    for (int q = tb.outer(3 * s + 1); q < tb.outer(3 * s + 2); ++q) {
      const int r = tb.inner(3 * q), t0 = tb.inner(3 * q + 1), t1 = tb.inner(3 * q + 2);
      // The nonzero's loads once for KC edges at a time (KC x NV sums in registers).
#pragma GCC unroll 8
      for (int k0 = 0; k0 < NK; k0 += KC) {
        const int kn = NK - k0 < KC ? NK - k0 : KC;
        V a[KC][NV];
        for (int kk = 0; kk < KC; ++kk)
          for (int v = 0; v < NV; ++v) a[kk][v] = V{};
        for (int t = t0; t < t1; ++t) {
          const T wt = tb.w(t);
          const int col = tb.idx(2 * t), yb = tb.idx(2 * t + 1);
#pragma GCC unroll 8
          for (int kk = 0; kk < kn; ++kk) {
            const T c = wt * Y[(k0 + kk) * kShN + yb];
            for (int v = 0; v < NV; ++v) a[kk][v] += c * reg_load<V>(in[k0 + kk] + col + v * lanes);
          }
        }
        for (int kk = 0; kk < kn; ++kk)
          for (int v = 0; v < NV; ++v) S[k0 + kk][v] += reg_load<V>(R + (k0 + kk) * rs + r + v * lanes) * a[kk][v];
      }
    }
    T* o = out + tb.outer(3 * s);
    for (int v = 0; v < NV; ++v) {
      V a = reg_load<V>(o + v * lanes);
      for (int k = 0; k < NK; ++k) a += S[k][v];
      __builtin_memcpy(o + v * lanes, &a, sizeof(V));
    }
  }
}

template <int CC, class T, class Runs>
inline void tp_rows_edges(const Runs& tb, int nk, const T* Y, const T* R, int rs, const T* const* in, T* out) {
  with_batch_size(nk, [&](auto NK) { tp_rows_edges_n<CC, decltype(NK)::value>(tb, Y, R, rs, in, out); });
}

// Where the paths product gets R_p and what it does with dE/dR_p: the exact path reads
// R rows and writes dE/dR rows; the spline path evaluates R_p from each edge's interval
// (c0..c3 rows n apart from c[k], at t[k]) into R's rows for the rows product after it,
// and sums dE/dR . (dR/dd h) per edge into gd on the fly (no dE/dR rows: one pass over
// the table's rows instead of three).
template <class T>
struct PathsRadial {
  const T* R;  // rows, rs apart (the spline path writes them through Rw = R)
  T* Rw;
  int rs;
  T* gR;  // exact path
  const T* const* c;  // spline path
  const T* t;
  int n;
  T* gd;
};

template <int CC, int NK, bool Spline, class T, class Runs>
inline void tp_paths_edges_n(const Runs& tb, int nY, const T* KOKKOS_RESTRICT Y, const PathsRadial<T>& rad,
                             const T* const* xj, const T* KOKKOS_RESTRICT gmi, T* KOKKOS_RESTRICT gY) {
  using V = typename RegOf<T>::type;
  constexpr int lanes = RegOf<T>::lanes, NV = CC / lanes, KC = NV >= 8 ? 1 : 8 / NV;
  const T* R = rad.R;
  const int rs = rad.rs;
  V gyv[NK][kShN][NV];  // dE/dY_b per edge as channel vectors, lane sums at the end
  V gdv[NK];            // spline: dE/dd h per edge
  for (int k = 0; k < NK; ++k) {
    gdv[k] = V{};
    for (int q = 0; q < nY; ++q)
      for (int v = 0; v < NV; ++v) gyv[k][q][v] = V{};
  }
  for (int s = 0; s < tb.nouter; ++s) {
    const int rp = tb.outer(3 * s);
    if constexpr (Spline)
      for (int k = 0; k < NK; ++k)
        for (int v = 0; v < NV; ++v) {
          const T* c = rad.c[k] + rp + v * lanes;
          const T t = rad.t[k];
          const V r = reg_load<V>(c) +
                      t * (reg_load<V>(c + rad.n) + t * (reg_load<V>(c + 2 * rad.n) + t * reg_load<V>(c + 3 * rad.n)));
          __builtin_memcpy(rad.Rw + k * rs + rp + v * lanes, &r, sizeof(V));
        }
    V g[NK][NV];  // dE/dR_p per edge
    for (int k = 0; k < NK; ++k)
      for (int v = 0; v < NV; ++v) g[k][v] = V{};
    for (int q = tb.outer(3 * s + 1); q < tb.outer(3 * s + 2); ++q) {
      const int b = tb.inner(3 * q), t0 = tb.inner(3 * q + 1), t1 = tb.inner(3 * q + 2);
      // dE/dM_i's row loaded once for KC edges at a time.
#pragma GCC unroll 8
      for (int k0 = 0; k0 < NK; k0 += KC) {
        const int kn = NK - k0 < KC ? NK - k0 : KC;
        V a[KC][NV];
        for (int kk = 0; kk < KC; ++kk)
          for (int v = 0; v < NV; ++v) a[kk][v] = V{};
        for (int t = t0; t < t1; ++t) {
          V m[NV];
          for (int v = 0; v < NV; ++v) m[v] = tb.w(t) * reg_load<V>(gmi + tb.idx(2 * t) + v * lanes);
          const int o1 = tb.idx(2 * t + 1);
#pragma GCC unroll 8
          for (int kk = 0; kk < kn; ++kk)
            for (int v = 0; v < NV; ++v) a[kk][v] += m[v] * reg_load<V>(xj[k0 + kk] + o1 + v * lanes);
        }
        for (int kk = 0; kk < kn; ++kk) {
          const int k = k0 + kk;
          const T yb = Y[k * kShN + b];
          for (int v = 0; v < NV; ++v) {
            g[k][v] += yb * a[kk][v];
            gyv[k][b][v] += reg_load<V>(R + k * rs + rp + v * lanes) * a[kk][v];
          }
        }
      }
    }
    for (int k = 0; k < NK; ++k)  // each path is one outer run: its rows written once
      for (int v = 0; v < NV; ++v) {
        if constexpr (Spline) {
          const T* c = rad.c[k] + rp + v * lanes + rad.n;
          const T t = rad.t[k];
          gdv[k] += g[k][v] * (reg_load<V>(c) + t * (2 * reg_load<V>(c + rad.n) + 3 * t * reg_load<V>(c + 2 * rad.n)));
        } else {
          __builtin_memcpy(rad.gR + k * rs + rp + v * lanes, &g[k][v], sizeof(V));
        }
      }
  }
  auto lane_sum = [](const V& a) {
    T sum = 0;
    for (int l = 0; l < lanes; ++l) sum += a[l];
    return sum;
  };
  for (int k = 0; k < NK; ++k) {
    for (int q = 0; q < nY; ++q) {
      V a = gyv[k][q][0];
      for (int v = 1; v < NV; ++v) a += gyv[k][q][v];
      gY[k * kShN + q] = lane_sum(a);
    }
    if constexpr (Spline) rad.gd[k] = lane_sum(gdv[k]);
  }
}

template <int CC, bool Spline, class T, class Runs>
inline void tp_paths_edges(const Runs& tb, int nk, int nY, const T* Y, const PathsRadial<T>& rad, const T* const* xj,
                           const T* gmi, T* gY) {
  with_batch_size(nk, [&](auto NK) {
    tp_paths_edges_n<CC, decltype(NK)::value, Spline>(tb, nY, Y, rad, xj, gmi, gY);
  });
}
#endif

// out[row] += sum_p R_p . sum_t w_t Y_b in[col] over one "rows" table.
template <int CC, class T, class Runs>
KOKKOS_INLINE_FUNCTION void tp_rows(const Runs& tb, int C, const T* KOKKOS_RESTRICT Y, const T* KOKKOS_RESTRICT R,
                                    const T* KOKKOS_RESTRICT in, T* KOKKOS_RESTRICT out) {
#ifdef AF_EQ_HOST_GEMM
  if constexpr (CC > 0) {
    (void)C;
    tp_rows_host<CC>(tb, Y, R, in, out);
    return;
  }
#endif
  constexpr int NA = CC > 0 ? CC : kMaxC;
  const int nc = CC > 0 ? CC : C;
  for (int s = 0; s < tb.nouter; ++s) {
    T* KOKKOS_RESTRICT o = out + tb.outer(3 * s);
    for (int q = tb.outer(3 * s + 1); q < tb.outer(3 * s + 2); ++q) {
      T a[NA] = {};
      for (int t = tb.inner(3 * q + 1); t < tb.inner(3 * q + 2); ++t) {
        const T cy = tb.w(t) * Y[tb.idx(2 * t + 1)];
        const T* x = in + tb.idx(2 * t);
        for (int c = 0; c < nc; ++c) a[c] += cy * x[c];
      }
      const T* r = R + tb.inner(3 * q);
      for (int c = 0; c < nc; ++c) o[c] += r[c] * a[c];
    }
  }
}

// One edge's forward: acc (the receiver's sums) += its messages.
template <int CC, class T, class Tab>
KOKKOS_INLINE_FUNCTION void tp_forward(const Tab& tb, int C, const T* Y, const T* R, const T* xj, T* acc) {
  tp_rows<CC>(tb.fwd, C, Y, R, xj, acc);
}

// One edge's reverse: dE/dR (gR) and dE/dY (gY) of edge (i <- j), dE/dx_i (gxi) through
// edge (j <- i). gmi, gmj: dE/dM rows of i and j; xj: x_j's row.
template <int CC, class T, class Tab>
KOKKOS_INLINE_FUNCTION void tp_reverse(const Tab& tb, int C, int Lsh, const T* KOKKOS_RESTRICT Y,
                                       const T* KOKKOS_RESTRICT R, const T* KOKKOS_RESTRICT xj,
                                       const T* KOKKOS_RESTRICT gmi, const T* KOKKOS_RESTRICT gmj,
                                       T* KOKKOS_RESTRICT gR, T* KOKKOS_RESTRICT gY, T* KOKKOS_RESTRICT gxi) {
  tp_rows<CC>(tb.gx, C, Y, R, gmj, gxi);
#ifdef AF_EQ_HOST_GEMM
  if constexpr (CC > 0) {
    tp_paths_host<CC>(tb.paths, sh_size(Lsh), Y, R, xj, gmi, gR, gY);
    return;
  }
#endif
  (void)Lsh;
  constexpr int NA = CC > 0 ? CC : kMaxC;
  const int nc = CC > 0 ? CC : C;
  const auto& P = tb.paths;
  for (int s = 0; s < P.nouter; ++s) {
    const int rp = P.outer(3 * s);
    for (int q = P.outer(3 * s + 1); q < P.outer(3 * s + 2); ++q) {
      const int b = P.inner(3 * q);
      T a[NA] = {};
      for (int t = P.inner(3 * q + 1); t < P.inner(3 * q + 2); ++t) {
        const T* m = gmi + P.idx(2 * t);
        const T* x = xj + P.idx(2 * t + 1);
        for (int c = 0; c < nc; ++c) a[c] += P.w(t) * m[c] * x[c];
      }
      T gyb = 0;
      for (int c = 0; c < nc; ++c) {
        gR[rp + c] += Y[b] * a[c];
        gyb += R[rp + c] * a[c];
      }
      gY[b] += gyb;
    }
  }
}

}  // namespace af::nnip::kernels
