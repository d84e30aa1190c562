// libFuzzer entry for one input reader, chosen at compile time (AF_FUZZ_TARGET):
// the bytes become a file of the reader's kind, the reader runs, and a clean InputError
// (the one-line message users see) is the only acceptable failure. Any other exception,
// crash, leak, sanitizer report, hang or runaway allocation is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "atomforge/src/deck.hpp"
#include "atomforge/src/io/structure_io.hpp"
#include "atomforge/src/structure.hpp"

namespace {

// File name per target: the name selects the format, as for users.
#define AF_STR2(x) #x
#define AF_STR(x) AF_STR2(x)
const char* const kTarget = AF_STR(AF_FUZZ_TARGET);

std::string input_path() {
  const std::string t(kTarget);
  const char* name = t == "deck" ? "input.yaml"
                     : t == "lammps_data" ? "input.data"
                     : t == "extxyz" ? "input.extxyz"
                     : t == "poscar" ? "POSCAR"
                     : t == "cif" ? "input.cif"
                     : t == "h5md" ? "input.h5md"
                                   : nullptr;
  if (!name) std::abort();
  static char dir[] = "/tmp/af-fuzz-XXXXXX";
  if (!mkdtemp(dir)) std::abort();
  return std::string(dir) + "/" + name;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Resource limit, not a parse path: lattices and files may not ask for more atoms than
  // the fuzzer's memory limit holds (users get the same message above the real limit).
  af::set_max_atoms(100000);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = input_path();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    if (std::string(kTarget) == "deck") {
      af::load_deck(path);
    } else {
      const af::StructureFormat* fmt = af::structure_format(path);
      fmt->read(path);
    }
  } catch (const af::InputError&) {
  }
  return 0;
}
