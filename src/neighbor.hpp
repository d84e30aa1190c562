// Verlet neighbor lists built from bins, with periodic images as ghost atoms.
//
// At each build, local atoms are wrapped into the cell and every periodic image that
// lies within rn = cutoff + skin of the cell becomes a ghost (owner, image offset),
// stored after the locals in Atoms. Nothing assumes minimum image: a one-atom cell
// with a cutoff several times the cell gets all the images it needs.
//
// Half lists hold each unordered pair once; the choice is made from exact integer bin
// offsets (and owner index / image offset inside one bin), so it is antisymmetric
// under periodic translation and never counts a pair twice or not at all.
#pragma once
#include <algorithm>
#include <vector>
#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/cluster_list.hpp"

namespace af {

// Half: each pair once (host pair potentials); Full: each pair from both ends (GPU, many-
// body); Cluster: cluster pairs for vectorised CPU pair kernels (cluster_list.hpp).
enum class ListKind { Half, Full, Cluster };

struct NeighborSettings {
  double skin = 0.3;
  int every = 1;        // consider a rebuild every N steps
  int delay = 0;        // ... but not within `delay` steps of the last one
  bool check = true;    // rebuild only if an atom moved more than skin/2
  int sort_every = 1000;  // spatially sort atoms at a rebuild this many steps after the last sort (0 = never)
  enum class List { Auto, Half, Full, Cluster } list = List::Auto;
};

// The list a run uses: the deck's choice, or cluster lists for pairwise potentials on
// CPUs, half lists for other host kernels, full lists on GPUs.
ListKind choose_list_kind(const NeighborSettings& s, ListKind preferred, bool supports_clusters);

// What kernels capture: the list itself.
struct NeighView {
  Kokkos::View<int**, Device> neigh;
  IntView num;
};

// What a restart needs to rebuild a list exactly as it was built: the positions and
// cell at its last build, and the build/sort counters that schedule the next ones.
struct NeighborState {
  long last_build = -1, last_sort = -1, builds = 0, dangerous = 0;
  std::vector<double> xhold;  // positions at the last build, 3 per local atom
  Box box;                    // the cell at the last build
};

class NeighborList {
 public:
  void setup(ListKind kind, double cutoff, const NeighborSettings& s);
  // True if the list must be rebuilt at this step (LAMMPS neigh_modify every/delay/check).
  // With check on, a changed cell counts too: periodic images move with the cell
  // vectors, so their shift is added to the largest atom displacement.
  bool need_rebuild(long step, const Atoms& atoms, const Box& box) const;
  // Wraps atoms, optionally sorts them, creates ghosts and builds the list.
  void build(Atoms& atoms, const Box& box, long step);
  // Moves ghosts with their owners (call after positions change, without a rebuild).
  // (Cluster lists: repacks positions into cluster order instead.)
  void update_ghosts(Atoms& atoms, const Box& box);
  // Adds forces (or any per-atom vector) accumulated on ghosts to their owners.
  void fold_ghosts(const Atoms& atoms, const VecView& f) const;
  void fold_ghosts(const Atoms& atoms, const DblView& e) const;
  // Copies a per-atom value from owners to their ghosts (e.g. EAM's F'(rho)).
  void forward_ghosts(const Atoms& atoms, const DblView& v) const;

  // A list assembled elsewhere (the batched relaxer's per-structure lists): its storage
  // as traversed, folded and forwarded; build, need_rebuild and update_ghosts do not
  // apply to it. ghost_start(i) .. ghost_start(i+1) are local i's ghosts (CSR).
  void adopt(ListKind kind, double cutoff, const Kokkos::View<int**, Device>& neigh, const IntView& num,
             const IntView& ghost_owner, const IntView& ghost_start, const Int3View& ghost_image, int nlocal);

  // Spatial sorting reorders atoms; callers holding per-atom arrays of their own (the
  // minimisers) switch it off meanwhile.
  void set_sorting(bool on) { sorting_ = on; }

  // Restart: the state to save, and rebuilding the saved list (same atoms in the same
  // order, positions at that build) before moving atoms to their current positions.
  NeighborState state(const Atoms& atoms) const;
  void restore(Atoms& atoms, const Box& box_now, const NeighborState& st);

  NeighView view() const { return {neigh_, num_}; }
  ListKind kind() const { return kind_; }
  double cutoff() const { return cutoff_; }
  double skin() const { return set_.skin; }
  int max_neighbors() const { return std::max(0, static_cast<int>(neigh_.extent(1)) - 1); }
  long builds() const { return nbuild_; }
  long dangerous_builds() const { return ndanger_; }
  long total_neighbors() const;
  // Cluster lists (kind Cluster): the clusters, and the image index meaning "no image".
  const ClusterList& clusters() const { return cluster_; }
  int cluster_self_image() const { return cluster_.self_image(); }

  // Ghost bookkeeping (owner index and image offset of ghost g = atom nlocal+g).
  IntView ghost_owner() const { return ghost_owner_; }
  Int3View ghost_image() const { return ghost_image_; }

  // Build steps; public only because nvcc rejects device lambdas in private members.
  void make_ghosts(Atoms& atoms, const Box& box);
  void bin_atoms(const Atoms& atoms, int count);
  void sort_atoms(Atoms& atoms);
  void fill_list(const Atoms& atoms);
  void hold_positions(const Atoms& atoms);

 private:

  ListKind kind_ = ListKind::Half;
  double cutoff_ = 0;
  NeighborSettings set_;
  long last_build_ = -1, last_sort_ = -1, nbuild_ = 0, ndanger_ = 0;
  bool sorting_ = true;

  Kokkos::View<int**, Device> neigh_;
  IntView num_;
  VecView xhold_;
  IntView ghost_owner_, ghost_start_;
  Int3View ghost_image_;

  // Bins over the cell plus a margin of ghost bins, in fractional coordinates.
  int nb_[3] = {1, 1, 1}, gb_[3] = {0, 0, 0}, grid_[3] = {1, 1, 1};
  double ulo_[3] = {0, 0, 0}, uw_[3] = {1, 1, 1};
  IntView atom_bin_, bin_start_, bin_atoms_;
  Int3View stencil_;
  int nstencil_ = 0;
  IntView cursor_;
  Box box_;
  ClusterList cluster_;
  int nlist_ = 0;
};

// A full list of the pairs within rc (no skin) over a copy of the atoms, for analysis
// and checks that must not disturb the run's own list (copy.x holds ghost positions).
struct ProbeList {
  Atoms copy;
  NeighborList list;
};
ProbeList probe_list(const Atoms& atoms, const Box& box, double rc);

}  // namespace af

