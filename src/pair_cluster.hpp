// The CPU kernel for pairwise potentials on cluster-pair lists (see cluster_list.hpp).
// Each list entry is a 4x4 block of atom pairs: the j cluster's coordinates and forces
// are contiguous, so the four j lanes are one vector load and one vector store (no
// gathers, no scatters). Physics with one parameter set (Physics::kUniform) is
// evaluated on whole vectors; otherwise lane by lane. Host only: Includes by
// pair_driver.hpp, runs on Kokkos's host execution space.
#pragma once

#include "atomforge/src/cluster_list.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/simd.hpp"

namespace af {
namespace pair_detail {

using ClusterCopies = Kokkos::View<double***, Kokkos::LayoutRight, Device>;  // (thread copy, cluster, lanes)
using HostExec = Kokkos::DefaultHostExecutionSpace;

// Lane masks for the 16 patterns of a row of an entry's pair mask.
inline const simd::vm kRowMask[16] = {
    {0, 0, 0, 0},   {-1, 0, 0, 0},   {0, -1, 0, 0},   {-1, -1, 0, 0},   {0, 0, -1, 0},   {-1, 0, -1, 0},
    {0, -1, -1, 0}, {-1, -1, -1, 0}, {0, 0, 0, -1},   {-1, 0, 0, -1},   {0, -1, 0, -1},  {-1, -1, 0, -1},
    {0, 0, -1, -1}, {-1, 0, -1, -1}, {0, -1, -1, -1}, {-1, -1, -1, -1}};

template <class Physics, bool EFLAG, bool VFLAG, bool EATOM>
struct ClusterKernel {
  static constexpr int CL = kClusterSize;
  static_assert(CL == simd::W, "one j cluster per vector");
  Physics phys;
  ClusterView cl;
  ClusterCopies fc, ec;
  Kokkos::Experimental::UniqueToken<HostExec> token;

  // Pair forces (fpair) and energies of lanes in `mask` for i atom of type ti.
  void eval(int ti, const int* tj, simd::vd rsq, simd::vm mask, simd::vd& fpair, simd::vd& e) const {
    using namespace simd;
    if constexpr (Physics::kUniform) {
      const vd cut = splat(phys.cutsq(0, 0));
      phys.template eval_uniform<EFLAG || EATOM>(select(mask, rsq, cut), fpair, e);
    } else {
      for (int b = 0; b < CL; ++b) {
        double f = 0, en = 0;
        if (mask[b]) phys.template eval<EFLAG || EATOM>(ti, tj[b], rsq[b], f, en);
        fpair[b] = f;
        e[b] = en;
      }
    }
  }

  void operator()(const int ci, EnergyVirial& ev) const {
    using namespace simd;
    const int t = token.acquire();
    double xi[3][CL];
    int ti[CL];
    for (int m = 0; m < 3; ++m)
      for (int a = 0; a < CL; ++a) xi[m][a] = cl.xc(ci, m * CL + a);
    for (int a = 0; a < CL; ++a) ti[a] = cl.tc(ci, a);
    const int ni = cl.nreal(ci);  // padding lanes of ci are skipped, of cj masked
    vd fi[CL][3], ei[CL], esum = splat(0), vir[6];
    for (int a = 0; a < CL; ++a) {
      fi[a][0] = fi[a][1] = fi[a][2] = splat(0);
      ei[a] = splat(0);
    }
    for (int k = 0; k < 6; ++k) vir[k] = splat(0);
    double* const fbase = &fc(t, 0, 0);
    for (int p = cl.start(ci); p < cl.start(ci + 1); ++p) {
      const int cj = cl.cj(p);
      const int img = cl.shift(p);
      const int bits = cl.mask(p);
      const vd xj0 = load(&cl.xc(cj, 0)) + splat(cl.shift_vec(img, 0));
      const vd xj1 = load(&cl.xc(cj, CL)) + splat(cl.shift_vec(img, 1));
      const vd xj2 = load(&cl.xc(cj, 2 * CL)) + splat(cl.shift_vec(img, 2));
      const int* tj = &cl.tc(cj, 0);
      vd fj0 = splat(0), fj1 = splat(0), fj2 = splat(0), ej = splat(0);
      for (int a = 0; a < ni; ++a) {
        const int row = (bits >> (CL * a)) & 0xF;  // lane pairs of atom a in the Verlet list
        if (!row) continue;
        const vd dx = splat(xi[0][a]) - xj0, dy = splat(xi[1][a]) - xj1, dz = splat(xi[2][a]) - xj2;
        const vd rsq = dx * dx + dy * dy + dz * dz;
        vm mask = Physics::kUniform ? (rsq < splat(phys.cutsq(0, 0)))
                                    : (rsq < vd{phys.cutsq(ti[a], tj[0]), phys.cutsq(ti[a], tj[1]),
                                                phys.cutsq(ti[a], tj[2]), phys.cutsq(ti[a], tj[3])});
        mask &= kRowMask[row];
        if (!any(mask)) continue;
        vd fpair = splat(0), e = splat(0);
        eval(ti[a], tj, rsq, mask, fpair, e);
        fpair = select(mask, fpair, splat(0));
        const vd fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
        fi[a][0] += fx;
        fi[a][1] += fy;
        fi[a][2] += fz;
        fj0 -= fx;
        fj1 -= fy;
        fj2 -= fz;
        if (EFLAG || EATOM) {
          e = select(mask, e, splat(0));
          esum += e;
          if (EATOM) {
            ei[a] += 0.5 * e;
            ej += 0.5 * e;
          }
        }
        if (VFLAG) {
          vir[0] += dx * fx;
          vir[1] += dy * fy;
          vir[2] += dz * fz;
          vir[3] += dx * fy;
          vir[4] += dx * fz;
          vir[5] += dy * fz;
        }
      }
      double* fj = fbase + static_cast<std::size_t>(cj) * 3 * CL;
      store(fj, load(fj) + fj0);
      store(fj + CL, load(fj + CL) + fj1);
      store(fj + 2 * CL, load(fj + 2 * CL) + fj2);
      if (EATOM) {
        double* e = &ec(t, cj, 0);
        store(e, load(e) + ej);
      }
    }
    double* fic = fbase + static_cast<std::size_t>(ci) * 3 * CL;
    for (int a = 0; a < CL; ++a)
      for (int m = 0; m < 3; ++m) fic[m * CL + a] += hsum(fi[a][m]);
    if (EATOM)
      for (int a = 0; a < CL; ++a) ec(t, ci, a) += hsum(ei[a]);
    if (EFLAG) ev.e += hsum(esum);
    if (VFLAG)
      for (int k = 0; k < 6; ++k) ev.v[k] += hsum(vir[k]);
    token.release(t);
  }
};

}  // namespace pair_detail
}  // namespace af
