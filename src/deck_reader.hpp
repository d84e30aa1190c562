// Typed, checked access to a YAML deck. Every read records the key as known, so
// finish() can reject unknown keys (with a did-you-mean suggestion); every error names
// file:line:column. Nothing here knows the deck's schema: deck.cpp and each
// potential/integrator parser do.
#pragma once
#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace af {

// A user-facing input error: what() is one line "file:line:col: problem".
struct InputError : std::runtime_error {
  explicit InputError(const std::string& msg) : std::runtime_error(msg) {}
  static InputError at(const std::string& file, int line, int col, const std::string& msg);
};

// Closest candidate within a small edit distance, or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

class DeckNode;
// Fails at `at` with "unknown <what> '<got>' (did you mean '...'?); <listing>: a, b, ...".
[[noreturn]] void fail_choice(const DeckNode& at, const std::string& what, const std::string& got,
                              const std::vector<std::string>& choices, const std::string& listing = "available");

class DeckNode {
 public:
  DeckNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string where);
  [[noreturn]] void fail(const std::string& msg) const;
  // "file:line:col: msg", as fail() words it (for warnings).
  std::string located(const std::string& msg) const;
  const YAML::Node& yaml() const { return node_; }
  const std::string& file() const { return *file_; }
  const std::string& where() const { return where_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  double as_double() const;
  long as_int() const;
  bool as_bool() const;
  std::string as_string() const;
  std::vector<DeckNode> items() const;  // a sequence's elements
  // A scalar or a sequence of scalars, as doubles / strings.
  std::vector<double> as_doubles() const;
  std::vector<std::string> as_strings() const;
  DeckNode child(const YAML::Node& n, const std::string& where) const { return DeckNode(n, file_, where); }

 private:
  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string where_;
};

class MapReader {
 public:
  explicit MapReader(const DeckNode& node);
  const DeckNode& node() const { return node_; }
  bool has(const std::string& key);
  bool contains(const std::string& key) const;  // as has, without marking the key as read
  std::optional<DeckNode> find(const std::string& key);
  DeckNode get(const std::string& key);  // required

  double get_double(const std::string& key) { return get(key).as_double(); }
  double get_double(const std::string& key, double def);
  long get_int(const std::string& key, long def);
  bool get_bool(const std::string& key, bool def);
  std::string get_string(const std::string& key) { return get(key).as_string(); }
  std::string get_string(const std::string& key, const std::string& def);
  // Required value that must be > 0.
  double get_positive(const std::string& key);
  double get_positive(const std::string& key, double def);

  // Declares keys that are valid here even though this reader did not read them.
  void allow(const std::vector<std::string>& keys) { known_.insert(keys.begin(), keys.end()); }
  // Fails on the first key that no read asked for.
  void finish() const;
  // The keys read or allowed so far.
  const std::set<std::string>& known() const { return known_; }

 private:
  DeckNode node_;
  std::set<std::string> known_;
};

// Fails (InputError) if path exists but is not a regular file.
void require_regular_file(const std::string& path);

// A file's text; a missing, unreadable or special file becomes InputError.
std::string read_text_file(const std::string& path);
// Parses YAML text that must be a mapping; errors name `name`:line:column. `what` names
// the text in messages ("deck", "potential").
DeckNode parse_yaml(const std::string& text, const std::string& name, const std::string& what);
// Loads and parses a YAML file; syntax errors and empty files become InputError.
DeckNode load_yaml(const std::string& path);

}  // namespace af
