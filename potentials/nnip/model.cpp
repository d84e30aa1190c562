#include "atomforge/potentials/nnip/model.hpp"

#include "atomforge/potentials/nnip/attention.hpp"
#include "atomforge/potentials/nnip/equivariant.hpp"

namespace af::nnip {

std::unique_ptr<Model> make_model(const ModelFile& f, const ModelOptions& o) {
  if (f.architecture() == "equivariant") {
    if (o.single) return std::make_unique<EquivariantModel<float>>(f, o.knots, o.grid);
    return std::make_unique<EquivariantModel<double>>(f, o.knots, o.grid);
  }
  if (f.architecture() == "attention") {
    if (o.single) return std::make_unique<AttentionModel<float>>(f, o.fuse_last);
    return std::make_unique<AttentionModel<double>>(f, o.fuse_last);
  }
  f.fail("unknown architecture '" + f.architecture() + "' (known: equivariant, attention)");
}

}  // namespace af::nnip
