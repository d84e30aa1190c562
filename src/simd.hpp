// Minimal portable SIMD for host kernels: GCC/Clang vector extensions (4 doubles), with
// lane-wise helpers for the few functions the extensions lack. Host code only.
#pragma once
#include <cmath>
#include <cstring>

namespace af {
namespace simd {

constexpr int W = 4;
typedef double vd __attribute__((vector_size(W * sizeof(double))));
using vm = decltype(vd{} < vd{});  // comparison results: lanes of all ones or zeros

inline vd splat(double x) { return vd{x, x, x, x}; }
inline vd load(const double* p) {
  vd v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, vd v) { std::memcpy(p, &v, sizeof v); }
inline vd select(vm m, vd a, vd b) { return m ? a : b; }
inline bool any(vm m) { return (m[0] | m[1] | m[2] | m[3]) != 0; }
inline double hsum(vd v) { return (v[0] + v[1]) + (v[2] + v[3]); }

inline vd sqrt(vd x) { return vd{std::sqrt(x[0]), std::sqrt(x[1]), std::sqrt(x[2]), std::sqrt(x[3])}; }
inline vd exp(vd x) { return vd{std::exp(x[0]), std::exp(x[1]), std::exp(x[2]), std::exp(x[3])}; }
}  // namespace simd

// `using namespace simd_math;` inside physics written once for double and simd::vd
// finds sqrt/exp for both.
namespace simd_math {
using simd::exp;
using simd::sqrt;
using std::exp;
using std::sqrt;
}  // namespace simd_math
}  // namespace af
