#include "atomforge/src/io/lammps_data.hpp"

#include <cctype>
#include <map>
#include <cstdio>
#include <set>

#include "atomforge/src/elements.hpp"
#include "atomforge/src/text_reader.hpp"

namespace af {

namespace {

bool ends_with(const std::vector<std::string>& w, std::initializer_list<const char*> tail) {
  if (w.size() < tail.size()) return false;
  std::size_t k = w.size() - tail.size();
  for (const char* t : tail)
    if (w[k++] != t) return false;
  return true;
}

}  // namespace

Structure read_lammps_data(const std::string& path) {
  TextReader r(path);
  std::string line;
  if (!r.next(line)) r.fail("empty file (a LAMMPS data file starts with a title line)");

  long natoms = -1, ntypes = -1;
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, tilt[3] = {0, 0, 0};
  bool have[3] = {false, false, false};
  std::string section;
  // Header: keyword lines until the first section name.
  while (r.next(line)) {
    const auto w = split_words(line);
    if (w.empty()) continue;
    if (ends_with(w, {"atoms"}) && w.size() == 2) {
      natoms = r.to_long(w[0], "the atom count");
    } else if (ends_with(w, {"atom", "types"}) && w.size() == 3) {
      ntypes = r.to_long(w[0], "the atom type count");
    } else if (w.size() == 4 && (ends_with(w, {"xlo", "xhi"}) || ends_with(w, {"ylo", "yhi"}) || ends_with(w, {"zlo", "zhi"}))) {
      const int k = w[2][0] - 'x';
      lo[k] = r.to_double(w[0], "a box bound");
      hi[k] = r.to_double(w[1], "a box bound");
      if (!(hi[k] > lo[k])) r.fail("box upper bound must exceed the lower bound");
      have[k] = true;
    } else if (w.size() == 6 && ends_with(w, {"xy", "xz", "yz"})) {
      for (int k = 0; k < 3; ++k) tilt[k] = r.to_double(w[k], "a tilt factor");
    } else if (w.size() >= 2 && (w.back() == "bonds" || w.back() == "angles" || w.back() == "dihedrals" ||
                                 w.back() == "impropers" || w.back() == "ellipsoids" || w.back() == "lines" ||
                                 w.back() == "triangles" || w.back() == "bodies" || ends_with(w, {"bond", "types"}) ||
                                 ends_with(w, {"angle", "types"}) || ends_with(w, {"dihedral", "types"}) ||
                                 ends_with(w, {"improper", "types"}) || ends_with(w, {"extra", "bond", "per", "atom"}))) {
      const long n = r.to_long(w[0], "a count");
      if (n != 0) r.fail("only atom_style atomic is supported: '" + line + "' declares molecular topology");
    } else if (std::isalpha(static_cast<unsigned char>(w[0][0]))) {
      section = line.substr(0, line.find('#'));
      while (!section.empty() && std::isspace(static_cast<unsigned char>(section.back()))) section.pop_back();
      while (!section.empty() && std::isspace(static_cast<unsigned char>(section.front()))) section.erase(0, 1);
      break;
    } else {
      r.fail("unrecognised header line '" + line + "'");
    }
  }
  if (natoms < 0) r.fail("header has no 'N atoms' line");
  if (natoms > max_atoms()) r.fail("more than " + std::to_string(max_atoms()) + " atoms");
  if (ntypes <= 0) r.fail("header has no 'N atom types' line");
  if (ntypes > 100000) r.fail("more than 100000 atom types");
  for (int k = 0; k < 3; ++k)
    if (!have[k]) r.fail(std::string("header has no '") + char('x' + k) + "lo " + char('x' + k) + "hi' line");

  Structure s;
  s.box = Box::triclinic(lo, hi, tilt[0], tilt[1], tilt[2]);
  for (long t = 1; t <= ntypes; ++t) s.species.push_back(std::to_string(t));
  s.masses.assign(ntypes, 0.0);
  std::vector<std::string> labels(ntypes);
  std::map<long, std::size_t> index;  // atom id -> position
  bool have_atoms = false;

  auto skip_blank_then = [&](const char* what) {
    // A section keyword is followed by one blank line.
    if (!r.next(line)) r.fail(std::string("file ends right after the ") + what + " keyword");
    if (!split_words(line).empty()) r.fail(std::string("expected a blank line after the ") + what + " keyword");
  };
  auto read_rows = [&](long count, const char* what, auto&& row) {
    for (long n = 0; n < count; ++n) {
      if (!r.next(line))
        r.fail(std::string("file ends inside the ") + what + " section (" + std::to_string(n) + " of " +
               std::to_string(count) + " lines read)");
      row(split_words(line));
    }
  };

  while (!section.empty()) {
    const std::string head = split_words(section).empty() ? section : split_words(section)[0];
    if (section == "Masses") {
      skip_blank_then("Masses");
      read_rows(ntypes, "Masses", [&](const std::vector<std::string>& w) {
        if (w.size() < 2) r.fail("expected 'type mass' in Masses");
        const long t = r.to_long(w[0], "the atom type");
        if (t < 1 || t > ntypes) r.fail("atom type " + w[0] + " out of range 1.." + std::to_string(ntypes));
        const double m = r.to_double(w[1], "the mass");
        if (!(m > 0)) r.fail("mass must be positive");
        s.masses[t - 1] = m;
        // "1 63.546 # Cu": a one-word comment names the type (as atomforge and others write).
        const auto hash = line.find('#');
        if (hash != std::string::npos) {
          const auto c = split_words(line.substr(hash + 1));
          if (c.size() == 1) labels[t - 1] = c[0];
        }
      });
      const std::set<std::string> distinct(labels.begin(), labels.end());
      if (distinct.size() == labels.size() && !distinct.count("")) s.species = labels;
    } else if (head == "Atoms") {
      const std::string full = line;
      const auto hash = full.find('#');
      if (hash != std::string::npos) {
        const auto style = split_words(full.substr(hash + 1));
        if (!style.empty() && style[0] != "atomic")
          r.fail("only atom_style atomic is supported, this file has '" + style[0] + "'");
      }
      skip_blank_then("Atoms");
      s.id.reserve(natoms);
      s.x.reserve(3 * natoms);
      read_rows(natoms, "Atoms", [&](const std::vector<std::string>& w) {
        if (w.size() != 5 && w.size() != 8) r.fail("expected 'id type x y z [ix iy iz]' in Atoms (atom_style atomic), got " + std::to_string(w.size()) + " columns");
        const long id = r.to_long(w[0], "the atom id");
        if (id <= 0) r.fail("atom ids must be positive");
        const long t = r.to_long(w[1], "the atom type");
        if (t < 1 || t > ntypes) r.fail("atom type " + w[1] + " out of range 1.." + std::to_string(ntypes));
        if (!index.emplace(id, s.id.size()).second) r.fail("duplicate atom id " + w[0]);
        s.id.push_back(id);
        s.type.push_back(static_cast<int>(t - 1));
        for (int k = 0; k < 3; ++k) s.x.push_back(r.to_double(w[2 + k], "a coordinate"));
        for (int k = 0; k < 3; ++k) s.image.push_back(w.size() == 8 ? static_cast<int>(r.to_long(w[5 + k], "an image flag")) : 0);
      });
      have_atoms = true;
    } else if (section == "Velocities") {
      if (!have_atoms) r.fail("Velocities must come after Atoms");
      skip_blank_then("Velocities");
      s.v.assign(3 * s.natoms(), 0.0);
      std::set<long> seen;
      read_rows(natoms, "Velocities", [&](const std::vector<std::string>& w) {
        if (w.size() != 4) r.fail("expected 'id vx vy vz' in Velocities");
        const long id = r.to_long(w[0], "the atom id");
        auto it = index.find(id);
        if (it == index.end()) r.fail("velocity for unknown atom id " + w[0]);
        if (!seen.insert(id).second) r.fail("duplicate velocity for atom id " + w[0]);
        for (int k = 0; k < 3; ++k) s.v[3 * it->second + k] = r.to_double(w[1 + k], "a velocity");
      });
    } else if (head == "Pair" || head == "PairIJ") {
      // Coefficients belong in the deck; skip them.
      skip_blank_then(head.c_str());
      const long rows = head == "Pair" ? ntypes : ntypes * (ntypes + 1) / 2;
      read_rows(rows, head.c_str(), [](const std::vector<std::string>&) {});
    } else {
      r.fail("unsupported section '" + section + "' (atom_style atomic files have Masses, Atoms, Velocities)");
    }
    // Next section keyword (skipping blank lines).
    section.clear();
    while (r.next(line)) {
      const auto w = split_words(line);
      if (w.empty()) continue;
      section = line.substr(0, line.find('#'));
      while (!section.empty() && std::isspace(static_cast<unsigned char>(section.back()))) section.pop_back();
      while (!section.empty() && std::isspace(static_cast<unsigned char>(section.front()))) section.erase(0, 1);
      break;
    }
  }
  if (!have_atoms && natoms > 0) r.fail("no Atoms section");
  return s;
}

void write_lammps_data(const std::string& path, const Structure& s) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw InputError(path + ": cannot write");
  const Box& b = s.box;
  std::fprintf(f, "LAMMPS data file written by atomforge (atom_style atomic)\n\n");
  std::fprintf(f, "%zu atoms\n%d atom types\n\n", s.natoms(), s.ntypes());
  std::fprintf(f, "%.17g %.17g xlo xhi\n%.17g %.17g ylo yhi\n%.17g %.17g zlo zhi\n", b.lo[0], b.lo[0] + b.h[0][0],
               b.lo[1], b.lo[1] + b.h[1][1], b.lo[2], b.lo[2] + b.h[2][2]);
  if (b.h[0][1] != 0 || b.h[0][2] != 0 || b.h[1][2] != 0)
    std::fprintf(f, "%.17g %.17g %.17g xy xz yz\n", b.h[0][1], b.h[0][2], b.h[1][2]);
  // Masses: the structure's, else the element's for element names (LAMMPS needs all or none).
  std::vector<double> mass(s.ntypes(), 0.0);
  bool masses = true;
  for (int t = 0; t < s.ntypes(); ++t) {
    mass[t] = t < static_cast<int>(s.masses.size()) && s.masses[t] > 0 ? s.masses[t] : element_mass(s.species[t]);
    masses = masses && mass[t] > 0;
  }
  if (masses) {
    std::fprintf(f, "\nMasses\n\n");
    for (int t = 0; t < s.ntypes(); ++t) std::fprintf(f, "%d %.17g # %s\n", t + 1, mass[t], s.species[t].c_str());
  }
  std::fprintf(f, "\nAtoms # atomic\n\n");
  const bool img = !s.image.empty();
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    std::fprintf(f, "%ld %d %.17g %.17g %.17g", s.id[i], s.type[i] + 1, s.x[3 * i], s.x[3 * i + 1], s.x[3 * i + 2]);
    if (img) std::fprintf(f, " %d %d %d", s.image[3 * i], s.image[3 * i + 1], s.image[3 * i + 2]);
    std::fprintf(f, "\n");
  }
  if (s.has_velocities()) {
    std::fprintf(f, "\nVelocities\n\n");
    for (std::size_t i = 0; i < s.natoms(); ++i)
      std::fprintf(f, "%ld %.17g %.17g %.17g\n", s.id[i], s.v[3 * i], s.v[3 * i + 1], s.v[3 * i + 2]);
  }
  if (std::fclose(f) != 0) throw InputError(path + ": write failed");
}

}  // namespace af
