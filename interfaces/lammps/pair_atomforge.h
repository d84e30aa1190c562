// pair_style atomforge FILE [mode ghost] [ghost_cutoff R]: atomforge's neural potentials in LAMMPS.
// FILE holds a deck's potential section (YAML: the section itself, or a mapping with a
// `potential:` key); `pair_coeff * * El1 El2 ...` names each LAMMPS type's species.
//
// Ghost mode: LAMMPS's ghost atoms reach the model's receptive field (receptive_cutoffs()
// x r_c); the model runs on locals and ghosts as one graph with ghosts non-contributing,
// so each rank's energy is exactly its local atoms' and the forces on ghosts return to
// their owners through LAMMPS's reverse communication (newton on). Exact for any
// decomposition. docs/lammps.md.
#ifdef PAIR_CLASS
// clang-format off
PairStyle(atomforge, PairAtomforge);
// clang-format on
#else
#ifndef LMP_PAIR_ATOMFORGE_H
#define LMP_PAIR_ATOMFORGE_H

#include <memory>
#include <string>
#include <vector>

#include "pair.h"

namespace af {
class Potential;
}

namespace LAMMPS_NS {

class PairAtomforge : public Pair {
 public:
  explicit PairAtomforge(LAMMPS* lmp);
  ~PairAtomforge() override;
  void compute(int eflag, int vflag) override;
  void settings(int narg, char** arg) override;
  void coeff(int narg, char** arg) override;
  void init_style() override;
  double init_one(int i, int j) override;

 private:
  struct Graph;  // the model's graph and results, rebuilt every step (pair_atomforge.cpp)
  std::string file_;
  std::string section_;                  // the potential section, YAML text
  std::unique_ptr<af::Potential> potential_;
  std::vector<int> species_of_type_;     // per LAMMPS type 1..ntypes: the model's species
  double cut_model_ = 0, cut_ghost_ = 0;
  double ghost_override_ = 0;            // ghost_cutoff keyword (tests), 0: the receptive field
  std::unique_ptr<Graph> graph_;
};

}  // namespace LAMMPS_NS

#endif
#endif
