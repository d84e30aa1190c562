#include "atomforge/src/io/extxyz.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "atomforge/src/text_reader.hpp"

namespace af {

namespace {

// key=value pairs of an extxyz comment line; values may be "quoted".
std::map<std::string, std::string> parse_header(const std::string& line, const TextReader& r) {
  std::map<std::string, std::string> kv;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) break;
    std::size_t k0 = i;
    while (i < n && line[i] != '=' && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::string key = line.substr(k0, i - k0);
    std::string value = "T";  // a bare key is a true flag
    if (i < n && line[i] == '=') {
      ++i;
      if (i < n && (line[i] == '"' || line[i] == '\'')) {
        const char q = line[i++];
        const std::size_t v0 = i;
        while (i < n && line[i] != q) ++i;
        if (i >= n) r.fail("unterminated quote in the comment line");
        value = line.substr(v0, i - v0);
        ++i;
      } else {
        const std::size_t v0 = i;
        while (i < n && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        value = line.substr(v0, i - v0);
      }
    }
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    kv[key] = value;
  }
  return kv;
}

struct Column {
  std::string name;
  char kind;
  int count;
  int offset;
};

}  // namespace

Structure read_extxyz(const std::string& path) {
  std::vector<Structure> frames = read_extxyz_frames(path, true);
  return std::move(frames.back());
}

std::vector<Structure> read_extxyz_frames(const std::string& path, bool last_only, std::vector<double>* energies,
                                          std::vector<std::map<std::string, std::string>>* info) {
  TextReader r(path);
  std::string line;
  std::vector<Structure> frames;
  if (energies) energies->clear();
  if (info) info->clear();
  while (r.next(line)) {
    auto w = split_words(line);
    if (w.empty()) continue;
    const long natoms = r.to_long(w[0], "the atom count on the first line of a frame");
    if (natoms < 0) r.fail("negative atom count");
    if (natoms > max_atoms()) r.fail("more than " + std::to_string(max_atoms()) + " atoms");
    if (!r.next(line)) r.fail("file ends before the comment line");
    const auto kv = parse_header(line, r);

    // Columns.
    std::vector<Column> cols;
    const std::string props = kv.count("properties") ? kv.at("properties") : "species:S:1:pos:R:3";
    {
      std::vector<std::string> parts;
      std::size_t p = 0;
      while (p <= props.size()) {
        const std::size_t q = props.find(':', p);
        parts.push_back(props.substr(p, q == std::string::npos ? std::string::npos : q - p));
        if (q == std::string::npos) break;
        p = q + 1;
      }
      if (parts.size() % 3) r.fail("Properties must be name:type:count triples");
      int off = 0;
      for (std::size_t k = 0; k < parts.size(); k += 3) {
        const int cnt = static_cast<int>(r.to_long(parts[k + 2], "a Properties column count"));
        if (cnt < 1 || parts[k + 1].size() != 1) r.fail("malformed Properties entry '" + parts[k] + "'");
        cols.push_back({parts[k], parts[k + 1][0], cnt, off});
        off += cnt;
      }
    }
    auto find_col = [&](std::initializer_list<const char*> names) -> const Column* {
      for (const auto& c : cols)
        for (const char* nm : names)
          if (c.name == nm) return &c;
      return nullptr;
    };
    const Column* sp = find_col({"species", "element", "symbols"});
    const Column* pos = find_col({"pos", "positions"});
    const Column* vel = find_col({"vel", "velo", "velocities"});
    if (!sp || !pos || pos->count != 3) r.fail("Properties needs species:S:1 and pos:R:3");
    int ncols = 0;
    for (const auto& c : cols) ncols += c.count;

    Structure s;
    // Cell.
    double cell[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    bool has_cell = kv.count("lattice");
    bool pbc[3] = {has_cell, has_cell, has_cell};
    if (has_cell) {
      const auto lw = split_words(kv.at("lattice"));
      if (lw.size() != 9) r.fail("Lattice needs 9 numbers");
      for (int k = 0; k < 9; ++k) cell[k / 3][k % 3] = r.to_double(lw[k], "a Lattice component");
      const double det = cell[0][0] * (cell[1][1] * cell[2][2] - cell[1][2] * cell[2][1]) -
                         cell[0][1] * (cell[1][0] * cell[2][2] - cell[1][2] * cell[2][0]) +
                         cell[0][2] * (cell[1][0] * cell[2][1] - cell[1][1] * cell[2][0]);
      if (!(det > 1e-12)) r.fail(det < -1e-12 ? "Lattice: left-handed cell (swap two vectors)" : "Lattice: the cell vectors are linearly dependent");
    }
    if (kv.count("pbc")) {
      const auto pw = split_words(kv.at("pbc"));
      if (pw.size() != 3) r.fail("pbc needs three T/F flags");
      for (int k = 0; k < 3; ++k) {
        const std::string& f = pw[k];
        if (f == "T" || f == "True" || f == "true" || f == "1") pbc[k] = true;
        else if (f == "F" || f == "False" || f == "false" || f == "0") pbc[k] = false;
        else r.fail("pbc flags must be T or F, got '" + f + "'");
      }
    }
    s.x.resize(3 * natoms);
    if (vel) s.v.resize(3 * natoms);
    for (long i = 0; i < natoms; ++i) {
      if (!r.next(line)) r.fail("file ends inside a frame (" + std::to_string(i) + " of " + std::to_string(natoms) + " atoms read)");
      w = split_words(line);
      if (static_cast<int>(w.size()) != ncols) r.fail("expected " + std::to_string(ncols) + " columns per atom (Properties=" + props + "), got " + std::to_string(w.size()));
      const std::string& name = w[sp->offset];
      int t = s.find_species(name);
      if (t < 0) {
        t = s.ntypes();
        s.species.push_back(name);
      }
      s.type.push_back(t);
      s.id.push_back(i + 1);
      for (int k = 0; k < 3; ++k) s.x[3 * i + k] = r.to_double(w[pos->offset + k], "a position");
      if (vel)
        for (int k = 0; k < 3; ++k) s.v[3 * i + k] = r.to_double(w[vel->offset + k], "a velocity");
    }
    s.masses.assign(s.species.size(), 0.0);
    if (!has_cell) {
      if (pbc[0] || pbc[1] || pbc[2]) r.fail("pbc is true but there is no Lattice");
      // Non-periodic: a box around the atoms, padded.
      double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
      for (int k = 0; k < 3; ++k) {
        double mn = 0, mx = 0;
        for (long i = 0; i < natoms; ++i) {
          const double v = s.x[3 * i + k];
          mn = i ? std::min(mn, v) : v;
          mx = i ? std::max(mx, v) : v;
        }
        lo[k] = mn - 5.0;
        hi[k] = mx + 5.0;
      }
      if (!(hi[0] - lo[0] > 1.0 && hi[1] - lo[1] > 1.0 && hi[2] - lo[2] > 1.0))  // 1e20 + 5 == 1e20
        r.fail("no Lattice, and the atoms' coordinates are too large to put a box around them");
      s.box = Box::orthogonal(lo, hi);
    } else {
      const auto& rot = s.rotation;  // the box's rotation, kept for the matcher
      try {
        s.box = Box::from_vectors(cell, s.rotation);
      } catch (const std::exception& e) {
        r.fail(std::string("Lattice: ") + e.what());
      }
      auto rotate = [&](std::vector<double>& v) {
        for (long i = 0; i < natoms; ++i) {
          double a[3] = {v[3 * i], v[3 * i + 1], v[3 * i + 2]};
          for (int k = 0; k < 3; ++k) v[3 * i + k] = rot[k][0] * a[0] + rot[k][1] * a[1] + rot[k][2] * a[2];
        }
      };
      rotate(s.x);
      if (vel) rotate(s.v);
    }
    for (int k = 0; k < 3; ++k) s.box.periodic[k] = pbc[k];
    if (last_only) frames.clear();
    frames.push_back(std::move(s));
    if (info) {
      if (last_only) info->clear();
      info->emplace_back(kv.begin(), kv.end());
    }
    if (energies) {
      if (last_only) energies->clear();
      const auto e = kv.find("energy");
      energies->push_back(e == kv.end() ? std::nan("") : r.to_double(e->second, "the frame's energy"));
    }
  }
  if (frames.empty()) r.fail("no frames in file");
  return frames;
}

void write_extxyz_frame(std::FILE* f, const Structure& s, double energy, const ExtxyzInfo& info) {
  const Box& b = s.box;
  // ASE's cell has its origin at 0: positions are written relative to the box origin.
  std::fprintf(f, "%zu\nLattice=\"", s.natoms());
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) std::fprintf(f, "%s%.17g", r || c ? " " : "", b.h[c][r]);
  std::fprintf(f, "\" Properties=species:S:1:pos:R:3%s pbc=\"%c %c %c\"", s.has_velocities() ? ":vel:R:3" : "",
               b.periodic[0] ? 'T' : 'F', b.periodic[1] ? 'T' : 'F', b.periodic[2] ? 'T' : 'F');
  if (!std::isnan(energy)) std::fprintf(f, " energy=%.17g", energy);
  for (const auto& [key, raw] : info) {
    std::string value = raw;  // one line, no double quotes: an error message may hold both
    for (char& ch : value) ch = ch == '"' ? '\'' : (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
    const bool quote = value.empty() || value.find_first_of(" =,") != std::string::npos;
    std::fprintf(f, quote ? " %s=\"%s\"" : " %s=%s", key.c_str(), value.c_str());
  }
  std::fprintf(f, "\n");
  for (std::size_t i = 0; i < s.natoms(); ++i) {
    std::fprintf(f, "%-3s %.17g %.17g %.17g", s.species[s.type[i]].c_str(), s.x[3 * i] - b.lo[0],
                 s.x[3 * i + 1] - b.lo[1], s.x[3 * i + 2] - b.lo[2]);
    if (s.has_velocities()) std::fprintf(f, " %.17g %.17g %.17g", s.v[3 * i], s.v[3 * i + 1], s.v[3 * i + 2]);
    std::fprintf(f, "\n");
  }
}

void write_extxyz(const std::string& path, const Structure& s) { write_extxyz_frames(path, {s}, {}); }

void write_extxyz_frames(const std::string& path, const std::vector<Structure>& frames,
                         const std::vector<double>& energies, const std::vector<ExtxyzInfo>& info) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw InputError(path + ": cannot write");
  for (std::size_t k = 0; k < frames.size(); ++k)
    write_extxyz_frame(f, frames[k], k < energies.size() ? energies[k] : std::nan(""), k < info.size() ? info[k] : ExtxyzInfo{});
  if (std::fclose(f) != 0) throw InputError(path + ": write failed");
}

}  // namespace af
