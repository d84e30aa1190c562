// Initial velocities (LAMMPS `velocity all create T seed`: Gaussian, zero total
// momentum, scaled to exactly T). Draws are keyed by atom id, so the result does not
// depend on atom order or thread count.
#pragma once
#include <cstdint>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/units.hpp"

namespace af {

void create_velocities(Atoms& atoms, const Units& units, double temperature, std::uint64_t seed);
// Degrees of freedom used for temperature: 3N - 3 (momentum conserved), as LAMMPS.
double temperature_dof(long natoms);
// Total momentum sum m v (mass * velocity units).
void total_momentum(const Atoms& atoms, double p[3]);

}  // namespace af
