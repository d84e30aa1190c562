#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "atomforge/src/box.hpp"
#include "atomforge/src/structure.hpp"

using af::Box;

TEST(Box, FracCartRoundTripTriclinic) {
  const double lo[3] = {-1.0, 0.5, 2.0}, hi[3] = {4.0, 6.0, 9.0};
  Box b = Box::triclinic(lo, hi, 1.3, -0.7, 2.1);
  std::mt19937 g(1);
  std::uniform_real_distribution<double> u(-10, 10);
  for (int t = 0; t < 100; ++t) {
    double x[3] = {u(g), u(g), u(g)}, f[3], y[3];
    b.to_frac(x, f);
    b.to_cart(f, y);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(x[k], y[k], 1e-12);
  }
  EXPECT_NEAR(b.volume(), 5.0 * 5.5 * 7.0, 1e-12);
}

TEST(Box, PlaneSpacingMatchesCrossProducts) {
  const double lo[3] = {0, 0, 0}, hi[3] = {3, 4, 5};
  Box b = Box::triclinic(lo, hi, 1.0, 0.5, -0.8);
  const auto d = b.plane_spacing();
  for (int k = 0; k < 3; ++k) {
    const auto a1 = b.vector((k + 1) % 3), a2 = b.vector((k + 2) % 3);
    const double c[3] = {a1[1] * a2[2] - a1[2] * a2[1], a1[2] * a2[0] - a1[0] * a2[2], a1[0] * a2[1] - a1[1] * a2[0]};
    EXPECT_NEAR(d[k], b.volume() / std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]), 1e-12);
  }
}

TEST(Box, FromVectorsPreservesLengthsAndAngles) {
  const double cell[3][3] = {{3.0, 0.4, -0.2}, {0.7, 2.9, 0.3}, {-0.5, 0.6, 4.1}};
  double rot[3][3];
  Box b = Box::from_vectors(cell, rot);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double dot_in = 0, dot_out = 0;
      for (int k = 0; k < 3; ++k) dot_in += cell[i][k] * cell[j][k];
      const auto a = b.vector(i), c = b.vector(j);
      for (int k = 0; k < 3; ++k) dot_out += a[k] * c[k];
      EXPECT_NEAR(dot_in, dot_out, 1e-12);
      // rot maps each input vector onto the restricted one.
      double r[3] = {0, 0, 0};
      for (int k = 0; k < 3; ++k)
        for (int m = 0; m < 3; ++m) r[k] += rot[k][m] * cell[i][m];
      const auto v = b.vector(i);
      for (int k = 0; k < 3; ++k) EXPECT_NEAR(r[k], v[k], 1e-12);
    }
}

TEST(Structure, WrapLeavesInsideAtomsUntouched) {
  af::Structure s;
  const double lo[3] = {0, 0, 0}, hi[3] = {2, 2, 2};
  s.box = Box::triclinic(lo, hi, 0.5, 0, 0);
  s.x = {0.1234567890123, 0.2, 1.0, 2.7, -0.5, 1.0};
  s.type = {0, 0};
  s.id = {1, 2};
  s.species = {"A"};
  s.masses = {1};
  s.wrap();
  EXPECT_EQ(s.x[0], 0.1234567890123);
  double u[3];
  s.box.to_frac(&s.x[3], u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_GE(u[k], 0.0);
    EXPECT_LT(u[k], 1.0);
  }
  EXPECT_EQ(s.image[4], -1);
}
