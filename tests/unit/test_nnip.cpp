// The engine side of the neural potentials: edges from the full list and forces/virial
// from per-edge dE/dr. A Lennard-Jones "model" written against the NNIP interface must
// reproduce the engine's own LJ potential (energy, per-atom energies, forces, virial),
// including cells smaller than the cutoff. Both shipped models called on a periodic cell
// replicated explicitly, with the copies marked non-contributing, must give the cell's
// energy and forces (the padding-node contract of potentials/nnip/graph.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "atomforge/potentials/nnip/attention/att_fused.hpp"
#include "atomforge/src/nnip/nnip_potential.hpp"
#include "atomforge/src/open_system.hpp"
#include "test_support.hpp"

namespace {

struct LJTable {
  double eps[2][2], sig[2][2], rc[2][2];
};

// E_i = 1/2 sum over i's edges of phi(r); dE/dr_e = 1/2 phi'(r) r_e / r.
class LJModel final : public af::nnip::Model {
 public:
  explicit LJModel(const LJTable& t, double rc) : t_(t), rc_(rc) {}
  std::string name() const override { return "lj-test"; }
  double cutoff() const override { return rc_; }
  int receptive_cutoffs() const override { return 1; }
  void compute(const af::nnip::Graph& edges, const af::DblView& eatom, const af::VecView& dedr) override {
    const LJTable t = t_;
    const auto off = edges.offset;
    const auto snd = edges.sender;
    const auto v = edges.vec;
    const auto type = edges.species;
    Kokkos::parallel_for(
        "lj_model", Kokkos::RangePolicy<af::ExecSpace>(0, edges.nnodes), KOKKOS_LAMBDA(const int i) {
          double e = 0;
          for (int k = off(i); k < off(i + 1); ++k) {
            const int a = type(i), b = type(snd(k));
            const double r2 = v(k, 0) * v(k, 0) + v(k, 1) * v(k, 1) + v(k, 2) * v(k, 2);
            double g = 0;
            if (r2 < t.rc[a][b] * t.rc[a][b]) {
              const double s2 = t.sig[a][b] * t.sig[a][b] / r2, s6 = s2 * s2 * s2;
              e += 0.5 * 4 * t.eps[a][b] * (s6 * s6 - s6);
              g = 0.5 * 4 * t.eps[a][b] * (-12 * s6 * s6 + 6 * s6) / r2;  // (dphi/dr) / r
            }
            for (int c = 0; c < 3; ++c) dedr(k, c) = g * v(k, c);
          }
          eatom(i) = e;
        });
  }

 private:
  LJTable t_;
  double rc_;
};

const char* kDeck = R"(units: metal
system: {read: DATA, species: [A, B], masses: {A: 20.0, B: 40.0}}
potential:
  style: lj
  cutoff: 6.0
  pairs:
    - {species: [A, A], epsilon: 0.0104, sigma: 3.4}
    - {species: [B, B], epsilon: 0.02, sigma: 3.0, cutoff: 5.0}
    - {species: [A, B], epsilon: 0.015, sigma: 3.2, cutoff: 5.5}
neighbor: {skin: 1.0, list: full}
stages: [{integrator: {style: nve}, steps: 0}]
)";

std::unique_ptr<af::nnip::NnipPotential> lj_as_nnip() {
  LJTable t{{{0.0104, 0.015}, {0.015, 0.02}}, {{3.4, 3.2}, {3.2, 3.0}}, {{6.0, 5.5}, {5.5, 5.0}}};
  return std::make_unique<af::nnip::NnipPotential>(std::make_unique<LJModel>(t, 6.0), std::vector<int>{0, 1});
}

void compare_with_lj(const std::string& data, const std::string& name) {
  std::string text = kDeck;
  text.replace(text.find("DATA"), 4, data);
  aft::System sys(aft::write_file(name, text));
  ASSERT_EQ(sys.list.kind(), af::ListKind::Full);
  af::ComputeFlags fl;
  fl.per_atom_energy = true;
  af::DblView e_ref("e_ref", sys.atoms.nall()), e_nn("e_nn", sys.atoms.nall());
  sys.list.update_ghosts(sys.atoms, sys.box);
  const af::EnergyVirial ref = sys.pot->compute(sys.atoms, sys.list, fl, e_ref);
  const auto f_ref = sys.host(sys.atoms.f);
  auto nn = lj_as_nnip();
  const af::EnergyVirial got = nn->compute(sys.atoms, sys.list, fl, e_nn);
  const auto f_nn = sys.host(sys.atoms.f);
  EXPECT_GT(nn->edges().nedges, 0);
  EXPECT_NEAR(got.e, ref.e, 1e-12 * std::fabs(ref.e));
  double wmax = 0, fmax = 0, df = 0;
  for (double w : ref.v) wmax = std::max(wmax, std::fabs(w));
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(got.v[k], ref.v[k], 1e-12 * wmax) << "virial " << k;
  for (std::size_t k = 0; k < f_ref.size(); ++k) {
    fmax = std::max(fmax, std::fabs(f_ref[k]));
    df = std::max(df, std::fabs(f_ref[k] - f_nn[k]));
  }
  EXPECT_LT(df, 1e-12 * fmax);
  auto er = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), e_ref);
  auto en = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), e_nn);
  for (int i = 0; i < sys.atoms.nlocal; ++i) EXPECT_NEAR(en(i), er(i), 1e-12 * std::fabs(ref.e)) << "atom " << i;
}

}  // namespace

TEST(Nnip, PairModelEqualsLJ) {
  compare_with_lj(aft::random_data_file("nnip40.data", 40, 12.0, 2.0, -1.5, 1.0, 2.5, 42), "nnip40.yaml");
}

TEST(Nnip, PairModelEqualsLJInCellSmallerThanCutoff) {
  // 5 x 5.5 x 4.5 triclinic cell, cutoff 6: every atom sees many images of itself.
  compare_with_lj(aft::random_data_file("nnip6.data", 6, 5.0, 1.0, -0.7, 0.4, 2.2, 5), "nnip6.yaml");
}

namespace {

// A shaken 8-atom diamond Si cell, or its rep^3 replica (atom id = copy * 8 + k + 1).
std::string diamond_data(const std::string& name, int rep) {
  const double a = 5.43;
  const double base[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                             {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
  std::mt19937 g(7);
  std::uniform_real_distribution<double> u(-0.15, 0.15);
  double x[8][3];
  for (int k = 0; k < 8; ++k)
    for (int c = 0; c < 3; ++c) x[k][c] = base[k][c] * a + u(g);
  std::string s = "shaken diamond\n\n" + std::to_string(8 * rep * rep * rep) + " atoms\n1 atom types\n";
  char buf[256];
  for (int c = 0; c < 3; ++c) {
    std::snprintf(buf, sizeof buf, "0 %.17g %clo %chi\n", a * rep, 'x' + c, 'x' + c);
    s += buf;
  }
  s += "\nAtoms # atomic\n\n";
  int id = 1;
  for (int p = 0; p < rep; ++p)
    for (int q = 0; q < rep; ++q)
      for (int r = 0; r < rep; ++r)
        for (int k = 0; k < 8; ++k) {
          std::snprintf(buf, sizeof buf, "%d 1 %.17g %.17g %.17g\n", id++, x[k][0] + p * a, x[k][1] + q * a,
                        x[k][2] + r * a);
          s += buf;
        }
  return aft::write_file(name, s);
}

std::string nnip_deck(const std::string& name, const std::string& data, const std::string& model,
                      const std::string& extra = "") {
  return aft::write_file(name, "units: metal\nsystem: {read: " + data + ", species: [Si], masses: {Si: 28.0855}}\n"
                               "potential: {style: nnip, model: " + std::string(ATOMFORGE_SOURCE_DIR) +
                               "/examples/models/" + model + extra +
                               "}\nstages: [{integrator: {style: nve}, steps: 0}]\n");
}

}  // namespace

// Both back ends of the attention model (the portable one's reverse readout seeds the mask
// on its own path).
TEST(Nnip, PaddingNodesGiveThePeriodicCell) {
  const std::pair<std::string, std::string> models[] = {
      {"si_equivariant.h5", ""}, {"si_equivariant.h5", ", radial: mlp"}, {"si_attention.h5", ""},
      {"si_attention.h5", ", backend: portable"}};
  for (const auto& [model, extra] : models) {
    const std::string tag = model + (extra.empty() ? "" : ".variant");
    aft::System cell(nnip_deck("pad_cell_" + tag + ".yaml", diamond_data("pad_cell.data", 1), model, extra));
    aft::System sup(nnip_deck("pad_sup_" + tag + ".yaml", diamond_data("pad_sup.data", 3), model, extra));
    const af::EnergyVirial ref = cell.compute();
    const auto f_cell = cell.host(cell.atoms.f);
    const auto id_cell = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cell.atoms.id);
    std::vector<double> f_ref(24);
    for (int i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) f_ref[3 * (id_cell(i) - 1) + c] = f_cell[3 * i + c];

    // The replica's graph (every node with its complete edge list), copy 0 contributing.
    auto* nn = dynamic_cast<af::nnip::NnipPotential*>(sup.pot);
    ASSERT_NE(nn, nullptr);
    sup.compute();
    af::nnip::EdgeList g = nn->edges();
    const auto id = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sup.atoms.id);
    af::IntView contributing("contributing", g.nnodes);
    auto hc = Kokkos::create_mirror_view(contributing);
    for (int i = 0; i < g.nnodes; ++i) hc(i) = id(i) <= 8;
    Kokkos::deep_copy(contributing, hc);
    g.contributing = contributing;
    af::DblView e("e", g.nnodes);
    af::VecView dedr("dedr", g.nedges);
    nn->model().compute(g, e, dedr);
    const auto he = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), e);
    double energy = 0;
    for (int i = 0; i < g.nnodes; ++i) energy += hc(i) ? he(i) : 0.0;
    af::nnip::scatter_edge_gradients(sup.atoms, g, dedr);
    const auto f_sup = sup.host(sup.atoms.f);
    std::vector<double> f(24, 0.0);  // each copy's force folded onto its cell atom
    for (int i = 0; i < g.nnodes; ++i)
      for (int c = 0; c < 3; ++c) f[3 * ((id(i) - 1) % 8) + c] += f_sup[3 * i + c];
    double fmax = 0, df = 0;
    for (int k = 0; k < 24; ++k) {
      fmax = std::max(fmax, std::fabs(f_ref[k]));
      df = std::max(df, std::fabs(f[k] - f_ref[k]));
    }
    EXPECT_NEAR(energy, ref.e, 1e-12 * std::fabs(ref.e)) << tag;
    EXPECT_LT(df, 1e-12 * fmax) << tag << ": max |dF| " << df << " of max |F| " << fmax;
    EXPECT_GT(fmax, 0.1) << tag;
  }
}

// Exchange mode (nnip::Model::compute_exchange through af::OpenSystem) on the 8-atom cell
// as 8 owned atoms and its 26 neighbouring copies as ghosts, one cell (5.43 A > r_c + skin)
// deep: an exchange that copies each owner's rows to its copies (forward) and adds the
// copies' rows into the owner's (reverse) gives the periodic cell's energy, forces
// (ghosts' folded onto owners) and virial, for both models and both attention back ends;
// without the exchange the energy is wrong (control).
TEST(Nnip, ExchangeModeGivesThePeriodicCell) {
  struct CopyToImages final : af::nnip::NodeExchange {
    bool on = true;
    int calls = 0;
    void forward(double* rows, int n, int width) override {
      ++calls;
      for (int i = 8; on && i < n; ++i)
        for (int q = 0; q < width; ++q) rows[i * width + q] = rows[(i % 8) * width + q];
    }
    void reverse(double* rows, int n, int width) override {
      ++calls;
      for (int i = 8; on && i < n; ++i)
        for (int q = 0; q < width; ++q) rows[(i % 8) * width + q] += rows[i * width + q];
    }
  };
  // Exchanges per call (2 blocks): equivariant h once and dE/dM twice; attention BOO and
  // x_1 forward, the sender sums of both blocks and of the edge input reverse.
  const struct {
    const char* model;
    const char* extra;
    int calls;
  } cases[] = {{"si_equivariant.h5", "", 3},
               {"si_equivariant.h5", ", radial: mlp", 3},  // the exact path's tiles over owned nodes
               {"si_attention.h5", "", 5},
               {"si_attention.h5", ", backend: portable", 5}};
  for (const auto& k : cases) {
    const std::string tag = std::string(k.model) + k.extra;
    const std::string deck = nnip_deck("exch_cell.yaml", diamond_data("exch_cell.data", 1), k.model, k.extra);
    aft::System cell(deck);
    const af::EnergyVirial ref = cell.compute();
    const auto f_cell = cell.host(cell.atoms.f);
    const auto xc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cell.atoms.x);
    const double a = 5.43;
    std::vector<double> x;
    for (int s = 0; s < 27; ++s) {  // shift (0, 0, 0) first: the owned atoms
      const int sh[3] = {(s % 3 + 1) % 3 - 1, (s / 3 % 3 + 1) % 3 - 1, (s / 9 + 1) % 3 - 1};
      for (int i = 0; i < 8; ++i)
        for (int c = 0; c < 3; ++c) x.push_back(xc(i, c) + sh[c] * a);
    }
    const int n = 216;
    std::vector<int> type(n, 0), contributing(n, 0);
    for (int i = 0; i < 8; ++i) contributing[i] = 1;
    auto os = af::OpenSystem::load(deck, {"Si"}, "metal");
    ASSERT_TRUE(os->has_exchange()) << tag;
    CopyToImages exchange;
    af::OpenSystem::Request request;
    request.exchange = &exchange;
    request.skin = 0.5;
    std::vector<double> f(3 * n, 0.0);
    const auto r = os->compute(n, x.data(), type.data(), contributing.data(), f.data(), nullptr, nullptr, request);
    EXPECT_EQ(exchange.calls, k.calls) << tag;
    double fmax = 0, df = 0;
    for (int i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) {
        double fi = 0;
        for (int s = 0; s < 27; ++s) fi += f[3 * (8 * s + i) + c];
        fmax = std::max(fmax, std::fabs(f_cell[3 * i + c]));
        df = std::max(df, std::fabs(fi - f_cell[3 * i + c]));
      }
    EXPECT_NEAR(r.energy, ref.e, 1e-12 * std::fabs(ref.e)) << tag;
    EXPECT_LT(df, 1e-12 * fmax) << tag << ": max |dF| " << df << " of max |F| " << fmax;
    EXPECT_GT(fmax, 0.1) << tag;
    double wmax = 0, dw = 0;
    for (int q = 0; q < 6; ++q) {
      wmax = std::max(wmax, std::fabs(ref.v[q]));
      dw = std::max(dw, std::fabs(r.virial[q] - ref.v[q]));
    }
    EXPECT_LT(dw, 1e-12 * wmax) << tag << ": virial off by " << dw << " of " << wmax;

    exchange.on = false;  // control: nothing exchanged
    std::fill(f.begin(), f.end(), 0.0);
    const auto wrong = os->compute(n, x.data(), type.data(), contributing.data(), f.data(), nullptr, nullptr, request);
    EXPECT_GT(std::fabs(wrong.energy - ref.e), 1e-3) << tag;
  }
}

// The attention kernels' 16 x 16 register transpose (float, AVX-512 CPU builds) against
// an element copy, for every count of source rows (the rest read as zero), at strides
// that are not 16, writing nothing outside the block.
TEST(Nnip, AttentionTranspose16x16EqualsElementCopy) {
#ifdef AF_ATT_TRANSPOSE16
  const int lds = 48, ldd = 40;
  std::vector<float> src(40 * lds);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = 0.37f * float(i) + 1.0f;
  for (int n = 0; n <= 16; ++n) {
    std::vector<float> dst(48 * ldd, -1.0f);
    af::nnip::host::transpose16x16(src.data() + 3 * lds + 16, lds, n, dst.data() + 16 * ldd + 8, ldd);
    int written = 0;
    for (float v : dst) written += v != -1.0f;
    EXPECT_EQ(written, 256) << "rows " << n;
    for (int c = 0; c < 16; ++c)
      for (int r = 0; r < 16; ++r)
        ASSERT_EQ(dst[(16 + c) * ldd + 8 + r], r < n ? src[(3 + r) * lds + 16 + c] : 0.0f) << "rows " << n;
  }
#else
  GTEST_SKIP() << "no 16 x 16 register transpose in this build";
#endif
}

// The row GELU of the float kernels (vector exp and reciprocal on CPU builds) against the
// scalar gelu_with_grad (inline exp and a division), from the far negative tail (exactly
// 0 there, no subnormals) through the positive range, in place as the kernels call it.
// Tolerance: 1e-6 relative plus the exp's conditioning, 3 |a| float epsilons for the
// argument a = -c2 (z + 0.044715 z^3), which the two forms may round differently.
TEST(Nnip, AttentionRowGeluEqualsScalarGelu) {
  const int n = 4096;
  std::vector<float> z(n), y(n), dy(n);
  for (int c = 0; c < n; ++c) z[c] = -60.0f + 80.0f * float(c) / float(n - 1);
  y = z;
  af::nnip::kernels::gelu_row_with_grad(y.data(), y.data(), dy.data(), n);
  for (int c = 0; c < n; ++c) {
    float ys, dys;
    af::nnip::kernels::gelu_with_grad(z[c], ys, dys);
    const double a = 2 * 0.7978845608028654 * std::fabs(z[c] + 0.044715 * z[c] * z[c] * z[c]);
    const double rel = 1e-6 + 3 * a * 1.1920929e-7;
    ASSERT_NEAR(y[c], ys, rel * std::fabs(ys)) << "z = " << z[c];
    ASSERT_NEAR(dy[c], dys, rel * std::fabs(dys)) << "z = " << z[c];
  }
}
