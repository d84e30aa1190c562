// The equivariant potential's inference (the PyTorch reference is
// potentials/nnip/training/aftrain/model.py; docs/nnip_model.md has the file schema).
// Each stage is a compute_X / reverse_X pair over Kokkos Views; the model maps the edge
// list to per-atom energies and per-edge dE/dr, exact gradients of its energy.
#pragma once
#include <memory>
#include <vector>

#include "atomforge/potentials/nnip/equivariant/eq_layout.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_radial.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_tp.hpp"
#include "atomforge/potentials/nnip/exchange_stage.hpp"
#include "atomforge/potentials/nnip/model_file.hpp"
#include "atomforge/potentials/nnip/model.hpp"
#include "atomforge/potentials/nnip/equivariant/tp_grid.hpp"

namespace af::nnip {

// T: the compute precision (double or float); positions, edge vectors, energies and
// dE/dr stay double.
template <class T>
class EquivariantModel final : public Model {
 public:
  // spline_knots > 0 tabulates the radial MLP (cubic Hermite, that many intervals)
  // instead of evaluating it per edge. grid: the spherical-grid tensor product for the
  // paths it can compute.
  explicit EquivariantModel(const ModelFile& file, int spline_knots = 0, bool grid = false);
  std::string name() const override { return sizeof(T) == 4 ? "equivariant (float32)" : "equivariant"; }
  double cutoff() const override { return lay_.rc; }
  int receptive_cutoffs() const override { return lay_.blocks; }
  void compute(const Graph& edges, const DblView& eatom, const VecView& dedr) override;
  // Block by block: h before each block after the first and dE/dM before each block's
  // reverse convolution are exchanged (the reverse convolution gathers dE/dx_i from its
  // neighbours' dE/dM, so a forward exchange of dE/dM replaces the reverse communication
  // of ghosts' dE/dx).
  bool has_exchange() const override { return true; }
  int exchange_width() const override { return lay_.F; }
  void compute_exchange(const Graph& edges, int nowned, NodeExchange& exchange, const DblView& eatom,
                        const VecView& dedr) override;

  // The convolutions run over tiles of `nodes` receivers, a team each; on the exact path
  // a team first evaluates the radial MLP of its tile's edges (at most `rows` rows) into
  // scratch (eq_radial.hpp). Each thread's rows (a node's sums, one edge's R, dR, dE/dR)
  // are thread scratch sized by the model, not by the compile-time bounds.
  using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
  struct Tiles {
    int nodes = 1, rows = 0, count = 0;
    bool edge_batch = false;  // host: a receiver's edges in batches through the CG product
    int row_f = 0, row_r = 0;  // per-thread rows: a node's features (F), one edge's P*C radial values
    std::size_t bytes = 0, thread_bytes = 0;
  };
  Tiles tiles(const Graph& edges, int n) const;
  Kokkos::TeamPolicy<ExecSpace> tile_policy(const Tiles& t) const;

  // Stages (public for nvcc's device lambdas).
  void compute_embedding(int n, const IntView& species);
  // nown: the nodes whose messages and updates are computed ([0, nown)); linear1 runs
  // on every node (ghosts' x from their exchanged h).
  void compute_block(int b, const Graph& edges, int nown);
  void compute_readout(int n, const IntView& species, const DblView& eatom);
  void reverse_readout(int n, const IntView& species, const IntView& contributing);
  // exchange: sends dE/dM to the ghosts before the reverse convolution (exchange mode).
  void reverse_block(int b, const Graph& edges, const VecView& dedr, int nown, NodeExchange* exchange);
  // The channel mixes as products over chunks of nodes on the host back end
  // (equivariant_mix.cpp); false where the portable kernels run them.
  bool mix_linear1(int b, int n);
  bool mix_linear2(int b, int nown);
  bool mix_linear2_reverse(int b, int n);
  bool mix_linear1_reverse(int b, int n);

 private:
  using TView = Kokkos::View<T*, Device>;
  EqLayout lay_;
  TView params_;
  kernels::TpTables<IntView, TView> tp_;  // the convolutions' CG nonzeros (eq_tp.hpp)
  TView radw_;                    // the radial layers padded (eq_radial.hpp)
  kernels::RadialPadded rp_;
  TView table_;  // (block, interval, coefficient c0..c3, P*C): eq_setup.hpp
  GridTP grid_;
  Kokkos::View<T**, Kokkos::LayoutRight, Device> grid_y_;  // (point, harmonic)
  Kokkos::View<double*, Device> grid_w_;
  // Per-block saved activations (node rows of F or G values) and gradients.
  Kokkos::View<T***, Kokkos::LayoutRight, Device> h_, x_, m_, y_;
  Kokkos::View<T**, Kokkos::LayoutRight, Device> gh_, gm_, gx_;
  ExchangeStage stage_;  // exchange mode's rows in double
  // The mixes' weights for the host products, normalisation folded in (offsets into
  // mixw_; on = whole vector rows of channels and the host back end).
  struct MixWeights {
    bool on = false;
    int w1[kMaxBlocks][kMaxL + 1] = {}, w1t[kMaxBlocks][kMaxL + 1] = {};
    int w2[kMaxBlocks][kMaxL + 1] = {}, w2t[kMaxBlocks][kMaxL + 1] = {};
    int gate[kMaxBlocks] = {}, gatet[kMaxBlocks] = {};  // W2's gate columns (l = 0) and their transpose
  };
  MixWeights mix_;
  TView mixw_;
  Kokkos::View<T**, Kokkos::LayoutRight, Device> gy_;  // dE/dy rows for the host products
  void prepare_mix(const std::vector<double>& params);
  void reserve(int n);
};

}  // namespace af::nnip
