#include "atomforge/src/neighbor.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace af {

namespace {

// Antisymmetric order on integer offsets: exactly one of n and -n is "positive" (n != 0).
KOKKOS_INLINE_FUNCTION bool lex_positive(int a, int b, int c) {
  return c > 0 || (c == 0 && (b > 0 || (b == 0 && a > 0)));
}

KOKKOS_INLINE_FUNCTION int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Periodic images to make ghosts of: fractional reach rf and search range m per dimension
// (m = 0 for non-periodic dimensions).
struct ImageRange {
  double rf[3];
  int m[3];
};

// Calls visit(n0, n1, n2) for each nonzero image offset of the point xi that lies
// within the cell grown by rf along each lattice direction.
template <class F>
KOKKOS_INLINE_FUNCTION void for_each_image(const Box& b, const ImageRange& r, const double xi[3], F&& visit) {
  double u[3];
  b.to_frac(xi, u);
  for (int n2 = -r.m[2]; n2 <= r.m[2]; ++n2) {
    const double u2 = u[2] + n2;
    if (r.m[2] && (u2 < -r.rf[2] || u2 >= 1 + r.rf[2])) continue;
    for (int n1 = -r.m[1]; n1 <= r.m[1]; ++n1) {
      const double u1 = u[1] + n1;
      if (r.m[1] && (u1 < -r.rf[1] || u1 >= 1 + r.rf[1])) continue;
      for (int n0 = -r.m[0]; n0 <= r.m[0]; ++n0) {
        const double u0 = u[0] + n0;
        if (r.m[0] && (u0 < -r.rf[0] || u0 >= 1 + r.rf[0])) continue;
        if (n0 == 0 && n1 == 0 && n2 == 0) continue;
        visit(n0, n1, n2);
      }
    }
  }
}

}  // namespace

ListKind choose_list_kind(const NeighborSettings& s, ListKind preferred, bool supports_clusters) {
  switch (s.list) {
    case NeighborSettings::List::Half: return ListKind::Half;
    case NeighborSettings::List::Full: return ListKind::Full;
    case NeighborSettings::List::Cluster: return ListKind::Cluster;
    default: return kHostExec && supports_clusters ? ListKind::Cluster : preferred;
  }
}

void NeighborList::setup(ListKind kind, double cutoff, const NeighborSettings& s) {
  // Cluster kernels are CPU code; devices take full lists instead.
  kind_ = (!kHostExec && kind == ListKind::Cluster) ? ListKind::Full : kind;
  cutoff_ = cutoff;
  set_ = s;
  if (set_.every < 1) set_.every = 1;
  last_build_ = last_sort_ = -1;
  nbuild_ = ndanger_ = 0;
}

bool NeighborList::need_rebuild(long step, const Atoms& atoms, const Box& box) const {
  if (last_build_ < 0 || atoms.nlocal == 0) return last_build_ < 0;
  const long ago = step - last_build_;
  if (ago < set_.delay || ago % set_.every != 0) return false;
  if (!set_.check) return true;
  auto x = atoms.x;
  auto xh = xhold_;
  double maxd2 = 0;
  Kokkos::parallel_reduce(
      "neigh::check", Kokkos::RangePolicy<ExecSpace>(0, atoms.nlocal),
      KOKKOS_LAMBDA(const int i, double& m) {
        const double dx = x(i, 0) - xh(i, 0), dy = x(i, 1) - xh(i, 1), dz = x(i, 2) - xh(i, 2);
        const double d2 = dx * dx + dy * dy + dz * dz;
        if (d2 > m) m = d2;
      },
      Kokkos::Max<double>(maxd2));
  // Largest move of a periodic image caused by the cell change since the build:
  // image n shifts by sum_k n_k (a_k - a_k(build)), |n_k| bounded by the reach in cells.
  double cell_shift = 0;
  const double rn = cutoff_ + set_.skin;
  const auto d = box_.plane_spacing();
  for (int k = 0; k < 3; ++k) {
    if (!box.periodic[k]) continue;
    const auto a = box.vector(k), a0 = box_.vector(k);
    const double da = std::sqrt((a[0] - a0[0]) * (a[0] - a0[0]) + (a[1] - a0[1]) * (a[1] - a0[1]) +
                                (a[2] - a0[2]) * (a[2] - a0[2]));
    cell_shift += (std::ceil(rn / d[k]) + 1) * da;
  }
  const double half = 0.5 * set_.skin;
  const double moved = std::sqrt(maxd2) + cell_shift;
  return moved > half;
}

void NeighborList::build(Atoms& atoms, const Box& box, long step) {
  const int nlocal = atoms.nlocal;
  const double rn = cutoff_ + set_.skin;
  auto x = atoms.x;
  auto image = atoms.image;
  box_ = box;

  // Safety statistics: with check off, a rebuild after atoms moved more than skin/2
  // may have missed pairs (LAMMPS calls these dangerous builds).
  if (last_build_ >= 0 && !set_.check && nlocal > 0) {
    auto xh = xhold_;
    double maxd2 = 0;
    Kokkos::parallel_reduce(
        "neigh::danger", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
        KOKKOS_LAMBDA(const int i, double& m) {
          const double dx = x(i, 0) - xh(i, 0), dy = x(i, 1) - xh(i, 1), dz = x(i, 2) - xh(i, 2);
          const double d2 = dx * dx + dy * dy + dz * dz;
          if (d2 > m) m = d2;
        },
        Kokkos::Max<double>(maxd2));
    if (maxd2 > 0.25 * set_.skin * set_.skin) ++ndanger_;
  }

  // 1. Wrap local atoms into the cell along periodic dimensions.
  const Box b = box;
  Kokkos::parallel_for(
      "neigh::wrap", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
        double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, u[3];
        b.to_frac(xi, u);
        int n[3] = {0, 0, 0};
        for (int k = 0; k < 3; ++k)
          if (b.periodic[k]) n[k] = static_cast<int>(floor(u[k]));
        if (n[0] | n[1] | n[2]) {
          double s[3];
          b.image_shift(n[0], n[1], n[2], s);
          for (int k = 0; k < 3; ++k) {
            x(i, k) = xi[k] - s[k];
            image(i, k) += n[k];
          }
        }
      });

  if (kind_ == ListKind::Cluster) {
    atoms.nghost = 0;
    cluster_.build(atoms, box, rn);
    if (sorting_ && set_.sort_every > 0 && (last_sort_ < 0 || step - last_sort_ >= set_.sort_every)) {
      // Store atoms in cluster order, so packing them each step streams through memory.
      atoms.permute(cluster_.atom_order());
      cluster_.build(atoms, box, rn);
      last_sort_ = step;
    }
    hold_positions(atoms);
    last_build_ = step;
    ++nbuild_;
    return;
  }

  // 2. Bin geometry. Bins are at least rn/2 wide (in plane spacing); periodic
  //    dimensions get a whole number of bins per cell so a periodic image's bin is
  //    its owner's bin plus an exact integer offset.
  const auto d = box.plane_spacing();
  double umin[3] = {0, 0, 0}, umax[3] = {1, 1, 1};
  for (int k = 0; k < 3; ++k) {
    if (box.periodic[k] || nlocal == 0) continue;
    double lo = 0, hi = 0;
    const int kk = k;
    Kokkos::parallel_reduce(
        "neigh::extent", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
        KOKKOS_LAMBDA(const int i, double& mn) {
          double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, u[3];
          b.to_frac(xi, u);
          if (u[kk] < mn) mn = u[kk];
        },
        Kokkos::Min<double>(lo));
    Kokkos::parallel_reduce(
        "neigh::extent", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
        KOKKOS_LAMBDA(const int i, double& mx) {
          double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, u[3];
          b.to_frac(xi, u);
          if (u[kk] > mx) mx = u[kk];
        },
        Kokkos::Max<double>(hi));
    umin[k] = lo;
    umax[k] = hi;
  }
  long nbins = 1;
  for (int k = 0; k < 3; ++k) {
    const double half_bin = 0.5 * rn / d[k];  // rn/2 in fractional units
    if (box.periodic[k]) {
      nb_[k] = std::max(1, static_cast<int>(std::floor(1.0 / half_bin)));
      uw_[k] = 1.0 / nb_[k];
      ulo_[k] = 0;
      const double rf = rn / d[k] * (1 + 1e-10);
      gb_[k] = static_cast<int>(std::ceil(rf * nb_[k])) + 1;
    } else {
      const double ext = umax[k] - umin[k];
      nb_[k] = std::max(1, static_cast<int>(std::floor(ext / half_bin)));
      uw_[k] = std::max(ext / nb_[k], half_bin) * (1 + 1e-12);
      ulo_[k] = umin[k];
      gb_[k] = 0;
    }
    grid_[k] = nb_[k] + 2 * gb_[k];
    nbins *= grid_[k];
  }

  // 3. Stencil: bin offsets that can hold a point within rn of a point in bin 0.
  //    Lower bound on the distance between two bins a apart: (|a|-1) bin widths along
  //    each lattice direction (exact sum of squares for orthogonal cells).
  {
    std::vector<int> st;
    int s[3];
    for (int k = 0; k < 3; ++k) s[k] = static_cast<int>(std::floor(rn / (uw_[k] * d[k]))) + 1;
    const double rn2 = rn * rn * (1 + 1e-10);
    for (int c = -s[2]; c <= s[2]; ++c)
      for (int bb = -s[1]; bb <= s[1]; ++bb)
        for (int a = -s[0]; a <= s[0]; ++a) {
          const int off[3] = {a, bb, c};
          double sum = 0, mx = 0;
          for (int k = 0; k < 3; ++k) {
            const double gap = std::max(std::abs(off[k]) - 1, 0) * uw_[k] * d[k];
            sum += gap * gap;
            mx = std::max(mx, gap * gap);
          }
          const double lb2 = box.is_orthogonal() ? sum : mx;
          if (lb2 >= rn2) continue;
          if (kind_ == ListKind::Half && !(lex_positive(a, bb, c) || (a == 0 && bb == 0 && c == 0))) continue;
          st.insert(st.end(), {a, bb, c});
        }
    nstencil_ = static_cast<int>(st.size() / 3);
    if (stencil_.extent(0) < static_cast<std::size_t>(nstencil_)) stencil_ = Int3View("neigh::stencil", nstencil_);
    auto hs = Kokkos::create_mirror_view(stencil_);
    for (int i = 0; i < nstencil_; ++i)
      for (int k = 0; k < 3; ++k) hs(i, k) = st[3 * i + k];
    Kokkos::deep_copy(stencil_, hs);
  }
  if (bin_start_.extent(0) < static_cast<std::size_t>(nbins + 1)) bin_start_ = IntView("neigh::bin_start", nbins + 1);

  // 4. Spatial sort of local atoms (memory locality), then ghosts, bins and the list.
  if (sorting_ && set_.sort_every > 0 && (last_sort_ < 0 || step - last_sort_ >= set_.sort_every)) {
    atoms.nghost = 0;
    sort_atoms(atoms);
    last_sort_ = step;
  }
  make_ghosts(atoms, box);
  bin_atoms(atoms, atoms.nall());
  fill_list(atoms);

  hold_positions(atoms);
  last_build_ = step;
  ++nbuild_;
}

void NeighborList::hold_positions(const Atoms& atoms) {
  const int nlocal = atoms.nlocal;
  if (xhold_.extent(0) < static_cast<std::size_t>(nlocal)) xhold_ = VecView("neigh::xhold", nlocal);
  auto xh = xhold_;
  auto xx = atoms.x;
  Kokkos::parallel_for(
      "neigh::hold", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < 3; ++k) xh(i, k) = xx(i, k);
      });
}

void NeighborList::make_ghosts(Atoms& atoms, const Box& box) {
  const int nlocal = atoms.nlocal;
  const double rn = cutoff_ + set_.skin;
  const auto d = box.plane_spacing();
  double rf[3];
  int m[3];
  for (int k = 0; k < 3; ++k) {
    rf[k] = rn / d[k] * (1 + 1e-10);
    m[k] = box.periodic[k] ? static_cast<int>(std::ceil(rf[k])) + 1 : 0;
  }
  const Box b = box;
  ImageRange r;
  for (int k = 0; k < 3; ++k) {
    r.rf[k] = rf[k];
    r.m[k] = m[k];
  }
  auto x = atoms.x;
  if (ghost_start_.extent(0) < static_cast<std::size_t>(nlocal + 1)) ghost_start_ = IntView("neigh::ghost_start", nlocal + 1);
  auto gs = ghost_start_;
  int total = 0;
  Kokkos::parallel_scan(
      "neigh::ghost_count", Kokkos::RangePolicy<ExecSpace>(0, nlocal + 1),
      KOKKOS_LAMBDA(const int i, int& sum, const bool final) {
        if (final) gs(i) = sum;
        if (i < nlocal) {
          int c = 0;
          const double xi[3] = {x(i, 0), x(i, 1), x(i, 2)};
          for_each_image(b, r, xi, [&](int, int, int) { ++c; });
          sum += c;
        }
      },
      total);
  atoms.reserve_ghosts(total);
  atoms.nghost = total;
  if (ghost_owner_.extent(0) < static_cast<std::size_t>(total)) {
    const std::size_t cap = total + total / 8 + 16;
    ghost_owner_ = IntView("neigh::ghost_owner", cap);
    ghost_image_ = Int3View("neigh::ghost_image", cap);
  }
  auto owner = ghost_owner_;
  auto img = ghost_image_;
  auto xa = atoms.x;
  auto type = atoms.type;
  Kokkos::parallel_for(
      "neigh::ghost_fill", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
        int g = gs(i);
        const double xi[3] = {xa(i, 0), xa(i, 1), xa(i, 2)};
        for_each_image(b, r, xi, [&](int n0, int n1, int n2) {
          double s[3];
          b.image_shift(n0, n1, n2, s);
          owner(g) = i;
          img(g, 0) = n0;
          img(g, 1) = n1;
          img(g, 2) = n2;
          for (int k = 0; k < 3; ++k) xa(nlocal + g, k) = xa(i, k) + s[k];
          type(nlocal + g) = type(i);
          ++g;
        });
      });
}

void NeighborList::bin_atoms(const Atoms& atoms, int count) {
  const int nlocal = atoms.nlocal;
  const int nbins = grid_[0] * grid_[1] * grid_[2];
  if (atom_bin_.extent(0) < static_cast<std::size_t>(count)) {
    atom_bin_ = IntView("neigh::atom_bin", count + count / 8 + 16);
    bin_atoms_ = IntView("neigh::bin_atoms", count + count / 8 + 16);
  }
  auto x = atoms.x;
  auto owner = ghost_owner_;
  auto img = ghost_image_;
  auto ab = atom_bin_;
  const int nb0 = nb_[0], nb1 = nb_[1], nb2 = nb_[2];
  const int g0 = grid_[0], g1 = grid_[1], g2 = grid_[2];
  const int gb0 = gb_[0], gb1 = gb_[1], gb2 = gb_[2];
  const double ulo0 = ulo_[0], ulo1 = ulo_[1], ulo2 = ulo_[2];
  const double iw0 = 1.0 / uw_[0], iw1 = 1.0 / uw_[1], iw2 = 1.0 / uw_[2];
  const Box box = box_;
  Kokkos::parallel_for(
      "neigh::bin_index", Kokkos::RangePolicy<ExecSpace>(0, count), KOKKOS_LAMBDA(const int a) {
        const int o = a < nlocal ? a : owner(a - nlocal);
        double xo[3] = {x(o, 0), x(o, 1), x(o, 2)}, u[3];
        box.to_frac(xo, u);
        int c0 = clampi(static_cast<int>(floor((u[0] - ulo0) * iw0)), 0, nb0 - 1) + gb0;
        int c1 = clampi(static_cast<int>(floor((u[1] - ulo1) * iw1)), 0, nb1 - 1) + gb1;
        int c2 = clampi(static_cast<int>(floor((u[2] - ulo2) * iw2)), 0, nb2 - 1) + gb2;
        if (a >= nlocal) {
          const int g = a - nlocal;
          c0 = clampi(c0 + img(g, 0) * nb0, 0, g0 - 1);
          c1 = clampi(c1 + img(g, 1) * nb1, 0, g1 - 1);
          c2 = clampi(c2 + img(g, 2) * nb2, 0, g2 - 1);
        }
        ab(a) = c0 + g0 * (c1 + g1 * c2);
      });

  // Counting sort into bins; atoms inside a bin in increasing index (deterministic).
  auto start = bin_start_;
  Kokkos::deep_copy(Kokkos::subview(start, Kokkos::make_pair(0, nbins + 1)), 0);
  Kokkos::parallel_for(
      "neigh::bin_count", Kokkos::RangePolicy<ExecSpace>(0, count),
      KOKKOS_LAMBDA(const int a) { Kokkos::atomic_add(&start(ab(a) + 1), 1); });
  Kokkos::parallel_scan(
      "neigh::bin_scan", Kokkos::RangePolicy<ExecSpace>(0, nbins + 1),
      KOKKOS_LAMBDA(const int i, int& sum, const bool final) {
        sum += start(i);
        if (final) start(i) = sum;
      });
  if (cursor_.extent(0) < static_cast<std::size_t>(nbins)) cursor_ = IntView("neigh::cursor", nbins);
  auto cursor = cursor_;
  Kokkos::deep_copy(Kokkos::subview(cursor, Kokkos::make_pair(0, nbins)), 0);
  auto ba = bin_atoms_;
  Kokkos::parallel_for(
      "neigh::bin_fill", Kokkos::RangePolicy<ExecSpace>(0, count), KOKKOS_LAMBDA(const int a) {
        const int bin = ab(a);
        ba(start(bin) + Kokkos::atomic_fetch_add(&cursor(bin), 1)) = a;
      });
  Kokkos::parallel_for(
      "neigh::bin_order", Kokkos::RangePolicy<ExecSpace>(0, nbins), KOKKOS_LAMBDA(const int bin) {
        for (int p = start(bin) + 1; p < start(bin + 1); ++p) {  // insertion sort: bins hold few atoms
          const int v = ba(p);
          int q = p - 1;
          while (q >= start(bin) && ba(q) > v) {
            ba(q + 1) = ba(q);
            --q;
          }
          ba(q + 1) = v;
        }
      });
}

void NeighborList::sort_atoms(Atoms& atoms) {
  // Binning the locals alone lists them bin by bin, in index order inside a bin:
  // that listing is the permutation.
  bin_atoms(atoms, atoms.nlocal);
  atoms.permute(bin_atoms_);
}

void NeighborList::fill_list(const Atoms& atoms) {
  const int nlocal = atoms.nlocal;
  nlist_ = nlocal;
  if (num_.extent(0) < static_cast<std::size_t>(nlocal)) num_ = IntView("neigh::num", nlocal);
  // Rows hold cap entries plus one spare column (see the append below).
  int cap = std::max(0, static_cast<int>(neigh_.extent(1)) - 1);
  if (cap == 0 || neigh_.extent(0) < static_cast<std::size_t>(nlocal)) {
    if (cap == 0) {
      const double rn = cutoff_ + set_.skin;
      const double rho = nlocal / box_.volume();
      const double est = rho * 4.18879 * rn * rn * rn * (kind_ == ListKind::Half ? 0.6 : 1.2);
      cap = static_cast<int>(std::min(est, 4.0 * (nlocal + 64))) + 16;
    }
    neigh_ = Kokkos::View<int**, Device>("neigh::list", nlocal, cap + 1);
  }
  const bool half = kind_ == ListKind::Half;
  const double rn = cutoff_ + set_.skin;
  const double rn2 = rn * rn;
  auto x = atoms.x;
  auto owner = ghost_owner_;
  auto img = ghost_image_;
  auto ab = atom_bin_;
  auto start = bin_start_;
  auto ba = bin_atoms_;
  auto st = stencil_;
  auto num = num_;
  const int nst = nstencil_;
  const int g0 = grid_[0], g1 = grid_[1], g2 = grid_[2];
  for (;;) {
    auto list = neigh_;
    int maxn = 0;
    Kokkos::parallel_reduce(
        "neigh::fill", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
        KOKKOS_LAMBDA(const int i, int& mx) {
          const int bin = ab(i);
          const int c0 = bin % g0, c1 = (bin / g0) % g1, c2 = bin / (g0 * g1);
          const double xi0 = x(i, 0), xi1 = x(i, 1), xi2 = x(i, 2);
          int n = 0;
          for (int s = 0; s < nst; ++s) {
            const int b0 = c0 + st(s, 0), b1 = c1 + st(s, 1), b2 = c2 + st(s, 2);
            if (b0 < 0 || b0 >= g0 || b1 < 0 || b1 >= g1 || b2 < 0 || b2 >= g2) continue;
            const int nb = b0 + g0 * (b1 + g1 * b2);
            const bool self = nb == bin;
            for (int p = start(nb); p < start(nb + 1); ++p) {
              const int j = ba(p);
              if (self) {
                if (!half) {
                  if (j == i) continue;
                } else if (j < nlocal) {
                  if (j <= i) continue;
                } else {
                  const int g = j - nlocal, o = owner(g);
                  if (o < i || (o == i && !lex_positive(img(g, 0), img(g, 1), img(g, 2)))) continue;
                }
              }
              // Branch-free append (whether a candidate is in range is unpredictable):
              // every candidate is stored at slot n, which only a hit advances; once the
              // list is full, stores go to the spare last column and the list regrows.
              const double dx = x(j, 0) - xi0, dy = x(j, 1) - xi1, dz = x(j, 2) - xi2;
              list(i, n < cap ? n : cap) = j;
              n += dx * dx + dy * dy + dz * dz < rn2;
            }
          }
          num(i) = n;
          if (n > mx) mx = n;
        },
        Kokkos::Max<int>(maxn));
    if (maxn <= cap) break;
    cap = maxn + maxn / 8 + 8;  // regrow and redo instead of failing
    neigh_ = Kokkos::View<int**, Device>("neigh::list", nlocal, cap + 1);
  }
}

void NeighborList::update_ghosts(Atoms& atoms, const Box& box) {
  if (kind_ == ListKind::Cluster) {
    cluster_.pack(atoms, box);
    return;
  }
  const int nlocal = atoms.nlocal;
  const Box b = box;
  auto x = atoms.x;
  auto owner = ghost_owner_;
  auto img = ghost_image_;
  Kokkos::parallel_for(
      "neigh::ghost_update", Kokkos::RangePolicy<ExecSpace>(0, atoms.nghost), KOKKOS_LAMBDA(const int g) {
        double s[3];
        b.image_shift(img(g, 0), img(g, 1), img(g, 2), s);
        const int o = owner(g);
        for (int k = 0; k < 3; ++k) x(nlocal + g, k) = x(o, k) + s[k];
      });
}

void NeighborList::adopt(ListKind kind, double cutoff, const Kokkos::View<int**, Device>& neigh, const IntView& num,
                         const IntView& ghost_owner, const IntView& ghost_start, const Int3View& ghost_image,
                         int nlocal) {
  kind_ = kind;
  cutoff_ = cutoff;
  neigh_ = neigh;
  num_ = num;
  ghost_owner_ = ghost_owner;
  ghost_start_ = ghost_start;
  ghost_image_ = ghost_image;
  nlist_ = nlocal;
  last_build_ = 0;
}

void NeighborList::fold_ghosts(const Atoms& atoms, const VecView& f) const {
  const int nlocal = atoms.nlocal;
  auto gs = ghost_start_;
  Kokkos::parallel_for(
      "neigh::fold", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
        double a0 = 0, a1 = 0, a2 = 0;
        for (int g = gs(i); g < gs(i + 1); ++g) {
          a0 += f(nlocal + g, 0);
          a1 += f(nlocal + g, 1);
          a2 += f(nlocal + g, 2);
        }
        f(i, 0) += a0;
        f(i, 1) += a1;
        f(i, 2) += a2;
      });
}

void NeighborList::fold_ghosts(const Atoms& atoms, const DblView& e) const {
  const int nlocal = atoms.nlocal;
  auto gs = ghost_start_;
  Kokkos::parallel_for(
      "neigh::fold_scalar", Kokkos::RangePolicy<ExecSpace>(0, nlocal), KOKKOS_LAMBDA(const int i) {
        double a = 0;
        for (int g = gs(i); g < gs(i + 1); ++g) a += e(nlocal + g);
        e(i) += a;
      });
}

void NeighborList::forward_ghosts(const Atoms& atoms, const DblView& v) const {
  const int nlocal = atoms.nlocal;
  auto owner = ghost_owner_;
  Kokkos::parallel_for(
      "neigh::forward", Kokkos::RangePolicy<ExecSpace>(0, atoms.nghost),
      KOKKOS_LAMBDA(const int g) { v(nlocal + g) = v(owner(g)); });
}

long NeighborList::total_neighbors() const {
  if (kind_ == ListKind::Cluster) return cluster_.atom_pairs();
  long total = 0;
  auto num = num_;
  Kokkos::parallel_reduce(
      "neigh::total", Kokkos::RangePolicy<ExecSpace>(0, nlist_),
      KOKKOS_LAMBDA(const int i, long& t) { t += num(i); }, total);
  return total;
}

NeighborState NeighborList::state(const Atoms& atoms) const {
  NeighborState st;
  st.last_build = last_build_;
  st.last_sort = last_sort_;
  st.builds = nbuild_;
  st.dangerous = ndanger_;
  st.box = box_;
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xhold_);
  st.xhold.resize(3 * static_cast<std::size_t>(atoms.nlocal));
  for (int i = 0; i < atoms.nlocal; ++i)
    for (int k = 0; k < 3; ++k) st.xhold[3 * i + k] = h(i, k);
  return st;
}

void NeighborList::restore(Atoms& atoms, const Box& box_now, const NeighborState& st) {
  const int n = atoms.nlocal;
  // Current positions aside; the build's positions in (already wrapped: no wrap moves).
  VecView now("neigh::restore_x", n);
  Kokkos::deep_copy(now, Kokkos::subview(atoms.x, Kokkos::make_pair(0, n), Kokkos::ALL()));
  auto hx = Kokkos::create_mirror_view(atoms.x);
  Kokkos::deep_copy(hx, atoms.x);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) hx(i, k) = st.xhold[3 * i + k];
  Kokkos::deep_copy(atoms.x, hx);
  Int3View image("neigh::restore_image", n);
  Kokkos::deep_copy(image, Kokkos::subview(atoms.image, Kokkos::make_pair(0, n), Kokkos::ALL()));
  const bool sorting = sorting_;
  sorting_ = false;  // the atoms are already in the order the build left them
  last_sort_ = st.last_sort;
  build(atoms, st.box, st.last_build);
  sorting_ = sorting;
  last_build_ = st.last_build;
  last_sort_ = st.last_sort;
  nbuild_ = st.builds;
  ndanger_ = st.dangerous;
  Kokkos::deep_copy(Kokkos::subview(atoms.x, Kokkos::make_pair(0, n), Kokkos::ALL()), now);
  Kokkos::deep_copy(Kokkos::subview(atoms.image, Kokkos::make_pair(0, n), Kokkos::ALL()), image);
  update_ghosts(atoms, box_now);
}

ProbeList probe_list(const Atoms& atoms, const Box& box, double rc) {
  ProbeList p;
  p.copy = Atoms::from_structure(atoms.to_structure(box));
  NeighborSettings ns;
  ns.skin = 0;
  ns.sort_every = 0;
  p.list.setup(ListKind::Full, rc, ns);
  p.list.build(p.copy, box, 0);
  return p;
}

}  // namespace af

