#include "atomforge/samplers/learned/crystal_flow.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "atomforge/potentials/nnip/error.hpp"
#include "atomforge/potentials/nnip/model_file.hpp"
#include "atomforge/src/elements.hpp"
#include "atomforge/src/types.hpp"

namespace af::sampler {

namespace {

using Mat = Kokkos::View<double**, Device>;
using Vec = Kokkos::View<double*, Device>;
using Team = Kokkos::TeamPolicy<ExecSpace>::member_type;
using Scratch = Kokkos::View<double*, ExecSpace::scratch_memory_space, Kokkos::MemoryUnmanaged>;
constexpr int kMaxZ = 96, kDesc = 5;
constexpr double kTwoPi = 6.283185307179586476925;

KOKKOS_INLINE_FUNCTION double silu(double x) { return x / (1.0 + exp(-x)); }

// One Linear layer's weights (out x in, PyTorch's layout) and bias.
struct Linear {
  Mat w;
  Vec b;
};

Mat upload(const nnip::Tensor& t, const std::string& label) {
  const long rows = t.shape.size() == 2 ? t.shape[0] : 1, cols = t.shape.back();
  Mat m(label, rows, cols);
  auto h = Kokkos::create_mirror_view(m);
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c) h(r, c) = t.data[r * cols + c];
  Kokkos::deep_copy(m, h);
  return m;
}

Vec upload_vec(const nnip::Tensor& t, const std::string& label) {
  Vec v(label, t.data.size());
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t i = 0; i < t.data.size(); ++i) h(i) = t.data[i];
  Kokkos::deep_copy(v, h);
  return v;
}

// y[c] += sum_q v[q] w(q, c), four rows at a time (each lane owns its channels c).
KOKKOS_INLINE_FUNCTION void axpy_rows(const Team& team, const double* v, const Mat& w, int nq, int H, double* y) {
  int q = 0;
  for (; q + 4 <= nq; q += 4) {
    const double v0 = v[q], v1 = v[q + 1], v2 = v[q + 2], v3 = v[q + 3];
    Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) {
      y[c] += v0 * w(q, c) + v1 * w(q + 1, c) + v2 * w(q + 2, c) + v3 * w(q + 3, c);
    });
  }
  for (; q < nq; ++q) {
    const double vq = v[q];
    Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) { y[c] += vq * w(q, c); });
  }
}

// Columns col0..col0+ncols of an (out x in) weight, transposed: ncols x out.
Mat transposed(const nnip::Tensor& t, long col0, long ncols, const std::string& label) {
  const long rows = t.shape[0], cols = t.shape[1];
  Mat m(label + "^T", ncols, rows);
  auto h = Kokkos::create_mirror_view(m);
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < ncols; ++c) h(c, r) = t.data[r * cols + col0 + c];
  Kokkos::deep_copy(m, h);
  return m;
}

// Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations (host).
void symmetric_eigen(double a[3][3], double w[3], double v[3][3]) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) v[i][j] = i == j;
  for (int sweep = 0; sweep < 50; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off < 1e-300) break;
    for (int p = 0; p < 2; ++p)
      for (int q = p + 1; q < 3; ++q) {
        if (a[p][q] == 0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < 3; ++k) {  // a <- a J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq, a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {  // a <- J^T a
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk, a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 3; ++k) {
          const double vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq, v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < 3; ++i) w[i] = a[i][i];
}

// The orthonormal basis of traceless symmetric matrices (aftrain.crystal_flow.BASIS).
void basis(int a, double m[3][3]) {
  const double r2 = 1 / std::sqrt(2.0), r6 = 1 / std::sqrt(6.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) m[i][j] = 0;
  switch (a) {
    case 0: m[0][0] = r2, m[1][1] = -r2; break;
    case 1: m[0][0] = r6, m[1][1] = r6, m[2][2] = -2 * r6; break;
    case 2: m[0][1] = m[1][0] = r2; break;
    case 3: m[0][2] = m[2][0] = r2; break;
    default: m[1][2] = m[2][1] = r2; break;
  }
}

}  // namespace

void shape_cell(const double k[5], double volume, double cell[3][3]) {
  double s[3][3] = {}, w[3], v[3][3];
  for (int a = 0; a < 5; ++a) {
    double b[3][3];
    basis(a, b);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) s[i][j] += k[a] * b[i][j];
  }
  symmetric_eigen(s, w, v);
  const double scale = std::cbrt(volume);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      cell[i][j] = 0;
      for (int e = 0; e < 3; ++e) cell[i][j] += v[i][e] * std::exp(w[e]) * v[j][e];
      cell[i][j] *= scale;
    }
}

struct CrystalFlow::Impl {
  std::string path;
  std::vector<std::string> elements;
  std::vector<int> row_of;  // Z -> embedding row (0: unknown)
  int H = 0, L = 0, F = 0, TF = 0, E = 0;
  double sigma_k = 0;
  Mat embed, table;
  Kokkos::View<int*, Device> rows;
  Linear input, out_x, out_k;
  std::vector<Linear> norm, edge1, edge2, node1, node2;
  std::vector<Mat> edge1_fourier_t;  // edge1's Fourier columns transposed (in x out): message kernel

  // Work arrays of the last batch shape (reused while it fits).
  Mat h, x, P, Q, agg, vx, vk, tfeat;

  void ensure(int n, int B) {
    if (static_cast<int>(h.extent(0)) < n) {
      h = Mat("flow::h", n, H), x = Mat("flow::x", n, H), P = Mat("flow::P", n, H), Q = Mat("flow::Q", n, H);
      agg = Mat("flow::agg", n, H), vx = Mat("flow::vx", n, 3);
    }
    if (static_cast<int>(vk.extent(0)) < B) vk = Mat("flow::vk", B, 5), tfeat = Mat("flow::tfeat", B, 2 * TF);
  }

  // The velocity field at (frac, k, t) into vx, vk.
  void forward(Kokkos::View<const int*, Device> z, Kokkos::View<const int*, Device> graph,
               Kokkos::View<const int*, Device> offsets, Mat frac, Mat k, Vec t, int n, int B);
};

void CrystalFlow::Impl::forward(Kokkos::View<const int*, Device> z, Kokkos::View<const int*, Device> graph,
                                Kokkos::View<const int*, Device> offsets, Mat frac, Mat k, Vec t, int n, int B) {
  const int H = this->H, F = this->F, TF = this->TF, E = this->E;
  const auto embed = this->embed, table = this->table;
  const auto rows = this->rows;
  const auto in = input;
  const auto h = this->h, x = this->x, P = this->P, Q = this->Q, agg = this->agg, vx = this->vx, vk = this->vk;
  // Per structure: sin/cos(w_m t) (w_m = pi/2 2^m), once per call.
  const auto tf = this->tfeat;
  Kokkos::parallel_for(
      "flow::time", B, KOKKOS_LAMBDA(const int b) {
        double w = kTwoPi / 4;
        for (int m = 0; m < TF; ++m, w *= 2) tf(b, m) = sin(t(b) * w), tf(b, TF + m) = cos(t(b) * w);
      });
  // Node input: [embedding, descriptors, time features, log n, k] -> H.
  Kokkos::parallel_for(
      "flow::input", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>({0, 0}, {n, H}),
      KOKKOS_LAMBDA(const int i, const int c) {
        const int b = graph(i), zi = z(i), r = rows(zi);
        double s = in.b(c);
        int col = 0;
        for (int e = 0; e < E; ++e) s += in.w(c, col++) * embed(r, e);
        for (int d = 0; d < kDesc; ++d) s += in.w(c, col++) * table(zi, d);
        for (int m = 0; m < 2 * TF; ++m) s += in.w(c, col++) * tf(b, m);
        s += in.w(c, col++) * log(static_cast<double>(offsets(b + 1) - offsets(b)));
        for (int m = 0; m < 5; ++m) s += in.w(c, col++) * k(b, m);
        h(i, c) = s;
      });
  for (int l = 0; l < L; ++l) {
    const Linear nl = norm[l], e1 = edge1[l], e2 = edge2[l], n1 = node1[l], n2 = node2[l];
    Kokkos::parallel_for(
        "flow::norm", n, KOKKOS_LAMBDA(const int i) {
          double mean = 0, var = 0;
          for (int c = 0; c < H; ++c) mean += h(i, c);
          mean /= H;
          for (int c = 0; c < H; ++c) var += (h(i, c) - mean) * (h(i, c) - mean);
          const double inv = 1 / sqrt(var / H + 1e-5);
          for (int c = 0; c < H; ++c) x(i, c) = (h(i, c) - mean) * inv * nl.w(0, c) + nl.b(c);
        });
    // Receiver and sender halves of the first edge layer, once per atom (k enters per structure).
    Kokkos::parallel_for(
        "flow::edge_halves", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>({0, 0}, {n, H}),
        KOKKOS_LAMBDA(const int i, const int c) {
          double p = e1.b(c), q = 0;
          for (int a = 0; a < H; ++a) p += e1.w(c, a) * x(i, a), q += e1.w(c, H + a) * x(i, a);
          for (int m = 0; m < 5; ++m) p += e1.w(c, 2 * H + 6 * F + m) * k(graph(i), m);
          P(i, c) = p, Q(i, c) = q;
        });
    // Messages from every other atom of the structure, mean-aggregated: a team per receiver.
    const std::size_t bytes = Scratch::shmem_size(6 * F + 3 * H);
    const Mat wf = edge1_fourier_t[l], w2 = e2.w;
    Kokkos::parallel_for(
        "flow::messages", Kokkos::TeamPolicy<ExecSpace>(n, Kokkos::AUTO).set_scratch_size(0, Kokkos::PerTeam(bytes)),
        KOKKOS_LAMBDA(const Team& team) {
          const int i = team.league_rank(), b = graph(i), j0 = offsets(b), j1 = offsets(b + 1);
          Scratch buf(team.team_scratch(0), 6 * F + 3 * H);
          double *four = buf.data(), *hid = four + 6 * F, *out = hid + H, *acc = out + H;
          Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) { acc[c] = 0; });
          for (int j = j0; j < j1; ++j) {
            if (j == i) continue;
            team.team_barrier();
            Kokkos::parallel_for(Kokkos::TeamVectorRange(team, 3 * F), [&](const int q) {
              const int a = q / F, m = q % F;
              double d = frac(j, a) - frac(i, a);
              d -= floor(d + 0.5);
              const double arg = kTwoPi * d * (m + 1);
              four[q] = sin(arg), four[3 * F + q] = cos(arg);
            });
            team.team_barrier();
            // Weights transposed (in x out): each lane owns channels c through the q and a
            // loops (axpy form: vectorised over c on CPUs, coalesced over c on GPUs).
            Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) { hid[c] = P(i, c) + Q(j, c); });
            axpy_rows(team, four, wf, 6 * F, H, hid);
            Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) {
              hid[c] = silu(hid[c]);
              out[c] = e2.b(c);
            });
            team.team_barrier();
            axpy_rows(team, hid, w2, H, H, out);
            Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) { acc[c] += silu(out[c]); });
          }
          team.team_barrier();
          const double deg = j1 - j0 > 1 ? j1 - j0 - 1 : 1;
          Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) { agg(i, c) = acc[c] / deg; });
        });
    Kokkos::parallel_for(
        "flow::update", Kokkos::TeamPolicy<ExecSpace>(n, Kokkos::AUTO).set_scratch_size(0, Kokkos::PerTeam(Scratch::shmem_size(H))),
        KOKKOS_LAMBDA(const Team& team) {
          const int i = team.league_rank();
          Scratch u(team.team_scratch(0), H);
          Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) {
            double s = n1.b(c);
            for (int a = 0; a < H; ++a) s += n1.w(c, a) * x(i, a) + n1.w(c, H + a) * agg(i, a);
            u(c) = silu(s);
          });
          team.team_barrier();
          Kokkos::parallel_for(Kokkos::TeamVectorRange(team, H), [&](const int c) {
            double s = n2.b(c);
            for (int a = 0; a < H; ++a) s += n2.w(c, a) * u(a);
            h(i, c) += silu(s);
          });
        });
  }
  // Heads: per-atom coordinate velocity less its structure mean; k from the mean node.
  const Linear ox = out_x, ok = out_k;
  Kokkos::parallel_for(
      "flow::heads", B, KOKKOS_LAMBDA(const int b) {
        const int i0 = offsets(b), i1 = offsets(b + 1);
        const double inv = 1.0 / (i1 - i0);
        double mean[3] = {0, 0, 0};
        for (int i = i0; i < i1; ++i)
          for (int a = 0; a < 3; ++a) {
            double s = ox.b(a);
            for (int c = 0; c < H; ++c) s += ox.w(a, c) * h(i, c);
            vx(i, a) = s;
            mean[a] += s;
          }
        for (int i = i0; i < i1; ++i)
          for (int a = 0; a < 3; ++a) vx(i, a) -= mean[a] * inv;
        for (int m = 0; m < 5; ++m) {
          double s = 0;
          for (int c = 0; c < H; ++c) {
            double hm = 0;
            for (int i = i0; i < i1; ++i) hm += h(i, c);
            s += ok.w(m, c) * (hm * inv);
          }
          vk(b, m) = ok.b(m) + s;
        }
      });
}

namespace {

struct Header {
  std::vector<std::string> elements;
  int H = 0, L = 0, F = 0, TF = 0, E = 0;
  double sigma_k = 0;
};

// Reads the hyperparameters and checks every weight's shape and every element (the deck
// reader's check and the constructor's first step).
Header read_header(const nnip::ModelFile& f) {
  Header m;
  m.elements = f.species();
  m.H = static_cast<int>(f.hyper_int("hidden")), m.L = static_cast<int>(f.hyper_int("layers"));
  m.F = static_cast<int>(f.hyper_int("n_freq")), m.TF = static_cast<int>(f.hyper_int("t_freq"));
  m.E = static_cast<int>(f.hyper_int("embed"));
  m.sigma_k = f.hyper_double("sigma_k");
  // Bounds keep the message kernel's team scratch (6F + 3H doubles) in level 0 on GPUs.
  if (m.H < 1 || m.L < 0 || m.F < 1 || m.TF < 0 || m.E < 0 || m.H > 1024 || m.L > 64 || m.F > 64 || m.TF > 60 ||
      m.E > 1024)
    f.fail("hyper: hidden, layers, n_freq, t_freq or embed out of range");
  if (!(m.sigma_k > 0)) f.fail("hyper/sigma_k must be positive");
  if (m.elements.empty()) f.fail("the file lists no trained elements (attribute elements)");
  for (const auto& e : m.elements)
    if (atomic_number(e) < 1) f.fail("element '" + e + "' is not one of Z = 1-96");
  const long H = m.H, R = static_cast<long>(m.elements.size()) + 1;
  f.weight("embed", {R, m.E});
  f.weight("element_table", {kMaxZ + 1, kDesc});
  auto linear = [&](const std::string& name, long out, long in) {
    f.weight(name + ".weight", {out, in});
    f.weight(name + ".bias", {out});
  };
  linear("input", H, m.E + kDesc + 2 * m.TF + 6);
  for (int l = 0; l < m.L; ++l) {
    const std::string p = "layer" + std::to_string(l) + "/";
    f.weight(p + "norm.weight", {H});
    f.weight(p + "norm.bias", {H});
    linear(p + "edge1", H, 2 * H + 6 * m.F + 5);
    linear(p + "edge2", H, H);
    linear(p + "node1", H, 2 * H);
    linear(p + "node2", H, H);
  }
  linear("out_x", 3, H);
  linear("out_k", 5, H);
  return m;
}

}  // namespace

void CrystalFlow::check(const std::string& path) { read_header(nnip::ModelFile(path, "atomforge-crystal-flow")); }

CrystalFlow::CrystalFlow(const std::string& path) : impl_(std::make_unique<Impl>()) {
  const nnip::ModelFile f(path, "atomforge-crystal-flow");
  const Header hd = read_header(f);
  Impl& m = *impl_;
  m.path = path;
  m.elements = hd.elements;
  m.H = hd.H, m.L = hd.L, m.F = hd.F, m.TF = hd.TF, m.E = hd.E, m.sigma_k = hd.sigma_k;
  const long H = m.H, R = static_cast<long>(m.elements.size()) + 1;
  m.embed = upload(f.weight("embed", {R, m.E}), "flow::embed");
  m.table = upload(f.weight("element_table", {kMaxZ + 1, kDesc}), "flow::table");
  m.row_of.assign(kMaxZ + 1, 0);
  for (std::size_t r = 0; r < m.elements.size(); ++r) {
    m.row_of[atomic_number(m.elements[r])] = static_cast<int>(r) + 1;
  }
  m.rows = Kokkos::View<int*, Device>("flow::rows", kMaxZ + 1);
  auto hr = Kokkos::create_mirror_view(m.rows);
  for (int z = 0; z <= kMaxZ; ++z) hr(z) = m.row_of[z];
  Kokkos::deep_copy(m.rows, hr);
  auto linear = [&](const std::string& name, long out, long in) {
    return Linear{upload(f.weight(name + ".weight", {out, in}), name), upload_vec(f.weight(name + ".bias", {out}), name)};
  };
  m.input = linear("input", H, m.E + kDesc + 2 * m.TF + 6);
  for (int l = 0; l < m.L; ++l) {
    const std::string p = "layer" + std::to_string(l) + "/";
    m.norm.push_back(Linear{upload(f.weight(p + "norm.weight", {H}), p + "norm"), upload_vec(f.weight(p + "norm.bias", {H}), p)});
    m.edge1.push_back(linear(p + "edge1", H, 2 * H + 6 * m.F + 5));
    // edge2 is used only in the message kernel: its weight kept transposed (in x out).
    m.edge2.push_back(Linear{transposed(f.weight(p + "edge2.weight", {H, H}), 0, H, p + "edge2"),
                             upload_vec(f.weight(p + "edge2.bias", {H}), p + "edge2")});
    m.edge1_fourier_t.push_back(transposed(f.weight(p + "edge1.weight", {H, 2 * H + 6 * m.F + 5}), 2 * H, 6 * m.F, p));
    m.node1.push_back(linear(p + "node1", H, 2 * H));
    m.node2.push_back(linear(p + "node2", H, H));
  }
  m.out_x = linear("out_x", 3, H);
  m.out_k = linear("out_k", 5, H);
}

namespace {

// A batch's atoms and structures on the device.
struct DeviceBatch {
  Kokkos::View<int*, Device> z, graph, offsets;
  Mat frac, k;
  Vec t;
  int n = 0, B = 0;
};

DeviceBatch to_device(const std::vector<int>& z, const std::vector<int>& offsets, const std::vector<double>& frac,
                      const std::vector<double>& k) {
  DeviceBatch d;
  d.B = static_cast<int>(offsets.size()) - 1;
  d.n = static_cast<int>(z.size());
  if (d.B < 1 || offsets.front() != 0 || offsets.back() != d.n || frac.size() != 3 * z.size() ||
      k.size() != 5 * static_cast<std::size_t>(d.B))
    throw std::invalid_argument("CrystalFlow: inconsistent batch (offsets, z, frac, k)");
  d.z = Kokkos::View<int*, Device>("flow::z", d.n);
  d.graph = Kokkos::View<int*, Device>("flow::graph", d.n);
  d.offsets = Kokkos::View<int*, Device>("flow::offsets", d.B + 1);
  d.frac = Mat("flow::frac", d.n, 3);
  d.k = Mat("flow::k", d.B, 5);
  d.t = Vec("flow::t", d.B);
  auto hz = Kokkos::create_mirror_view(d.z), hg = Kokkos::create_mirror_view(d.graph);
  auto ho = Kokkos::create_mirror_view(d.offsets);
  auto hf = Kokkos::create_mirror_view(d.frac), hk = Kokkos::create_mirror_view(d.k);
  for (int b = 0; b <= d.B; ++b) ho(b) = offsets[b];
  for (int b = 0; b < d.B; ++b) {
    if (offsets[b + 1] <= offsets[b]) throw std::invalid_argument("CrystalFlow: a structure without atoms");
    for (int i = offsets[b]; i < offsets[b + 1]; ++i) hg(i) = b;
    for (int m = 0; m < 5; ++m) hk(b, m) = k[5 * b + m];
  }
  for (int i = 0; i < d.n; ++i) {
    if (z[i] < 1 || z[i] > kMaxZ) throw std::invalid_argument("CrystalFlow: atomic number out of 1-96");
    hz(i) = z[i];
    for (int a = 0; a < 3; ++a) hf(i, a) = frac[3 * i + a];
  }
  Kokkos::deep_copy(d.z, hz), Kokkos::deep_copy(d.graph, hg), Kokkos::deep_copy(d.offsets, ho);
  Kokkos::deep_copy(d.frac, hf), Kokkos::deep_copy(d.k, hk);
  return d;
}

}  // namespace

void CrystalFlow::velocity(const FlowBatch& in, std::vector<double>& vx, std::vector<double>& vk) const {
  DeviceBatch d = to_device(in.z, in.offsets, in.frac, in.k);
  if (in.t.size() != static_cast<std::size_t>(d.B)) throw std::invalid_argument("CrystalFlow: one t per structure");
  auto ht = Kokkos::create_mirror_view(d.t);
  for (int b = 0; b < d.B; ++b) ht(b) = in.t[b];
  Kokkos::deep_copy(d.t, ht);
  Impl& m = *impl_;
  m.ensure(d.n, d.B);
  m.forward(d.z, d.graph, d.offsets, d.frac, d.k, d.t, d.n, d.B);
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m.vx);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m.vk);
  vx.resize(3 * static_cast<std::size_t>(d.n));
  vk.resize(5 * static_cast<std::size_t>(d.B));
  for (int i = 0; i < d.n; ++i)
    for (int a = 0; a < 3; ++a) vx[3 * i + a] = hx(i, a);
  for (int b = 0; b < d.B; ++b)
    for (int a = 0; a < 5; ++a) vk[5 * b + a] = hk(b, a);
}

void CrystalFlow::integrate(const std::vector<int>& z, const std::vector<int>& offsets, std::vector<double>& frac,
                            std::vector<double>& k, int steps) const {
  if (steps < 1) throw std::invalid_argument("CrystalFlow: steps must be >= 1");
  DeviceBatch d = to_device(z, offsets, frac, k);
  Impl& m = *impl_;
  m.ensure(d.n, d.B);
  const double dt = 1.0 / steps;
  const auto x = d.frac, kk = d.k, vx = m.vx, vk = m.vk;
  const auto t = d.t;
  for (int s = 0; s < steps; ++s) {
    Kokkos::deep_copy(t, s * dt);
    m.forward(d.z, d.graph, d.offsets, x, kk, t, d.n, d.B);
    Kokkos::parallel_for(
        "flow::euler_x", d.n, KOKKOS_LAMBDA(const int i) {
          for (int a = 0; a < 3; ++a) {
            const double v = x(i, a) + dt * vx(i, a);
            x(i, a) = v - floor(v);
          }
        });
    Kokkos::parallel_for(
        "flow::euler_k", d.B, KOKKOS_LAMBDA(const int b) {
          for (int a = 0; a < 5; ++a) kk(b, a) += dt * vk(b, a);
        });
  }
  auto hf = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  auto hk = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), kk);
  for (int i = 0; i < d.n; ++i)
    for (int a = 0; a < 3; ++a) frac[3 * i + a] = hf(i, a);
  for (int b = 0; b < d.B; ++b)
    for (int a = 0; a < 5; ++a) k[5 * b + a] = hk(b, a);
}

CrystalFlow::~CrystalFlow() = default;
const std::string& CrystalFlow::path() const { return impl_->path; }
const std::vector<std::string>& CrystalFlow::elements() const { return impl_->elements; }
double CrystalFlow::sigma_k() const { return impl_->sigma_k; }

}  // namespace af::sampler
