#include "potentials/nnip/nnip_potential.hpp"

namespace af::nnip {

EnergyVirial NnipPotential::compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& flags,
                                    const DblView& eatom) {
  edges_.build(atoms, list, model_->cutoff());
  if (static_cast<int>(eatom_.extent(0)) < atoms.nlocal) eatom_ = DblView("nnip::eatom", atoms.nlocal);
  if (dedr_.extent(0) < edges_.vec.extent(0)) dedr_ = VecView("nnip::dedr", edges_.vec.extent(0));
  model_->compute(edges_, atoms.type, eatom_, dedr_);
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
