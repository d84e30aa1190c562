// Shapes of the equivariant model as its kernels see them (one POD captured by value).
#pragma once
#include <Kokkos_Macros.hpp>

namespace af::nnip {

// Compile-time bounds for per-thread scratch (checked when a file is loaded).
constexpr int kMaxBlocks = 6, kMaxRadial = 4, kMaxC = 32, kMaxL = 4, kMaxPaths = 72, kMaxWidth = 64;
constexpr int kMaxF = kMaxC * (kMaxL + 1) * (kMaxL + 1);

// Everything a kernel needs to find its weights in one flat parameter View.
struct EqLayout {
  int S = 0, C = 0, L = 0, Lsh = 0, P = 0, NB = 0, blocks = 0, nrad = 0, F = 0, G = 0;
  int p_env = 6;
  double rc = 0, avg = 1;
  int rad_in[kMaxRadial + 1] = {};  // widths: NB, hidden..., P*C
  int emb = 0, readout = 0, scale = 0, shift = 0;
  int rad[kMaxBlocks][kMaxRadial] = {};
  int w1[kMaxBlocks][kMaxL + 1] = {};
  int w2[kMaxBlocks][kMaxL + 1] = {};
  int n_into[kMaxL + 1] = {};
  int l1[kMaxPaths] = {}, l2[kMaxPaths] = {}, l3[kMaxPaths] = {}, cg_begin[kMaxPaths + 1] = {};
  // Optional cubic Hermite table of the radial MLP over [s_d0, rc] (n_knots intervals
  // of width s_h, each a cubic's four coefficients); below s_d0 the MLP itself runs.
  int spline = 0, n_knots = 0;
  int grid = 0;  // 1: parity-even paths through the spherical-grid product (tp_grid.hpp)
  int n_tp = 0;  // CG nonzeros the convolutions loop over (all, or those off the grid)
  double s_d0 = 0, s_h = 0;
  // Offset of (l, c, m) in a node's feature row: (l, m, c), channels contiguous.
  KOKKOS_INLINE_FUNCTION int at(int l, int c, int m) const { return C * (l * l + m) + c; }
};

}  // namespace af::nnip
