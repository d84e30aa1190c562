// SO(3) tables for the equivariant potential, in e3nn's conventions (the Python
// definition is potentials/nnip/training/aftrain/so3.py; tests/ref/test_so3.py checks
// that both agree, with closed forms, rotations and each other):
// real spherical harmonics with "component" normalization (|Y^l|^2 = 2l+1 on the unit
// sphere), m = -l..l with y as the polar axis, so Y^1 = sqrt(3) (x, y, z); Wigner 3j
// tensors in that basis with unit Frobenius norm.
#pragma once
#include <Kokkos_Macros.hpp>

#include <vector>

namespace af::nnip {

constexpr int kShLMax = 4;
constexpr int kShN = (kShLMax + 1) * (kShLMax + 1);
KOKKOS_INLINE_FUNCTION constexpr int sh_size(int l_max) { return (l_max + 1) * (l_max + 1); }

// Y^0..Y^3 of (x, y, z) into Y[0..15]: homogeneous polynomials (pass a unit vector for
// values on the sphere). Standard real harmonics evaluated at (X, Y, Z) = (z, x, y).
// Out: T*, or anything indexed like one (att_input_lanes.hpp writes vector lanes).
template <class T, class Out>
KOKKOS_INLINE_FUNCTION void spherical_harmonics_l3(T x, T y, T z, Out Y) {
  const T X = z, Yp = x, Z = y;
  const T s3 = T(1.7320508075688772), s15 = T(3.872983346207417), h5 = T(1.118033988749895);
  const T a = T(2.091650066335189), b = T(10.246950765959598), d = T(1.620185174601965), e = T(1.3228756555322954);
  Y[0] = T(1);
  Y[1] = s3 * Yp;
  Y[2] = s3 * Z;
  Y[3] = s3 * X;
  Y[4] = s15 * X * Yp;
  Y[5] = s15 * Yp * Z;
  Y[6] = h5 * (T(2) * Z * Z - X * X - Yp * Yp);
  Y[7] = s15 * X * Z;
  Y[8] = s15 / T(2) * (X * X - Yp * Yp);
  const T r2 = X * X + Yp * Yp;
  Y[9] = a * Yp * (T(3) * X * X - Yp * Yp);
  Y[10] = b * X * Yp * Z;
  Y[11] = d * Yp * (T(4) * Z * Z - r2);
  Y[12] = e * Z * (T(2) * Z * Z - T(3) * r2);
  Y[13] = d * X * (T(4) * Z * Z - r2);
  Y[14] = b / T(2) * Z * (X * X - Yp * Yp);
  Y[15] = a * X * (X * X - T(3) * Yp * Yp);
}

// Y^4 of (x, y, z) into Y[16..24] (same conventions; Y[0..15] untouched).
template <class T>
KOKKOS_INLINE_FUNCTION void spherical_harmonics_4(T x, T y, T z, T* Y) {
  const T X = z, Yp = x, Z = y, r2 = X * X + Yp * Yp;
  // sqrt(4 pi) times the orthonormal prefactors: 3/2 sqrt(35), 3/4 sqrt(70), 3/2 sqrt(5), 3/4 sqrt(10).
  const T a4 = T(8.874119674649425), a3 = T(6.274950199005565), a2 = T(3.3541019662496847), a1 = T(2.3717082451262845);
  Y[16] = a4 * X * Yp * (X * X - Yp * Yp);
  Y[17] = a3 * Yp * Z * (T(3) * X * X - Yp * Yp);
  Y[18] = a2 * X * Yp * (T(6) * Z * Z - r2);
  Y[19] = a1 * Yp * Z * (T(4) * Z * Z - T(3) * r2);
  Y[20] = T(0.375) * (T(8) * Z * Z * Z * Z - T(24) * Z * Z * r2 + T(3) * r2 * r2);
  Y[21] = a1 * X * Z * (T(4) * Z * Z - T(3) * r2);
  Y[22] = a2 / T(2) * (X * X - Yp * Yp) * (T(6) * Z * Z - r2);
  Y[23] = a3 * X * Z * (X * X - T(3) * Yp * Yp);
  Y[24] = a4 / T(4) * (X * X * X * X - T(6) * X * X * Yp * Yp + Yp * Yp * Yp * Yp);
}

// Y^0..Y^l_max (l_max <= 4) into Y[0..(l_max+1)^2): the l <= 3 part is always written.
template <class T>
KOKKOS_INLINE_FUNCTION void spherical_harmonics(int l_max, T x, T y, T z, T* Y) {
  spherical_harmonics_l3(x, y, z, Y);
  if (l_max >= 4) spherical_harmonics_4(x, y, z, Y);
}

// C[l1][l2][l3] as a (2l1+1) x (2l2+1) x (2l3+1) row-major array; empty if the triangle
// rule fails. Host only (tables are built once and copied to the device).
std::vector<double> wigner_3j(int l1, int l2, int l3);

}  // namespace af::nnip
