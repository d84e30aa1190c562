// af::OpenSystem (src/open_system.hpp) directly, without LAMMPS: per-atom virials asked
// for on a call that reuses the pairs of an earlier one (LAMMPS: stress/atom on a step
// without re-neighboring) sum to the virial, for a many-body style (full list kept) and
// a pairwise one (its half list rebuilt as a full one from the kept pairs).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "atomforge/src/open_system.hpp"
#include "test_support.hpp"

namespace {

// A shaken diamond Si block of 2 x 2 x 2 cells (64 atoms) in vacuum, the first 40
// contributing.
void si_block(std::vector<double>& x, std::vector<int>& type, std::vector<int>& contributing) {
  const double a = 5.43;
  const double base[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                             {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
  std::mt19937 g(11);
  std::uniform_real_distribution<double> u(-0.1, 0.1);
  x.clear();
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 2; ++q)
      for (int r = 0; r < 2; ++r)
        for (const auto& b : base) {
          x.push_back((b[0] + p) * a + u(g));
          x.push_back((b[1] + q) * a + u(g));
          x.push_back((b[2] + r) * a + u(g));
        }
  const int n = static_cast<int>(x.size() / 3);
  type.assign(n, 0);
  contributing.assign(n, 0);
  for (int i = 0; i < 40; ++i) contributing[i] = 1;
}

}  // namespace

TEST(OpenSystem, PerAtomVirialsOnACallThatReusesPairs) {
  const std::string sections[] = {
      "potential: {style: sw, file: " + std::string(ATOMFORGE_SOURCE_DIR) + "/inputs/Si.vbwm.sw}\n",
      "potential: {style: lj, cutoff: 5.0, pairs: [{species: [Si, Si], epsilon: 0.1, sigma: 2.1}]}\n"};
  for (const auto& section : sections) {
    auto os = af::OpenSystem::load(aft::write_file("open_vatom.yaml", section), {"Si"}, "metal");
    ASSERT_TRUE(os->has_per_atom_virial());
    std::vector<double> x;
    std::vector<int> type, contributing;
    si_block(x, type, contributing);
    const int n = static_cast<int>(type.size());
    af::OpenSystem::Request request;
    request.skin = 0.5;
    std::vector<double> f(3 * n, 0.0), vatom(6 * n, 0.0);
    os->compute(n, x.data(), type.data(), contributing.data(), f.data(), nullptr, nullptr, request);
    for (double& v : x) v += 0.01;  // a rigid shift: same pairs, well inside skin/2
    request.same_atoms = true;
    request.per_atom_virial = true;
    std::fill(f.begin(), f.end(), 0.0);
    const auto r = os->compute(n, x.data(), type.data(), contributing.data(), f.data(), nullptr, vatom.data(), request);
    double wmax = 0, dw = 0;
    for (int k = 0; k < 6; ++k) {
      double sum = 0;
      for (int i = 0; i < n; ++i) sum += vatom[6 * i + k];
      wmax = std::max(wmax, std::fabs(r.virial[k]));
      dw = std::max(dw, std::fabs(sum - r.virial[k]));
    }
    EXPECT_GT(wmax, 1e-3) << section;
    EXPECT_LT(dw, 1e-12 * wmax) << section << ": per-atom virials sum off by " << dw;
  }
}
