// The equivariant potential's inference (the PyTorch reference is
// potentials/nnip/training/aftrain/model.py; docs/nnip_model.md has the file schema).
// Each stage is a compute_X / reverse_X pair over Kokkos Views; the model maps the edge
// list to per-atom energies and per-edge dE/dr, exact gradients of its energy.
#pragma once
#include <memory>
#include <vector>

#include "potentials/nnip/model_file.hpp"
#include "potentials/nnip/nnip_potential.hpp"

namespace af::nnip {

// Compile-time bounds for per-thread scratch (checked when a file is loaded).
constexpr int kMaxBlocks = 6, kMaxRadial = 4, kMaxC = 32, kMaxL = 3, kMaxPaths = 48, kMaxWidth = 64;
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
  // Optional cubic Hermite table of the radial MLP over [s_d0, rc] (values and
  // d-derivatives at n_knots + 1 points per block); below s_d0 the MLP itself runs.
  int spline = 0, n_knots = 0;
  double s_d0 = 0, s_h = 0;
  // Offset of (l, c, m) in a node's feature row: (l, m, c), channels contiguous.
  KOKKOS_INLINE_FUNCTION int at(int l, int c, int m) const { return C * (l * l + m) + c; }
};

// T: the compute precision (double or float); positions, edge vectors, energies and
// dE/dr stay double.
template <class T>
class EquivariantModel final : public Model {
 public:
  // type_map: engine type -> model species index; spline_knots > 0 tabulates the radial
  // MLP (cubic Hermite, that many intervals) instead of evaluating it per edge.
  EquivariantModel(const ModelFile& file, const std::vector<int>& type_map, int spline_knots = 0);
  std::string name() const override { return sizeof(T) == 4 ? "equivariant (float32)" : "equivariant"; }
  double cutoff() const override { return lay_.rc; }
  void compute(const EdgeList& edges, const IntView& type, const DblView& eatom, const VecView& dedr) override;

  // Stages (public for nvcc's device lambdas).
  void compute_embedding(int n, const IntView& type);
  void compute_block(int b, const EdgeList& edges);
  void compute_readout(int n, const IntView& type, const DblView& eatom);
  void reverse_readout(int n, const IntView& type);
  void reverse_block(int b, const EdgeList& edges, const VecView& dedr);

 private:
  using TView = Kokkos::View<T*, Device>;
  EqLayout lay_;
  TView params_;
  IntView cg_abk_;  // 3 per nonzero
  TView cg_v_;
  TView table_;  // (block, knot, value|derivative, P*C)
  void build_spline(int knots);
  IntView type_map_;
  // Per-block saved activations (node rows of F or G values) and gradients.
  Kokkos::View<T***, Kokkos::LayoutRight, Device> h_, x_, m_, y_;
  Kokkos::View<T**, Kokkos::LayoutRight, Device> gh_, gm_, gx_;
  void reserve(int n);
};

}  // namespace af::nnip
