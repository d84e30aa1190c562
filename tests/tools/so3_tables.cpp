// Prints the engine's SO(3) tables for tests/ref/test_so3.py to compare with the Python
// definition: "cg l1 l2 l3 values..." for every coupling with l <= 4, then for each point
// read from stdin "sh x y z values..." with Y^0..Y^4 in float64, Y^0..Y^4 in float32 and
// the kernels' polynomial gradients dY/dx, dY/dy, dY/dz (float64, 25 x 3 row-major).
#include <cstdio>

#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/so3.hpp"

int main() {
  using af::nnip::kShN;
  for (int l1 = 0; l1 <= 4; ++l1)
    for (int l2 = 0; l2 <= 4; ++l2)
      for (int l3 = 0; l3 <= 4; ++l3) {
        const auto c = af::nnip::wigner_3j(l1, l2, l3);
        if (c.empty()) continue;
        std::printf("cg %d %d %d", l1, l2, l3);
        for (double v : c) std::printf(" %.17g", v);
        std::printf("\n");
      }
  double x, y, z;
  while (std::scanf("%lf %lf %lf", &x, &y, &z) == 3) {
    double Y[kShN], Yg[kShN], dY[kShN][3];
    float Yf[kShN];
    af::nnip::spherical_harmonics(4, x, y, z, Y);
    af::nnip::spherical_harmonics(4, float(x), float(y), float(z), Yf);
    const double u[3] = {x, y, z};
    af::nnip::kernels::harmonics_with_grad(u, Yg, dY, 4);
    std::printf("sh %.17g %.17g %.17g", x, y, z);
    for (double v : Y) std::printf(" %.17g", v);
    for (float v : Yf) std::printf(" %.9g", double(v));
    for (int q = 0; q < kShN; ++q)
      for (int c = 0; c < 3; ++c) std::printf(" %.17g", dY[q][c]);
    std::printf("\n");
  }
  return 0;
}
