#include "atomforge/potentials/manybody/triplet_file.hpp"

#include "atomforge/src/text_reader.hpp"

namespace af {

std::vector<TripletEntry> read_triplet_file(const std::string& path, int nvalues) {
  TextReader r(path);
  std::vector<TripletEntry> out;
  std::vector<std::string> words;
  std::string line;
  while (r.next(line)) {
    for (auto& w : split_words(line)) words.push_back(std::move(w));
    if (words.empty()) continue;
    if (static_cast<int>(words.size()) < 3 + nvalues) continue;  // entry continues on the next line
    if (static_cast<int>(words.size()) > 3 + nvalues)
      r.fail("expected 3 element names and " + std::to_string(nvalues) + " numbers per entry, got " + std::to_string(words.size()) + " words");
    TripletEntry e;
    for (int k = 0; k < 3; ++k) e.e[k] = words[k];
    for (int k = 0; k < nvalues; ++k) e.v.push_back(r.to_double(words[3 + k], "a parameter"));
    out.push_back(std::move(e));
    words.clear();
  }
  if (!words.empty()) r.fail("file ends inside an entry (" + std::to_string(words.size()) + " of " + std::to_string(3 + nvalues) + " words)");
  return out;
}

std::vector<int> map_triplets(const std::vector<TripletEntry>& entries, const std::vector<std::string>& elements,
                              const std::string& path) {
  const int nt = static_cast<int>(elements.size());
  std::vector<int> idx(nt * nt * nt, -1);
  for (int a = 0; a < nt; ++a)
    for (int b = 0; b < nt; ++b)
      for (int c = 0; c < nt; ++c) {
        for (std::size_t m = 0; m < entries.size(); ++m) {
          const auto& e = entries[m];
          if (e.e[0] != elements[a] || e.e[1] != elements[b] || e.e[2] != elements[c]) continue;
          if (idx[(a * nt + b) * nt + c] >= 0)
            throw InputError::at(path, 0, 0, "has two entries for " + elements[a] + " " + elements[b] + " " + elements[c]);
          idx[(a * nt + b) * nt + c] = static_cast<int>(m);
        }
        if (idx[(a * nt + b) * nt + c] < 0)
          throw InputError::at(path, 0, 0, "has no entry for " + elements[a] + " " + elements[b] + " " + elements[c]);
      }
  return idx;
}

}  // namespace af
