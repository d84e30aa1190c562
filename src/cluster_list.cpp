#include "atomforge/src/cluster_list.hpp"


#include <algorithm>
#include <cmath>
#include <numeric>

#include "atomforge/src/simd.hpp"

namespace af {

namespace {

bool lex_positive(int a, int b, int c) { return c > 0 || (c == 0 && (b > 0 || (b == 0 && a > 0))); }

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Per-cluster geometry used by the search.
struct Cluster {
  int column;
  double zlo, zhi;           // fractional extent along the third lattice direction
  double lo[3], hi[3];       // Cartesian bounding box
};

}  // namespace

void ClusterList::build(const Atoms& atoms, const Box& box, double rn) {
  const int n = atoms.nlocal;
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.x);
  auto ht = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.type);
  std::vector<double> u(3 * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double xi[3] = {hx(i, 0), hx(i, 1), hx(i, 2)};
    box.to_frac(xi, &u[3 * i]);
  }
  // Extent of the atoms in fractional coordinates (the whole cell along periodic directions).
  const auto d = box.plane_spacing();
  double lo[3], ext[3], volume = box.volume();
  for (int k = 0; k < 3; ++k) {
    lo[k] = 0;
    ext[k] = 1;
    if (box.periodic[k] || n == 0) continue;
    double mn = u[k], mx = u[k];
    for (int i = 1; i < n; ++i) {
      mn = std::min(mn, u[3 * i + k]);
      mx = std::max(mx, u[3 * i + k]);
    }
    lo[k] = mn;
    ext[k] = std::max(mx - mn, 1e-9);
    volume *= std::max(ext[k], rn / d[k]);
  }
  // Columns along the first two lattice directions, about as wide as a cluster is long,
  // so clusters of consecutive atoms along the third direction come out compact.
  const double rho = n > 0 ? n / volume : 1.0;
  const double side = std::cbrt(kClusterSize / rho);
  int nc[2];
  double w[2];
  for (int k = 0; k < 2; ++k) {
    nc[k] = std::max(1, static_cast<int>(std::lround(ext[k] * d[k] / side)));
    nc[k] = std::min(nc[k], std::max(1, n));
    w[k] = ext[k] / nc[k];
  }
  const int ncol = nc[0] * nc[1];
  std::vector<int> col(n), count(ncol + 1, 0);
  for (int i = 0; i < n; ++i) {
    int c[2];
    for (int k = 0; k < 2; ++k)
      c[k] = std::min(nc[k] - 1, std::max(0, static_cast<int>(std::floor((u[3 * i + k] - lo[k]) / w[k]))));
    col[i] = c[0] + nc[0] * c[1];
    ++count[col[i] + 1];
  }
  std::partial_sum(count.begin(), count.end(), count.begin());
  std::vector<int> order(n), cursor(count.begin(), count.end() - 1);
  for (int i = 0; i < n; ++i) order[cursor[col[i]]++] = i;
  // Within a column, order by height then index (deterministic).
  for (int c = 0; c < ncol; ++c)
    std::sort(order.begin() + count[c], order.begin() + count[c + 1], [&](int a, int b) {
      return u[3 * a + 2] < u[3 * b + 2] || (u[3 * a + 2] == u[3 * b + 2] && a < b);
    });

  // Clusters: consecutive atoms of a column, the last one padded.
  std::vector<Cluster> cl;
  std::vector<int> col_first(ncol + 1, 0), slots;
  for (int c = 0; c < ncol; ++c) {
    col_first[c] = static_cast<int>(cl.size());
    for (int p = count[c]; p < count[c + 1]; p += kClusterSize) {
      Cluster k;
      k.column = c;
      k.zlo = 1e300;
      k.zhi = -1e300;
      for (int m = 0; m < 3; ++m) {
        k.lo[m] = 1e300;
        k.hi[m] = -1e300;
      }
      for (int l = 0; l < kClusterSize; ++l) {
        const int a = p + l < count[c + 1] ? order[p + l] : -1;
        slots.push_back(a);
        if (a < 0) continue;
        k.zlo = std::min(k.zlo, u[3 * a + 2]);
        k.zhi = std::max(k.zhi, u[3 * a + 2]);
        for (int m = 0; m < 3; ++m) {
          k.lo[m] = std::min(k.lo[m], hx(a, m));
          k.hi[m] = std::max(k.hi[m], hx(a, m));
        }
      }
      cl.push_back(k);
    }
  }
  col_first[ncol] = static_cast<int>(cl.size());
  const int ncl = static_cast<int>(cl.size());
  // Positions in cluster order (x lanes, y lanes, z lanes); padding far away.
  std::vector<double> packed(static_cast<std::size_t>(ncl) * 3 * kClusterSize);
  for (std::size_t sl = 0; sl < slots.size(); ++sl) {
    const std::size_t c = sl / kClusterSize, l = sl % kClusterSize;
    for (int m = 0; m < 3; ++m)
      packed[c * 3 * kClusterSize + m * kClusterSize + l] = slots[sl] >= 0 ? hx(slots[sl], m) : 1.0e7 * (1 + sl) * (m == 0);
  }
  const simd::vm lanes = {0, 1, 2, 3};
  std::vector<int> nreal(ncl, 0);
  for (std::size_t sl = 0; sl < slots.size(); ++sl) nreal[sl / kClusterSize] += slots[sl] >= 0;

  // Search ranges: columns within D, images within R along each direction.
  double rf[3];
  int D[2], R[3];
  for (int k = 0; k < 3; ++k) rf[k] = rn / d[k] * (1 + 1e-10);
  for (int k = 0; k < 2; ++k) {
    D[k] = static_cast<int>(std::min(std::floor(rf[k] / w[k]) + 1, 1e9));
    // Non-periodic: never beyond the columns there are (atoms spread thinly along a
    // direction, e.g. all in one plane, make w tiny and rf / w huge).
    if (!box.periodic[k]) D[k] = std::min(D[k], nc[k]);
    R[k] = box.periodic[k] ? floor_div(nc[k] - 1 + D[k], nc[k]) + 1 : 0;
  }
  R[2] = box.periodic[2] ? static_cast<int>(std::ceil(rf[2])) + 1 : 0;
  const int span0 = 2 * R[0] + 1, span1 = 2 * R[1] + 1;
  auto image_index = [&](int n0, int n1, int n2) { return (n0 + R[0]) + span0 * ((n1 + R[1]) + span1 * (n2 + R[2])); };
  const double rn2 = rn * rn;
  self_image_ = image_index(0, 0, 0);

  // Calls emit(cj, image, lane mask) for every canonical cluster pair of ci with an atom
  // pair within rn.
  auto search = [&](int ci, auto&& emit) {
    const Cluster& a = cl[ci];
    const int c0 = a.column % nc[0], c1 = a.column / nc[0];
    for (int d1 = -D[1]; d1 <= D[1]; ++d1) {
      const int t1 = c1 + d1;
      int n1 = 0;
      if (box.periodic[1]) n1 = floor_div(t1, nc[1]);
      else if (t1 < 0 || t1 >= nc[1]) continue;
      for (int d0 = -D[0]; d0 <= D[0]; ++d0) {
        const int t0 = c0 + d0;
        int n0 = 0;
        if (box.periodic[0]) n0 = floor_div(t0, nc[0]);
        else if (t0 < 0 || t0 >= nc[0]) continue;
        const int tcol = (t0 - n0 * nc[0]) + nc[0] * (t1 - n1 * nc[1]);
        const int first = col_first[tcol], last = col_first[tcol + 1];
        for (int n2 = -R[2]; n2 <= R[2]; ++n2) {
          const double zmin = a.zlo - rf[2] - n2, zmax = a.zhi + rf[2] - n2;
          // Clusters of a column are ordered by height: binary search the first candidate.
          int j = static_cast<int>(std::lower_bound(cl.begin() + first, cl.begin() + last, zmin,
                                                    [](const Cluster& c, double z) { return c.zhi < z; }) -
                                   cl.begin());
          for (; j < last && cl[j].zlo <= zmax; ++j) {
            const bool zero = n0 == 0 && n1 == 0 && n2 == 0;
            if (!(ci < j || (ci == j && (zero || lex_positive(n0, n1, n2))))) continue;
            double s[3];
            box.image_shift(n0, n1, n2, s);
            double r2 = 0;
            for (int m = 0; m < 3; ++m) {
              const double gap = std::max({0.0, cl[j].lo[m] + s[m] - a.hi[m], a.lo[m] - cl[j].hi[m] - s[m]});
              r2 += gap * gap;
            }
            if (r2 >= rn2) continue;
            // Bounding boxes are close; keep the pair only if some atom pair is.
            const double* pj = &packed[static_cast<std::size_t>(j) * 3 * kClusterSize];
            const simd::vd xj0 = simd::load(pj) + s[0], xj1 = simd::load(pj + kClusterSize) + s[1],
                           xj2 = simd::load(pj + 2 * kClusterSize) + s[2];
            const double* pi = &packed[static_cast<std::size_t>(ci) * 3 * kClusterSize];
            const simd::vm jreal = lanes < nreal[j];
            int bits = 0;
            for (int la = 0; la < nreal[ci]; ++la) {
              const simd::vd dx = pi[la] - xj0, dy = pi[kClusterSize + la] - xj1, dz = pi[2 * kClusterSize + la] - xj2;
              simd::vm m = ((dx * dx + dy * dy + dz * dz) < rn2) & jreal;
              if (ci == j && zero) m &= (lanes > la);
              bits |= static_cast<int>((m[0] & 1) | (m[1] & 2) | (m[2] & 4) | (m[3] & 8)) << (kClusterSize * la);
            }
            if (bits) emit(j, image_index(n0, n1, n2), bits);
          }
        }
      }
    }
  };

  // One pass in parallel over clusters into per-thread buffers, then concatenated in
  // cluster order (the order within a cluster is fixed by the loops: deterministic).
  using Host = Kokkos::DefaultHostExecutionSpace;
  Kokkos::Experimental::UniqueToken<Host> token;
  std::vector<std::vector<int>> buf(token.size());
  std::vector<int> where(ncl), cnt(ncl);
  owner_thread_.assign(ncl, 0);
  Kokkos::parallel_for("cluster::search", Kokkos::RangePolicy<Host>(0, ncl), [&](const int ci) {
    const int t = token.acquire();
    auto& b = buf[t];
    where[ci] = static_cast<int>(b.size());
    search(ci, [&](int j, int img, int bits) {
      b.push_back(j);
      b.push_back(img);
      b.push_back(bits);
    });
    cnt[ci] = (static_cast<int>(b.size()) - where[ci]) / 3;
    owner_thread_[ci] = t;
    token.release(t);
  });
  auto hstart = Kokkos::View<int*, Kokkos::HostSpace>("cluster::start", ncl + 1);
  hstart(0) = 0;
  for (int c = 0; c < ncl; ++c) hstart(c + 1) = hstart(c) + cnt[c];
  nentries_ = hstart(ncl);
  Kokkos::View<int*, Kokkos::HostSpace> hcj("cluster::cj", nentries_), hsh("cluster::shift", nentries_),
      hmask("cluster::mask", nentries_);
  Kokkos::parallel_for("cluster::gather", Kokkos::RangePolicy<Host>(0, ncl), [&](const int ci) {
    const int* src = buf[owner_thread_[ci]].data() + where[ci];
    for (int k = 0; k < cnt[ci]; ++k) {
      hcj(hstart(ci) + k) = src[3 * k];
      hsh(hstart(ci) + k) = src[3 * k + 1];
      hmask(hstart(ci) + k) = src[3 * k + 2];
    }
  });

  // Device-side copies.
  v_.nclusters = ncl;
  v_.start = IntView("cluster::start", ncl + 1);
  v_.cj = IntView("cluster::cj", nentries_);
  v_.shift = IntView("cluster::shift", nentries_);
  v_.mask = IntView("cluster::mask", nentries_);
  Kokkos::deep_copy(v_.mask, hmask);
  Kokkos::deep_copy(v_.start, hstart);
  Kokkos::deep_copy(v_.cj, hcj);
  Kokkos::deep_copy(v_.shift, hsh);
  images_.clear();
  for (int n2 = -R[2]; n2 <= R[2]; ++n2)
    for (int n1 = -R[1]; n1 <= R[1]; ++n1)
      for (int n0 = -R[0]; n0 <= R[0]; ++n0) images_.push_back({n0, n1, n2});
  v_.shift_vec = decltype(v_.shift_vec)("cluster::shift_vec", images_.size());
  perm_ = IntView("cluster::perm", slots.size());
  auto hp = Kokkos::create_mirror_view(perm_);
  for (std::size_t s = 0; s < slots.size(); ++s) hp(s) = slots[s];
  Kokkos::deep_copy(perm_, hp);
  v_.xc = decltype(v_.xc)("cluster::x", ncl, 3 * kClusterSize);
  v_.tc = decltype(v_.tc)("cluster::type", ncl, kClusterSize);
  v_.nreal = IntView("cluster::nreal", ncl);
  {
    auto h = Kokkos::create_mirror_view(v_.nreal);
    for (int c = 0; c < ncl; ++c) h(c) = nreal[c];
    Kokkos::deep_copy(v_.nreal, h);
  }
  auto htc = Kokkos::create_mirror_view(v_.tc);
  for (int c = 0; c < ncl; ++c)
    for (int l = 0; l < kClusterSize; ++l) {
      const int a = slots[c * kClusterSize + l];
      htc(c, l) = a >= 0 ? ht(a) : 0;
    }
  Kokkos::deep_copy(v_.tc, htc);
  npairs_ = 0;
  for (long p = 0; p < nentries_; ++p) npairs_ += __builtin_popcount(static_cast<unsigned>(hmask(p)));
  pack(atoms, box);
}

IntView ClusterList::atom_order() const {
  auto hp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), perm_);
  std::vector<int> order;
  for (std::size_t s = 0; s < hp.extent(0); ++s)
    if (hp(s) >= 0) order.push_back(hp(s));
  IntView out("cluster::order", order.size());
  auto ho = Kokkos::create_mirror_view(out);
  for (std::size_t i = 0; i < order.size(); ++i) ho(i) = order[i];
  Kokkos::deep_copy(out, ho);
  return out;
}

void ClusterList::pack(const Atoms& atoms, const Box& box) {
  auto hs = Kokkos::create_mirror_view(v_.shift_vec);
  for (std::size_t k = 0; k < images_.size(); ++k) {
    double s[3];
    box.image_shift(images_[k][0], images_[k][1], images_[k][2], s);
    for (int m = 0; m < 3; ++m) hs(k, m) = s[m];
  }
  Kokkos::deep_copy(v_.shift_vec, hs);
  auto xc = v_.xc;
  auto perm = perm_;
  auto x = atoms.x;
  Kokkos::parallel_for(
      "cluster::pack", Kokkos::RangePolicy<ExecSpace>(0, v_.nclusters * kClusterSize), KOKKOS_LAMBDA(const int s) {
        const int c = s / kClusterSize, l = s % kClusterSize, a = perm(s);
        for (int m = 0; m < 3; ++m)
          // Padding lanes sit far apart and far from everything: no pair ever includes them.
          xc(c, m * kClusterSize + l) = a >= 0 ? x(a, m) : 1.0e7 * (1 + s) * (m == 0);
      });
}

void ClusterList::unpack(const Kokkos::View<double***, Kokkos::LayoutRight, Device>& fc,
                         const Kokkos::View<double***, Kokkos::LayoutRight, Device>& ec, const VecView& f,
                         const DblView& e, bool eatom) const {
  const int copies = static_cast<int>(fc.extent(0));
  auto perm = perm_;
  Kokkos::parallel_for(
      "cluster::unpack", Kokkos::RangePolicy<ExecSpace>(0, v_.nclusters * kClusterSize), KOKKOS_LAMBDA(const int s) {
        const int a = perm(s);
        if (a < 0) return;
        const int c = s / kClusterSize, l = s % kClusterSize;
        for (int m = 0; m < 3; ++m) {
          double sum = 0;
          for (int t = 0; t < copies; ++t) sum += fc(t, c, m * kClusterSize + l);
          f(a, m) = sum;
        }
        if (eatom) {
          double sum = 0;
          for (int t = 0; t < copies; ++t) sum += ec(t, c, l);
          e(a) = sum;
        }
      });
}

}  // namespace af
