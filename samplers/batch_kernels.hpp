// The batched relaxer's state and kernels (internal to batch_relax.cpp and
// batch_lists.cpp). Per-structure state lives in a device View of Slot; per-atom state
// (reference coordinates u, FIRE velocity v, generalised force g, positions at the last
// list build) in rows of the shared layout (batch_relax.hpp).
#pragma once
#include <cmath>
#include <vector>

#include "atomforge/samplers/batch_relax.hpp"
#include "atomforge/src/fire.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/units.hpp"

namespace af::sampler {

// Slot status: running, or why it stopped (reason() gives the words).
enum : int {
  kEmpty = 0, kRunning, kConverged, kIterationLimit, kNoProgress,
  kNotFinite, kInsideOut, kExploded, kCollapsed
};

struct Slot {
  Box box, box0, built;  // the cell now, at the start, at the last list build
  double D[3][3];        // cell deformation: H = D H0 (the minimize stage's coordinates)
  double xc[6], vc[6], gc[6];  // the cell's generalised coordinate, velocity, force
  FireState fire;
  double e, w[6];        // energy and virial of the last evaluation
  double fmax, serr, v0, fc;
  long it, last_build;
  int n, status, cell, iso, gcount;
  int free[6];           // cell components that relax
};

// (Box::volume is host code.)
KOKKOS_INLINE_FUNCTION double cell_volume(const Box& b) { return b.h[0][0] * b.h[1][1] * b.h[2][2]; }

// 1 / |row k of h^-1|: the distance between opposite faces (Box::plane_spacing).
KOKKOS_INLINE_FUNCTION double plane_spacing(const Box& b, int k) {
  return 1.0 / sqrt(b.hinv[k][0] * b.hinv[k][0] + b.hinv[k][1] * b.hinv[k][1] + b.hinv[k][2] * b.hinv[k][2]);
}

struct BatchRelaxer::Impl {
  std::shared_ptr<const PotentialSpec> spec;
  std::unique_ptr<Potential> pot;
  Units units;
  MinimizeSettings ms;
  NeighborSettings nb;
  ListKind kind = ListKind::Full;
  double rn = 0;           // list radius: cutoff + skin
  int S = 0, L = 0, G = 0, W = 0;  // slots, local rows and ghost rows per slot, list width

  Atoms atoms;             // S L local rows, then S G ghost rows
  NeighborList list;       // adopts the storage below
  Kokkos::View<int**, Device> neigh;
  IntView num, gstart, gowner;
  Int3View gimage;
  Kokkos::View<Slot*, Device> slots;
  Kokkos::View<Slot*, Device>::HostMirror hslots;
  VecView u, v, g, xhold;
  Kokkos::View<int* [3], Device> flags;  // status, need_build, ghost count (build step 1) or list width (step 2)
  Kokkos::View<int* [3], Device>::HostMirror hflags;
  StructureBatch batch;

  std::vector<BatchJob> jobs;  // per slot: what it relaxes
  VecView stage;               // contiguous rows for host transfers (device rows may be strided)
  IntView stage_type;
  VecView::HostMirror hstage;  // their host sides, allocated with them (not per load)
  IntView::HostMirror hstage_type;

  int nl() const { return S * L; }
  void adopt() {
    atoms.nlocal = nl();
    atoms.nghost = S * G;
    list.adopt(kind, pot->cutoff(), neigh, num, gowner, gstart, gimage, nl());
  }

  // batch_relax.cpp
  void load(int s, BatchJob&& job);
  BatchOutcome unload(int s);
  void fire_step();
  void evaluate();
  // batch_lists.cpp: lists for the slots flagged need_build, ghost positions for all.
  void allocate();
  void build_lists();
  void update_ghosts();
  void grow_ghosts(int newG);
  void grow_width(int newW);
};

}  // namespace af::sampler
