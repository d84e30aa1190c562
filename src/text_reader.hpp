// Line-oriented reading for structure files, with errors that name file:line.
#pragma once
#include <fstream>
#include <string>
#include <vector>

#include "atomforge/src/deck_reader.hpp"

namespace af {

class TextReader {
 public:
  explicit TextReader(const std::string& path);
  // Next line (without newline); false at end of file.
  bool next(std::string& line);
  int line_number() const { return line_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& msg) const { throw InputError::at(path_, line_, 0, msg); }
  double to_double(const std::string& word, const char* what) const;
  long to_long(const std::string& word, const char* what) const;

 private:
  std::ifstream in_;
  std::string path_;
  int line_ = 0;
};

// Whitespace-separated words of a line, stopping at '#'.
std::vector<std::string> split_words(const std::string& line);

}  // namespace af
