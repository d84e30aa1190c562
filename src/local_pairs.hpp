// The pairs within a cutoff among an open set of atoms (a LAMMPS rank's locals and
// ghosts, a KIM simulator's particles), found by binning every atom: atoms near the
// set's edge need their own pairs too. Storage is kept between calls (no allocation once grown).
#pragma once
#include <vector>

namespace af {

struct LocalPairs {
  // CSR by first atom: pairs offset[i] .. offset[i+1] are (i, sender[e]) with
  // vec = x_sender - x_i; every pair appears from both ends.
  std::vector<int> offset, receiver, sender;
  std::vector<double> vec;
  int max_degree = 0;
  int count() const { return static_cast<int>(sender.size()); }

  void find(const double* x, int nall, double cutoff);  // x: 3 per atom
  // The pairs of `from` (found with a larger cutoff: a skin) within `cutoff` at positions
  // x, of the first `receivers` atoms only (the rest keep empty lists); -1: all.
  void filter(const LocalPairs& from, const double* x, double cutoff, int receivers = -1);

 private:
  void add_within(const double* x, int i, int j, double rc2);  // pair (i, j) if closer than the cutoff
  std::vector<int> head_, next_, bin_;
};

}  // namespace af
