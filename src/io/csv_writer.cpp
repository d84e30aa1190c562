#include "atomforge/src/io/csv_writer.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace af {

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& columns) : path_(path) {
  f_ = std::fopen(path.c_str(), "w");
  if (!f_) throw std::runtime_error(path + ": cannot create file: " + std::strerror(errno));
  for (std::size_t i = 0; i < columns.size(); ++i) std::fprintf(f_, "%s%s", i ? "," : "", columns[i].c_str());
  std::fputc('\n', f_);
  std::fflush(f_);
}

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& columns, long resume_step) : path_(path) {
  std::FILE* in = std::fopen(path.c_str(), "r");
  if (!in) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw std::runtime_error(path + ": cannot create file: " + std::strerror(errno));
    for (std::size_t i = 0; i < columns.size(); ++i) std::fprintf(f_, "%s%s", i ? "," : "", columns[i].c_str());
    std::fputc('\n', f_);
    std::fflush(f_);
    return;
  }
  std::string text, line;
  std::vector<std::string> keep;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, in)) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    const bool header = keep.empty();
    if (header || std::strtol(line.c_str(), nullptr, 10) <= resume_step) keep.push_back(line);
    line.clear();
  }
  std::fclose(in);
  const std::string tmp = path + ".tmp";
  std::FILE* out = std::fopen(tmp.c_str(), "w");
  if (!out) throw std::runtime_error(tmp + ": cannot create file: " + std::strerror(errno));
  for (const auto& l : keep) std::fputs(l.c_str(), out);
  std::fclose(out);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot rewrite");
  f_ = std::fopen(path.c_str(), "a");
  if (!f_) throw std::runtime_error(path + ": cannot append: " + std::strerror(errno));
}

CsvWriter::~CsvWriter() {
  if (f_) std::fclose(f_);
}

void CsvWriter::row_labelled(const std::string& label, const std::vector<double>& values) {
  std::fprintf(f_, "%s", label.c_str());
  write_values(values, 1);
}

void CsvWriter::row(const std::vector<double>& values) { write_values(values, 0); }

void CsvWriter::write_values(const std::vector<double>& values, std::size_t first) {
  for (std::size_t i = first; i < values.size(); ++i) {
    const double v = values[i];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
      std::fprintf(f_, "%s%.0f", i ? "," : "", v);
    else
      std::fprintf(f_, "%s%.17g", i ? "," : "", v);
  }
  std::fputc('\n', f_);
  if (std::fflush(f_) != 0) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
}

}  // namespace af
