#include "atomforge/potentials/nnip/equivariant/eq_setup.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "atomforge/potentials/nnip/equivariant/eq_kernels.hpp"
#include "atomforge/potentials/nnip/so3.hpp"

namespace af::nnip {

EqLayout read_equivariant(const ModelFile& f, EqHostData& out) {
  EqLayout L;
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
  auto& cg_v = out.cg_v;
  auto& cg_abk = out.cg_abk;
  cg_v.clear(), cg_abk.clear();
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

  auto& p = out.params;
  p.clear();
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
  return L;
}

void radial_value_slope(const EqLayout& L, const std::vector<double>& w, int b, double d, double* R, double* dR) {
  // Forward mode through the MLP: (a, ta) = (activation, its d-derivative).
  std::vector<double> a(kMaxWidth), ta(kMaxWidth), z(kMaxC * kMaxPaths), tz(kMaxC * kMaxPaths);
  kernels::radial_basis<double>(L, d, a.data(), ta.data());
  for (int m = 0; m < L.nrad; ++m) {
    const int nin = L.rad_in[m], nout = L.rad_in[m + 1], off = L.rad[b][m];
    const double norm = 1.0 / std::sqrt(double(nin));
    std::fill(z.begin(), z.begin() + nout, 0.0);
    std::fill(tz.begin(), tz.begin() + nout, 0.0);
    for (int q = 0; q < nin; ++q) {
      const double* wq = &w[off + q * nout];
      for (int o = 0; o < nout; ++o) z[o] += a[q] * wq[o], tz[o] += ta[q] * wq[o];
    }
    for (int o = 0; o < nout; ++o) z[o] *= norm, tz[o] *= norm;
    if (m == L.nrad - 1) break;
    for (int o = 0; o < nout; ++o) a[o] = kernels::silu<double>(z[o]), ta[o] = kernels::silu_grad<double>(z[o]) * tz[o];
  }
  for (int o = 0; o < L.P * L.C; ++o) R[o] = z[o], dR[o] = tz[o];
}

std::vector<double> radial_table(EqLayout& L, const std::vector<double>& w, int knots) {
  L.spline = 1;
  L.n_knots = knots;
  L.s_d0 = 0.3;  // no two atoms come closer in any sane run; below it the MLP runs
  L.s_h = (L.rc - L.s_d0) / knots;
  const int n = L.P * L.C;
  std::vector<double> y0(n), m0(n), y1(n), m1(n);
  std::vector<double> tab(static_cast<std::size_t>(L.blocks) * knots * 4 * n);
  for (int b = 0; b < L.blocks; ++b) {
    radial_value_slope(L, w, b, L.s_d0, y1.data(), m1.data());
    for (int k = 0; k < knots; ++k) {
      std::swap(y0, y1), std::swap(m0, m1);
      radial_value_slope(L, w, b, L.s_d0 + (k + 1) * L.s_h, y1.data(), m1.data());
      // Hermite cubic through (y0, h m0) at t = 0 and (y1, h m1) at t = 1, by powers of t.
      double* c = &tab[(static_cast<std::size_t>(b) * knots + k) * 4 * n];
      for (int o = 0; o < n; ++o) {
        const double s0 = L.s_h * m0[o], s1 = L.s_h * m1[o];
        c[o] = y0[o];
        c[n + o] = s0;
        c[2 * n + o] = 3 * (y1[o] - y0[o]) - 2 * s0 - s1;
        c[3 * n + o] = 2 * (y0[o] - y1[o]) + s0 + s1;
      }
    }
  }
  return tab;
}

double radial_table_error(const EqLayout& L, const std::vector<double>& w, const std::vector<double>& table,
                          bool single) {
  const int n = L.P * L.C;
  std::vector<double> R(n), dR(n);
  std::vector<double> tab = table;
  if (single)
    for (double& v : tab) v = double(float(v));
  double worst = 0;
  for (int b = 0; b < L.blocks; ++b) {
    double errR = 0, errD = 0, maxR = 0, maxD = 0;
    for (int k = 0; k < L.n_knots; ++k)
      for (const double t : {0.5, 0.21}) {
        radial_value_slope(L, w, b, L.s_d0 + (k + t) * L.s_h, R.data(), dR.data());
        const double* c = &tab[(static_cast<std::size_t>(b) * L.n_knots + k) * 4 * n];
        for (int o = 0; o < n; ++o) {  // radial_spline's evaluation, in double
          const double Rs = c[o] + t * (c[n + o] + t * (c[2 * n + o] + t * c[3 * n + o]));
          const double dRs = (c[n + o] + t * (2 * c[2 * n + o] + 3 * t * c[3 * n + o])) / L.s_h;
          errR = std::max(errR, std::abs(Rs - R[o]));
          errD = std::max(errD, std::abs(dRs - dR[o]));
          maxR = std::max(maxR, std::abs(R[o]));
          maxD = std::max(maxD, std::abs(dR[o]));
        }
      }
    if (maxR > 0) worst = std::max(worst, errR / maxR);
    if (maxD > 0) worst = std::max(worst, errD / maxD);
  }
  return worst;
}

}  // namespace af::nnip
