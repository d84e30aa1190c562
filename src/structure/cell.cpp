#include "atomforge/src/structure/cell.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace af::cell {

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 o{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) o[i][j] += a[i][k] * b[k][j];
  return o;
}
Vec3 mul(const Vec3& v, const Mat3& m) {
  Vec3 o{};
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 3; ++k) o[j] += v[k] * m[k][j];
  return o;
}
Mat3 transpose(const Mat3& m) {
  Mat3 o{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) o[i][j] = m[j][i];
  return o;
}
double det(const Mat3& m) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}
Mat3 inverse(const Mat3& m) {
  const double d = det(m);
  if (d == 0) throw std::invalid_argument("singular lattice matrix");
  Mat3 o;
  o[0] = {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / d, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / d,
          (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / d};
  o[1] = {(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / d, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / d,
          (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / d};
  o[2] = {(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / d, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / d,
          (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / d};
  return o;
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }

namespace {
constexpr double kPi = 3.14159265358979323846;
double degrees_between(const Vec3& u, const Vec3& v) {
  double x = dot(u, v) / (norm(u) * norm(v));
  x = std::max(-1.0, std::min(1.0, x));
  return std::acos(x) * 180.0 / kPi;
}
}  // namespace

Parameters parameters(const Mat3& m) {
  return {norm(m[0]), norm(m[1]), norm(m[2]), degrees_between(m[1], m[2]), degrees_between(m[0], m[2]),
          degrees_between(m[0], m[1])};
}

Mat3 from_parameters(const Parameters& p) {
  const double ar = p.alpha * kPi / 180, br = p.beta * kPi / 180, gr = p.gamma * kPi / 180;
  const double ca = std::cos(ar), cb = std::cos(br), cg = std::cos(gr);
  const double sa = std::sin(ar), sb = std::sin(br);
  double val = (ca * cb - cg) / (sa * sb);
  val = std::max(-1.0, std::min(1.0, val));
  const double gamma_star = std::acos(val);
  Mat3 m;
  m[0] = {p.a * sb, 0.0, p.a * cb};
  m[1] = {-p.b * sa * std::cos(gamma_star), p.b * sa * std::sin(gamma_star), p.b * ca};
  m[2] = {0.0, 0.0, p.c};
  return m;
}

Vec3 reciprocal_lengths(const Mat3& m) {
  const Mat3 r = transpose(inverse(m));  // rows: reciprocal vectors without 2 pi
  return {2 * kPi * norm(r[0]), 2 * kPi * norm(r[1]), 2 * kPi * norm(r[2])};
}

// pymatgen's Lattice._calculate_lll, step for step (basis vectors as columns a_i).
Lll lll_reduce(const Mat3& mat, double delta) {
  Vec3 a[3] = {mat[0], mat[1], mat[2]};  // a[i]: basis vector i
  Vec3 map[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Vec3 b[3]{};
  double u[3][3] = {};
  double mm[3] = {};
  auto gram_schmidt = [&](int i) {  // u[i][0..i), b[i], mm[i] from a[i]
    for (int j = 0; j < i; ++j) u[i][j] = dot(a[i], b[j]) / mm[j];
    b[i] = a[i];
    for (int j = 0; j < i; ++j)
      for (int c = 0; c < 3; ++c) b[i][c] -= b[j][c] * u[i][j];
    mm[i] = dot(b[i], b[i]);
  };
  for (int i = 0; i < 3; ++i) gram_schmidt(i);
  int k = 2;
  for (int guard = 0; k <= 3 && guard < 10000; ++guard) {
    for (int i = k - 1; i > 0; --i) {
      const double q = std::nearbyint(u[k - 1][i - 1]);  // numpy rounds half to even
      if (q != 0) {
        for (int c = 0; c < 3; ++c) {
          a[k - 1][c] -= q * a[i - 1][c];
          map[k - 1][c] -= q * map[i - 1][c];
        }
        for (int j = 0; j < i - 1; ++j) u[k - 1][j] -= q * u[i - 1][j];
        u[k - 1][i - 1] -= q;
      }
    }
    if (dot(b[k - 1], b[k - 1]) >= (delta - std::fabs(u[k - 1][k - 2]) * std::fabs(u[k - 1][k - 2])) *
                                       dot(b[k - 2], b[k - 2])) {
      ++k;
    } else {
      std::swap(a[k - 1], a[k - 2]);
      std::swap(map[k - 1], map[k - 2]);
      for (int s = k - 1; s <= k; ++s) gram_schmidt(s - 1);
      if (k > 2) {
        --k;
      } else {
        for (int r = k; r < 3; ++r)
          for (int c = 0; c < 2; ++c) u[r][k - 2 + c] = dot(a[r], b[k - 2 + c]) / mm[k - 2 + c];
      }
    }
  }
  Lll out;
  for (int i = 0; i < 3; ++i) {
    out.matrix[i] = a[i];
    out.mapping[i] = map[i];
  }
  return out;
}

// In the order pymatgen's find_points_in_spheres (pymatgen.optimization.neighbors) lists
// them for one point at the origin, which decides which of several bases within 1 degree
// Lattice.find_mapping returns (Niggli reduction's last step): images (i, j, k) ascending
// within ceil((r + 0.15) |a_j x a_k| / V) cells, kept strictly inside [-(r + 1e-8),
// r + 1e-8]^3, binned into cubes of edge r; the 27 cubes around the centre visited with
// offsets (-1..1)^3, last index fastest, each cube's points last-inserted first.
std::vector<LatticePoint> lattice_points_within(const Mat3& m, double r) {
  constexpr double tol = 1e-8;
  const double ledge = r < 0.1 ? 0.1 : r, vmin = -(r + tol), vmax = r + tol;
  long lo[3], hi[3];
  for (int i = 0; i < 3; ++i) {
    const Vec3& u = m[(i + 1) % 3];
    const Vec3& w = m[(i + 2) % 3];
    const Vec3 cr = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
    const double maxr = std::ceil((r + 0.15) * norm(cr) / std::fabs(dot(m[i], cr)));
    lo[i] = static_cast<long>(std::floor(-maxr - 1e-8));
    hi[i] = static_cast<long>(std::ceil(maxr + 1e-8));
  }
  const long nc = static_cast<long>(std::ceil((vmax - vmin) / ledge));
  std::vector<LatticePoint> inside;
  std::vector<long> cube;
  for (long i = lo[0]; i < hi[0]; ++i)
    for (long j = lo[1]; j < hi[1]; ++j)
      for (long k = lo[2]; k < hi[2]; ++k) {
        Vec3 c;
        for (int a = 0; a < 3; ++a) c[a] = double(i) * m[0][a] + double(j) * m[1][a] + double(k) * m[2][a];
        if (!(c[0] > vmin && c[0] < vmax && c[1] > vmin && c[1] < vmax && c[2] > vmin && c[2] < vmax)) continue;
        long idx[3];
        for (int a = 0; a < 3; ++a) idx[a] = static_cast<long>(std::floor((c[a] - vmin + 1e-8) / ledge));
        inside.push_back({{int(i), int(j), int(k)}, c, 0.0});
        cube.push_back(idx[0] * nc * nc + idx[1] * nc + idx[2]);
      }
  long ctr[3];
  for (int a = 0; a < 3; ++a) ctr[a] = static_cast<long>(std::floor((0.0 - vmin + 1e-8) / ledge));
  std::vector<LatticePoint> out;
  for (long di = -1; di <= 1; ++di)
    for (long dj = -1; dj <= 1; ++dj)
      for (long dk = -1; dk <= 1; ++dk) {
        const long ci = ctr[0] + di, cj = ctr[1] + dj, ck = ctr[2] + dk;
        if (ci < 0 || ci >= nc || cj < 0 || cj >= nc || ck < 0 || ck >= nc) continue;
        const long id = ci * nc * nc + cj * nc + ck;
        for (std::size_t p = inside.size(); p-- > 0;) {
          if (cube[p] != id) continue;
          const Vec3& c = inside[p].cart;
          const double d2 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
          if (d2 < r * r + tol) out.push_back({inside[p].n, c, std::sqrt(d2)});
        }
      }
  return out;
}

std::vector<Mapping> find_all_mappings(const Mat3& m, const Mat3& target, double ltol, double atol, bool first_only) {
  const Parameters p = parameters(target);
  const double len[3] = {p.a, p.b, p.c};
  const auto pts = lattice_points_within(m, std::max({p.a, p.b, p.c}) * (1 + ltol));
  std::vector<const LatticePoint*> cand[3];
  for (int t = 0; t < 3; ++t)
    for (const auto& q : pts)
      if (q.length / len[t] < 1 + ltol && q.length / len[t] > 1 / (1 + ltol)) cand[t].push_back(&q);
  std::vector<Mapping> out;
  for (const auto* va : cand[0])
    for (const auto* vb : cand[1]) {
      if (!(std::fabs(degrees_between(va->cart, vb->cart) - p.gamma) < atol)) continue;
      for (const auto* vc : cand[2]) {
        if (!(std::fabs(degrees_between(vb->cart, vc->cart) - p.alpha) < atol)) continue;
        if (!(std::fabs(degrees_between(va->cart, vc->cart) - p.beta) < atol)) continue;
        const Mat3 s = {Vec3{double(va->n[0]), double(va->n[1]), double(va->n[2])},
                        Vec3{double(vb->n[0]), double(vb->n[1]), double(vb->n[2])},
                        Vec3{double(vc->n[0]), double(vc->n[1]), double(vc->n[2])}};
        if (std::fabs(det(s)) < 1e-8) continue;
        out.push_back({Mat3{va->cart, vb->cart, vc->cart}, s});
        if (first_only) return out;
      }
    }
  return out;
}

namespace {

Mat3 congruent(const Mat3& g, const double mt[3][3]) {  // M^T G M
  Mat3 mm;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) mm[i][j] = mt[i][j];
  return mul(transpose(mm), mul(g, mm));
}

double sign(double x) { return x / std::fabs(x); }

}  // namespace

// pymatgen's Lattice.get_niggli_reduced_lattice, step for step (including its use of the
// values read before step A1 in steps A2 to A4).
Mat3 niggli_reduce(const Mat3& m, double tol) {
  const Mat3 lll = lll_reduce(m).matrix;
  const double e = tol * std::cbrt(std::fabs(det(m)));
  Mat3 G = mul(lll, transpose(lll));
  for (int it = 0; it < 100; ++it) {
    double A = G[0][0], B = G[1][1], C = G[2][2], E = 2 * G[1][2], N = 2 * G[0][2], Y = 2 * G[0][1];
    if (A > B + e || (std::fabs(A - B) < e && std::fabs(E) > std::fabs(N) + e)) {
      const double M[3][3] = {{0, -1, 0}, {-1, 0, 0}, {0, 0, -1}};
      G = congruent(G, M);
    }
    if ((B > C + e) || (std::fabs(B - C) < e && std::fabs(N) > std::fabs(Y) + e)) {
      const double M[3][3] = {{-1, 0, 0}, {0, 0, -1}, {0, -1, 0}};
      G = congruent(G, M);
      continue;
    }
    const double l = std::fabs(E) < e ? 0 : sign(E), mm = std::fabs(N) < e ? 0 : sign(N),
                 n = std::fabs(Y) < e ? 0 : sign(Y);
    if (l * mm * n == 1) {
      const double M[3][3] = {{l == -1 ? -1.0 : 1.0, 0, 0}, {0, mm == -1 ? -1.0 : 1.0, 0}, {0, 0, n == -1 ? -1.0 : 1.0}};
      G = congruent(G, M);
    } else if (l * mm * n == 0 || l * mm * n == -1) {
      double i = l == 1 ? -1 : 1, j = mm == 1 ? -1 : 1, k = n == 1 ? -1 : 1;
      if (i * j * k == -1) {
        if (n == 0) k = -1;
        else if (mm == 0) j = -1;
        else if (l == 0) i = -1;
      }
      const double M[3][3] = {{i, 0, 0}, {0, j, 0}, {0, 0, k}};
      G = congruent(G, M);
    }
    A = G[0][0], B = G[1][1], C = G[2][2], E = 2 * G[1][2], N = 2 * G[0][2], Y = 2 * G[0][1];
    if (std::fabs(E) > B + e || (std::fabs(E - B) < e && 2 * N < Y - e) || (std::fabs(E + B) < e && Y < -e)) {
      const double M[3][3] = {{1, 0, 0}, {0, 1, -E / std::fabs(E)}, {0, 0, 1}};
      G = congruent(G, M);
      continue;
    }
    if (std::fabs(N) > A + e || (std::fabs(A - N) < e && 2 * E < Y - e) || (std::fabs(A + N) < e && Y < -e)) {
      const double M[3][3] = {{1, 0, -N / std::fabs(N)}, {0, 1, 0}, {0, 0, 1}};
      G = congruent(G, M);
      continue;
    }
    if (std::fabs(Y) > A + e || (std::fabs(A - Y) < e && 2 * E < N - e) || (std::fabs(A + Y) < e && N < -e)) {
      const double M[3][3] = {{1, -Y / std::fabs(Y), 0}, {0, 1, 0}, {0, 0, 1}};
      G = congruent(G, M);
      continue;
    }
    const double s = E + N + Y + A + B;
    if (s < -e || (std::fabs(s) < e && e < Y + (A + N) * 2)) {
      const double M[3][3] = {{1, 0, 1}, {0, 1, 1}, {0, 0, 1}};
      G = congruent(G, M);
      continue;
    }
    break;
  }
  const double a = std::sqrt(G[0][0]), b = std::sqrt(G[1][1]), c = std::sqrt(G[2][2]);
  const Parameters p{a, b, c, std::acos(2 * G[1][2] / 2 / b / c) / kPi * 180, std::acos(2 * G[0][2] / 2 / a / c) / kPi * 180,
                     std::acos(2 * G[0][1] / 2 / a / b) / kPi * 180};
  const auto found = find_all_mappings(m, from_parameters(p), e, 1.0, true);
  if (found.empty()) throw std::runtime_error("can't find niggli");
  Mat3 mapped = found.front().aligned;
  if (det(mapped) > 0) return mapped;
  for (auto& row : mapped)
    for (auto& x : row) x = -x;
  return mapped;
}

double Cell::volume() const { return std::fabs(det(lattice)); }

std::vector<Vec3> Cell::cart() const {
  std::vector<Vec3> out(frac.size());
  for (std::size_t i = 0; i < frac.size(); ++i) out[i] = mul(frac[i], lattice);
  return out;
}

Cell from_structure(const Structure& s, std::vector<std::string>& names) {
  for (int k = 0; k < 3; ++k)
    if (!s.box.periodic[k]) throw std::invalid_argument("structure comparison needs a periodic cell in all three directions");
  Cell c;
  for (int k = 0; k < 3; ++k)  // cell vector k in the file's orientation: rotation^T h_k
    for (int a = 0; a < 3; ++a)
      c.lattice[k][a] = s.rotation[0][a] * s.box.h[0][k] + s.rotation[1][a] * s.box.h[1][k] + s.rotation[2][a] * s.box.h[2][k];
  std::vector<int> id(s.species.size());
  for (std::size_t t = 0; t < s.species.size(); ++t) {
    const auto it = std::find(names.begin(), names.end(), s.species[t]);
    id[t] = static_cast<int>(it - names.begin());
    if (it == names.end()) names.push_back(s.species[t]);
  }
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    double u[3];
    s.box.to_frac(&s.x[3 * i], u);
    c.frac.push_back({u[0], u[1], u[2]});
    c.species.push_back(id[s.type[i]]);
  }
  return c;
}

namespace {
bool allclose(const Mat3& a, const Mat3& b) {
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (!(std::fabs(a[i][j] - b[i][j]) <= 1e-8 + 1e-5 * std::fabs(b[i][j]))) return false;
  return true;
}
}  // namespace

Cell niggli_cell(const Cell& c) {
  const Mat3 red = niggli_reduce(c.lattice);
  if (allclose(red, c.lattice)) return c;
  Cell o;
  o.lattice = red;
  o.species = c.species;
  const Mat3 inv = inverse(red);
  for (const auto& x : c.cart()) {
    Vec3 f = mul(x, inv);
    for (auto& v : f) v = mod1(v);
    o.frac.push_back(f);
  }
  return o;
}

double nearest_image_distance(const Vec3& d, const Mat3& lll) {
  Vec3 w;
  for (int k = 0; k < 3; ++k) w[k] = d[k] - std::round(d[k]);
  double best = HUGE_VAL;
  for (int a = -1; a <= 1; ++a)
    for (int b = -1; b <= 1; ++b)
      for (int c = -1; c <= 1; ++c) best = std::min(best, norm(mul(Vec3{w[0] + a, w[1] + b, w[2] + c}, lll)));
  return best;
}

}  // namespace af::cell
