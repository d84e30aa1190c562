// The equivariant model's channel mixes on the host back end: the self-interaction
// x_lm = h_lm W1_l and the gate's y_lm = M_lm W2_l (and their reverses) are, for each
// (l, m), one product of a chunk of nodes' rows (stride F) with a C x C (or C x L C)
// weight matrix, run by eq_radial.hpp's register-blocked kernels. The portable kernels
// in equivariant.cpp (a thread per node) did the same sums as scalar broadcasts into
// stack rows. Weights are copied once, normalisation folded in, with transposes for
// the reverse.
#include <cmath>
#include <vector>

#include "atomforge/potentials/nnip/equivariant/equivariant.hpp"

namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

template <class T>
void EquivariantModel<T>::prepare_mix(const std::vector<double>& params) {
#ifdef AF_EQ_HOST_GEMM
  const EqLayout& L = lay_;
  const int C = L.C;
  if (C % RegOf<T>::lanes != 0) return;
  std::vector<double> w;
  auto put = [&](int rows, int cols, auto value) {
    const int off = static_cast<int>(w.size());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) w.push_back(value(r, c));
    return off;
  };
  const double nc = 1.0 / std::sqrt(double(C));
  for (int b = 0; b < L.blocks; ++b)
    for (int l = 0; l <= L.L; ++l) {
      const int w1 = L.w1[b][l], w2 = L.w2[b][l], nout = l == 0 ? C + L.L * C : C;
      const double norm = 1.0 / std::sqrt(double(C * L.n_into[l]));
      mix_.w1[b][l] = put(C, C, [&](int r, int c) { return params[w1 + r * C + c] * nc; });
      mix_.w1t[b][l] = put(C, C, [&](int r, int c) { return params[w1 + c * C + r] * nc; });
      mix_.w2[b][l] = put(C, C, [&](int r, int c) { return params[w2 + r * nout + c] * norm; });
      mix_.w2t[b][l] = put(C, C, [&](int r, int c) { return params[w2 + c * nout + r] * norm; });
      if (l == 0 && L.L > 0) {
        mix_.gate[b] = put(C, L.L * C, [&](int r, int c) { return params[w2 + r * nout + C + c] * norm; });
        mix_.gatet[b] = put(L.L * C, C, [&](int r, int c) { return params[w2 + (c * nout) + C + r] * norm; });
      }
    }
  mixw_ = TView("eq::mix_weights", w.size());
  auto h = Kokkos::create_mirror_view(mixw_);
  for (std::size_t k = 0; k < w.size(); ++k) h(k) = T(w[k]);
  Kokkos::deep_copy(mixw_, h);
  mix_.on = true;
#else
  (void)params;
#endif
}

#ifdef AF_EQ_HOST_GEMM
namespace {
constexpr int kMixRows = 32;  // nodes per chunk: a chunk's rows of h, x, M, y stay in L1/L2

// f(i0, rows) for each chunk of [0, n), chunks in parallel.
template <class F>
void for_chunks(const char* name, int n, const F& f) {
  const int chunks = (n + kMixRows - 1) / kMixRows;
  Kokkos::parallel_for(name, Kokkos::RangePolicy<ExecSpace>(0, chunks), [&](const int k) {
    const int i0 = k * kMixRows;
    f(i0, n - i0 < kMixRows ? n - i0 : kMixRows);
  });
}
// f(l, o) for each row (l, m) of a node's features, o its offset.
template <class F>
void for_rows(const EqLayout& L, const F& f) {
  for (int l = 0; l <= L.L; ++l)
    for (int m = 0; m < 2 * l + 1; ++m) f(l, L.at(l, 0, m));
}
}  // namespace

template <class T>
bool EquivariantModel<T>::mix_linear1(int b, int n) {
  if (!mix_.on) return false;
  const EqLayout& L = lay_;
  const T* w = mixw_.data();
  auto h = Kokkos::subview(h_, b, Kokkos::ALL, Kokkos::ALL);
  auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  for_chunks("eq::linear1_host", n, [&](int i0, int rows) {
    for_rows(L, [&](int l, int o) { gemm_any(rows, L.C, L.C, &h(i0, o), L.F, w + mix_.w1[b][l], &x(i0, o), L.F); });
  });
  return true;
}

template <class T>
bool EquivariantModel<T>::mix_linear2(int b, int nown) {
  if (!mix_.on) return false;
  const EqLayout& L = lay_;
  const T* w = mixw_.data();
  auto h = Kokkos::subview(h_, b, Kokkos::ALL, Kokkos::ALL);
  auto hn = Kokkos::subview(h_, b + 1, Kokkos::ALL, Kokkos::ALL);
  auto M = Kokkos::subview(m_, b, Kokkos::ALL, Kokkos::ALL);
  auto y = Kokkos::subview(y_, b, Kokkos::ALL, Kokkos::ALL);
  for_chunks("eq::linear2_gate_host", nown, [&](int i0, int rows) {
    for_rows(L, [&](int l, int o) { gemm_any(rows, L.C, L.C, &M(i0, o), L.F, w + mix_.w2[b][l], &y(i0, o), L.G); });
    if (L.L > 0) gemm_any(rows, L.C, L.L * L.C, &M(i0, 0), L.F, w + mix_.gate[b], &y(i0, L.F), L.G);
    for (int i = i0; i < i0 + rows; ++i) gate_forward(L, h, y, hn, i);
  });
  return true;
}

template <class T>
bool EquivariantModel<T>::mix_linear2_reverse(int b, int n) {
  if (!mix_.on) return false;
  const EqLayout& L = lay_;
  const T* w = mixw_.data();
  auto y = Kokkos::subview(y_, b, Kokkos::ALL, Kokkos::ALL);
  for_chunks("eq::linear2_gate_reverse_host", n, [&](int i0, int rows) {
    for (int i = i0; i < i0 + rows; ++i) gate_reverse(L, gh_, y, i, &gy_(i, 0));
    for_rows(L, [&](int l, int o) {
      gemm_any(rows, L.C, L.C, &gy_(i0, o), L.G, w + mix_.w2t[b][l], &gm_(i0, o), L.F);
    });
    if (L.L > 0) gemm_any<true>(rows, L.L * L.C, L.C, &gy_(i0, L.F), L.G, w + mix_.gatet[b], &gm_(i0, 0), L.F);
  });
  return true;
}

template <class T>
bool EquivariantModel<T>::mix_linear1_reverse(int b, int n) {
  if (!mix_.on) return false;
  const EqLayout& L = lay_;
  const T* w = mixw_.data();
  for_chunks("eq::linear1_reverse_host", n, [&](int i0, int rows) {
    for_rows(L, [&](int l, int o) {
      gemm_any<true>(rows, L.C, L.C, &gx_(i0, o), L.F, w + mix_.w1t[b][l], &gh_(i0, o), L.F);
    });
  });
  return true;
}
#else
// The portable back end: equivariant.cpp's kernels.
template <class T>
bool EquivariantModel<T>::mix_linear1(int, int) { return false; }
template <class T>
bool EquivariantModel<T>::mix_linear2(int, int) { return false; }
template <class T>
bool EquivariantModel<T>::mix_linear2_reverse(int, int) { return false; }
template <class T>
bool EquivariantModel<T>::mix_linear1_reverse(int, int) { return false; }
#endif

// The members defined here (the class itself is instantiated in equivariant.cpp).
#define AF_EQ_MIX_INSTANTIATE(T)                                                   \
  template void EquivariantModel<T>::prepare_mix(const std::vector<double>&);     \
  template bool EquivariantModel<T>::mix_linear1(int, int);                        \
  template bool EquivariantModel<T>::mix_linear2(int, int);                        \
  template bool EquivariantModel<T>::mix_linear2_reverse(int, int);                \
  template bool EquivariantModel<T>::mix_linear1_reverse(int, int);
AF_EQ_MIX_INSTANTIATE(double)
AF_EQ_MIX_INSTANTIATE(float)

}  // namespace af::nnip
