// Minimum-cost perfect assignment of an n x n cost matrix (row-major): the Hungarian
// method with potentials, O(n^3). Returns col[i], the column given to row i. Where
// several assignments share the minimum, which one is returned may differ from
// pymatgen's LAPJV (docs/matcher.md).
#pragma once
#include <vector>

namespace af::cell {

std::vector<int> min_cost_assignment(const std::vector<double>& cost, int n, double* total = nullptr);

}  // namespace af::cell
