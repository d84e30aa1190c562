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

constexpr int kShLMax = 3;
constexpr int sh_size(int l_max) { return (l_max + 1) * (l_max + 1); }

// Y^0..Y^3 of (x, y, z) into Y[0..15]: homogeneous polynomials (pass a unit vector for
// values on the sphere). Standard real harmonics evaluated at (X, Y, Z) = (z, x, y).
template <class T>
KOKKOS_INLINE_FUNCTION void spherical_harmonics_l3(T x, T y, T z, T* Y) {
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

// C[l1][l2][l3] as a (2l1+1) x (2l2+1) x (2l3+1) row-major array; empty if the triangle
// rule fails. Host only (tables are built once and copied to the device).
std::vector<double> wigner_3j(int l1, int l2, int l3);

}  // namespace af::nnip
