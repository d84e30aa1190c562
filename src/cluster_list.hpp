// Cluster-pair lists for pairwise potentials on CPUs, after GROMACS's nbnxm scheme
// (Pall & Hess, Comput. Phys. Commun. 184, 2641 (2013)). Atoms are grouped into
// spatially compact clusters of kClusterSize; the list holds pairs of clusters with
// a periodic image offset. Kernels then evaluate 4x4 blocks of atom pairs with
// contiguous loads and stores, which vectorise without gathers or scatters.
//
// Each unordered pair of clusters (with its image offset) is listed once: (ci, cj, n)
// with ci < cj, or ci == cj with n lexicographically positive, or the cluster with
// itself (n = 0, lane pairs a < b). Each entry carries a 16-bit mask of the lane pairs
// that were within rn at the build, so the pairs a kernel sees are exactly those of a
// Verlet list with the same skin (bit for bit the same dynamics as an atom list, even
// when atoms outrun the skin). Periodic images are image offsets, so no ghost atoms are
// needed, and tiny cells work like large ones.
#pragma once
#include <array>
#include <vector>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"

namespace af {

constexpr int kClusterSize = 4;

// What kernels capture.
struct ClusterView {
  Kokkos::View<double**, Kokkos::LayoutRight, Device> xc;  // (cluster, 3*CL): x lanes, y lanes, z lanes
  Kokkos::View<int**, Kokkos::LayoutRight, Device> tc;     // (cluster, CL) types (padding: 0)
  IntView nreal;                                           // (cluster) real atoms; padding lanes follow
  IntView start;                                           // (nclusters+1) entries of cluster ci
  IntView cj;                                              // j cluster of each entry
  IntView shift;                                           // image index of each entry
  IntView mask;  // per entry, bit 4a+b: lane pair (a, b) was within rn at the build
  Kokkos::View<double* [3], Kokkos::LayoutRight, Device> shift_vec;  // Cartesian image vectors
  int nclusters = 0;
};

class ClusterList {
 public:
  // Groups the (wrapped) local atoms into clusters and lists cluster pairs whose
  // bounding boxes are closer than rn.
  void build(const Atoms& atoms, const Box& box, double rn);
  // Copies positions into cluster order and refreshes image vectors (every step).
  void pack(const Atoms& atoms, const Box& box);
  // f(atom) = sum over thread copies of the cluster-ordered forces (and energies).
  void unpack(const Kokkos::View<double***, Kokkos::LayoutRight, Device>& fc,
              const Kokkos::View<double***, Kokkos::LayoutRight, Device>& ec, const VecView& f, const DblView& e,
              bool eatom) const;

  const ClusterView& view() const { return v_; }
  // The local atoms in cluster order (padding left out): a permutation that makes the
  // per-step packing stream through memory (used to sort atoms spatially).
  IntView atom_order() const;
  int nclusters() const { return v_.nclusters; }
  long entries() const { return nentries_; }
  int self_image() const { return self_image_; }
  // Atom pairs in listed cluster pairs (counting a self pair's triangle), for statistics.
  long atom_pairs() const { return npairs_; }

 private:
  ClusterView v_;
  IntView perm_;  // (nclusters*CL) slot -> atom, -1 for padding
  std::vector<int> owner_thread_;  // build scratch
  std::vector<std::array<int, 3>> images_;
  long nentries_ = 0, npairs_ = 0;
  int self_image_ = 0;
};

}  // namespace af
