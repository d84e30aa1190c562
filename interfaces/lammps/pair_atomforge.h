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
// Exchange mode (neural models, computed block by block): ghosts one cutoff deep; the
// model's node features reach them by LAMMPS's forward communication after every block
// (comm->forward_comm_array), and its gradient sums on ghost rows return to the owners
// by reverse communication (pack/unpack_reverse_comm); timed in LAMMPS's Comm section.
// Classic potentials compute as in ghost mode, whose ghosts are one cutoff deep already.
// docs/lammps.md.
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
  int pack_reverse_comm(int n, int first, double* buf) override;
  void unpack_reverse_comm(int n, int* list, double* buf) override;

 private:
  std::string file_;
  std::unique_ptr<af::OpenSystem> system_;
  std::vector<int> type_of_;              // per LAMMPS type 1..ntypes: the species index (pair_coeff order)
  std::vector<int> types_, contributing_;  // per atom, this step
  double cut_ghost_ = 0;
  double ghost_override_ = 0;            // ghost_cutoff keyword (tests), 0: the potential's ghost depth
  bool exchange_ = false;                // mode exchange
  class Exchange;                        // exchange mode: the model's rows by LAMMPS communication
  std::unique_ptr<Exchange> exchange_rows_;
  double* xrows_ = nullptr;              // the rows being reverse-communicated, xwidth_ per atom
  int xwidth_ = 0;
};

}  // namespace LAMMPS_NS

#endif
#endif
