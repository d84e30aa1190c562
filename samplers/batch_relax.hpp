// Batched relaxation: many small structures relaxed together with the minimize stage's
// FIRE (src/fire.hpp), cell included for periodic ones, one kernel launch per phase of a
// step over the whole batch: FIRE update and coordinates, neighbor-list check, ghost
// update, one potential call (StructureBatch, src/potential.hpp), generalised forces.
// Each structure keeps its own FIRE state, cell, list-rebuild schedule and status; a
// finished one is handed out and its slot refilled at once.
//
// Layout: slot s owns local rows [s L, s L + n_s) and ghost rows [s G, s G + g_s) of one
// Atoms (L: the largest structure; G grows as cells need more images); rows between are
// padding no kernel visits. Lists are built per structure by brute force over its atoms
// and images (small cells). A structure is visited in order by one thread in every
// kernel, so its result is bit-for-bit independent of its batch mates, of its slot and
// of the thread count; it agrees with the minimize stage to rounding (the order of sums).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "atomforge/src/minimize.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/system.hpp"

namespace af::sampler {

struct BatchJob {
  long tag = 0;  // the caller's name for it (a campaign's proposal index)
  Structure structure;
};

struct BatchOutcome {
  long tag = 0;
  Structure structure;    // relaxed, positions wrapped into the cell; the input when failed
  MinimizeResult result;  // iterations, converged, energy, fmax, stress_error, reason
  bool failed = false;    // non-finite forces, a cell inside out or exploding: result.reason
  long evaluations = 0;   // force evaluations
};

class BatchRelaxer {
 public:
  // batch: slots; max_atoms: the largest structure a job may hold. relax: as a deck's
  // minimize stage (fire only); the cell relaxes for structures periodic in x, y and z.
  BatchRelaxer(std::shared_ptr<const PotentialSpec> potential, const SystemSettings& settings,
               const MinimizeSettings& relax, int batch, int max_atoms);
  ~BatchRelaxer();
  // Whether the potential honours structure batches (Potential::supports_batches).
  static bool supported(const PotentialSpec& potential);
  // Relaxes the jobs next() yields until it yields none, calling done() for each as it
  // finishes (in finish order); every job started is finished before run returns.
  void run(const std::function<std::optional<BatchJob>()>& next, const std::function<void(BatchOutcome&&)>& done);

  struct Impl;  // (public for nvcc: device lambdas live in its members)

 private:
  std::unique_ptr<Impl> d_;
};

}  // namespace af::sampler
