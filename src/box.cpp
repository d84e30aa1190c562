#include "atomforge/src/box.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace af {

Box Box::orthogonal(const double lo[3], const double hi[3]) { return triclinic(lo, hi, 0, 0, 0); }

Box Box::triclinic(const double lo[3], const double hi[3], double xy, double xz, double yz) {
  Box b;
  for (int k = 0; k < 3; ++k) {
    b.lo[k] = lo[k];
    if (!(hi[k] > lo[k])) throw std::runtime_error("box: upper bound must exceed lower bound");
  }
  b.h[0][0] = hi[0] - lo[0];
  b.h[1][1] = hi[1] - lo[1];
  b.h[2][2] = hi[2] - lo[2];
  b.h[0][1] = xy;
  b.h[0][2] = xz;
  b.h[1][2] = yz;
  b.h[1][0] = b.h[2][0] = b.h[2][1] = 0;
  b.update_inverse();
  return b;
}

Box Box::from_vectors(const double c[3][3], double rot[3][3]) {
  auto dot = [](const double* a, const double* b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; };
  const double* A = c[0];
  const double* B = c[1];
  const double* C = c[2];
  double axb[3] = {A[1] * B[2] - A[2] * B[1], A[2] * B[0] - A[0] * B[2], A[0] * B[1] - A[1] * B[0]};
  const double vol = dot(axb, C);
  if (!(vol > 0)) throw std::runtime_error("cell vectors are degenerate or left-handed");
  const double la = std::sqrt(dot(A, A));
  double ahat[3] = {A[0] / la, A[1] / la, A[2] / la};
  const double lx = la;
  const double xy = dot(B, ahat);
  const double ly = std::sqrt(std::max(0.0, dot(B, B) - xy * xy));
  const double xz = dot(C, ahat);
  const double laxb = std::sqrt(dot(axb, axb));
  double axbhat[3] = {axb[0] / laxb, axb[1] / laxb, axb[2] / laxb};
  // y direction = (axb) x a, normalised.
  double yhat[3] = {axbhat[1] * ahat[2] - axbhat[2] * ahat[1], axbhat[2] * ahat[0] - axbhat[0] * ahat[2],
                    axbhat[0] * ahat[1] - axbhat[1] * ahat[0]};
  const double yz = dot(C, yhat);
  const double lz = dot(C, axbhat);
  for (int k = 0; k < 3; ++k) {
    rot[0][k] = ahat[k];
    rot[1][k] = yhat[k];
    rot[2][k] = axbhat[k];
  }
  Box b;
  b.h[0][0] = lx;
  b.h[0][1] = xy;
  b.h[0][2] = xz;
  b.h[1][1] = ly;
  b.h[1][2] = yz;
  b.h[2][2] = lz;
  b.h[1][0] = b.h[2][0] = b.h[2][1] = 0;
  b.update_inverse();
  return b;
}

void Box::update_inverse() {
  const double a = h[0][0], b = h[1][1], c = h[2][2];
  const double xy = h[0][1], xz = h[0][2], yz = h[1][2];
  hinv[0][0] = 1 / a;
  hinv[0][1] = -xy / (a * b);
  hinv[0][2] = (xy * yz - b * xz) / (a * b * c);
  hinv[1][0] = 0;
  hinv[1][1] = 1 / b;
  hinv[1][2] = -yz / (b * c);
  hinv[2][0] = hinv[2][1] = 0;
  hinv[2][2] = 1 / c;
}

std::array<double, 3> Box::plane_spacing() const {
  // d_k = V / |a_l x a_m|, i.e. 1 / |row k of h^-1|.
  std::array<double, 3> d{};
  for (int k = 0; k < 3; ++k) {
    const double n2 = hinv[k][0] * hinv[k][0] + hinv[k][1] * hinv[k][1] + hinv[k][2] * hinv[k][2];
    d[k] = 1.0 / std::sqrt(n2);
  }
  return d;
}

std::string Box::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "lx %.6g ly %.6g lz %.6g xy %.6g xz %.6g yz %.6g periodic %c%c%c", lx(), ly(), lz(),
                xy(), xz(), yz(), periodic[0] ? 'p' : 'f', periodic[1] ? 'p' : 'f', periodic[2] ? 'p' : 'f');
  return buf;
}

}  // namespace af
