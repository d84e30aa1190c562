#include "atomforge/src/io/poscar.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "atomforge/src/text_reader.hpp"

namespace af {

namespace {

bool is_integer(const std::string& w) {
  if (w.empty()) return false;
  for (char c : w)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

Structure read_poscar(const std::string& path) {
  TextReader r(path);
  std::string line;
  if (!r.next(line)) r.fail("empty file (a POSCAR starts with a comment line)");
  const auto comment = split_words(line);
  if (!r.next(line)) r.fail("file ends before the scale factor");
  auto w = split_words(line);
  if (w.size() != 1) r.fail("expected one scale factor (per-axis scales are not supported)");
  const double scale = r.to_double(w[0], "the scale factor");
  if (scale == 0 || !std::isfinite(scale)) r.fail("the scale factor must be non-zero");
  double cell[3][3];
  for (int a = 0; a < 3; ++a) {
    if (!r.next(line)) r.fail("file ends inside the lattice vectors");
    w = split_words(line);
    if (w.size() < 3) r.fail("expected three components of a lattice vector");
    for (int c = 0; c < 3; ++c) cell[a][c] = r.to_double(w[c], "a lattice vector component");
  }
  const double det = cell[0][0] * (cell[1][1] * cell[2][2] - cell[1][2] * cell[2][1]) -
                     cell[0][1] * (cell[1][0] * cell[2][2] - cell[1][2] * cell[2][0]) +
                     cell[0][2] * (cell[1][0] * cell[2][1] - cell[1][1] * cell[2][0]);
  if (std::fabs(det) < 1e-12) r.fail("the lattice vectors are linearly dependent");
  const double f = scale > 0 ? scale : std::cbrt(-scale / std::fabs(det));
  for (auto& row : cell)
    for (double& v : row) v *= f;

  if (!r.next(line)) r.fail("file ends before the species line");
  w = split_words(line);
  std::vector<std::string> names;
  if (!w.empty() && !is_integer(w[0])) {
    names = w;
    if (!r.next(line)) r.fail("file ends before the atom counts");
    w = split_words(line);
  }
  std::vector<long> counts;
  for (const auto& c : w) {
    if (!is_integer(c)) r.fail("expected atom counts (whole numbers), got '" + c + "'");
    counts.push_back(r.to_long(c, "an atom count"));
  }
  if (counts.empty()) r.fail("expected atom counts");
  if (names.empty()) {  // VASP 4: names may stand in the comment line
    bool words = comment.size() >= counts.size();
    for (std::size_t k = 0; words && k < counts.size(); ++k)
      words = std::isalpha(static_cast<unsigned char>(comment[k][0])) != 0;
    if (!words) r.fail("no species names (VASP 4 format): add a line of names before the counts");
    names.assign(comment.begin(), comment.begin() + counts.size());
  }
  if (names.size() != counts.size())
    r.fail(std::to_string(names.size()) + " species names but " + std::to_string(counts.size()) + " counts");

  if (!r.next(line)) r.fail("file ends before the coordinate mode");
  w = split_words(line);
  if (!w.empty() && (w[0][0] == 'S' || w[0][0] == 's')) {
    std::fprintf(stderr, "atomforge: warning: %s:%d: selective dynamics flags are ignored\n", path.c_str(),
                 r.line_number());
    if (!r.next(line)) r.fail("file ends before the coordinate mode");
    w = split_words(line);
  }
  if (w.empty()) r.fail("expected 'Direct' or 'Cartesian'");
  const char mode = static_cast<char>(std::tolower(static_cast<unsigned char>(w[0][0])));
  if (mode != 'd' && mode != 'c' && mode != 'k') r.fail("expected 'Direct' or 'Cartesian', got '" + w[0] + "'");
  const bool cartesian = mode != 'd';

  Structure s;
  const auto& rot = s.rotation;  // the box's rotation, kept for the matcher
  try {
    s.box = Box::from_vectors(cell, s.rotation);
  } catch (const std::exception& e) {
    r.fail(e.what());
  }
  s.species = names;
  s.masses.assign(names.size(), 0.0);
  long id = 1, total = 0;
  for (long c : counts) {
    if (c > max_atoms() - total) r.fail("more than " + std::to_string(max_atoms()) + " atoms");
    total += c;
  }
  for (std::size_t t = 0; t < counts.size(); ++t)
    for (long n = 0; n < counts[t]; ++n) {
      if (!r.next(line))
        r.fail("file ends inside the positions (" + std::to_string(id - 1) + " of " + std::to_string(total) +
               " atoms read)");
      w = split_words(line);
      if (w.size() < 3) r.fail("expected three coordinates");
      double u[3], x[3];
      for (int c = 0; c < 3; ++c) u[c] = r.to_double(w[c], "a coordinate");
      for (int c = 0; c < 3; ++c)
        x[c] = cartesian ? f * u[c] : u[0] * cell[0][c] + u[1] * cell[1][c] + u[2] * cell[2][c];
      // Into the restricted (LAMMPS) frame of the cell.
      for (int c = 0; c < 3; ++c) s.x.push_back(rot[c][0] * x[0] + rot[c][1] * x[1] + rot[c][2] * x[2]);
      s.type.push_back(static_cast<int>(t));
      s.id.push_back(id++);
    }
  return s;
}

void write_poscar(const std::string& path, const Structure& s) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw InputError(path + ": cannot write");
  const Box& b = s.box;
  const auto counts = s.type_counts();
  std::fprintf(f, "%s (written by atomforge)\n1.0\n", s.formula().c_str());
  for (int a = 0; a < 3; ++a) std::fprintf(f, "%.17g %.17g %.17g\n", b.h[0][a], b.h[1][a], b.h[2][a]);
  for (int t = 0; t < s.ntypes(); ++t)
    if (counts[t]) std::fprintf(f, " %s", s.species[t].c_str());
  std::fprintf(f, "\n");
  for (int t = 0; t < s.ntypes(); ++t)
    if (counts[t]) std::fprintf(f, " %ld", counts[t]);
  std::fprintf(f, "\nDirect\n");
  for (int t = 0; t < s.ntypes(); ++t)
    for (std::size_t i = 0; i < s.natoms(); ++i) {
      if (s.type[i] != t) continue;
      double u[3];
      b.to_frac(&s.x[3 * i], u);
      std::fprintf(f, "%.17g %.17g %.17g\n", u[0], u[1], u[2]);
    }
  if (std::fclose(f) != 0) throw InputError(path + ": write failed");
}

}  // namespace af
