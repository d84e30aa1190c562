// Simulation cell: LAMMPS restricted triclinic (a=(lx,0,0), b=(xy,ly,0), c=(xz,yz,lz))
// with an origin and per-dimension periodicity. Everything geometric goes through here.
// Plain data with inline functions, so kernels capture it by value.
#pragma once
#include <Kokkos_Macros.hpp>

#include <array>
#include <string>

namespace af {

struct Box {
  double lo[3] = {0, 0, 0};
  // Cell vectors as columns of h: h[row][col]; upper triangular.
  double h[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  double hinv[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  bool periodic[3] = {true, true, true};

  static Box orthogonal(const double lo[3], const double hi[3]);
  // LAMMPS parameters: bounds plus tilt factors xy, xz, yz.
  static Box triclinic(const double lo[3], const double hi[3], double xy, double xz, double yz);
  // A general cell (rows a, b, c) rotated into the restricted form. rot receives the
  // rotation applied to Cartesian vectors (x_new = rot * x_old). Throws if left-handed.
  static Box from_vectors(const double cell[3][3], double rot[3][3]);

  void update_inverse();
  double volume() const { return h[0][0] * h[1][1] * h[2][2]; }
  double lx() const { return h[0][0]; }
  double ly() const { return h[1][1]; }
  double lz() const { return h[2][2]; }
  double xy() const { return h[0][1]; }
  double xz() const { return h[0][2]; }
  double yz() const { return h[1][2]; }
  bool is_orthogonal() const { return h[0][1] == 0 && h[0][2] == 0 && h[1][2] == 0; }
  // Distance between opposite faces of the cell along each lattice direction.
  std::array<double, 3> plane_spacing() const;
  // Cell vector k as (x,y,z).
  std::array<double, 3> vector(int k) const { return {h[0][k], h[1][k], h[2][k]}; }
  std::string describe() const;

  KOKKOS_INLINE_FUNCTION void to_frac(const double x[3], double u[3]) const {
    const double d0 = x[0] - lo[0], d1 = x[1] - lo[1], d2 = x[2] - lo[2];
    u[0] = hinv[0][0] * d0 + hinv[0][1] * d1 + hinv[0][2] * d2;
    u[1] = hinv[1][1] * d1 + hinv[1][2] * d2;
    u[2] = hinv[2][2] * d2;
  }
  KOKKOS_INLINE_FUNCTION void to_cart(const double u[3], double x[3]) const {
    x[0] = lo[0] + h[0][0] * u[0] + h[0][1] * u[1] + h[0][2] * u[2];
    x[1] = lo[1] + h[1][1] * u[1] + h[1][2] * u[2];
    x[2] = lo[2] + h[2][2] * u[2];
  }
  // Cartesian shift of the periodic image n (integer cell offsets).
  KOKKOS_INLINE_FUNCTION void image_shift(int n0, int n1, int n2, double s[3]) const {
    s[0] = h[0][0] * n0 + h[0][1] * n1 + h[0][2] * n2;
    s[1] = h[1][1] * n1 + h[1][2] * n2;
    s[2] = h[2][2] * n2;
  }
};

}  // namespace af
