// The compiled half of the `atomforge` Python package (module atomforge._core): Kokkos's
// lifetime, the engine's errors as Python exceptions, af::System, the matcher and decks.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "atomforge/src/system.hpp"

namespace af::py_ {

// Initialises Kokkos once per process (threads <= 0: Kokkos's default); later calls
// return the thread count in use.
int ensure_kokkos(int threads);

class PySystem;
// Systems alive now: finalize() releases their Views before Kokkos goes.
std::set<PySystem*>& live_systems();

class PySystem {
 public:
  using Rows = pybind11::array_t<double, pybind11::array::c_style | pybind11::array::forcecast>;
  PySystem(const Rows& cell, std::array<bool, 3> pbc, const std::vector<std::string>& symbols, const Rows& positions,
           const std::string& potential, const std::string& units, std::uint64_t seed);
  ~PySystem();
  System& sys();
  void release();
  void set_positions(const Rows& x);
  void set_cell(const Rows& cell, std::array<bool, 3> pbc, const Rows& positions);
  pybind11::dict compute(bool per_atom, bool energy_and_stress);
  pybind11::dict relax(const pybind11::dict& settings);
  pybind11::tuple state();

 private:
  Box box_from_rows(const std::vector<double>& rows);
  std::vector<double> to_engine(const std::vector<double>& x) const;
  std::vector<double> from_engine(const std::vector<double>& x) const;
  std::unique_ptr<System> system_;
  double rot_[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};  // caller's frame -> engine's
};

void bind_system(pybind11::module_& m);
void bind_structures(pybind11::module_& m);
void bind_flow(pybind11::module_& m);

}  // namespace af::py_
