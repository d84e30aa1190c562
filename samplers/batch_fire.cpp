// The batched relaxer's two per-step kernels, one device thread per structure: the FIRE
// step (src/fire.hpp, as the minimize stage takes it) with the new coordinates and the
// list check, and the generalised forces after the potential's batched evaluation.
// Generalised coordinates as in src/minimize.hpp: x_i = lo + D u_i, H = D H0.
#include "atomforge/samplers/batch_kernels.hpp"

namespace af::sampler {

namespace {

KOKKOS_INLINE_FUNCTION bool finite(double a) { return a - a == 0; }

}  // namespace

void BatchRelaxer::Impl::fire_step() {
  const auto sl = slots;
  const auto fl = flags;
  const auto uu = u, vv = v, gg = g, xh = xhold;
  const auto x = atoms.x;
  const int Lc = L, every = nb.every > 0 ? nb.every : 1, delay = nb.delay;
  const bool check = nb.check;
  const double fmax_tol = ms.fmax, ptol = ms.ptol, max_move = ms.max_move, half_skin = 0.5 * nb.skin, r = rn;
  const long max_it = ms.max_iterations;
  Kokkos::parallel_for(
      "batch::fire", Kokkos::RangePolicy<ExecSpace>(0, S), KOKKOS_LAMBDA(const int s) {
        Slot& st = sl(s);
        if (st.status != kRunning) return;
        const int a = s * Lc, e = a + st.n;
        const long it = st.it + 1;
        if (it > max_it) {  // (as the minimize stage: no convergence test after the last step)
          st.status = fl(s, 0) = kIterationLimit;
          return;
        }
        if (st.fmax <= fmax_tol && st.serr <= ptol) {
          st.status = fl(s, 0) = kConverged;
          return;
        }
        auto dot = [&](const VecView& p, const double* pc, const VecView& q, const double* qc) {
          double sum = 0;
          for (int i = a; i < e; ++i) sum += p(i, 0) * q(i, 0) + p(i, 1) * q(i, 1) + p(i, 2) * q(i, 2);
          if (st.cell)
            for (int k = 0; k < 6; ++k) sum += pc[k] * qc[k];
          return sum;
        };
        // y = alpha x + beta y over atoms and cell (the minimize stage's axpby)
        auto axpby = [&](double alpha, const VecView& p, const double* pc, double beta, const VecView& q, double* qc) {
          for (int i = a; i < e; ++i)
            for (int k = 0; k < 3; ++k) q(i, k) = alpha * p(i, k) + beta * q(i, k);
          for (int k = 0; k < 6; ++k) qc[k] = alpha * pc[k] + beta * qc[k];
        };
        const bool uphill = fire_power(st.fire, dot(gg, st.gc, vv, st.vc), it);
        if (st.fire.gave_up) {
          st.it = it;
          st.status = fl(s, 0) = kNoProgress;
          return;
        }
        if (uphill) {
          axpby(fire_back(st.fire), vv, st.vc, 1.0, uu, st.xc);
          for (int i = a; i < e; ++i)
            for (int k = 0; k < 3; ++k) vv(i, k) = 0;
          for (int k = 0; k < 6; ++k) st.vc[k] = 0;
        }
        axpby(st.fire.dt, gg, st.gc, 1.0, vv, st.vc);
        if (!uphill) {
          double keep, toward;
          fire_mix(st.fire, sqrt(dot(vv, st.vc, vv, st.vc)), sqrt(dot(gg, st.gc, gg, st.gc)), keep, toward);
          if (toward != 0 || keep != 1) axpby(toward, gg, st.gc, keep, vv, st.vc);
        }
        // Largest displacement of an atom: D v_i, plus the cell's on the farthest atom.
        double m = 0;
        for (int i = a; i < e; ++i) {
          double q = 0;
          for (int rr = 0; rr < 3; ++rr) {
            const double w = st.D[rr][0] * vv(i, 0) + st.D[rr][1] * vv(i, 1) + st.D[rr][2] * vv(i, 2);
            q += w * w;
          }
          if (q > m) m = q;
        }
        double cell = 0;
        if (st.cell) {
          double l = 0;
          for (int k = 0; k < 3; ++k) {
            const double lk = st.box0.h[k][k] + fabs(st.box0.h[0][k]) + fabs(st.box0.h[1][k]);
            l = lk > l ? lk : l;
          }
          for (int k = 0; k < 6; ++k) {
            const double ck = fabs(st.vc[k]) / st.fc * l;
            cell = ck > cell ? ck : cell;
          }
        }
        axpby(fire_advance(st.fire, max_move, sqrt(m) + cell), vv, st.vc, 1.0, uu, st.xc);
        st.it = it;
        // New cell and positions.
        if (st.cell) {
          for (int k = 0; k < 6; ++k) st.D[cell_row(k)][cell_col(k)] = (k < 3 ? 1.0 : 0.0) + st.xc[k] / st.fc;
          double h[3][3];
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              h[i][j] = 0;
              for (int k = 0; k < 3; ++k) h[i][j] += st.D[i][k] * st.box0.h[k][j];
            }
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) st.box.h[i][j] = h[i][j];
          invert_upper(st.box.h, st.box.hinv);
        }
        const double lo0 = st.box.lo[0], lo1 = st.box.lo[1], lo2 = st.box.lo[2];
        for (int i = a; i < e; ++i) {
          const double p = uu(i, 0), q = uu(i, 1), c = uu(i, 2);
          x(i, 0) = lo0 + st.D[0][0] * p + st.D[0][1] * q + st.D[0][2] * c;
          x(i, 1) = lo1 + st.D[1][1] * q + st.D[1][2] * c;
          x(i, 2) = lo2 + st.D[2][2] * c;
        }
        if (st.cell) {
          if (!(st.box.h[0][0] > 0 && st.box.h[1][1] > 0 && st.box.h[2][2] > 0)) {
            st.status = fl(s, 0) = kInsideOut;
            return;
          }
          const double V = cell_volume(st.box);
          if (!(V <= 50 * st.v0 && V >= st.v0 / 50)) {
            st.status = fl(s, 0) = kExploded;
            return;
          }
        }
        // The list check (NeighborList::need_rebuild): atoms moved, images moved with the cell.
        int need = 0;
        const long ago = it - st.last_build;
        if (st.last_build < 0) {
          need = 1;
        } else if (!(ago < delay || ago % every != 0)) {
          if (!check) {
            need = 1;
          } else {
            double d2 = 0;
            for (int i = a; i < e; ++i) {
              const double dx = x(i, 0) - xh(i, 0), dy = x(i, 1) - xh(i, 1), dz = x(i, 2) - xh(i, 2);
              const double q = dx * dx + dy * dy + dz * dz;
              d2 = q > d2 ? q : d2;
            }
            double shift = 0;
            for (int k = 0; k < 3; ++k) {
              if (!st.box.periodic[k]) continue;
              double da = 0;
              for (int rr = 0; rr < 3; ++rr) da += (st.box.h[rr][k] - st.built.h[rr][k]) * (st.box.h[rr][k] - st.built.h[rr][k]);
              shift += (ceil(r / plane_spacing(st.built, k)) + 1) * sqrt(da);
            }
            need = sqrt(d2) + shift > half_skin;
          }
        }
        fl(s, 1) = need;
      });
}

void BatchRelaxer::Impl::evaluate() {
  const auto sl = slots;
  const auto fl = flags;
  const auto range = batch.range;
  const auto ev = batch.ev;
  const int Lc = L;
  Kokkos::parallel_for(
      "batch::prepare", Kokkos::RangePolicy<ExecSpace>(0, S), KOKKOS_LAMBDA(const int s) {
        const Slot& st = sl(s);
        range(s, 0) = s * Lc;
        range(s, 1) = s * Lc + (st.status == kRunning ? st.n : 0);
        ev(s) = EnergyVirial();
      });
  ComputeFlags cf;
  cf.batch = batch;
  pot->compute(atoms, list, cf, DblView());
  const auto f = atoms.f;
  const auto gg = g;
  const double pt = ms.pressure / units.nktv2p, nktv2p = units.nktv2p;
  Kokkos::parallel_for(
      "batch::gforces", Kokkos::RangePolicy<ExecSpace>(0, S), KOKKOS_LAMBDA(const int s) {
        Slot& st = sl(s);
        if (st.status != kRunning) return;
        const int a = s * Lc, e = a + st.n;
        st.e = ev(s).e;
        for (int k = 0; k < 6; ++k) st.w[k] = ev(s).v[k];
        double m = 0;
        for (int i = a; i < e; ++i) {  // g = D^T f
          gg(i, 0) = st.D[0][0] * f(i, 0);
          gg(i, 1) = st.D[0][1] * f(i, 0) + st.D[1][1] * f(i, 1);
          gg(i, 2) = st.D[0][2] * f(i, 0) + st.D[1][2] * f(i, 1) + st.D[2][2] * f(i, 2);
          const double q = f(i, 0) * f(i, 0) + f(i, 1) * f(i, 1) + f(i, 2) * f(i, 2);
          if (q > m) m = q;
        }
        st.fmax = sqrt(m);
        for (int k = 0; k < 6; ++k) st.gc[k] = 0;
        st.serr = 0;
        if (st.cell) {
          // (W - P V I) D^-T, upper triangle, divided by the cell factor.
          const double V = cell_volume(st.box);
          const double w[3][3] = {{st.w[0] - pt * V, st.w[3], st.w[4]},
                                  {st.w[3], st.w[1] - pt * V, st.w[5]},
                                  {st.w[4], st.w[5], st.w[2] - pt * V}};
          double Di[3][3];
          invert_upper(st.D, Di);
          for (int k = 0; k < 6; ++k) {
            const int i = cell_row(k), j = cell_col(k);
            double G = 0;
            for (int c = 0; c < 3; ++c) G += w[i][c] * Di[j][c];
            st.gc[k] = st.free[k] ? G / st.fc : 0.0;
          }
          if (st.iso) {
            const double mean = (st.gc[0] + st.gc[1] + st.gc[2]) / 3.0;
            st.gc[0] = st.gc[1] = st.gc[2] = mean;
          }
          for (int k = 0; k < 6; ++k) {
            if (!st.free[k]) continue;
            const double sigma = st.w[k] / V - (k < 3 ? pt : 0.0);
            const double err = fabs(sigma) * nktv2p;
            st.serr = err > st.serr ? err : st.serr;
          }
          if (st.iso) st.serr = fabs((st.w[0] + st.w[1] + st.w[2]) / (3 * V) - pt) * nktv2p;
        }
        if (!finite(st.e) || !finite(st.fmax)) st.status = fl(s, 0) = kNotFinite;
      });
}

}  // namespace af::sampler
