// Shapes of the attention model as its kernels see them (one POD captured by value) and
// where each weight sits in the model's flat parameter View.
#pragma once
#include <Kokkos_Macros.hpp>

namespace af::nnip {

// Compile-time bounds for per-row scratch (checked when a file is loaded).
constexpr int kAttMaxH = 128, kAttMaxBlocks = 6, kAttMaxGauss = 64, kAttMaxHeads = 16;
// BOO: degrees 0..3, at most 16 radial channels, so at most 64 features per atom.
constexpr int kAttMaxBooL = 4, kAttMaxBooC = 16, kAttMaxBoo = kAttMaxBooL * kAttMaxBooC;
// Neighbors per atom the kernels accept (the backward pass keeps two M x heads x M
// tiles per atom in scratch; beyond this a system has collapsed).
constexpr int kAttMaxNeighbors = 512;

// Per-block weights, in the model file's order (aftrain/attention.py BLOCK_WEIGHTS).
enum AttBlockWeight {
  kGx, kGe, kGfn, kGfe, kWe, kWs, kWt, kBm, kWq, kWk, kWv, kWo,
  kWn1, kBn1, kWn2, kBn2, kWf1, kBf1, kWf2, kBf2, kNumBlockWeights
};

struct AttLayout {
  int S = 0, H = 0, heads = 1, dh = 0, blocks = 0, NG = 0, p_env = 6;
  int LB = 0, CB = 0, NBOO = 0;  // BOO degrees (l_boo + 1), radial channels, features CB x LB (c major)
  double rc = 0, avg = 1, sigma = 1;
  // Offsets of the top-level weights.
  int w_emb = 0, w_d = 0, b_d = 0, w_b = 0, w_in = 0, b_in = 0, g_in = 0, w_h = 0, b_h = 0, w_out = 0, scale = 0, shift = 0;
  int w_in0 = 0;  // W_in's first H rows (the per-edge part) again, H x H, and its transpose
  int blk[kAttMaxBlocks][kNumBlockWeights] = {};
  KOKKOS_INLINE_FUNCTION int nin() const { return 3 * H + 2 * NBOO; }  // width of the edge input row
};

}  // namespace af::nnip
