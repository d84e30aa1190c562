#include "atomforge/potentials/eam/eam_file.hpp"

#include <algorithm>
#include <cmath>

#include "atomforge/src/text_reader.hpp"

namespace af {

namespace {

// Reads n numbers that may span several lines into out[1..n].
void grab(TextReader& r, int n, std::vector<double>& out, const char* what) {
  out.assign(n + 1, 0.0);
  std::string line;
  int i = 0;
  while (i < n) {
    if (!r.next(line)) r.fail(std::string("file ends while reading ") + what + " (" + std::to_string(i) + " of " + std::to_string(n) + " values)");
    for (const auto& w : split_words(line)) {
      if (i >= n) r.fail(std::string("more values than expected in ") + what);
      out[++i] = r.to_double(w, what);
    }
  }
}

std::vector<std::string> words_of_next(TextReader& r, const char* what) {
  std::string line;
  if (!r.next(line)) r.fail(std::string("file ends before ") + what);
  return split_words(line);
}

struct Grid {
  int nrho, nr;
  double drho, dr, cut;
};

Grid read_grid(TextReader& r) {
  const auto w = words_of_next(r, "the grid line (Nrho drho Nr dr cutoff)");
  if (w.size() < 5) r.fail("expected 'Nrho drho Nr dr cutoff'");
  Grid g{static_cast<int>(r.to_long(w[0], "Nrho")), static_cast<int>(r.to_long(w[2], "Nr")), r.to_double(w[1], "drho"),
         r.to_double(w[3], "dr"), r.to_double(w[4], "cutoff")};
  if (g.nrho < 5 || g.nr < 5 || !(g.drho > 0) || !(g.dr > 0) || !(g.cut > 0)) r.fail("grid needs Nrho, Nr >= 5 and positive spacings and cutoff");
  return g;
}

// LAMMPS's 4-point interpolation of one file's table onto the common grid.
double interp4(const std::vector<double>& f, int nfile, double dfile, double x) {
  double p = x / dfile + 1.0;
  int k = static_cast<int>(p);
  k = std::min(k, nfile - 2);
  k = std::max(k, 2);
  p -= k;
  p = std::min(p, 2.0);
  const double sixth = 1.0 / 6.0;
  const double c1 = -sixth * p * (p - 1.0) * (p - 2.0);
  const double c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
  const double c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
  const double c4 = sixth * p * (p * p - 1.0);
  return c1 * f[k - 1] + c2 * f[k] + c3 * f[k + 1] + c4 * f[k + 2];
}

// Index of the lower-triangular pair table for elements a, b.
int tri(int a, int b) {
  if (a < b) std::swap(a, b);
  return a * (a + 1) / 2 + b;
}

EamTables read_funcfl(const std::vector<std::string>& type_files) {
  // Distinct files in order of first use (LAMMPS reads one per pair_coeff i i file).
  std::vector<std::string> files;
  std::vector<int> map;
  for (const auto& f : type_files) {
    auto it = std::find(files.begin(), files.end(), f);
    map.push_back(static_cast<int>(it - files.begin()));
    if (it == files.end()) files.push_back(f);
  }
  struct F {
    Grid g;
    double mass;
    std::vector<double> frho, zr, rhor;
  };
  std::vector<F> in;
  for (const auto& path : files) {
    TextReader r(path);
    F f;
    words_of_next(r, "the comment line");
    const auto w = words_of_next(r, "the 'Z mass' line");
    if (w.size() < 2) r.fail("expected 'atomic-number mass [lattice-constant lattice-type]'");
    f.mass = r.to_double(w[1], "the mass");
    f.g = read_grid(r);
    grab(r, f.g.nrho, f.frho, "F(rho)");
    grab(r, f.g.nr, f.zr, "Z(r)");
    grab(r, f.g.nr, f.rhor, "rho(r)");
    in.push_back(std::move(f));
  }
  EamTables t;
  double rmax = 0;
  for (const auto& f : in) {
    t.dr = std::max(t.dr, f.g.dr);
    t.drho = std::max(t.drho, f.g.drho);
    rmax = std::max(rmax, (f.g.nr - 1) * f.g.dr);
    t.rhomax = std::max(t.rhomax, (f.g.nrho - 1) * f.g.drho);
    t.cut = std::max(t.cut, f.g.cut);
  }
  t.nr = static_cast<int>(rmax / t.dr + 0.5);
  t.nrho = static_cast<int>(t.rhomax / t.drho + 0.5);
  const int nf = static_cast<int>(in.size());
  t.frho.assign(nf, std::vector<double>(t.nrho + 1, 0.0));
  t.rhor.assign(nf, std::vector<double>(t.nr + 1, 0.0));
  t.z2r.assign(nf * (nf + 1) / 2, std::vector<double>(t.nr + 1, 0.0));
  for (int i = 0; i < nf; ++i) {
    for (int m = 1; m <= t.nrho; ++m) t.frho[i][m] = interp4(in[i].frho, in[i].g.nrho, in[i].g.drho, (m - 1) * t.drho);
    for (int m = 1; m <= t.nr; ++m) t.rhor[i][m] = interp4(in[i].rhor, in[i].g.nr, in[i].g.dr, (m - 1) * t.dr);
    for (int j = 0; j <= i; ++j)
      for (int m = 1; m <= t.nr; ++m) {
        const double r = (m - 1) * t.dr;
        // Z in units of the electron charge; 27.2 * 0.529 = Hartree * Bohr in eV A (LAMMPS's value).
        t.z2r[tri(i, j)][m] = 27.2 * 0.529 * interp4(in[i].zr, in[i].g.nr, in[i].g.dr, r) *
                              interp4(in[j].zr, in[j].g.nr, in[j].g.dr, r);
      }
  }
  const int nt = static_cast<int>(map.size());
  t.type2frho = map;
  t.type2rhor.resize(nt * nt);
  t.type2z2r.resize(nt * nt);
  t.mass.resize(nt);
  for (int a = 0; a < nt; ++a) {
    t.mass[a] = in[map[a]].mass;
    for (int b = 0; b < nt; ++b) {
      t.type2rhor[a * nt + b] = map[a];
      t.type2z2r[a * nt + b] = tri(map[a], map[b]);
    }
  }
  return t;
}

EamTables read_setfl(const std::string& path, bool fs, const std::vector<std::string>& elements) {
  TextReader r(path);
  for (int k = 0; k < 3; ++k) words_of_next(r, "the three comment lines");
  const auto head = words_of_next(r, "the element line");
  if (head.empty()) r.fail("expected 'N element1 ... elementN'");
  const int ne = static_cast<int>(r.to_long(head[0], "the element count"));
  if (ne < 1 || static_cast<int>(head.size()) < ne + 1) r.fail("element line lists fewer than N elements");
  std::vector<std::string> names(head.begin() + 1, head.begin() + 1 + ne);
  const Grid g = read_grid(r);
  std::vector<std::vector<double>> frho(ne), rhor(fs ? ne * ne : ne), z2r(ne * (ne + 1) / 2);
  std::vector<double> mass(ne);
  for (int i = 0; i < ne; ++i) {
    const auto w = words_of_next(r, "an element's 'Z mass' line");
    if (w.size() < 2) r.fail("expected 'atomic-number mass lattice-constant lattice-type'");
    mass[i] = r.to_double(w[1], "the mass");
    grab(r, g.nrho, frho[i], "F(rho)");
    if (fs) {
      for (int j = 0; j < ne; ++j) grab(r, g.nr, rhor[i * ne + j], "rho(r)");
    } else {
      grab(r, g.nr, rhor[i], "rho(r)");
    }
  }
  for (int i = 0; i < ne; ++i)
    for (int j = 0; j <= i; ++j) grab(r, g.nr, z2r[tri(i, j)], "r*phi(r)");

  EamTables t;
  t.nrho = g.nrho;
  t.nr = g.nr;
  t.drho = g.drho;
  t.dr = g.dr;
  t.cut = g.cut;
  t.rhomax = (t.nrho - 1) * t.drho;
  t.frho = frho;
  t.rhor = rhor;
  t.z2r = z2r;
  const int nt = static_cast<int>(elements.size());
  std::vector<int> map(nt);
  for (int a = 0; a < nt; ++a) {
    auto it = std::find(names.begin(), names.end(), elements[a]);
    if (it == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw InputError::at(path, 0, 0, "has no element '" + elements[a] + "' (it has " + list + ")");
    }
    map[a] = static_cast<int>(it - names.begin());
  }
  t.type2frho = map;
  t.type2rhor.resize(nt * nt);
  t.type2z2r.resize(nt * nt);
  t.mass.resize(nt);
  for (int a = 0; a < nt; ++a) {
    t.mass[a] = mass[map[a]];
    for (int b = 0; b < nt; ++b) {
      t.type2rhor[a * nt + b] = fs ? map[a] * ne + map[b] : map[a];
      t.type2z2r[a * nt + b] = tri(map[a], map[b]);
    }
  }
  return t;
}

}  // namespace

EamTables read_eam(EamFlavor flavor, const std::vector<std::string>& files, const std::vector<std::string>& elements) {
  if (flavor == EamFlavor::Funcfl) return read_funcfl(files);
  return read_setfl(files.at(0), flavor == EamFlavor::FinnisSinclair, elements);
}

std::vector<double> eam_spline(const std::vector<double>& f, int n, double delta) {
  // s[m*7 + k], m = 1..n (LAMMPS's interpolate(): value coefficients 3..6, derivative 0..2).
  std::vector<double> s(7 * (n + 1), 0.0);
  auto S = [&](int m, int k) -> double& { return s[7 * m + k]; };
  for (int m = 1; m <= n; ++m) S(m, 6) = f[m];
  S(1, 5) = S(2, 6) - S(1, 6);
  S(2, 5) = 0.5 * (S(3, 6) - S(1, 6));
  S(n - 1, 5) = 0.5 * (S(n, 6) - S(n - 2, 6));
  S(n, 5) = S(n, 6) - S(n - 1, 6);
  for (int m = 3; m <= n - 2; ++m) S(m, 5) = ((S(m - 2, 6) - S(m + 2, 6)) + 8.0 * (S(m + 1, 6) - S(m - 1, 6))) / 12.0;
  for (int m = 1; m <= n - 1; ++m) {
    S(m, 4) = 3.0 * (S(m + 1, 6) - S(m, 6)) - 2.0 * S(m, 5) - S(m + 1, 5);
    S(m, 3) = S(m, 5) + S(m + 1, 5) - 2.0 * (S(m + 1, 6) - S(m, 6));
  }
  S(n, 4) = 0.0;
  S(n, 3) = 0.0;
  for (int m = 1; m <= n; ++m) {
    S(m, 2) = S(m, 5) / delta;
    S(m, 1) = 2.0 * S(m, 4) / delta;
    S(m, 0) = 3.0 * S(m, 3) / delta;
  }
  return s;
}

}  // namespace af
