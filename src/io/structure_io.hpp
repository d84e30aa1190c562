// Structure files by name: one table of formats (reader, writer, how a file name
// identifies it) used by decks (system.read) and `atomforge convert`. Adding a format
// is one row in structure_io.cpp.
#pragma once
#include <string>
#include <vector>

#include "atomforge/src/structure.hpp"

namespace af {

struct StructureFormat {
  const char* name;
  const char* names_help;  // how files are recognised, for messages
  bool (*matches)(const std::string& file_name);  // the base name
  Structure (*read)(const std::string& path);
  void (*write)(const std::string& path, const Structure& s);
};

const std::vector<StructureFormat>& structure_formats();
// The format of a path, or nullptr.
const StructureFormat* structure_format(const std::string& path);
// Every frame of a structure file: all frames of an extended XYZ file, the one
// structure of the other formats (H5MD: its last frame).
std::vector<Structure> read_structure_frames(const StructureFormat& format, const std::string& path);
// "a.data/.lmp/.lammps (LAMMPS data), ..." for error messages.
std::string structure_formats_help();

}  // namespace af
