// pair_style atomforge FILE [mode ghost|exchange] [ghost_cutoff R]: atomforge's potentials in LAMMPS.
// FILE holds a deck's potential section (YAML: the section itself, or a mapping with a
// `potential:` key), neural or classic; `pair_coeff * * El1 El2 ...` names each LAMMPS
// type's species.
//
// Ghost mode: the rank's local and ghost atoms are one af::OpenSystem in which only the
// locals contribute (the contributing mask), so each rank's energy is exactly its local
// atoms' and the forces on ghosts return to their owners through LAMMPS's reverse
// communication (newton on); exact for any decomposition. Neural potentials: ghosts as
// deep as the receptive field (receptive_cutoffs() x r_c); classic ones: one cutoff deep,
// as LAMMPS's own styles.
//
// Exchange mode (neural models computed block by block: the equivariant family): ghosts
// one cutoff deep; the model's node features reach them by LAMMPS's forward
// communication after every block, and its message gradients likewise in the backward
// pass (comm->forward_comm_array, timed in LAMMPS's Comm section). Classic potentials compute as in ghost mode, whose
// ghosts are one cutoff deep already. docs/lammps.md.
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
class OpenSystem;
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
  std::string file_;
  std::unique_ptr<af::OpenSystem> system_;
  std::vector<int> type_of_;              // per LAMMPS type 1..ntypes: the species index (pair_coeff order)
  std::vector<int> types_, contributing_;  // per atom, this step
  double cut_ghost_ = 0;
  double ghost_override_ = 0;            // ghost_cutoff keyword (tests), 0: the potential's ghost depth
  bool exchange_ = false;                // mode exchange
  class ForwardComm;                     // exchange mode: the model's rows by forward communication
  std::unique_ptr<ForwardComm> forward_;
};

}  // namespace LAMMPS_NS

#endif
#endif
