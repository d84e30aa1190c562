// The learned crystal sampler's network (issue 22): the flow-matching model trained by
// aftrain.crystal_flow, evaluated in Kokkos. Its velocity field moves fractional
// coordinates and the lattice shape k (five numbers: the traceless part of log sqrt(G),
// G the metric) from noise at t = 0 to a crystal at t = 1; the cell's scale comes from
// the generator's volume per atom. Model file schema: docs/learned_sampler.md.
//
// A batch holds structures of any sizes (atoms of structure b: offsets[b]..offsets[b+1]);
// every array is host-side and row-major, copied to the device once per call.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace af::sampler {

struct FlowBatch {
  std::vector<int> z;        // atomic number per atom
  std::vector<int> offsets;  // first atom of each structure, and the total at the end
  std::vector<double> frac;  // 3 per atom
  std::vector<double> k;     // 5 per structure
  std::vector<double> t;     // per structure, in [0, 1]
  int structures() const { return static_cast<int>(offsets.size()) - 1; }
};

class CrystalFlow {
 public:
  // Reads and checks the model file; nnip::Error ("FILE: problem") when it is wrong.
  explicit CrystalFlow(const std::string& path);
  // The same checks without Kokkos (deck readers): nnip::Error when the file is wrong.
  static void check(const std::string& path);
  ~CrystalFlow();
  CrystalFlow(const CrystalFlow&) = delete;
  CrystalFlow& operator=(const CrystalFlow&) = delete;

  const std::string& path() const;
  const std::vector<std::string>& elements() const;  // trained elements
  double sigma_k() const;                            // the prior's width in k
  // Velocities at the batch's points: vx 3 per atom, vk 5 per structure.
  void velocity(const FlowBatch& in, std::vector<double>& vx, std::vector<double>& vk) const;
  // `steps` Euler steps from t = 0 to 1 (frac wrapped into [0, 1) after each), in place;
  // the state stays on the device between steps.
  void integrate(const std::vector<int>& z, const std::vector<int>& offsets, std::vector<double>& frac,
                 std::vector<double>& k, int steps) const;

  struct Impl;  // (public for nvcc: device lambdas live in its members)

 private:
  std::unique_ptr<Impl> impl_;
};

// The symmetric cell (rows are lattice vectors) of lattice shape k and volume `volume`
// (aftrain.crystal_flow.shape_cell).
void shape_cell(const double k[5], double volume, double cell[3][3]);

}  // namespace af::sampler
