#include "atomforge/src/local_pairs.hpp"

#include <algorithm>
#include <cstddef>

namespace af {

void LocalPairs::add_within(const double* x, int i, int j, double rc2) {
  const double r[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]};
  if (r[0] * r[0] + r[1] * r[1] + r[2] * r[2] >= rc2) return;
  receiver.push_back(i);
  sender.push_back(j);
  vec.insert(vec.end(), r, r + 3);
}

void LocalPairs::find(const double* x, int nall, double cutoff) {
  const double rc = cutoff, rc2 = rc * rc;
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  for (int i = 0; i < nall; ++i)
    for (int k = 0; k < 3; ++k) {
      lo[k] = i ? std::min(lo[k], x[3 * i + k]) : x[3 * i + k];
      hi[k] = i ? std::max(hi[k], x[3 * i + k]) : x[3 * i + k];
    }
  int nb[3];
  double inv[3];  // bins at least rc wide: neighbors lie in the 27 around an atom's bin
  for (int k = 0; k < 3; ++k) {
    nb[k] = std::max(1, static_cast<int>((hi[k] - lo[k]) / rc));
    inv[k] = 1.0 / std::max((hi[k] - lo[k]) / nb[k], rc);
  }
  head_.assign(static_cast<std::size_t>(nb[0]) * nb[1] * nb[2], -1);
  next_.assign(nall, -1);
  bin_.resize(3 * static_cast<std::size_t>(nall));
  for (int i = nall - 1; i >= 0; --i) {
    int* b = &bin_[3 * static_cast<std::size_t>(i)];
    for (int k = 0; k < 3; ++k) b[k] = std::min(nb[k] - 1, static_cast<int>((x[3 * i + k] - lo[k]) * inv[k]));
    const std::size_t id = (static_cast<std::size_t>(b[2]) * nb[1] + b[1]) * nb[0] + b[0];
    next_[i] = head_[id];
    head_[id] = i;
  }
  receiver.clear();
  sender.clear();
  vec.clear();
  offset.assign(nall + 1, 0);
  max_degree = 0;
  for (int i = 0; i < nall; ++i) {
    const int* b = &bin_[3 * static_cast<std::size_t>(i)];
    const int before = static_cast<int>(sender.size());
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int c[3] = {b[0] + dx, b[1] + dy, b[2] + dz};
          if (c[0] < 0 || c[1] < 0 || c[2] < 0 || c[0] >= nb[0] || c[1] >= nb[1] || c[2] >= nb[2]) continue;
          for (int j = head_[(static_cast<std::size_t>(c[2]) * nb[1] + c[1]) * nb[0] + c[0]]; j >= 0; j = next_[j]) {
            if (j != i) add_within(x, i, j, rc2);
          }
        }
    offset[i + 1] = static_cast<int>(sender.size());
    max_degree = std::max(max_degree, offset[i + 1] - before);
  }
}

void LocalPairs::filter(const LocalPairs& from, const double* x, double cutoff, int receivers) {
  const double rc2 = cutoff * cutoff;
  const int n = static_cast<int>(from.offset.size()) - 1;
  const int nr = receivers < 0 ? n : receivers;
  receiver.clear();
  sender.clear();
  vec.clear();
  offset.assign(n + 1, 0);
  max_degree = 0;
  for (int i = 0; i < n; ++i) {
    for (int e = from.offset[i]; i < nr && e < from.offset[i + 1]; ++e) {
      add_within(x, i, from.sender[e], rc2);
    }
    offset[i + 1] = static_cast<int>(sender.size());
    max_degree = std::max(max_degree, offset[i + 1] - offset[i]);
  }
}

}  // namespace af
