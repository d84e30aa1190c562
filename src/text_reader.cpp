#include "atomforge/src/text_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace af {

TextReader::TextReader(const std::string& path) : path_(path) {
  require_regular_file(path);
  in_.open(path);
  if (!in_) throw InputError::at(path, 0, 0, "cannot open file");
}

bool TextReader::next(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++line_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find('\0') != std::string::npos) fail("binary data in a text file");
  return true;
}

double TextReader::to_double(const std::string& w, const char* what) const {
  char* end = nullptr;
  const double v = std::strtod(w.c_str(), &end);
  if (w.empty() || *end != '\0' || !std::isfinite(v)) fail(std::string("expected a number for ") + what + ", got '" + w + "'");
  return v;
}

long TextReader::to_long(const std::string& w, const char* what) const {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(w.c_str(), &end, 10);
  if (w.empty() || *end != '\0') fail(std::string("expected an integer for ") + what + ", got '" + w + "'");
  if (errno == ERANGE) fail(std::string("integer out of range for ") + what + ": '" + w + "'");
  return v;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream is(line.substr(0, line.find('#')));
  std::string w;
  while (is >> w) out.push_back(w);
  return out;
}

}  // namespace af
