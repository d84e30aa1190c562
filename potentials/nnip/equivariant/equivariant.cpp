#include "atomforge/potentials/nnip/equivariant/equivariant.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_radial.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_setup.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_edges_host.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_tp.hpp"
#include "atomforge/potentials/nnip/so3.hpp"

namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

template <class T>
EquivariantModel<T>::EquivariantModel(const ModelFile& f, int spline_knots, bool grid) {
  EqHostData data;
  lay_ = read_equivariant(f, data);
  EqLayout& L = lay_;
  // The kernels' weights in T; the spline table is built from those very weights.
  for (double& v : data.params) v = double(T(v));
  auto to_device = [](const auto& v, auto view) {
    auto h = Kokkos::create_mirror_view(view);
    for (std::size_t k = 0; k < v.size(); ++k) h(k) = v[k];
    Kokkos::deep_copy(view, h);
    return view;
  };
  params_ = to_device(data.params, TView("eq::params", data.params.size()));
  prepare_mix(data.params);
  {  // The radial layers padded to whole vectors, 1/sqrt(K) folded in (eq_radial.hpp).
    std::vector<double> pad;
    rp_.width = 0;
    for (int m = 0; m < L.nrad; ++m) rp_.width = std::max(rp_.width, rad_pad(L.rad_in[m]));
    for (int b = 0; b < L.blocks; ++b)
      for (int m = 0; m < L.nrad; ++m) {
        const int nin = L.rad_in[m], nout = L.rad_in[m + 1], np = rad_pad(nout);
        const double norm = 1.0 / std::sqrt(double(nin));
        rp_.off[b][m] = static_cast<int>(pad.size());
        pad.resize(pad.size() + static_cast<std::size_t>(nin) * np, 0.0);
        for (int k = 0; k < nin; ++k)
          for (int o = 0; o < nout; ++o) pad[rp_.off[b][m] + k * np + o] = data.params[L.rad[b][m] + k * nout + o] * norm;
      }
    radw_ = to_device(pad, TView("eq::radial_padded", pad.size()));
  }
  if (spline_knots > 0) {
    const std::vector<double> tab = radial_table(L, data.params, spline_knots);
    table_ = to_device(tab, TView("eq::table", tab.size()));
  }
  if (grid) {
    std::vector<double> yg, wg;
    grid_ = make_grid(L, yg, wg);
    L.grid = 1;
    grid_y_ = decltype(grid_y_)("eq::grid_y", grid_.S, kShN);
    grid_w_ = Kokkos::View<double*, Device>("eq::grid_w", grid_.S);
    auto hy = Kokkos::create_mirror_view(grid_y_);
    auto hw = Kokkos::create_mirror_view(grid_w_);
    for (int s = 0; s < grid_.S; ++s) {
      hw(s) = wg[s];
      for (int q = 0; q < kShN; ++q) hy(s, q) = T(yg[kShN * s + q]);
    }
    Kokkos::deep_copy(grid_y_, hy);
    Kokkos::deep_copy(grid_w_, hw);
  }
  // The CG nonzeros the convolutions loop over (paths off the grid), flattened with
  // their row offsets resolved (eq_tp.hpp): (o3, o1, harmonic, p C), value, parity.
  struct Nonzero {
    int o3, o1, b, pc;
    double v, par;
  };
  std::vector<Nonzero> nz;
  for (int p = 0; p < L.P; ++p) {
    if (L.grid && grid_.on_grid[p]) continue;
    for (int t = L.cg_begin[p]; t < L.cg_begin[p + 1]; ++t) {
      const int a = data.cg_abk[3 * t], bb = data.cg_abk[3 * t + 1], k = data.cg_abk[3 * t + 2];
      nz.push_back({L.at(L.l3[p], 0, k), L.at(L.l1[p], 0, a), L.l2[p] * L.l2[p] + bb, p * L.C, data.cg_v[t],
                    L.l2[p] % 2 ? -1.0 : 1.0});
    }
  }
  L.n_tp = static_cast<int>(nz.size());
  auto ints = [&](const std::vector<int>& v, const std::string& name) {
    return to_device(v, IntView(name, std::max<std::size_t>(v.size(), 1)));
  };
  auto reals = [&](const std::vector<double>& v, const std::string& name) {
    return to_device(v, TView(name, std::max<std::size_t>(v.size(), 1)));
  };
  // Sorted by (outer key, inner key) into runs within runs (eq_tp.hpp: TpRuns), per
  // nonzero two offsets and a weight.
  auto runs = [&](auto outer, auto inner, auto offsets, auto weight, const std::string& name) {
    std::stable_sort(nz.begin(), nz.end(), [&](const Nonzero& a, const Nonzero& b) {
      return outer(a) != outer(b) ? outer(a) < outer(b) : inner(a) < inner(b);
    });
    std::vector<int> out, in, idx;
    std::vector<double> w;
    for (int t = 0; t < L.n_tp; ++t) {
      const Nonzero& z = nz[t];
      const bool new_outer = t == 0 || outer(z) != outer(nz[t - 1]);
      if (new_outer) out.insert(out.end(), {outer(z), int(in.size() / 3), 0});
      if (new_outer || inner(z) != inner(nz[t - 1])) in.insert(in.end(), {inner(z), t, 0});
      in.back() = t + 1;
      out.back() = int(in.size() / 3);
      const auto o = offsets(z);
      idx.insert(idx.end(), {o.first, o.second});
      w.push_back(weight(z));
    }
    return kernels::TpRuns<IntView, TView>{ints(out, name + "_outer"), ints(in, name + "_inner"),
                                           ints(idx, name + "_idx"), reals(w, name + "_w"),
                                           static_cast<int>(out.size() / 3)};
  };
  auto o1 = [](const Nonzero& z) { return z.o1; };
  auto o3 = [](const Nonzero& z) { return z.o3; };
  auto pc = [](const Nonzero& z) { return z.pc; };
  tp_.fwd = runs(o3, pc, [](const Nonzero& z) { return std::make_pair(z.o1, z.b); },
                 [](const Nonzero& z) { return z.v; }, "eq::tp_fwd");
  tp_.gx = runs(o1, pc, [](const Nonzero& z) { return std::make_pair(z.o3, z.b); },
                [&](const Nonzero& z) { return z.par * z.v / L.avg; }, "eq::tp_gx");
  tp_.paths = runs(pc, [](const Nonzero& z) { return z.b; }, [](const Nonzero& z) { return std::make_pair(z.o3, z.o1); },
                   [&](const Nonzero& z) { return z.v / L.avg; }, "eq::tp_paths");
}

namespace {

// The exact path's radial rows of tile [i0, i1): distances, then radial_tile into the
// team's scratch; returns the R rows (then, with tangent, as many dR/dd rows).
template <class T, class Team, class WV>
KOKKOS_INLINE_FUNCTION T* radial_rows(const Team& team, const EqLayout& L, const RadialPadded& RP, const WV& w, int b,
                                      const IntView& off, const VecView& vec, int i0, int i1, int rows_max, bool tangent) {
  const int e0 = off(i0), ne = off(i1) - e0, rows = tile_rows(ne);
  T* d = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * rows_max));
  T* work = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * 4 * rows_max * RP.width));
  T* out = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * 2 * rows_max * rad_pad(L.P * L.C)));
  Kokkos::parallel_for(Kokkos::TeamThreadRange(team, ne), [&](const int r) {
    const int e = e0 + r;
    d[r] = T(sqrt(vec(e, 0) * vec(e, 0) + vec(e, 1) * vec(e, 1) + vec(e, 2) * vec(e, 2)));
  });
  team.team_barrier();
  radial_tile(team, L, RP, w, b, ne, rows, d, tangent, out, work);
  return out;
}

}  // namespace

template <class T>
typename EquivariantModel<T>::Tiles EquivariantModel<T>::tiles(const Graph& edges, int n) const {
  Tiles t;
  // Host: 8 receivers (~100-300 rows, the scratch in L2); GPUs: 32 receivers per team.
  t.nodes = kHostBackendBuilt ? 8 : 32;
  t.count = (n + t.nodes - 1) / t.nodes;
  t.rows = tile_rows(t.nodes * std::max(edges.max_degree, 1));
  if (!lay_.spline)
    t.bytes = sizeof(T) * (static_cast<std::size_t>(t.rows) * (1 + 4 * rp_.width + 2 * rad_pad(lay_.P * lay_.C))) + 256;
  t.row_f = rad_pad(lay_.F);
  t.row_r = rad_pad(lay_.P * lay_.C);
  t.thread_bytes = sizeof(T) * (t.row_f + 3 * static_cast<std::size_t>(t.row_r)) + 64;
#ifdef AF_EQ_HOST_GEMM
  // Host: a receiver's edges in batches (eq_tp.hpp, kEdgeBatch): per edge Y, dY, dE/dY,
  // R and dE/dR rows.
  t.edge_batch = !lay_.grid && (lay_.C == 16 || lay_.C == 32) && tp_.paths.nouter == lay_.P;
  if (t.edge_batch)
    t.thread_bytes = sizeof(T) * (t.row_f + kernels::kEdgeBatch * (2 * static_cast<std::size_t>(t.row_r) + 5 * kShN)) + 64;
#endif
  return t;
}

template <class T>
Kokkos::TeamPolicy<ExecSpace> EquivariantModel<T>::tile_policy(const Tiles& t) const {
  // GPUs: a thread per receiver of the tile (AUTO gave 128-256 threads, most idle);
  // host: one thread per team.
  Kokkos::TeamPolicy<ExecSpace> p = kHostBackendBuilt ? Kokkos::TeamPolicy<ExecSpace>(t.count, Kokkos::AUTO)
                                                      : Kokkos::TeamPolicy<ExecSpace>(t.count, t.nodes);
  p.set_scratch_size(1, Kokkos::PerTeam(t.bytes), Kokkos::PerThread(t.thread_bytes));
  return p;
}

template <class T>
void EquivariantModel<T>::reserve(int n) {
  if (static_cast<int>(h_.extent(1)) >= n) return;
  const int cap = n + n / 8 + 8, B = lay_.blocks;
  h_ = decltype(h_)("eq::h", B + 1, cap, lay_.F);
  x_ = decltype(x_)("eq::x", B, cap, lay_.F);
  m_ = decltype(m_)("eq::m", B, cap, lay_.F);
  y_ = decltype(y_)("eq::y", B, cap, lay_.G);
  gh_ = decltype(gh_)("eq::gh", cap, lay_.F);
  gm_ = decltype(gm_)("eq::gm", cap, lay_.F);
  gx_ = decltype(gx_)("eq::gx", cap, lay_.F);
  if (mix_.on) gy_ = decltype(gy_)("eq::gy", cap, lay_.G);
}

template <class T>
void EquivariantModel<T>::compute(const Graph& edges, const DblView& eatom, const VecView& dedr) {
  const int n = edges.nnodes;
  const IntView& species = edges.species;
  reserve(n);
  compute_embedding(n, species);
  for (int b = 0; b < lay_.blocks; ++b) compute_block(b, edges, n);
  compute_readout(n, species, eatom);
  Kokkos::deep_copy(Kokkos::subview(dedr, std::make_pair(0, edges.nedges), Kokkos::ALL), 0.0);
  reverse_readout(n, species, edges.contributing);
  for (int b = lay_.blocks - 1; b >= 0; --b) reverse_block(b, edges, dedr, n, nullptr);
}

template <class T>
void EquivariantModel<T>::compute_exchange(const Graph& edges, int nown, NodeExchange& exchange,
                                           const DblView& eatom, const VecView& dedr) {
  const int n = edges.nnodes;
  reserve(n);
  compute_embedding(n, edges.species);  // ghosts' too: h_0 depends on the species only
  for (int b = 0; b < lay_.blocks; ++b) {
    if (b > 0) stage_.forward(exchange, Kokkos::subview(h_, b, Kokkos::ALL, Kokkos::ALL), lay_.F, n, nown);
    compute_block(b, edges, nown);
  }
  compute_readout(nown, edges.species, eatom);
  Kokkos::deep_copy(Kokkos::subview(dedr, std::make_pair(0, edges.nedges), Kokkos::ALL), 0.0);
  reverse_readout(nown, edges.species, IntView());  // every owned node contributes
  for (int b = lay_.blocks - 1; b >= 0; --b) reverse_block(b, edges, dedr, nown, &exchange);
}

template <class T>
void EquivariantModel<T>::compute_embedding(int n, const IntView& species) {
  const EqLayout L = lay_;
  const auto w = params_;
  const auto h = Kokkos::subview(h_, 0, Kokkos::ALL, Kokkos::ALL);
  Kokkos::parallel_for("eq::embedding", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    const int s = species(i);
    for (int q = 0; q < L.F; ++q) h(i, q) = 0;
    for (int c = 0; c < L.C; ++c) h(i, L.at(0, c, 0)) = w(L.emb + s * L.C + c);
  });
}

template <class T>
void EquivariantModel<T>::compute_block(int b, const Graph& edges, int nown) {
  const EqLayout L = lay_;
  const int n = edges.nnodes;
  const auto w = params_;
  const auto h = Kokkos::subview(h_, b, Kokkos::ALL, Kokkos::ALL);
  const auto hn = Kokkos::subview(h_, b + 1, Kokkos::ALL, Kokkos::ALL);
  const auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  const auto M = Kokkos::subview(m_, b, Kokkos::ALL, Kokkos::ALL);
  const auto y = Kokkos::subview(y_, b, Kokkos::ALL, Kokkos::ALL);
  const T nc = 1.0 / m_sqrt(T(L.C));
  // Self-interaction: x[l] = h[l] W1[l] / m_sqrt(C) (host back end: products over
  // chunks of nodes, equivariant_mix.cpp).
  if (!mix_linear1(b, n))
    Kokkos::parallel_for("eq::linear1", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
      for (int l = 0; l <= L.L; ++l)
        for (int m = 0; m < 2 * l + 1; ++m) {  // rows of W1 contiguous: the inner loop vectorises
          T s[kMaxC] = {};
          for (int c = 0; c < L.C; ++c) {
            const T a = h(i, L.at(l, c, m));
            for (int dch = 0; dch < L.C; ++dch) s[dch] += a * w(L.w1[b][l] + c * L.C + dch);
          }
          for (int dch = 0; dch < L.C; ++dch) x(i, L.at(l, dch, m)) = s[dch] * nc;
        }
    });
  // Edge convolution, gathered per receiver (no atomics).
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto vec = edges.vec;
  const auto tp = tp_;
  const auto table = table_;
  const GridTP G = grid_;
  const auto gy = grid_y_;
  const auto gw = grid_w_;
  const Tiles tl = tiles(edges, nown);
  const auto radw = radw_;
  const RadialPadded RP = rp_;
  Kokkos::parallel_for("eq::convolution", tile_policy(tl), KOKKOS_LAMBDA(const Team& team) {
    const int i0 = team.league_rank() * tl.nodes, i1 = i0 + tl.nodes < nown ? i0 + tl.nodes : nown;
    T* tR = nullptr;  // the exact path: the tile's radial MLP rows (eq_radial.hpp)
    if (!L.spline) tR = radial_rows<T>(team, L, RP, radw, b, off, vec, i0, i1, tl.rows, false);
    // Per-thread rows sized by the model (thread scratch): the node's sums, one edge's R.
    T* acc = static_cast<T*>(team.thread_scratch(1).get_shmem(tl.thread_bytes));
    T* Rbuf = acc + tl.row_f;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, i0, i1), [&](const int i) {
    for (int q = 0; q < L.F; ++q) acc[q] = 0;
#ifdef AF_EQ_HOST_GEMM
    if (tl.edge_batch) {
      forward_edges_host(L, tp, table, w, b, off, snd, vec, x, tR, off(i0), i, tl.row_r, Rbuf, acc);
      for (int q = 0; q < L.F; ++q) M(i, q) = acc[q] / L.avg;
      return;
    }
#endif
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      const T d = T(dd);
      T Y[kShN];
      spherical_harmonics(L.Lsh, T(v[0] / dd), T(v[1] / dd), T(v[2] / dd), Y);
      const T* R = Rbuf;
      if (!L.spline)
        R = tR + (e - off(i0)) * rad_pad(L.P * L.C);
      else
        radial_row(L, table, w, b, d, Rbuf);
      const T* xj = &x(j, 0);
      if (L.C == 32)  // channel loops of fixed length: runs of nonzeros summed in registers
        tp_forward<32>(tp, L.C, Y, R, xj, acc);
      else if (L.C == 16)
        tp_forward<16>(tp, L.C, Y, R, xj, acc);
      else
        tp_forward<0>(tp, L.C, Y, R, xj, acc);
      if (L.grid) grid_forward(L, G, gy, gw, Row<decltype(x), T>{x, j, T(1)}, Y, R, acc);
    }
    for (int q = 0; q < L.F; ++q) M(i, q) = acc[q] / L.avg;
    });
  });
  // y = M W2 / m_sqrt(C * paths into l); gate; residual.
  if (mix_linear2(b, nown)) return;
  Kokkos::parallel_for("eq::linear2_gate", Kokkos::RangePolicy<ExecSpace>(0, nown), KOKKOS_LAMBDA(const int i) {
    for (int l = 0; l <= L.L; ++l) {
      const int nout = l == 0 ? L.C + L.L * L.C : L.C;
      const T norm = 1.0 / m_sqrt(T(L.C * L.n_into[l]));
      for (int m = 0; m < 2 * l + 1; ++m) {
        T s[kMaxC * (kMaxL + 1)] = {};
        for (int c = 0; c < L.C; ++c) {
          const T a = M(i, L.at(l, c, m));
          for (int o = 0; o < nout; ++o) s[o] += a * w(L.w2[b][l] + c * nout + o);
        }
        for (int o = 0; o < nout; ++o) y(i, o < L.C ? L.at(l, o, m) : L.F + (o - L.C)) = s[o] * norm;
      }
    }
    gate_forward(L, h, y, hn, i);
  });
}

template <class T>
void EquivariantModel<T>::compute_readout(int n, const IntView& species, const DblView& eatom) {
  const EqLayout L = lay_;
  const auto w = params_;
  const auto h = Kokkos::subview(h_, L.blocks, Kokkos::ALL, Kokkos::ALL);
  Kokkos::parallel_for("eq::readout", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    const int s = species(i);
    T e = 0;
    for (int c = 0; c < L.C; ++c) e += h(i, L.at(0, c, 0)) * w(L.readout + c);
    eatom(i) = double(w(L.scale + s) * (e / m_sqrt(T(L.C))) + w(L.shift + s));
  });
}

template <class T>
void EquivariantModel<T>::reverse_readout(int n, const IntView& species, const IntView& contributing) {
  const EqLayout L = lay_;
  const auto w = params_;
  const auto gh = gh_;
  const bool masked = contributing.extent(0) > 0;
  Kokkos::parallel_for("eq::readout_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    const int s = species(i);
    for (int q = 0; q < L.F; ++q) gh(i, q) = 0;
    const T seed = masked ? T(contributing(i)) : T(1);  // dE_total/dE_i: 0 for ghost/padding copies
    for (int c = 0; c < L.C; ++c) gh(i, L.at(0, c, 0)) = seed * w(L.scale + s) * w(L.readout + c) / m_sqrt(T(L.C));
  });
}

template <class T>
void EquivariantModel<T>::reverse_block(int b, const Graph& edges, const VecView& dedr, int nown,
                                        NodeExchange* exchange) {
  const EqLayout L = lay_;
  const int n = nown;
  const auto w = params_;
  const auto x = Kokkos::subview(x_, b, Kokkos::ALL, Kokkos::ALL);
  const auto y = Kokkos::subview(y_, b, Kokkos::ALL, Kokkos::ALL);
  const auto gh = gh_, gm = gm_, gx = gx_;
  // Gate and linear2 reversed: gh (dE/dh_out) -> gm (dE/dM); the residual keeps gh.
  if (!mix_linear2_reverse(b, n))
    Kokkos::parallel_for("eq::linear2_gate_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
      T gy[kMaxF + kMaxL * kMaxC];
      gate_reverse(L, gh, y, i, gy);
      for (int l = 0; l <= L.L; ++l) {
        const int nout = l == 0 ? L.C + L.L * L.C : L.C;
        const T norm = 1.0 / m_sqrt(T(L.C * L.n_into[l]));
        for (int c = 0; c < L.C; ++c)
          for (int m = 0; m < 2 * l + 1; ++m) {
            T s = 0;  // the gate rows (o >= C, l = 0 only) apart: both loops contiguous
            const int w2c = L.w2[b][l] + c * nout;
            for (int o = 0; o < L.C; ++o) s += gy[L.at(l, o, m)] * w(w2c + o);
            for (int o = L.C; o < nout; ++o) s += gy[L.F + (o - L.C)] * w(w2c + o);
            gm(i, L.at(l, c, m)) = s * norm;
          }
      }
    });
  if (exchange) stage_.forward(*exchange, gm, L.F, edges.nnodes, nown);
  // Edge convolution reversed, gathered per atom i (no atomics): for each of its edges
  // e = (i <- j), the edge's own dE/dR and dE/dY (from dE/dM_i and x_j) give dE/dr_e;
  // and the reverse edge (j <- i), which the full list also holds with Y(-u) =
  // (-1)^l2 Y(u) and the same R, passes dE/dM_j back to x_i.
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto vec = edges.vec;
  const auto tp = tp_;
  const auto table = table_;
  const GridTP G = grid_;
  const auto gy = grid_y_;
  const auto gw = grid_w_;
  const Tiles tl = tiles(edges, n);
  const auto radw = radw_;
  const RadialPadded RP = rp_;
  Kokkos::parallel_for("eq::convolution_reverse", tile_policy(tl), KOKKOS_LAMBDA(const Team& team) {
    const int i0 = team.league_rank() * tl.nodes, i1 = i0 + tl.nodes < n ? i0 + tl.nodes : n;
    T* tR = nullptr;  // the exact path: the tile's R rows, then as many dR/dd rows
    if (!L.spline) tR = radial_rows<T>(team, L, RP, radw, b, off, vec, i0, i1, tl.rows, true);
    const int ldr = rad_pad(L.P * L.C);
    // Per-thread rows sized by the model: the node's dE/dx, one edge's R, dR/dd, dE/dR.
    T* gxi = static_cast<T*>(team.thread_scratch(1).get_shmem(tl.thread_bytes));
    T* Rbuf = gxi + tl.row_f;
    T* dRbuf = Rbuf + tl.row_r;
    T* gR = dRbuf + tl.row_r;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, i0, i1), [&](const int i) {
    for (int q = 0; q < L.F; ++q) gxi[q] = 0;
    const T inv_avg = 1.0 / L.avg;
#ifdef AF_EQ_HOST_GEMM
    if (tl.edge_batch && reverse_edges_host(L, tp, table, b, off, snd, vec, x, gm, dedr, tR,
                                            tile_rows(off(i1) - off(i0)) * ldr, off(i0), i, tl.row_r, Rbuf, gxi)) {
      for (int q = 0; q < L.F; ++q) gx(i, q) = gxi[q];
      return;
    }
#endif
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      const T d = T(dd);
      const T u[3] = {T(v[0] / dd), T(v[1] / dd), T(v[2] / dd)};
      T Y[kShN], dY[kShN][3];
      harmonics_with_grad(u, Y, dY, L.Lsh);
      T a0[kMaxWidth], da0[kMaxWidth], z[kMaxRadial][kMaxWidth];
      const T* R = Rbuf;
      const T* dR = dRbuf;
      const bool tabulated = !L.spline || d >= L.s_d0;  // R and dR/dd at hand
      if (!L.spline) {
        R = tR + (e - off(i0)) * ldr;
        dR = R + tile_rows(off(i1) - off(i0)) * ldr;
      } else if (tabulated) {
        radial_spline<T>(L, table, b, d, Rbuf, dRbuf);
      } else {
        radial_basis(L, d, a0, da0);
        radial_forward(L, w, b, a0, z, Rbuf);
      }
      T gY[kShN] = {0};
      for (int q = 0; q < L.P * L.C; ++q) gR[q] = 0;
      const T *xj = &x(j, 0), *gmi = &gm(i, 0), *gmj = &gm(j, 0);
      if (L.C == 32)  // the CG nonzeros off the grid (below, on it)
        tp_reverse<32>(tp, L.C, L.Lsh, Y, R, xj, gmi, gmj, gR, gY, gxi);
      else if (L.C == 16)
        tp_reverse<16>(tp, L.C, L.Lsh, Y, R, xj, gmi, gmj, gR, gY, gxi);
      else
        tp_reverse<0>(tp, L.C, L.Lsh, Y, R, xj, gmi, gmj, gR, gY, gxi);
      if (L.grid) {
        grid_reverse(L, G, gy, gw, Row<decltype(x), T>{x, j, T(1)}, Row<decltype(gm), T>{gm, i, inv_avg}, Y, R, false,
                     gR, gY, static_cast<T*>(nullptr));
        grid_reverse(L, G, gy, gw, Row<decltype(x), T>{x, j, T(1)}, Row<decltype(gm), T>{gm, j, inv_avg}, Y, R, true,
                     static_cast<T*>(nullptr), static_cast<T*>(nullptr), gxi);
      }
      T gd = 0;
      if (tabulated) {
        for (int q = 0; q < L.P * L.C; ++q) gd += gR[q] * dR[q];
      } else {
        T ga0[kMaxWidth];
        radial_reverse(L, w, b, a0, z, gR, ga0);
        for (int k = 0; k < L.NB; ++k) gd += ga0[k] * da0[k];
      }
      add_edge_gradient(dedr, e, sh_size(L.Lsh), gY, dY, u, d, gd);
    }
    for (int q = 0; q < L.F; ++q) gx(i, q) = gxi[q];
    });
  });
  // Linear1 reversed into the residual: gh += gx W1^T / m_sqrt(C).
  if (mix_linear1_reverse(b, n)) return;
  const T nc = 1.0 / m_sqrt(T(L.C));
  Kokkos::parallel_for("eq::linear1_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    for (int l = 0; l <= L.L; ++l)
      for (int c = 0; c < L.C; ++c)
        for (int m = 0; m < 2 * l + 1; ++m) {
          T s = 0;
          for (int dch = 0; dch < L.C; ++dch) s += gx(i, L.at(l, dch, m)) * w(L.w1[b][l] + c * L.C + dch);
          gh(i, L.at(l, c, m)) += s * nc;
        }
  });
}

template class EquivariantModel<double>;
template class EquivariantModel<float>;

}  // namespace af::nnip
