#include "atomforge/src/deck_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace af {

InputError InputError::at(const std::string& file, int line, int col, const std::string& msg) {
  std::ostringstream os;
  os << file;
  if (line > 0) os << ':' << line;
  if (line > 0 && col > 0) os << ':' << col;
  os << ": " << msg;
  return InputError(os.str());
}

// Optimal string alignment distance: insertions, deletions, substitutions and
// transpositions of neighbours ("stpes" is one edit from "steps").
static std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(1, word.size() / 3) + 1;  // accept distance <= max(1, len/3)
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

void fail_choice(const DeckNode& at, const std::string& what, const std::string& got,
                 const std::vector<std::string>& choices, const std::string& listing) {
  std::string msg = "unknown " + what + " '" + got + "'";
  const std::string s = did_you_mean(got, choices);
  if (!s.empty()) msg += " (did you mean '" + s + "'?)";
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  at.fail(msg + "; " + listing + ": " + list);
}

DeckNode::DeckNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string where)
    : node_(std::move(node)), file_(std::move(file)), where_(std::move(where)) {}

void DeckNode::fail(const std::string& msg) const { throw InputError(located(msg)); }

std::string DeckNode::located(const std::string& msg) const {
  const auto m = node_.Mark();
  const bool known = m.line >= 0;
  return InputError::at(*file_, known ? m.line + 1 : 0, known ? m.column + 1 : 0, msg).what();
}

static std::string describe_kind(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "'" + n.Scalar() + "'";
}

double DeckNode::as_double() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0' && std::isfinite(v)) return v;
  }
  fail(where_ + ": expected a number, got " + describe_kind(node_));
}

long DeckNode::as_int() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') {
      if (errno == ERANGE) fail(where_ + ": integer out of range: " + s);
      return v;
    }
  }
  fail(where_ + ": expected an integer, got " + describe_kind(node_));
}

bool DeckNode::as_bool() const {
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "yes" || s == "on" || s == "True") return true;
    if (s == "false" || s == "no" || s == "off" || s == "False") return false;
  }
  fail(where_ + ": expected true or false, got " + describe_kind(node_));
}

std::string DeckNode::as_string() const {
  if (node_.IsScalar() && !node_.Scalar().empty()) return node_.Scalar();
  fail(where_ + ": expected a word, got " + describe_kind(node_));
}

std::vector<DeckNode> DeckNode::items() const {
  if (!node_.IsSequence()) fail(where_ + ": expected a list, got " + describe_kind(node_));
  std::vector<DeckNode> out;
  for (std::size_t i = 0; i < node_.size(); ++i)
    out.push_back(child(node_[i], where_ + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<double> DeckNode::as_doubles() const {
  std::vector<double> v;
  if (node_.IsSequence()) {
    for (const auto& it : items()) v.push_back(it.as_double());
  } else {
    v.push_back(as_double());
  }
  return v;
}

std::vector<std::string> DeckNode::as_strings() const {
  std::vector<std::string> v;
  if (node_.IsSequence()) {
    for (const auto& it : items()) v.push_back(it.as_string());
  } else {
    v.push_back(as_string());
  }
  return v;
}

MapReader::MapReader(const DeckNode& node) : node_(node) {
  if (!node_.is_map()) node_.fail(node_.where() + ": expected a mapping of keys, got " + describe_kind(node_.yaml()));
}

bool MapReader::has(const std::string& key) {
  known_.insert(key);
  return node_.yaml()[key].IsDefined();
}

bool MapReader::contains(const std::string& key) const { return node_.yaml()[key].IsDefined(); }

std::optional<DeckNode> MapReader::find(const std::string& key) {
  known_.insert(key);
  const YAML::Node n = node_.yaml()[key];
  if (!n.IsDefined()) return std::nullopt;
  const std::string where = node_.where().empty() ? key : node_.where() + "." + key;
  if (n.IsNull()) node_.child(n, where).fail(where + ": missing value");
  return node_.child(n, where);
}

DeckNode MapReader::get(const std::string& key) {
  auto n = find(key);
  if (!n) {
    // A misspelling of the missing key is the likelier mistake: report that instead.
    for (auto it = node_.yaml().begin(); it != node_.yaml().end(); ++it) {
      const std::string k = it->first.Scalar();
      if (!known_.count(k) && did_you_mean(k, {key}) == key) {
        std::string msg = "unknown key '" + k + "'";
        if (!node_.where().empty()) msg += " in " + node_.where();
        node_.child(it->first, node_.where()).fail(msg + " (did you mean '" + key + "'?)");
      }
    }
  }
  if (!n) node_.fail((node_.where().empty() ? std::string("deck") : node_.where()) + ": missing required key '" + key + "'");
  return *n;
}

double MapReader::get_double(const std::string& key, double def) {
  auto n = find(key);
  return n ? n->as_double() : def;
}
long MapReader::get_int(const std::string& key, long def) {
  auto n = find(key);
  return n ? n->as_int() : def;
}
bool MapReader::get_bool(const std::string& key, bool def) {
  auto n = find(key);
  return n ? n->as_bool() : def;
}
std::string MapReader::get_string(const std::string& key, const std::string& def) {
  auto n = find(key);
  return n ? n->as_string() : def;
}
double MapReader::get_positive(const std::string& key) {
  const DeckNode n = get(key);
  const double v = n.as_double();
  if (!(v > 0)) n.fail(n.where() + " must be positive, got " + n.yaml().Scalar());
  return v;
}
double MapReader::get_positive(const std::string& key, double def) {
  return has(key) ? get_positive(key) : def;
}

void MapReader::finish() const {
  const std::vector<std::string> known(known_.begin(), known_.end());
  for (auto it = node_.yaml().begin(); it != node_.yaml().end(); ++it) {
    const std::string key = it->first.Scalar();
    if (known_.count(key)) continue;
    std::string msg = "unknown key '" + key + "'";
    if (!node_.where().empty()) msg += " in " + node_.where();
    const std::string s = did_you_mean(key, known);
    if (!s.empty()) msg += " (did you mean '" + s + "'?)";
    node_.child(it->first, node_.where()).fail(msg);
  }
}

void require_regular_file(const std::string& path) {
  // A device or pipe (/dev/zero, /dev/stdin) would never end or block forever.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) throw InputError::at(path, 0, 0, "not a regular file");
}

std::string read_text_file(const std::string& path) {
  require_regular_file(path);
  std::ifstream in(path);
  if (!in) throw InputError::at(path, 0, 0, "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DeckNode parse_yaml(const std::string& text, const std::string& name, const std::string& what) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError::at(name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) throw InputError::at(name, 1, 1, what + " is empty");
  if (!root.IsMap())
    throw InputError::at(name, root.Mark().line + 1, root.Mark().column + 1,
                         what + (what == "deck" ? " must be a mapping of sections (units:, system:, ...)" : " must be a mapping"));
  return DeckNode(root, std::make_shared<const std::string>(name), "");
}

DeckNode load_yaml(const std::string& path) {
  return parse_yaml(read_text_file(path), path, "deck");
}

}  // namespace af
