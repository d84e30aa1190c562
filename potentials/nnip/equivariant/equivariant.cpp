#include "atomforge/potentials/nnip/equivariant/equivariant.hpp"

#include <cmath>
#include <vector>

#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/so3.hpp"

namespace af::nnip {

using namespace kernels;  // NOLINT: the model's own building blocks

template <class T>
EquivariantModel<T>::EquivariantModel(const ModelFile& f, int spline_knots, bool grid) {
  EqLayout& L = lay_;
  L.S = static_cast<int>(f.species().size());
  L.C = static_cast<int>(f.hyper_int("channels"));
  L.L = static_cast<int>(f.hyper_int("l_max"));
  L.Lsh = static_cast<int>(f.hyper_int("l_sh"));
  L.NB = static_cast<int>(f.hyper_int("n_bessel"));
  L.blocks = static_cast<int>(f.hyper_int("n_layers"));
  L.p_env = static_cast<int>(f.hyper_int("p_envelope"));
  L.avg = f.hyper_double("avg_neighbors");
  L.rc = f.r_cut();
  const auto hidden = f.hyper_ints("radial_hidden");
  if (L.C < 1 || L.C > kMaxC) f.fail("channels must be 1.." + std::to_string(kMaxC));
  if (L.L < 0 || L.L > kMaxL || L.Lsh < 0 || L.Lsh > kShLMax) f.fail("l_max and l_sh must be 0..4");
  if (L.blocks < 1 || L.blocks > kMaxBlocks) f.fail("n_layers must be 1.." + std::to_string(kMaxBlocks));
  if (L.NB < 1 || L.NB > kMaxWidth) f.fail("n_bessel must be 1.." + std::to_string(kMaxWidth));
  if (static_cast<int>(hidden.size()) + 1 > kMaxRadial) f.fail("at most " + std::to_string(kMaxRadial - 1) + " radial hidden layers");
  if (L.p_env < 2 || !(L.avg > 0)) f.fail("p_envelope must be >= 2 and avg_neighbors positive");
  std::vector<double> cg_v;
  std::vector<int> cg_abk;
  for (int l1 = 0; l1 <= L.L; ++l1)
    for (int l2 = 0; l2 <= L.Lsh; ++l2)
      for (int l3 = 0; l3 <= L.L; ++l3) {
        if (l3 < std::abs(l1 - l2) || l3 > l1 + l2) continue;
        if (L.P == kMaxPaths) f.fail("too many tensor-product paths");
        const auto c = wigner_3j(l1, l2, l3);
        L.l1[L.P] = l1, L.l2[L.P] = l2, L.l3[L.P] = l3;
        L.cg_begin[L.P] = static_cast<int>(cg_v.size());
        const int n2 = 2 * l2 + 1, n3 = 2 * l3 + 1;
        for (std::size_t q = 0; q < c.size(); ++q)
          if (c[q] != 0.0) {  // the sparse Clebsch-Gordan backend: nonzeros only
            cg_abk.push_back(static_cast<int>(q) / (n2 * n3));
            cg_abk.push_back(static_cast<int>(q) / n3 % n2);
            cg_abk.push_back(static_cast<int>(q) % n3);
            cg_v.push_back(c[q]);
          }
        ++L.n_into[l3];
        ++L.P;
      }
  L.cg_begin[L.P] = static_cast<int>(cg_v.size());
  L.nrad = static_cast<int>(hidden.size()) + 1;
  L.rad_in[0] = L.NB;
  for (std::size_t k = 0; k < hidden.size(); ++k) {
    if (hidden[k] < 1 || hidden[k] > kMaxWidth) f.fail("radial_hidden widths must be 1.." + std::to_string(kMaxWidth));
    L.rad_in[k + 1] = static_cast<int>(hidden[k]);
  }
  L.rad_in[L.nrad] = L.P * L.C;
  L.F = L.C * (L.L + 1) * (L.L + 1);
  L.G = L.F + L.L * L.C;

  std::vector<double> p;
  auto take = [&](const std::string& name, const std::vector<long>& shape) {
    const int off = static_cast<int>(p.size());
    const Tensor t = f.weight(name, shape);
    p.insert(p.end(), t.data.begin(), t.data.end());
    return off;
  };
  L.emb = take("embedding", {L.S, L.C});
  for (int b = 0; b < L.blocks; ++b) {
    for (int m = 0; m < L.nrad; ++m)
      L.rad[b][m] = take("block" + std::to_string(b) + "/radial" + std::to_string(m), {L.rad_in[m], L.rad_in[m + 1]});
    for (int l = 0; l <= L.L; ++l)
      L.w1[b][l] = take("block" + std::to_string(b) + "/w1_l" + std::to_string(l), {L.C, L.C});
    for (int l = 0; l <= L.L; ++l)
      L.w2[b][l] = take("block" + std::to_string(b) + "/w2_l" + std::to_string(l), {L.C, l == 0 ? L.C + L.L * L.C : L.C});
  }
  L.readout = take("readout", {L.C});
  L.scale = take("scale", {L.S});
  L.shift = take("shift", {L.S});

  auto to_device = [](const auto& v, auto view) {
    auto h = Kokkos::create_mirror_view(view);
    for (std::size_t k = 0; k < v.size(); ++k) h(k) = v[k];
    Kokkos::deep_copy(view, h);
    return view;
  };
  params_ = to_device(p, TView("eq::params", p.size()));
  cg_v_ = to_device(cg_v, TView("eq::cg_v", cg_v.size()));
  cg_abk_ = to_device(cg_abk, IntView("eq::cg_abk", cg_abk.size()));
  if (spline_knots > 0) build_spline(spline_knots);
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
}

template <class T>
void EquivariantModel<T>::build_spline(int knots) {
  // Values and exact d-derivatives (forward-mode through the MLP) at the knots, on the
  // host from a host copy of the weights.
  EqLayout& L = lay_;
  L.spline = 1;
  L.n_knots = knots;
  L.s_d0 = 0.3;  // no two atoms come closer in any sane run; below it the MLP runs
  L.s_h = (L.rc - L.s_d0) / knots;
  const int n = L.P * L.C;
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), params_);  // in T: the table
  // is built from the weights the kernels use
  typename TView::HostMirror tab("eq::table_host", static_cast<long>(L.blocks) * (knots + 1) * 2 * n);
  for (int b = 0; b < L.blocks; ++b)
    for (int k = 0; k <= knots; ++k) {
      const double d = L.s_d0 + k * L.s_h;
      std::vector<double> a(kMaxWidth), ta(kMaxWidth), z(kMaxC * kMaxPaths), tz(kMaxC * kMaxPaths);
      radial_basis<double>(L, d, a.data(), ta.data());
      for (int m = 0; m < L.nrad; ++m) {
        const int nin = L.rad_in[m], nout = L.rad_in[m + 1], off = L.rad[b][m];
        const double norm = 1.0 / std::sqrt(double(nin));
        for (int o = 0; o < nout; ++o) {
          double s = 0, ts = 0;
          for (int q = 0; q < nin; ++q) {
            s += a[q] * w(off + q * nout + o);
            ts += ta[q] * w(off + q * nout + o);
          }
          z[o] = s * norm;
          tz[o] = ts * norm;
        }
        if (m == L.nrad - 1) break;
        for (int o = 0; o < nout; ++o) {
          a[o] = silu<double>(z[o]);
          ta[o] = silu_grad<double>(z[o]) * tz[o];
        }
      }
      const long base = (static_cast<long>(b) * (knots + 1) + k) * 2 * n;
      for (int o = 0; o < n; ++o) {
        tab(base + o) = T(z[o]);
        tab(base + n + o) = T(tz[o]);
      }
    }
  table_ = TView("eq::table", tab.extent(0));
  Kokkos::deep_copy(table_, tab);
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
  // Self-interaction: x[l] = h[l] W1[l] / m_sqrt(C).
  Kokkos::parallel_for("eq::linear1", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    for (int l = 0; l <= L.L; ++l)
      for (int dch = 0; dch < L.C; ++dch)
        for (int m = 0; m < 2 * l + 1; ++m) {
          T s = 0;
          for (int c = 0; c < L.C; ++c) s += h(i, L.at(l, c, m)) * w(L.w1[b][l] + c * L.C + dch);
          x(i, L.at(l, dch, m)) = s * nc;
        }
  });
  // Edge convolution, gathered per receiver (no atomics).
  const auto off = edges.offset;
  const auto snd = edges.sender;
  const auto vec = edges.vec;
  const auto abk = cg_abk_;
  const auto cv = cg_v_;
  const auto table = table_;
  const GridTP G = grid_;
  const auto gy = grid_y_;
  const auto gw = grid_w_;
  Kokkos::parallel_for("eq::convolution", Kokkos::RangePolicy<ExecSpace>(0, nown), KOKKOS_LAMBDA(const int i) {
    T acc[kMaxF];
    for (int q = 0; q < L.F; ++q) acc[q] = 0;
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      const T d = T(dd);
      T Y[kShN];
      spherical_harmonics(L.Lsh, T(v[0] / dd), T(v[1] / dd), T(v[2] / dd), Y);
      T R[kMaxC * kMaxPaths];
      if (L.spline && d >= L.s_d0) {
        radial_spline<T>(L, table, b, d, R, nullptr);
      } else {
        T a0[kMaxWidth], da0[kMaxWidth], z[kMaxRadial][kMaxWidth];
        radial_basis(L, d, a0, da0);
        radial_forward(L, w, b, a0, z, R);
      }
      for (int p = 0; p < L.P; ++p)
        for (int t = L.grid && G.on_grid[p] ? L.cg_begin[p + 1] : L.cg_begin[p]; t < L.cg_begin[p + 1]; ++t) {
          const int a = abk(3 * t), bb = abk(3 * t + 1), k = abk(3 * t + 2);
          const T cyb = cv(t) * Y[L.l2[p] * L.l2[p] + bb];
          const int o3 = L.at(L.l3[p], 0, k), o1 = L.at(L.l1[p], 0, a);
          const T* Rp = R + p * L.C;
          for (int c = 0; c < L.C; ++c) acc[o3 + c] += Rp[c] * cyb * x(j, o1 + c);
        }
      if (L.grid) grid_forward(L, G, gy, gw, Row<decltype(x), T>{x, j, T(1)}, Y, R, acc);
    }
    for (int q = 0; q < L.F; ++q) M(i, q) = acc[q] / L.avg;
  });
  // y = M W2 / m_sqrt(C * paths into l); gate; residual.
  Kokkos::parallel_for("eq::linear2_gate", Kokkos::RangePolicy<ExecSpace>(0, nown), KOKKOS_LAMBDA(const int i) {
    for (int l = 0; l <= L.L; ++l) {
      const int nout = l == 0 ? L.C + L.L * L.C : L.C;
      const T norm = 1.0 / m_sqrt(T(L.C * L.n_into[l]));
      for (int o = 0; o < nout; ++o)
        for (int m = 0; m < 2 * l + 1; ++m) {
          T s = 0;
          for (int c = 0; c < L.C; ++c) s += M(i, L.at(l, c, m)) * w(L.w2[b][l] + c * nout + o);
          y(i, o < L.C ? L.at(l, o, m) : L.F + (o - L.C)) = s * norm;
        }
    }
    for (int c = 0; c < L.C; ++c) hn(i, L.at(0, c, 0)) = h(i, L.at(0, c, 0)) + silu(y(i, L.at(0, c, 0)));
    for (int l = 1; l <= L.L; ++l)
      for (int c = 0; c < L.C; ++c) {
        const T g = sigmoid(y(i, L.F + (l - 1) * L.C + c));
        for (int m = 0; m < 2 * l + 1; ++m) hn(i, L.at(l, c, m)) = h(i, L.at(l, c, m)) + y(i, L.at(l, c, m)) * g;
      }
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
  Kokkos::parallel_for("eq::linear2_gate_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    T gy[kMaxF + kMaxL * kMaxC];
    for (int c = 0; c < L.C; ++c) gy[L.at(0, c, 0)] = gh(i, L.at(0, c, 0)) * silu_grad(y(i, L.at(0, c, 0)));
    for (int l = 1; l <= L.L; ++l)
      for (int c = 0; c < L.C; ++c) {
        const T zg = y(i, L.F + (l - 1) * L.C + c), g = sigmoid(zg);
        T gg = 0;
        for (int m = 0; m < 2 * l + 1; ++m) {
          gy[L.at(l, c, m)] = gh(i, L.at(l, c, m)) * g;
          gg += gh(i, L.at(l, c, m)) * y(i, L.at(l, c, m));
        }
        gy[L.F + (l - 1) * L.C + c] = gg * g * (1 - g);
      }
    for (int l = 0; l <= L.L; ++l) {
      const int nout = l == 0 ? L.C + L.L * L.C : L.C;
      const T norm = 1.0 / m_sqrt(T(L.C * L.n_into[l]));
      for (int c = 0; c < L.C; ++c)
        for (int m = 0; m < 2 * l + 1; ++m) {
          T s = 0;
          for (int o = 0; o < nout; ++o) s += gy[o < L.C ? L.at(l, o, m) : L.F + (o - L.C)] * w(L.w2[b][l] + c * nout + o);
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
  const auto abk = cg_abk_;
  const auto cv = cg_v_;
  const auto table = table_;
  const GridTP G = grid_;
  const auto gy = grid_y_;
  const auto gw = grid_w_;
  Kokkos::parallel_for("eq::convolution_reverse", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
    T gxi[kMaxF];
    for (int q = 0; q < L.F; ++q) gxi[q] = 0;
    const T inv_avg = 1.0 / L.avg;
    for (int e = off(i); e < off(i + 1); ++e) {
      const int j = snd(e);
      const double v[3] = {vec(e, 0), vec(e, 1), vec(e, 2)};
      const double dd = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      const T d = T(dd);
      const T u[3] = {T(v[0] / dd), T(v[1] / dd), T(v[2] / dd)};
      T Y[kShN], dY[kShN][3];
      harmonics_with_grad(u, Y, dY, L.Lsh);
      T a0[kMaxWidth], da0[kMaxWidth], z[kMaxRadial][kMaxWidth], R[kMaxC * kMaxPaths], gR[kMaxC * kMaxPaths];
      T dR[kMaxC * kMaxPaths];
      const bool tabulated = L.spline && d >= L.s_d0;
      if (tabulated) {
        radial_spline<T>(L, table, b, d, R, dR);
      } else {
        radial_basis(L, d, a0, da0);
        radial_forward(L, w, b, a0, z, R);
      }
      T gY[kShN] = {0};
      for (int q = 0; q < L.P * L.C; ++q) gR[q] = 0;
      for (int p = 0; p < L.P; ++p) {
        if (L.grid && G.on_grid[p]) continue;  // below, on the grid
        const T parity = L.l2[p] % 2 ? -1.0 : 1.0;
        const T* Rp = R + p * L.C;
        T* gRp = gR + p * L.C;
        for (int t = L.cg_begin[p]; t < L.cg_begin[p + 1]; ++t) {
          const int a = abk(3 * t), bb = abk(3 * t + 1), k = abk(3 * t + 2);
          const int yb = L.l2[p] * L.l2[p] + bb;
          const T cyb = cv(t) * Y[yb] * inv_avg;
          const int o3 = L.at(L.l3[p], 0, k), o1 = L.at(L.l1[p], 0, a);
          T gyb = 0;
          for (int c = 0; c < L.C; ++c) {
            const T gmi = gm(i, o3 + c), xj = x(j, o1 + c);
            gRp[c] += gmi * xj * cyb;
            gyb += gmi * Rp[c] * xj;
            gxi[o1 + c] += parity * cyb * Rp[c] * gm(j, o3 + c);
          }
          gY[yb] += gyb * cv(t) * inv_avg;
        }
      }
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
      T G[3] = {0, 0, 0};  // dE/du
      for (int q = 0; q < sh_size(L.Lsh); ++q)
        for (int c = 0; c < 3; ++c) G[c] += gY[q] * dY[q][c];
      const T ug = u[0] * G[0] + u[1] * G[1] + u[2] * G[2];
      for (int c = 0; c < 3; ++c) dedr(e, c) += double(gd * u[c] + (G[c] - ug * u[c]) / d);
    }
    for (int q = 0; q < L.F; ++q) gx(i, q) = gxi[q];
  });
  // Linear1 reversed into the residual: gh += gx W1^T / m_sqrt(C).
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
