// The attention potential's inference (EScAIP family; the PyTorch reference is
// potentials/nnip/training/aftrain/attention.py, deviations from the paper in
// docs/nnip_attention.md). Stages are compute_X / reverse_X pairs over Kokkos Views;
// each block is one fused team-per-atom kernel forward and one backward (the attention
// in them: att_lanes.hpp on the host back end, att_fused.hpp's row kernels on the
// portable one); on the host back end the last block's two are one kernel
// (attention_last.cpp). The model maps the edge list to per-atom energies and per-edge
// dE/dr, exact gradients of its energy. Each object file compiles one back end
// (backend.hpp), the class in that back end's inline namespace; the engine reaches them
// through make_attention (model.hpp).
#pragma once
#include <memory>
#include <vector>

#include "atomforge/potentials/nnip/attention/att_layout.hpp"
#include "atomforge/potentials/nnip/backend.hpp"
#include "atomforge/potentials/nnip/exchange_stage.hpp"
#include "atomforge/potentials/nnip/model_file.hpp"
#include "atomforge/potentials/nnip/model.hpp"

namespace af::nnip {

// The model on each back end (model.cpp picks one): the portable objects define the
// first, the host objects (CPU builds) the second.
std::unique_ptr<Model> make_attention_portable(const ModelFile& file, const AttentionOptions& options);
std::unique_ptr<Model> make_attention_host(const ModelFile& file, const AttentionOptions& options);

inline namespace AF_ATT_NS {

// T: the compute precision (double or float); positions, edge vectors, energies and
// dE/dr stay double.
template <class T>
class AttentionModel final : public Model {
 public:
  // fuse_last: run the last block forward and reverse in one kernel (the host back end;
  // the portable one ignores it).
  explicit AttentionModel(const ModelFile& file, bool fuse_last = true);
  using TView = Kokkos::View<T*, Device>;
  using TView2 = Kokkos::View<T**, Kokkos::LayoutRight, Device>;
  using TView3 = Kokkos::View<T***, Kokkos::LayoutRight, Device>;
  std::string name() const override { return sizeof(T) == 4 ? "attention (float32)" : "attention"; }
  double cutoff() const override { return lay_.rc; }
  // Each edge's input holds the sender's bond-orientational features (its own neighbours).
  int receptive_cutoffs() const override { return lay_.blocks + 1; }
  void compute(const Graph& edges, const DblView& eatom, const VecView& dedr) override;
  // Exchange mode: the BOO features and the node stream before every block after the
  // first go to the ghosts (forward); in the backward pass the gradients of the senders'
  // message projections and edge-input halves from edges whose sender is a ghost are
  // summed on the ghosts' rows and returned to their owners (reverse), who add them to
  // those gathered over their own reverse edges.
  bool has_exchange() const override { return true; }
  int exchange_width() const override { return lay_.H > lay_.NBOO ? lay_.H : lay_.NBOO; }
  void compute_exchange(const Graph& edges, int nowned, NodeExchange& exchange, const DblView& eatom,
                        const VecView& dedr) override;

  // Stages (public for nvcc's device lambdas).
  void run(const Graph& edges, const DblView& eatom, const VecView& dedr);
  void find_reverse_edges(const Graph& edges);
  // Exchange mode: dE/d(sender half) rows g (width H) of edges with ghost senders summed on
  // the ghosts' rows and returned to their owners, into gsx_.
  void ghost_sender_sums(const Graph& edges, const TView2& g);
  // The stages for hidden width HC known at compile time (0: any width, read from the
  // layout); compute() runs HC = 32, the shipped model's, on the host back end.
  template <int HC>
  void compute_input(const Graph& edges, const IntView& species);
  template <int HC>
  void project(int b, int n);
  template <int HC>
  void compute_block(int b, const Graph& edges);
  void compute_readout(int n, const IntView& species, const DblView& eatom);
  void reverse_readout(int n, const IntView& species, const IntView& contributing);
  template <int HC>
  void reverse_block(int b, const Graph& edges);
  template <int HC>
  void project_reverse(int b, const Graph& edges);
  template <int HC>
  void fused_last_block(const Graph& edges, const IntView& species, const DblView& eatom);
  template <int HC>
  void reverse_input(const Graph& edges, const IntView& species, const VecView& dedr);

 private:
  AttLayout lay_;
  TView params_;
  int max_degree_ = 0;
  bool fuse_last_ = false;
  // Saved forward state: node stream per block input and output (x), after the
  // attention update (xp), the per-atom message projections (P: rms(x) W_s | rms(x) W_t),
  // and the edge stream entering each block (e).
  TView3 x_, xp_, P_, e_;
  // Per block and edge, the activations the reverse pass reads instead of recomputing
  // them: GELU' at the message pre-activation, Q, K, V, attention output t (H each) and
  // GELU' at the edge FFN's hidden pre-activation (2H), at column offsets kAct* x H.
  TView3 act_;
  static constexpr int kActPre = 0, kActQ = 1, kActK = 2, kActV = 3, kActT = 4, kActFfn = 5, kActWidth = 7;
  // Per edge, the input stage's values its reverse reads: z (the edge input before its
  // RMSNorm), GELU'(pre) and dpre/dd (H each; att_kernels.hpp edge_input_rows), then the
  // BOO radial weights R and dR/dd (CB each); per atom, the BOO sums Q (CB x 16).
  TView2 ein_, booq_;
  // Per edge, the envelope u(d) and du/dd (formed once, in the BOO stage; every block and
  // the reverse input stage read them).
  TView2 env_;
  int ein_r() const { return 3 * lay_.H; }  // column of R in ein_ (dR/dd follows at + CB)
  TView2 boo_, agg_;
  TView2 side_;  // per atom: S (as sender) | T (as receiver) of the edge input
  // Gradients.
  TView2 gx_, gxp_, gr_, ge_, gpre_;
  TView gu_, gd_;
  IntView rev_;  // the edge (j <- i) of each edge (i <- j), -1 if the list lacks it
  // Exchange mode: nodes [0, nown_) are computed (all of them otherwise); the exchange
  // (null otherwise); sender-gradient sums from ghost senders (per node, H).
  int nown_ = 0;
  NodeExchange* exchange_ = nullptr;
  ExchangeStage stage_;
  TView2 gsx_;
  void reserve(int n, int ne);
  std::size_t scratch_bytes(int rows, int buffers, bool tile) const;
};

}  // namespace AF_ATT_NS
}  // namespace af::nnip
