// A neural interatomic potential as a function of a Graph: per-node energies and the
// per-edge gradient dE/dr_e of E = sum of the contributing nodes' energies. Callers turn
// dE/dr into forces (F_i += g, F_j -= g) and virial (W = -sum r (x) g). Both model
// families (equivariant, attention) implement it; load_model picks one by the file's
// architecture.
#pragma once
#include <memory>
#include <string>

#include "atomforge/potentials/nnip/backend.hpp"
#include "atomforge/potentials/nnip/error.hpp"
#include "atomforge/potentials/nnip/graph.hpp"
#include "atomforge/potentials/nnip/model_file.hpp"

namespace af::nnip {

// Per-node rows between owned nodes and their ghost copies, for models computed block by
// block on a graph whose ghosts are one cutoff deep. rows: nnodes x width doubles,
// row-major, in host memory.
class NodeExchange {
 public:
  virtual ~NodeExchange() = default;
  // Each owned row to its ghost copies' rows (LAMMPS: forward communication).
  virtual void forward(double* rows, int nnodes, int width) = 0;
  // Each ghost row added into its owner's row (LAMMPS: reverse communication).
  virtual void reverse(double* rows, int nnodes, int width) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual double cutoff() const = 0;
  // A node's energy depends on nodes up to receptive_cutoffs() * cutoff() away: a ghost
  // or padding region that deep gives contributing nodes their exact energies and
  // gradients (each node inside it must carry its complete edge list).
  virtual int receptive_cutoffs() const = 0;
  // Per-node energies into energy (extent >= nnodes, every node, contributing or not) and
  // dE/dr_e for every edge into dedr (extent >= nedges). Throws Error when the graph is
  // beyond the kernels' bounds (e.g. a node with too many edges).
  virtual void compute(const Graph& graph, const DblView& energy, const VecView& dedr) = 0;
  // Exchange mode: nodes [0, nowned) are owned, contribute and carry complete edge lists;
  // the rest are ghost copies of nodes owned elsewhere, one cutoff deep, with no edges.
  // Node features reach the ghosts through `exchange` after every block, and the
  // backward pass's message gradients likewise, so energy (owned nodes only) and dE/dr
  // (owned receivers' edges) equal the whole system's after summing over owners.
  virtual bool has_exchange() const { return false; }
  virtual int exchange_width() const { return 0; }  // the widest row it exchanges
  virtual void compute_exchange(const Graph& graph, int nowned, NodeExchange& exchange, const DblView& energy,
                                const VecView& dedr);
};

// Each architecture's own options (docs/decks.md: the nnip potential's keys). single:
// float32 compute (positions, energies and dE/dr stay double).
// radial: how the radial MLP runs. mlp: exactly, per edge; spline: a cubic Hermite
// table of `knots` intervals; automatic: the table when its largest relative error
// against the exact MLP (radial_table_error, eq_setup.hpp) is below kSplineTolerance,
// else the exact MLP.
enum class Radial { automatic, mlp, spline };
inline constexpr double kSplineTolerance = 1e-6;
struct EquivariantOptions {
  bool single = false;
  Radial radial = Radial::automatic;
  int knots = 2048;   // the table's intervals (radial spline or automatic)
  bool grid = false;  // spherical-grid tensor product for the paths it can compute
};
struct AttentionOptions {
  bool single = false;
  Backend backend = kDefaultBackend;  // host: CPU builds only (make_attention throws otherwise)
  bool fuse_last = true;              // last block forward and reverse in one kernel (host back end)
};
// The radial choice for a model file: spline (true) or the exact MLP, the table's
// measured error (0 for radial: mlp) and one line saying which and why.
struct RadialChoice {
  bool spline = false;
  double error = 0;
  std::string note;
};
RadialChoice choose_radial(const ModelFile& file, const EquivariantOptions& options);
std::unique_ptr<Model> make_equivariant(const ModelFile& file, const EquivariantOptions& options = {});
std::unique_ptr<Model> make_attention(const ModelFile& file, const AttentionOptions& options = {});

// The model the file describes (its `architecture`) with that architecture's default
// options; throws Error for an unknown architecture.
std::unique_ptr<Model> make_model(const ModelFile& file);

}  // namespace af::nnip
