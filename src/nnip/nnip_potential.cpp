#include "atomforge/src/nnip/nnip_potential.hpp"

#include "atomforge/src/guards.hpp"

namespace af::nnip {

NnipPotential::NnipPotential(std::unique_ptr<Model> model, const std::vector<int>& species_of_type)
    : model_(std::move(model)), species_of_type_("nnip::species_of_type", species_of_type.size()) {
  auto h = Kokkos::create_mirror_view(species_of_type_);
  for (std::size_t t = 0; t < species_of_type.size(); ++t) h(t) = species_of_type[t];
  Kokkos::deep_copy(species_of_type_, h);
}

EnergyVirial NnipPotential::compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& flags,
                                    const DblView& eatom) {
  edges_.build(atoms, list, model_->cutoff(), species_of_type_);
  if (static_cast<int>(eatom_.extent(0)) < atoms.nlocal) eatom_ = DblView("nnip::eatom", atoms.nlocal);
  if (dedr_.extent(0) < edges_.vec.extent(0)) dedr_ = VecView("nnip::dedr", edges_.vec.extent(0));
  try {
    model_->compute(edges_, eatom_, dedr_);
  } catch (const Error& e) {  // the kernels' bounds: a state gone wrong, stopped as a guard stops it
    throw GuardError(e.what());
  }
  EnergyVirial ev = scatter_edge_gradients(atoms, edges_, dedr_);
  const auto e = eatom_;
  double total = 0;
  Kokkos::parallel_reduce(
      "nnip::energy", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal),
      KOKKOS_LAMBDA(const int i, double& s) { s += e(i); }, total);
  ev.e = total;
  if (flags.per_atom_energy && eatom.extent(0) > 0) {
    Kokkos::deep_copy(eatom, 0.0);
    Kokkos::deep_copy(Kokkos::subview(eatom, std::make_pair(0, atoms.nlocal)),
                      Kokkos::subview(eatom_, std::make_pair(0, atoms.nlocal)));
  }
  return ev;
}

}  // namespace af::nnip
