#include "atomforge/src/structure/assignment.hpp"

#include <limits>

namespace af::cell {

// Shortest augmenting paths with row and column potentials (Kuhn-Munkres as in
// Jonker & Volgenant's formulation); 1-based internally, column 0 a sentinel.
std::vector<int> min_cost_assignment(const std::vector<double>& a, int n, double* total) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0), minv(n + 1);
  std::vector<int> p(n + 1, 0), way(n + 1, 0);
  std::vector<char> used(n + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= n; ++j) {
        if (used[j]) continue;
        const double cur = a[static_cast<std::size_t>(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= n; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<int> col(n);
  for (int j = 1; j <= n; ++j) col[p[j] - 1] = j - 1;
  if (total) {
    double s = 0;
    for (int i = 0; i < n; ++i) s += a[static_cast<std::size_t>(i) * n + col[i]];
    *total = s;
  }
  return col;
}

}  // namespace af::cell
