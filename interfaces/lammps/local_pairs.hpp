// The pairs within a cutoff among a LAMMPS rank's local and ghost atoms, found by binning
// every atom (ghosts included: atoms near the ghost shell's edge need their own pairs).
// Storage is kept between steps, so no allocation once grown.
#pragma once
#include <vector>

namespace af_lammps {

struct LocalPairs {
  // CSR by first atom: pairs offset[i] .. offset[i+1] are (i, sender[e]) with
  // vec = x_sender - x_i; every pair appears from both ends.
  std::vector<int> offset, receiver, sender;
  std::vector<double> vec;
  int max_degree = 0;
  int count() const { return static_cast<int>(sender.size()); }

  void find(const double* const* x, int nall, double cutoff);

 private:
  std::vector<int> head_, next_, bin_;
};

}  // namespace af_lammps
