// CSV with a header row; every row is flushed so a killed run keeps what it wrote.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace af {

class CsvWriter {
 public:
  CsvWriter(const std::string& path, const std::vector<std::string>& columns);
  // Continues an existing file after a restart: keeps the header and the rows whose
  // first column (the step) is at most `resume_step`, then appends. A missing file
  // starts afresh.
  CsvWriter(const std::string& path, const std::vector<std::string>& columns, long resume_step);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  void row(const std::vector<double>& values);
  // A row whose first column is text (values[0] is replaced by label).
  void row_labelled(const std::string& label, const std::vector<double>& values);

 private:
  void write_values(const std::vector<double>& values, std::size_t first);
  std::FILE* f_ = nullptr;
  std::string path_;
};

}  // namespace af
