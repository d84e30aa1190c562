// Host-side setup of the equivariant model, free of Kokkos: the layout and flat weights
// read from a model file, and the radial MLP's cubic Hermite table with its measured
// error (so a deck can decide between the table and the exact MLP before any kernel runs).
#pragma once
#include <vector>

#include "atomforge/potentials/nnip/equivariant/eq_layout.hpp"
#include "atomforge/potentials/nnip/model_file.hpp"

namespace af::nnip {

// Everything the kernels upload: the flat weights (offsets in the layout) and the sparse
// Clebsch-Gordan tensors (3 indices per nonzero).
struct EqHostData {
  std::vector<double> params, cg_v;
  std::vector<int> cg_abk;
};

// Layout and weights of a model file; throws Error (via f.fail) past the kernels' bounds.
EqLayout read_equivariant(const ModelFile& f, EqHostData& out);

// Values and d-derivatives of block b's radial MLP at d (P*C each), in double.
void radial_value_slope(const EqLayout& L, const std::vector<double>& w, int b, double d, double* R, double* dR);

// The Hermite table of the radial MLP over [s_d0, r_c] with `knots` intervals: per block
// and interval the cubic's coefficients c0..c3 (P*C each; radial_spline in
// eq_kernels.hpp); sets L's spline fields.
std::vector<double> radial_table(EqLayout& L, const std::vector<double>& w, int knots);

// Largest relative error of the table against the exact MLP, over every block and
// output: max |R_table - R| / max |R| and the same for dR/dd, at two points inside each
// interval (t = 1/2, where the value's error peaks, and t = 0.21, near the slope's
// peak). single: the table rounded to float, as float32 models keep it.
double radial_table_error(const EqLayout& L, const std::vector<double>& w, const std::vector<double>& table,
                          bool single);

}  // namespace af::nnip
