// A neural interatomic potential in the engine: builds the graph of the local atoms
// (edge_list.hpp), asks the model (potentials/nnip/model.hpp) for per-atom energies and
// per-edge dE/dr, and turns those into forces and virial.
#pragma once
#include <memory>
#include <string>

#include "atomforge/src/nnip/edge_list.hpp"
#include "atomforge/potentials/nnip/model.hpp"

namespace af::nnip {

class NnipPotential final : public Potential {
 public:
  // species_of_type: the model's species index of each engine type.
  NnipPotential(std::unique_ptr<Model> model, const std::vector<int>& species_of_type);
  std::string style() const override { return "nnip"; }
  double cutoff() const override { return model_->cutoff(); }
  ListKind list_kind() const override { return ListKind::Full; }
  EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& flags,
                       const DblView& eatom) override;
  const EdgeList& edges() const { return edges_; }
  Model& model() { return *model_; }
  const IntView& species_of_type() const { return species_of_type_; }

 private:
  std::unique_ptr<Model> model_;
  IntView species_of_type_;
  EdgeList edges_;
  DblView eatom_;
  VecView dedr_;
};

}  // namespace af::nnip
