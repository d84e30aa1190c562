// Prints the engine's SO(3) tables for tests/ref/test_so3.py to compare with the Python
// definition: "cg l1 l2 l3 values..." for every coupling with l <= 4, then
// "sh x y z values..." (Y^0..Y^3, float64 and float32) for each point read from stdin.
#include <cstdio>

#include "potentials/nnip/so3.hpp"

int main() {
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
    double Y[16];
    float Yf[16];
    af::nnip::spherical_harmonics_l3(x, y, z, Y);
    af::nnip::spherical_harmonics_l3(float(x), float(y), float(z), Yf);
    std::printf("sh %.17g %.17g %.17g", x, y, z);
    for (double v : Y) std::printf(" %.17g", v);
    for (float v : Yf) std::printf(" %.9g", double(v));
    std::printf("\n");
  }
  return 0;
}
