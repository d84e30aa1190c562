// Parameter files keyed by element triplets, as LAMMPS's sw and tersoff styles read
// them: entries "e1 e2 e3 v1 ... vN" that may continue over several lines, with '#'
// comments. Shared by the three-body potentials.
#pragma once
#include <string>
#include <vector>

namespace af {

struct TripletEntry {
  std::string e[3];
  std::vector<double> v;
};

// Reads every entry; nvalues numbers follow the three element names.
std::vector<TripletEntry> read_triplet_file(const std::string& path, int nvalues);

// The entry for each system type triplet (index (ti*nt + tj)*nt + tk), where
// elements[t] names the file element of system type t. Throws InputError naming the
// file if a triplet is missing or listed twice.
std::vector<int> map_triplets(const std::vector<TripletEntry>& entries, const std::vector<std::string>& elements,
                              const std::string& path);

}  // namespace af
