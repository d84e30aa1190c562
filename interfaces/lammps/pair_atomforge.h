// pair_style atomforge FILE [mode ghost] [ghost_cutoff R]: atomforge's potentials in LAMMPS.
// FILE holds a deck's potential section (YAML: the section itself, or a mapping with a
// `potential:` key), neural or classic; `pair_coeff * * El1 El2 ...` names each LAMMPS
// type's species.
//
// Ghost mode: the rank's local and ghost atoms are one open system in which only the
// locals contribute (the contributing mask), so each rank's energy is exactly its local
// atoms' and the forces on ghosts return to their owners through LAMMPS's reverse
// communication (newton on); exact for any decomposition. Neural potentials: ghosts as
// deep as the receptive field (receptive_cutoffs() x r_c). Classic ones (pair_atomforge_
// classic.cpp): ghosts one cutoff deep, as LAMMPS's own styles. docs/lammps.md.
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
  struct Graph;    // the model's graph and results, rebuilt every step (pair_atomforge.cpp)
  struct Classic;  // a classic potential's atoms and list (pair_atomforge_classic.cpp)
  void compute_model(int eflag, int vflag);
  void compute_classic(int eflag, int vflag);
  void release_classic();
  std::string file_;
  std::unique_ptr<af::Potential> potential_;
  std::vector<int> species_of_type_;     // per LAMMPS type 1..ntypes: the potential's species index
  double cut_model_ = 0, cut_ghost_ = 0;
  double ghost_override_ = 0;            // ghost_cutoff keyword (tests), 0: the receptive field
  std::unique_ptr<Graph> graph_;
  Classic* classic_ = nullptr;          // owned; set for classic potentials
};

}  // namespace LAMMPS_NS

#endif
#endif
