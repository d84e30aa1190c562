#include "atomforge/potentials/nnip/model.hpp"

#include "atomforge/potentials/nnip/attention/attention.hpp"
#include "atomforge/potentials/nnip/equivariant/equivariant.hpp"

namespace af::nnip {

void Model::compute_exchange(const Graph&, int, NodeExchange&, const DblView&, const VecView&) {
  throw Error("the " + name() + " model has no exchange mode (use ghost mode)");
}

std::unique_ptr<Model> make_equivariant(const ModelFile& f, const EquivariantOptions& o) {
  if (o.single) return std::make_unique<EquivariantModel<float>>(f, o.knots, o.grid);
  return std::make_unique<EquivariantModel<double>>(f, o.knots, o.grid);
}

std::unique_ptr<Model> make_attention(const ModelFile& f, const AttentionOptions& o) {
  if (o.backend == Backend::portable) return make_attention_portable(f, o);
  if constexpr (kHostBackendBuilt)
    return make_attention_host(f, o);
  else
    throw Error("backend: host is for CPU builds; this build runs the portable back end only");
}

std::unique_ptr<Model> make_model(const ModelFile& f) {
  if (f.architecture() == "equivariant") return make_equivariant(f);
  if (f.architecture() == "attention") return make_attention(f);
  f.fail("unknown architecture '" + f.architecture() + "' (known: equivariant, attention)");
}

}  // namespace af::nnip
