// The fused neighbor-attention kernels (att_lanes.hpp on CPUs and the row kernels of
// att_fused.hpp that GPU builds run, team per atom, online softmax) next to a naive
// reference that materialises each atom's M x M weights, for
// tests/ref/test_attention_kernels.py to compare with each other and with PyTorch.
// stdin: "N H heads", N neighbor counts, then per edge q(H) k(H) v(H) u go(H) where
// go = dE/dO. stdout: "fused" (the entry points the model calls), "rows" (the row kernels)
// and "naive", each followed by one line per edge:
// O(H) GQ(H) GK(H) GV(H) gu (float64, %.17g).
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "atomforge/potentials/nnip/attention/att_lanes.hpp"

using af::ExecSpace;
using Row = std::vector<double>;

namespace {

struct Case {
  int N = 0, H = 0, heads = 1, E = 0;
  std::vector<int> off;
  Row q, k, v, u, go;
};

// Explicit softmax weights and their textbook backward, atom by atom (host).
void naive(const Case& c, Row& O, Row& GQ, Row& GK, Row& GV, Row& gu) {
  const int H = c.H, dh = H / c.heads;
  const double sc = 1.0 / std::sqrt(double(dh));
  for (int i = 0; i < c.N; ++i) {
    const int e0 = c.off[i], M = c.off[i + 1] - e0;
    for (int h = 0; h < c.heads; ++h) {
      std::vector<double> ex(M * M), P(M * M), Z(M, 0.0), dP(M * M), Dj(M, 0.0);
      auto at = [&](const Row& a, int row, int col) { return a[(e0 + row) * H + h * dh + col]; };
      for (int j = 0; j < M; ++j)
        for (int kk = 0; kk < M; ++kk) {
          double s = 0;
          for (int x = 0; x < dh; ++x) s += at(c.q, j, x) * at(c.k, kk, x);
          ex[j * M + kk] = std::exp(s * sc);
          Z[j] += c.u[e0 + kk] * ex[j * M + kk];
        }
      for (int j = 0; j < M; ++j)
        for (int kk = 0; kk < M; ++kk) P[j * M + kk] = Z[j] > 0 ? c.u[e0 + kk] * ex[j * M + kk] / Z[j] : 0.0;
      for (int j = 0; j < M; ++j)
        for (int x = 0; x < dh; ++x) {
          double s = 0;
          for (int kk = 0; kk < M; ++kk) s += P[j * M + kk] * at(c.v, kk, x);
          O[(e0 + j) * H + h * dh + x] = s;
        }
      for (int j = 0; j < M; ++j)
        for (int kk = 0; kk < M; ++kk) {
          double s = 0;
          for (int x = 0; x < dh; ++x) s += at(c.go, j, x) * at(c.v, kk, x);
          dP[j * M + kk] = s;
          Dj[j] += P[j * M + kk] * s;
        }
      for (int j = 0; j < M; ++j)
        for (int kk = 0; kk < M; ++kk) {
          const double dS = P[j * M + kk] * (dP[j * M + kk] - Dj[j]);  // softmax Jacobian
          for (int x = 0; x < dh; ++x) {
            GQ[(e0 + j) * H + h * dh + x] += dS * sc * at(c.k, kk, x);
            GK[(e0 + kk) * H + h * dh + x] += dS * sc * at(c.q, j, x);
            GV[(e0 + kk) * H + h * dh + x] += P[j * M + kk] * at(c.go, j, x);
          }
          if (Z[j] > 0) gu[e0 + kk] += ex[j * M + kk] / Z[j] * (dP[j * M + kk] - Dj[j]);
        }
    }
  }
}

// rows = false: the block kernels' entry points (on CPUs the lanes kernels); true: the
// row kernels (GPU builds' path), run here on the host as well.
void fused(const Case& c, bool rows, Row& O, Row& GQ, Row& GK, Row& GV, Row& gu) {
  using V = Kokkos::View<double*, af::Device>;
  auto up = [](const Row& r, const char* name) {
    V d(std::string(name), r.size() + 1);
    auto h = Kokkos::create_mirror_view(d);
    for (std::size_t x = 0; x < r.size(); ++x) h(x) = r[x];
    Kokkos::deep_copy(d, h);
    return d;
  };
  // Q, K, V interleaved in rows of 3H + 1 (row stride ld, as the model's saved activations).
  const int ld = 3 * c.H + 1;
  Row qkv_h(static_cast<std::size_t>(c.E) * ld, 0.0);
  for (int e = 0; e < c.E; ++e)
    for (int x = 0; x < c.H; ++x) {
      qkv_h[e * ld + x] = c.q[e * c.H + x];
      qkv_h[e * ld + c.H + x] = c.k[e * c.H + x];
      qkv_h[e * ld + 2 * c.H + x] = c.v[e * c.H + x];
    }
  const V qkv = up(qkv_h, "qkv"), u = up(c.u, "u"), go = up(c.go, "go");
  const V o("o", c.E * c.H + 1), gq("gq", c.E * c.H + 1), gk("gk", c.E * c.H + 1), gv("gv", c.E * c.H + 1);
  const V gud("gu", c.E + 1), D("D", c.E * c.heads + 1);
  Kokkos::View<int*, af::Device> off("off", c.N + 1);
  auto ho = Kokkos::create_mirror_view(off);
  for (int i = 0; i <= c.N; ++i) ho(i) = c.off[i];
  Kokkos::deep_copy(off, ho);
  const int H = c.H, heads = c.heads;
  // Each atom's M x heads x Ms tiles and H x Ms transposes (Ms = key_stride(M): the padded key count).
  Kokkos::View<long*, af::Device> wt_off("wt_off", c.N + 1), kt_off("kt_off", c.N + 1);
  auto hw = Kokkos::create_mirror_view(wt_off);
  auto hk = Kokkos::create_mirror_view(kt_off);
  for (int i = 0; i < c.N; ++i) {
    const long m = c.off[i + 1] - c.off[i], ms = af::nnip::kernels::key_stride(int(m));
    hw(i + 1) = hw(i) + m * ms * heads;
    hk(i + 1) = hk(i) + ms * H;
  }
  Kokkos::deep_copy(wt_off, hw);
  Kokkos::deep_copy(kt_off, hk);
  const V wt("wt", hw(c.N) + 1), dvt("dvt", hw(c.N) + 1), kt("kt", hk(c.N) + 1), vt("vt", hk(c.N) + 1);
  // The entry point's GQ, GK, GV per atom (Ms x H: rows, or transposed on CPU builds;
  // attention_out_strides says which), unpacked into rows below.
  const V gqp("gqp", hk(c.N) + 1), gkp("gkp", hk(c.N) + 1), gvp("gvp", hk(c.N) + 1), op("op", hk(c.N) + 1);
  using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
  Kokkos::parallel_for(Kokkos::TeamPolicy<ExecSpace>(c.N, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
    const int e0 = off(team.league_rank()), M = off(team.league_rank() + 1) - e0;
    const double *Q = qkv.data() + e0 * ld, *K = Q + H, *Vv = Q + 2 * H, *U = u.data() + e0;
    double *T1 = kt.data() + kt_off(team.league_rank()), *T2 = vt.data() + kt_off(team.league_rank());
    double *A = wt.data() + wt_off(team.league_rank()), *B = dvt.data() + wt_off(team.league_rank());
    double *O = o.data() + e0 * H, *GQ = gq.data() + e0 * H, *GK = gk.data() + e0 * H, *GV = gv.data() + e0 * H;
    const double* GO = go.data() + e0 * H;
    if (rows) {
      af::nnip::kernels::attention_rows_forward(team, M, H, heads, Q, K, Vv, ld, U, T1, O);
      team.team_barrier();
      af::nnip::kernels::attention_rows_backward(team, M, H, heads, Q, K, Vv, ld, U, GO, T1, T2, A, B,
                                                 D.data() + e0 * heads, GQ, GK, GV, gud.data() + e0);
    } else {
      const long p0 = kt_off(team.league_rank());
      af::nnip::kernels::attention_block_forward(team, M, H, heads, Q, K, Vv, ld, U, T1, op.data() + p0);
      team.team_barrier();
      af::nnip::kernels::attention_block_backward(team, M, H, heads, Q, K, Vv, ld, U, GO, T1, T2, A, B,
                                                  D.data() + e0 * heads, gqp.data() + p0, gkp.data() + p0,
                                                  gvp.data() + p0, gud.data() + e0);
    }
  });
  if (!rows) {  // unpack the entry point's outputs and gradients into rows of H
    auto ho2 = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), op);
    auto hq = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), gqp);
    auto hkk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), gkp);
    auto hv = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), gvp);
    auto rq = Kokkos::create_mirror_view(gq), rk = Kokkos::create_mirror_view(gk), rv = Kokkos::create_mirror_view(gv);
    auto ro = Kokkos::create_mirror_view(o);
    for (int i = 0; i < c.N; ++i) {
      const int M = c.off[i + 1] - c.off[i];
      int ldr, ldc;
      af::nnip::kernels::attention_out_strides(H, af::nnip::kernels::key_stride(M), ldr, ldc);
      for (int j = 0; j < M; ++j)
        for (int x = 0; x < H; ++x) {
          const long s = hk(i) + j * ldr + x * ldc, d = (c.off[i] + j) * H + x;
          rq(d) = hq(s), rk(d) = hkk(s), rv(d) = hv(s), ro(d) = ho2(s);
        }
    }
    Kokkos::deep_copy(gq, rq), Kokkos::deep_copy(gk, rk), Kokkos::deep_copy(gv, rv), Kokkos::deep_copy(o, ro);
  }
  auto down = [](const V& d, Row& r) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
    for (std::size_t x = 0; x < r.size(); ++x) r[x] = h(x);
  };
  down(o, O), down(gq, GQ), down(gk, GK), down(gv, GV), down(gud, gu);
}

void print(const char* tag, const Case& c, const Row& O, const Row& GQ, const Row& GK, const Row& GV, const Row& gu) {
  std::printf("%s\n", tag);
  for (int e = 0; e < c.E; ++e) {
    for (const Row* r : {&O, &GQ, &GK, &GV})
      for (int x = 0; x < c.H; ++x) std::printf("%.17g ", (*r)[e * c.H + x]);
    std::printf("%.17g\n", gu[e]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  Case c;
  if (std::scanf("%d %d %d", &c.N, &c.H, &c.heads) != 3) return 2;
  c.off.assign(c.N + 1, 0);
  for (int i = 0; i < c.N; ++i) {
    int m = 0;
    if (std::scanf("%d", &m) != 1) return 2;
    c.off[i + 1] = c.off[i] + m;
  }
  c.E = c.off[c.N];
  for (Row* r : {&c.q, &c.k, &c.v, &c.go}) r->assign(c.E * c.H, 0.0);
  c.u.assign(c.E, 0.0);
  for (int e = 0; e < c.E; ++e) {
    for (Row* r : {&c.q, &c.k, &c.v})
      for (int x = 0; x < c.H; ++x)
        if (std::scanf("%lf", &(*r)[e * c.H + x]) != 1) return 2;
    if (std::scanf("%lf", &c.u[e]) != 1) return 2;
    for (int x = 0; x < c.H; ++x)
      if (std::scanf("%lf", &c.go[e * c.H + x]) != 1) return 2;
  }
  const char* tags[] = {"fused", "rows", "naive"};
  for (int pass = 0; pass < 3; ++pass) {
    Row O(c.E * c.H, 0.0), GQ(O), GK(O), GV(O), gu(c.E, 0.0);
    pass < 2 ? fused(c, pass == 1, O, GQ, GK, GV, gu) : naive(c, O, GQ, GK, GV, gu);
    print(tags[pass], c, O, GQ, GK, GV, gu);
  }
  return 0;
}
