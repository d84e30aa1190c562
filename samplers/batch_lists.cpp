// The batched relaxer's neighbor lists: per structure, by brute force over its atoms and
// the periodic images within the list radius of its cell (cells of a few tens of atoms),
// with the engine's conventions (src/neighbor.hpp): ghosts after the locals, grouped by
// owner; half lists hold a pair once, from the lower owner index (same owner: the image
// with a positive offset), so the choice never depends on positions.
#include <algorithm>

#include "atomforge/samplers/batch_kernels.hpp"

namespace af::sampler {

namespace {

// Ghosts a structure of n atoms may have: more means a collapsed or needle-thin cell
// (ghost rows are shared capacity: one such cell would widen every slot).
KOKKOS_INLINE_FUNCTION int max_ghosts(int n) { return 512 * n + 8192; }

// Calls visit(n0, n1, n2) for each nonzero image of xi inside the cell grown by rn
// (as the engine's neighbor list makes ghosts).
template <class F>
KOKKOS_INLINE_FUNCTION void for_each_image(const Box& b, double rn, const double xi[3], F&& visit) {
  double rf[3];
  int m[3];
  for (int k = 0; k < 3; ++k) {
    rf[k] = rn / plane_spacing(b, k) * (1 + 1e-10);
    m[k] = b.periodic[k] ? static_cast<int>(ceil(rf[k])) + 1 : 0;
  }
  double u[3];
  b.to_frac(xi, u);
  for (int n2 = -m[2]; n2 <= m[2]; ++n2) {
    const double u2 = u[2] + n2;
    if (m[2] && (u2 < -rf[2] || u2 >= 1 + rf[2])) continue;
    for (int n1 = -m[1]; n1 <= m[1]; ++n1) {
      const double u1 = u[1] + n1;
      if (m[1] && (u1 < -rf[1] || u1 >= 1 + rf[1])) continue;
      for (int n0 = -m[0]; n0 <= m[0]; ++n0) {
        const double u0 = u[0] + n0;
        if (m[0] && (u0 < -rf[0] || u0 >= 1 + rf[0])) continue;
        if (n0 == 0 && n1 == 0 && n2 == 0) continue;
        visit(n0, n1, n2);
      }
    }
  }
}

KOKKOS_INLINE_FUNCTION bool positive_image(int n0, int n1, int n2) {
  return n2 > 0 || (n2 == 0 && (n1 > 0 || (n1 == 0 && n0 > 0)));
}

}  // namespace

void BatchRelaxer::Impl::allocate() {
  const int n = nl(), ng = S * G;
  atoms.x = VecView("batch::x", n + ng);
  atoms.f = VecView("batch::f", n + ng);
  atoms.type = IntView("batch::type", n + ng);
  neigh = Kokkos::View<int**, Device>("batch::neigh", n, W);
  num = IntView("batch::num", n);
  gstart = IntView("batch::ghost_start", n + 1);
  gowner = IntView("batch::ghost_owner", std::max(1, ng));
  gimage = Int3View("batch::ghost_image", std::max(1, ng));
  u = VecView("batch::u", n);
  v = VecView("batch::v", n);
  g = VecView("batch::g", n);
  xhold = VecView("batch::xhold", n);
  slots = Kokkos::View<Slot*, Device>("batch::slots", S);
  hslots = Kokkos::create_mirror_view(slots);
  flags = Kokkos::View<int* [3], Device>("batch::flags", S);
  hflags = Kokkos::create_mirror_view(flags);
  batch.range = Kokkos::View<int* [2], Device>("batch::range", S);
  batch.ev = Kokkos::View<EnergyVirial*, Device>("batch::ev", S);
  batch.count = S;
  const auto gs = gstart;
  const int Lc = L, Gc = G;
  Kokkos::parallel_for(
      "batch::ghost_start0", Kokkos::RangePolicy<ExecSpace>(0, n + 1), KOKKOS_LAMBDA(const int i) { gs(i) = (i / Lc) * Gc; });
  adopt();
}

void BatchRelaxer::Impl::build_lists() {  // (hflags == flags on entry: run() just copied them)
  bool any = false;
  for (int s = 0; s < S; ++s) any = any || (hflags(s, 0) == kRunning && hflags(s, 1));
  if (!any) return;
  const auto x = atoms.x;
  const auto uu = u;
  const auto sl = slots;
  const auto fl = flags;
  const double r = rn;
  const int Lc = L;
  // 1. Wrap the atoms into the cell (u follows: the same point, lattice vectors apart)
  //    and count the images that will be ghosts.
  Kokkos::parallel_for(
      "batch::wrap_count", Kokkos::RangePolicy<ExecSpace>(0, S), KOKKOS_LAMBDA(const int s) {
        if (fl(s, 0) != kRunning || !fl(s, 1)) return;
        Slot& st = sl(s);
        const Box b = st.box;
        double Di[3][3];
        invert_upper(st.D, Di);
        int count = 0;
        for (int i = s * Lc; i < s * Lc + st.n; ++i) {
          double xi[3] = {x(i, 0), x(i, 1), x(i, 2)}, f[3];
          b.to_frac(xi, f);
          int m[3] = {0, 0, 0};
          for (int k = 0; k < 3; ++k)
            if (b.periodic[k]) m[k] = static_cast<int>(floor(f[k]));
          if (m[0] | m[1] | m[2]) {
            double sh[3];
            b.image_shift(m[0], m[1], m[2], sh);
            for (int k = 0; k < 3; ++k) x(i, k) = xi[k] - sh[k];
          }
          // u from the wrapped positions, for every atom (as the minimize stage resyncs).
          const double d[3] = {x(i, 0) - b.lo[0], x(i, 1) - b.lo[1], x(i, 2) - b.lo[2]};
          for (int k = 0; k < 3; ++k) uu(i, k) = Di[k][0] * d[0] + Di[k][1] * d[1] + Di[k][2] * d[2];
          for (int k = 0; k < 3; ++k) xi[k] = x(i, k);
          for_each_image(b, r, xi, [&](int, int, int) { ++count; });
        }
        fl(s, 2) = count;
        if (count > max_ghosts(st.n)) {
          st.status = kCollapsed;
          fl(s, 0) = kCollapsed;
        }
      });
  Kokkos::deep_copy(hflags, flags);
  int most = 0;
  for (int s = 0; s < S; ++s)
    if (hflags(s, 0) == kRunning && hflags(s, 1)) most = std::max(most, hflags(s, 2));
  if (most > G) grow_ghosts(most + most / 4 + 16);
  // 2. Ghosts and lists (again, wider, for structures whose rows did not fit).
  for (;;) {
    const auto xa = atoms.x;
    const auto type = atoms.type;
    const auto nei = neigh;
    const auto nn = num;
    const auto gs = gstart;
    const auto own = gowner;
    const auto img = gimage;
    const auto xh = xhold;
    const int Gc = G, Wc = W, Nl = nl();
    const bool half = kind == ListKind::Half;
    const double rsq = r * r;
    Kokkos::parallel_for(
        "batch::fill_lists", Kokkos::RangePolicy<ExecSpace>(0, S), KOKKOS_LAMBDA(const int s) {
          if (fl(s, 0) != kRunning || !fl(s, 1)) return;
          Slot& st = sl(s);
          const Box b = st.box;
          const int a = s * Lc, e = a + st.n, g0 = s * Gc;
          int q = 0;
          for (int i = a; i < e; ++i) {
            gs(i) = g0 + q;
            const double xi[3] = {xa(i, 0), xa(i, 1), xa(i, 2)};
            for_each_image(b, r, xi, [&](int n0, int n1, int n2) {
              double sh[3];
              b.image_shift(n0, n1, n2, sh);
              const int row = g0 + q;
              own(row) = i;
              img(row, 0) = n0;
              img(row, 1) = n1;
              img(row, 2) = n2;
              for (int k = 0; k < 3; ++k) xa(Nl + row, k) = xa(i, k) + sh[k];
              type(Nl + row) = type(i);
              ++q;
            });
          }
          for (int i = e; i < a + Lc; ++i) gs(i) = g0 + q;
          st.gcount = q;
          int widest = 0;
          for (int i = a; i < e; ++i) {
            int c = 0;
            const double xi[3] = {xa(i, 0), xa(i, 1), xa(i, 2)};
            auto consider = [&](int j) {
              const double dx = xa(j, 0) - xi[0], dy = xa(j, 1) - xi[1], dz = xa(j, 2) - xi[2];
              if (dx * dx + dy * dy + dz * dz < rsq) {
                if (c < Wc) nei(i, c) = j;
                ++c;
              }
            };
            for (int j = half ? i + 1 : a; j < e; ++j)
              if (j != i) consider(j);
            for (int row = g0; row < g0 + q; ++row) {
              const int o = own(row);
              if (half && (o < i || (o == i && !positive_image(img(row, 0), img(row, 1), img(row, 2))))) continue;
              consider(Nl + row);
            }
            nn(i) = c < Wc ? c : Wc;
            widest = c > widest ? c : widest;
            for (int k = 0; k < 3; ++k) xh(i, k) = xa(i, k);
          }
          if (widest > Wc) {
            fl(s, 2) = widest;  // grow and fill again
          } else {
            fl(s, 1) = 0;
            st.built = st.box;
            st.last_build = st.it;
          }
        });
    Kokkos::deep_copy(hflags, flags);
    int wide = 0;
    for (int s = 0; s < S; ++s)
      if (hflags(s, 0) == kRunning && hflags(s, 1)) wide = std::max(wide, hflags(s, 2));
    if (wide == 0) return;
    grow_width(wide + wide / 4 + 8);
  }
}

void BatchRelaxer::Impl::update_ghosts() {
  const auto x = atoms.x;
  const auto sl = slots;
  const auto own = gowner;
  const auto img = gimage;
  const int Gc = G, Nl = nl();
  Kokkos::parallel_for(
      "batch::ghost_update", Kokkos::RangePolicy<ExecSpace>(0, S * G), KOKKOS_LAMBDA(const int row) {
        const int s = row / Gc;
        const Slot& st = sl(s);
        if (st.status != kRunning || row - s * Gc >= st.gcount) return;
        double sh[3];
        st.box.image_shift(img(row, 0), img(row, 1), img(row, 2), sh);
        const int o = own(row);
        for (int k = 0; k < 3; ++k) x(Nl + row, k) = x(o, k) + sh[k];
      });
}

// Moves every structure's ghosts to slots of newG rows: the same values, new indices.
void BatchRelaxer::Impl::grow_ghosts(int newG) {
  const int Nl = nl(), Gc = G, Lc = L;
  VecView x2("batch::x", Nl + S * newG), f2("batch::f", Nl + S * newG);
  IntView t2("batch::type", Nl + S * newG), own2("batch::ghost_owner", S * newG);
  Int3View img2("batch::ghost_image", S * newG);
  const auto x = atoms.x;
  const auto t = atoms.type;
  const auto own = gowner;
  const auto img = gimage;
  Kokkos::parallel_for(
      "batch::grow_locals", Kokkos::RangePolicy<ExecSpace>(0, Nl), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < 3; ++k) x2(i, k) = x(i, k);
        t2(i) = t(i);
      });
  Kokkos::parallel_for(
      "batch::grow_ghosts", Kokkos::RangePolicy<ExecSpace>(0, S * Gc), KOKKOS_LAMBDA(const int row) {
        const int s = row / Gc, to = s * newG + (row - s * Gc);
        for (int k = 0; k < 3; ++k) {
          x2(Nl + to, k) = x(Nl + row, k);
          img2(to, k) = img(row, k);
        }
        t2(Nl + to) = t(Nl + row);
        own2(to) = own(row);
      });
  const auto gs = gstart;
  const auto nei = neigh;
  const auto nn = num;
  Kokkos::parallel_for(
      "batch::grow_lists", Kokkos::RangePolicy<ExecSpace>(0, Nl + 1), KOKKOS_LAMBDA(const int i) {
        const int s = i / Lc;
        gs(i) = gs(i) - s * Gc + s * newG;
        if (i == Nl) return;
        for (int k = 0; k < nn(i); ++k) {
          const int j = nei(i, k);
          if (j < Nl) continue;
          const int row = j - Nl, sj = row / Gc;
          nei(i, k) = Nl + sj * newG + (row - sj * Gc);
        }
      });
  atoms.x = x2;
  atoms.f = f2;
  atoms.type = t2;
  gowner = own2;
  gimage = img2;
  G = newG;
  adopt();
}

void BatchRelaxer::Impl::grow_width(int newW) {
  Kokkos::View<int**, Device> n2("batch::neigh", nl(), newW);
  const auto nei = neigh;
  const auto nn = num;
  Kokkos::parallel_for(
      "batch::grow_width", Kokkos::RangePolicy<ExecSpace>(0, nl()), KOKKOS_LAMBDA(const int i) {
        for (int k = 0; k < nn(i); ++k) n2(i, k) = nei(i, k);
      });
  neigh = n2;
  W = newW;
  adopt();
}

}  // namespace af::sampler
