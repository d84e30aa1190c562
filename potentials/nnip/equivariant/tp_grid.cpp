#include "atomforge/potentials/nnip/equivariant/tp_grid.hpp"

#include <cmath>
#include <stdexcept>

#include "atomforge/potentials/nnip/so3.hpp"

namespace af::nnip {

namespace {

// Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n from Chebyshev guesses).
void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w) {
  x.assign(n, 0);
  w.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = z;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const double pn = n == 1 ? z : p1, pm = n == 1 ? 1 : p0;
      dp = n * (z * pn - pm) / (z * z - 1);
      const double dz = pn / dp;
      z -= dz;
      if (std::fabs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
}

}  // namespace

GridTP make_grid(const EqLayout& L, std::vector<double>& Y, std::vector<double>& w) {
  GridTP G;
  const int degree = 2 * L.L + L.Lsh;  // highest l1 + l2 + l3 of any path
  const int nt = degree / 2 + 1, np = degree + 1;
  std::vector<double> mu, wt;
  gauss_legendre(nt, mu, wt);
  G.S = nt * np;
  Y.assign(static_cast<std::size_t>(G.S) * kShN, 0.0);
  w.assign(G.S, 0.0);
  for (int i = 0; i < nt; ++i)
    for (int j = 0; j < np; ++j) {
      const int s = i * np + j;
      const double phi = 2 * M_PI * j / np, st = std::sqrt(1 - mu[i] * mu[i]);
      spherical_harmonics(kShLMax, st * std::cos(phi), st * std::sin(phi), mu[i], &Y[kShN * s]);
      w[s] = wt[i] * 2 * M_PI / np;
    }
  for (int p = 0; p < L.P; ++p) {
    const int l1 = L.l1[p], l2 = L.l2[p], l3 = L.l3[p];
    if ((l1 + l2 + l3) % 2) continue;  // Gaunt coefficients vanish: stays sparse CG
    const auto c = wigner_3j(l1, l2, l3);
    const int n2 = 2 * l2 + 1, n3 = 2 * l3 + 1;
    std::vector<double> g(c.size(), 0.0);
    std::size_t big = 0;
    for (std::size_t q = 0; q < c.size(); ++q) {
      const int a = static_cast<int>(q) / (n2 * n3), b = static_cast<int>(q) / n3 % n2, k = static_cast<int>(q) % n3;
      for (int s = 0; s < G.S; ++s) g[q] += w[s] * Y[kShN * s + l1 * l1 + a] * Y[kShN * s + l2 * l2 + b] * Y[kShN * s + l3 * l3 + k];
      if (std::fabs(c[q]) > std::fabs(c[big])) big = q;
    }
    const double kappa = c[big] / g[big];
    for (std::size_t q = 0; q < c.size(); ++q)
      if (std::fabs(c[q] - kappa * g[q]) > 1e-12)
        throw std::logic_error("Gaunt and Clebsch-Gordan tensors are not proportional for a path");
    G.on_grid[p] = 1;
    G.kappa[p] = kappa;
  }
  return G;
}

}  // namespace af::nnip
