// A neural interatomic potential in the engine: builds the edge list, asks the model for
// per-atom energies and per-edge dE/dr, and turns those into forces and virial. Both
// model families (equivariant, attention) implement Model.
#pragma once
#include <memory>
#include <string>

#include "potentials/nnip/edge_list.hpp"

namespace af::nnip {

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual double cutoff() const = 0;
  // Per-atom energies of local atoms into eatom (extent >= nlocal) and dE/dr_e for every
  // edge into dedr (extent >= nedges). `type` is the engine's per-atom type, already
  // matched to the model's species when the model was loaded.
  virtual void compute(const EdgeList& edges, const IntView& type, const DblView& eatom, const VecView& dedr) = 0;
};

class NnipPotential final : public Potential {
 public:
  explicit NnipPotential(std::unique_ptr<Model> model) : model_(std::move(model)) {}
  std::string style() const override { return "nnip"; }
  double cutoff() const override { return model_->cutoff(); }
  ListKind list_kind() const override { return ListKind::Full; }
  EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& flags,
                       const DblView& eatom) override;
  const EdgeList& edges() const { return edges_; }

 private:
  std::unique_ptr<Model> model_;
  EdgeList edges_;
  DblView eatom_;
  VecView dedr_;
};

}  // namespace af::nnip
