// CIF reading: a tokenizer for CIF 1.1 syntax (quoted strings, ;-text fields, loops,
// comments), the first data block gathered into tags, then the structure built from it.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "atomforge/src/elements.hpp"
#include "atomforge/src/io/cif.hpp"
#include "atomforge/src/text_reader.hpp"

namespace af {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kSiteTolerance = 1e-4;  // fractional, as pymatgen's CifParser (messages say 1e-4)

struct Token {
  std::string text;
  int line;
  bool quoted;  // quoted strings and text fields are values, never keywords or tags
};

struct Value {
  std::string text;
  int line;
};

// One data block: every tag (lower case, '.' read as '_') with its value(s); a looped
// tag has one value per loop row.
struct Block {
  std::string name;
  int line = 0;
  std::map<std::string, std::vector<Value>> items;
  const std::vector<Value>* find(const char* tag) const {
    const auto it = items.find(tag);
    return it == items.end() ? nullptr : &it->second;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<Token> tokenize(TextReader& r) {
  std::vector<Token> out;
  std::string line;
  while (r.next(line)) {
    if (!line.empty() && line[0] == ';') {  // text field up to a line starting with ';'
      const int start = r.line_number();
      std::string text = line.substr(1);
      bool closed = false;
      while (r.next(line)) {
        if (!line.empty() && line[0] == ';') {
          closed = true;
          break;
        }
        text += "\n" + line;
      }
      if (!closed) throw InputError::at(r.path(), start, 0, "text field (';') is never closed");
      out.push_back({text, start, true});
      line = line.substr(1);  // anything after the closing ';' is more tokens
    }
    std::size_t i = 0;
    while (i < line.size()) {
      if (is_space(line[i])) {
        ++i;
        continue;
      }
      if (line[i] == '#') break;
      if (line[i] == '\'' || line[i] == '"') {  // ends at the quote followed by a blank
        const char q = line[i];
        std::size_t j = i + 1;
        while (j < line.size() && !(line[j] == q && (j + 1 == line.size() || is_space(line[j + 1])))) ++j;
        if (j >= line.size()) r.fail(std::string("quoted string (") + q + ") is never closed");
        out.push_back({line.substr(i + 1, j - i - 1), r.line_number(), true});
        i = j + 1;
        continue;
      }
      std::size_t j = i;
      while (j < line.size() && !is_space(line[j])) ++j;
      out.push_back({line.substr(i, j - i), r.line_number(), false});
      i = j;
    }
  }
  return out;
}

// data_NAME and save_NAME are prefixes; loop_, global_ and stop_ whole words.
bool is_keyword(const Token& t, const char* word) {
  if (t.quoted) return false;
  const std::string w(word);
  const bool prefix = w == "data_" || w == "save_";
  return prefix ? lower(t.text.substr(0, w.size())) == w : lower(t.text) == w;
}
bool is_tag(const Token& t) { return !t.quoted && !t.text.empty() && t.text[0] == '_'; }
bool is_reserved(const Token& t) {
  return is_keyword(t, "data_") || is_keyword(t, "loop_") || is_keyword(t, "save_") || is_keyword(t, "global_") ||
         is_keyword(t, "stop_");
}

std::string tag_name(const std::string& text) {
  std::string s = lower(text);
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

// The first data block of the file (a warning names any others, which are ignored).
Block first_block(const std::vector<Token>& tok, const std::string& path) {
  Block b;
  std::size_t i = 0;
  while (i < tok.size() && !is_keyword(tok[i], "data_")) {
    if (!is_keyword(tok[i], "global_"))
      throw InputError::at(path, tok[i].line, 0, "expected 'data_NAME' before '" + tok[i].text + "'");
    ++i;
  }
  if (i == tok.size()) throw InputError::at(path, tok.empty() ? 0 : tok.back().line, 0, "no data block (data_NAME)");
  b.name = tok[i].text.substr(5);
  b.line = tok[i].line;
  ++i;
  auto add = [&](const Token& tag, std::vector<Value> values) {
    const std::string name = tag_name(tag.text);
    if (b.items.count(name)) throw InputError::at(path, tag.line, 0, "tag " + tag.text + " given twice");
    b.items[name] = std::move(values);
  };
  while (i < tok.size()) {
    const Token& t = tok[i];
    if (is_keyword(t, "data_")) {
      int more = 0;
      for (std::size_t k = i; k < tok.size(); ++k) more += is_keyword(tok[k], "data_");
      std::fprintf(stderr, "atomforge: warning: %s:%d: %d more data block(s) after data_%s ignored\n", path.c_str(),
                   t.line, more, b.name.c_str());
      break;
    }
    if (is_keyword(t, "save_") || is_keyword(t, "global_") || is_keyword(t, "stop_"))
      throw InputError::at(path, t.line, 0, "'" + t.text + "' is not supported in a structure file");
    if (is_keyword(t, "loop_")) {
      std::vector<const Token*> tags;
      std::size_t j = i + 1;
      while (j < tok.size() && is_tag(tok[j])) tags.push_back(&tok[j++]);
      if (tags.empty()) throw InputError::at(path, t.line, 0, "loop_ without tags");
      std::vector<std::vector<Value>> cols(tags.size());
      std::size_t n = 0;
      while (j < tok.size() && !is_tag(tok[j]) && !is_reserved(tok[j])) {
        cols[n % tags.size()].push_back({tok[j].text, tok[j].line});
        ++n;
        ++j;
      }
      if (n % tags.size() != 0)
        throw InputError::at(path, t.line, 0,
                             "loop of " + std::to_string(tags.size()) + " tags has " + std::to_string(n) +
                                 " values, not a whole number of rows");
      for (std::size_t k = 0; k < tags.size(); ++k) add(*tags[k], std::move(cols[k]));
      i = j;
      continue;
    }
    if (!is_tag(t)) throw InputError::at(path, t.line, 0, "expected a tag (_name) or loop_, got '" + t.text + "'");
    if (i + 1 >= tok.size() || is_tag(tok[i + 1]) || is_reserved(tok[i + 1]))
      throw InputError::at(path, t.line, 0, "tag " + t.text + " has no value");
    add(t, {{tok[i + 1].text, tok[i + 1].line}});
    i += 2;
  }
  return b;
}

// A CIF number: "5.431", "5.431(2)" (standard uncertainty dropped).
double number(const Value& v, const std::string& path, const char* what) {
  std::string s = v.text.substr(0, v.text.find('('));
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(x))
    throw InputError::at(path, v.line, 0, std::string("expected a number for ") + what + ", got '" + v.text + "'");
  return x;
}

const Value& single(const Block& b, const char* tag, const std::string& path) {
  const auto* v = b.find(tag);
  if (!v) throw InputError::at(path, b.line, 0, std::string("data_") + b.name + " has no " + tag);
  if (v->size() != 1) throw InputError::at(path, v->empty() ? b.line : (*v)[0].line, 0, std::string(tag) + " must have one value");
  return (*v)[0];
}

// Element symbol from a type symbol or label: "Fe2+" -> Fe, "O1a" -> O, "SI" -> Si.
std::string species_name(const Value& v, const std::string& path) {
  std::string letters;
  for (char c : v.text) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    letters += letters.empty() ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                               : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (letters.empty()) throw InputError::at(path, v.line, 0, "cannot read a species from '" + v.text + "'");
  if (letters.size() >= 2 && element_mass(letters.substr(0, 2)) > 0) return letters.substr(0, 2);
  if (element_mass(letters.substr(0, 1)) > 0) return letters.substr(0, 1);
  return letters;  // not an element: the name as written (e.g. a coarse-grained bead)
}

std::vector<SymOp> symmetry_operations(const Block& b, const std::string& path) {
  const std::vector<Value>* ops = b.find("_symmetry_equiv_pos_as_xyz");
  if (!ops) ops = b.find("_space_group_symop_operation_xyz");
  if (!ops || ops->empty()) {
    // A space group named without its operations would silently give a wrong structure.
    for (const char* tag : {"_symmetry_space_group_name_h-m", "_space_group_name_h-m_alt"}) {
      const auto* name = b.find(tag);
      if (!name || name->empty()) continue;
      std::string n;
      for (char c : (*name)[0].text)
        if (!std::isspace(static_cast<unsigned char>(c))) n += c;
      if (n != "P1" && n != "?" && n != ".")
        throw InputError::at(path, (*name)[0].line, 0,
                             "space group '" + (*name)[0].text +
                                 "' given without its symmetry operations (_symmetry_equiv_pos_as_xyz)");
    }
    return {SymOp{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {0, 0, 0}}};
  }
  if (ops->size() > 192) throw InputError::at(path, (*ops)[0].line, 0, "more than 192 symmetry operations");
  std::vector<SymOp> out;
  for (const auto& v : *ops) {
    SymOp op;
    std::string why;
    if (!parse_symop(v.text, op, why))
      throw InputError::at(path, v.line, 0, "symmetry operation '" + v.text + "': " + why);
    out.push_back(op);
  }
  return out;
}

Box cell_from_parameters(const Block& b, const std::string& path) {
  double len[3], ang[3];
  const char* len_tags[3] = {"_cell_length_a", "_cell_length_b", "_cell_length_c"};
  const char* ang_tags[3] = {"_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"};
  for (int k = 0; k < 3; ++k) {
    const Value& l = single(b, len_tags[k], path);
    len[k] = number(l, path, len_tags[k]);
    if (len[k] <= 0) throw InputError::at(path, l.line, 0, std::string(len_tags[k]) + " must be positive");
    const Value& a = single(b, ang_tags[k], path);
    ang[k] = number(a, path, ang_tags[k]);
    if (ang[k] <= 0 || ang[k] >= 180)
      throw InputError::at(path, a.line, 0, std::string(ang_tags[k]) + " must lie between 0 and 180 degrees");
  }
  // a along x, b in the xy plane: the restricted (LAMMPS) form directly.
  // Right angles exactly: cos(pi/2) in floating point is 6e-17, a spurious tilt.
  auto cosd = [](double deg) { return deg == 90 ? 0.0 : std::cos(deg * kPi / 180); };
  const double ca = cosd(ang[0]), cb = cosd(ang[1]), cg = cosd(ang[2]);
  const double sg = ang[2] == 90 ? 1.0 : std::sin(ang[2] * kPi / 180);
  const double lx = len[0], xy = len[1] * cg, ly = len[1] * sg, xz = len[2] * cb;
  const double yz = (len[1] * len[2] * ca - xy * xz) / ly;
  const double lz2 = len[2] * len[2] - xz * xz - yz * yz;
  if (!(lz2 > 1e-12 * len[2] * len[2]))
    throw InputError::at(path, single(b, "_cell_angle_alpha", path).line, 0, "the cell angles do not form a cell");
  const double lo[3] = {0, 0, 0}, hi[3] = {lx, ly, std::sqrt(lz2)};
  return Box::triclinic(lo, hi, xy, xz, yz);
}

double wrap01(double u) {
  u -= std::floor(u);
  return u >= 1.0 ? 0.0 : u;
}

// Finds an earlier atom within the site tolerance (periodic), through a 1000^3 bin hash.
class PositionIndex {
 public:
  int find(const double u[3], const std::vector<double>& all) const {
    long c[3];
    cell_of(u, c);
    for (int dx = -1; dx <= 1; ++dx)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dz = -1; dz <= 1; ++dz) {
          const auto it = bins_.find(key(c[0] + dx, c[1] + dy, c[2] + dz));
          if (it == bins_.end()) continue;
          for (int j : it->second) {
            bool same = true;
            for (int k = 0; k < 3 && same; ++k) {
              double d = u[k] - all[3 * j + k];
              d -= std::round(d);
              same = std::fabs(d) <= kSiteTolerance;
            }
            if (same) return j;
          }
        }
    return -1;
  }
  void add(const double u[3], int index) {
    long c[3];
    cell_of(u, c);
    bins_[key(c[0], c[1], c[2])].push_back(index);
  }

 private:
  static constexpr long kBins = 1000;  // bin width 1e-3 > tolerance: neighbours suffice
  static void cell_of(const double u[3], long c[3]) {
    for (int k = 0; k < 3; ++k) c[k] = std::min(kBins - 1, static_cast<long>(u[k] * kBins));
  }
  static long key(long i, long j, long k) {
    auto w = [](long v) { return ((v % kBins) + kBins) % kBins; };
    return (w(i) * kBins + w(j)) * kBins + w(k);
  }
  std::unordered_map<long, std::vector<int>> bins_;
};

}  // namespace

Structure read_cif(const std::string& path) {
  TextReader r(path);
  const Block b = first_block(tokenize(r), path);
  Structure s;
  s.box = cell_from_parameters(b, path);
  const auto ops = symmetry_operations(b, path);

  const std::vector<Value>* fx = b.find("_atom_site_fract_x");
  const std::vector<Value>* fy = b.find("_atom_site_fract_y");
  const std::vector<Value>* fz = b.find("_atom_site_fract_z");
  if (!fx || !fy || !fz || fx->empty())
    throw InputError::at(path, b.line, 0, "data_" + b.name + " has no _atom_site_fract_x/y/z sites");
  const std::size_t nsite = fx->size();
  const std::vector<Value>* names = b.find("_atom_site_type_symbol");
  if (!names) names = b.find("_atom_site_label");
  const std::vector<Value>* occ = b.find("_atom_site_occupancy");
  for (const auto* col : {fy, fz, names, occ})
    if (col && col->size() != nsite)
      throw InputError::at(path, (*fx)[0].line, 0, "the _atom_site_ columns have different lengths");
  if (!names) throw InputError::at(path, (*fx)[0].line, 0, "sites need _atom_site_type_symbol or _atom_site_label");

  if (const auto* types = b.find("_atom_type_symbol"))  // the declared species order
    for (const auto& v : *types) {
      const std::string n = species_name(v, path);
      if (s.find_species(n) < 0) s.species.push_back(n);
    }

  // Thirds written with a few decimals (0.6667) would not map onto each other under the
  // operations: pymatgen's rounding, applied only where there are operations to apply.
  auto coordinate = [&](const Value& v) {
    double u = number(v, path, "a fractional coordinate");
    if (ops.size() > 1)
      for (double ideal : {1.0 / 3.0, 2.0 / 3.0})
        if (std::fabs(1 - u / ideal) < 1e-4) u = ideal;
    return u;
  };
  std::vector<double> frac;
  std::vector<std::string> site_of;  // the label each atom came from, for messages
  PositionIndex index;
  for (std::size_t i = 0; i < nsite; ++i) {
    const Value& name = (*names)[i];
    if (occ && (*occ)[i].text != "?" && (*occ)[i].text != ".") {
      const double o = number((*occ)[i], path, "_atom_site_occupancy");
      if (std::fabs(o - 1.0) > 1e-6)
        throw InputError::at(path, (*occ)[i].line, 0,
                             "site " + name.text + " has occupancy " + (*occ)[i].text +
                                 ": partial occupancy is not supported");
    }
    std::string sp = species_name(name, path);
    int t = s.find_species(sp);
    if (t < 0) {
      t = s.ntypes();
      s.species.push_back(sp);
    }
    const double u0[3] = {coordinate((*fx)[i]), coordinate((*fy)[i]), coordinate((*fz)[i])};
    const std::size_t first = s.type.size();
    for (const auto& op : ops) {
      double u[3];
      for (int k = 0; k < 3; ++k)
        u[k] = wrap01(op.r[k][0] * u0[0] + op.r[k][1] * u0[1] + op.r[k][2] * u0[2] + op.t[k]);
      const int j = index.find(u, frac);
      if (j >= static_cast<int>(first)) continue;  // an image of this same site
      if (j >= 0)
        throw InputError::at(path, name.line, 0,
                             "site " + name.text + " lies on site " + site_of[j] + " (within 1e-4 fractional)");
      index.add(u, static_cast<int>(s.type.size()));
      frac.insert(frac.end(), u, u + 3);
      site_of.push_back(name.text);
      s.type.push_back(t);
      if (static_cast<long>(s.type.size()) > max_atoms())
        throw InputError::at(path, name.line, 0, "more than " + std::to_string(max_atoms()) + " atoms");
    }
  }
  s.masses.assign(s.species.size(), 0.0);
  for (std::size_t i = 0; i < s.type.size(); ++i) {
    double x[3];
    s.box.to_cart(&frac[3 * i], x);
    s.x.insert(s.x.end(), x, x + 3);
    s.id.push_back(static_cast<long>(i) + 1);
  }
  return s;
}

bool parse_symop(const std::string& text, SymOp& op, std::string& why) {
  op = SymOp{{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}, {0, 0, 0}};
  std::string s;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int row = 0;
  std::size_t i = 0;
  bool empty_row = true;
  while (i <= s.size()) {
    if (i == s.size() || s[i] == ',') {
      if (empty_row) return why = "an empty component", false;
      if (++row > 3) return why = "more than three components", false;
      empty_row = true;
      ++i;
      if (i > s.size()) break;
      continue;
    }
    if (row >= 3) return why = "more than three components", false;
    double sign = 1;
    if (s[i] == '+' || s[i] == '-') sign = s[i++] == '-' ? -1 : 1;
    if (i >= s.size()) return why = "ends in a sign", false;
    double coef = 1;
    bool have_number = false;
    if (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.') {
      char* end = nullptr;
      coef = std::strtod(s.c_str() + i, &end);
      i = static_cast<std::size_t>(end - s.c_str());
      if (i < s.size() && s[i] == '/') {
        const double den = std::strtod(s.c_str() + i + 1, &end);
        if (end == s.c_str() + i + 1 || den == 0) return why = "a bad fraction", false;
        coef /= den;
        i = static_cast<std::size_t>(end - s.c_str());
      }
      have_number = true;
      if (i < s.size() && s[i] == '*') ++i;
    }
    if (i < s.size() && (s[i] == 'x' || s[i] == 'y' || s[i] == 'z')) {
      op.r[row][s[i] - 'x'] += sign * coef;
      ++i;
    } else if (have_number) {
      op.t[row] += sign * coef;
    } else {
      return why = std::string("unexpected '") + (i < s.size() ? s[i] : ' ') + "'", false;
    }
    if (i < s.size() && s[i] != ',' && s[i] != '+' && s[i] != '-')
      return why = std::string("unexpected '") + s[i] + "'", false;
    empty_row = false;
  }
  if (row != 3) return why = "expected three components separated by commas", false;
  const double det = op.r[0][0] * (op.r[1][1] * op.r[2][2] - op.r[1][2] * op.r[2][1]) -
                     op.r[0][1] * (op.r[1][0] * op.r[2][2] - op.r[1][2] * op.r[2][0]) +
                     op.r[0][2] * (op.r[1][0] * op.r[2][1] - op.r[1][1] * op.r[2][0]);
  if (std::fabs(std::fabs(det) - 1) > 1e-9) return why = "not a symmetry operation (determinant must be +-1)", false;
  for (double& t : op.t)
    if (!std::isfinite(t)) return why = "a translation is not finite", false;
  return true;
}

}  // namespace af
