#include "atomforge/src/io/structure_io.hpp"

#include "atomforge/src/io/cif.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/io/h5md_reader.hpp"
#include "atomforge/src/io/lammps_data.hpp"
#include "atomforge/src/io/poscar.hpp"

namespace af {

namespace {

bool ends_with(const std::string& s, const char* tail) {
  const std::string t(tail);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}
bool starts_with(const std::string& s, const char* head) { return s.rfind(head, 0) == 0; }

bool is_lammps_data(const std::string& f) {
  return ends_with(f, ".data") || ends_with(f, ".lmp") || ends_with(f, ".lammps");
}
bool is_extxyz(const std::string& f) { return ends_with(f, ".xyz") || ends_with(f, ".extxyz"); }
bool is_cif(const std::string& f) { return ends_with(f, ".cif"); }
bool is_h5md(const std::string& f) { return ends_with(f, ".h5md") || ends_with(f, ".h5"); }
bool is_poscar(const std::string& f) {
  return starts_with(f, "POSCAR") || starts_with(f, "CONTCAR") || ends_with(f, ".vasp") || ends_with(f, ".poscar");
}

}  // namespace

const std::vector<StructureFormat>& structure_formats() {
  static const std::vector<StructureFormat> formats = {
      {"LAMMPS data", ".data/.lmp/.lammps", is_lammps_data, read_lammps_data, write_lammps_data},
      {"extended XYZ", ".xyz/.extxyz", is_extxyz, read_extxyz, write_extxyz},
      {"VASP POSCAR", "POSCAR*/CONTCAR*/.vasp/.poscar", is_poscar, read_poscar, write_poscar},
      {"CIF", ".cif", is_cif, read_cif, write_cif},
      {"H5MD (last frame; read only)", ".h5md/.h5", is_h5md, read_h5md_last_frame, nullptr},
  };
  return formats;
}

const StructureFormat* structure_format(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const auto& f : structure_formats())
    if (f.matches(base)) return &f;
  return nullptr;
}

std::vector<Structure> read_structure_frames(const StructureFormat& format, const std::string& path) {
  if (format.read == read_extxyz) return read_extxyz_frames(path);
  std::vector<Structure> one;
  one.push_back(format.read(path));
  return one;
}

std::string structure_formats_help() {
  std::string out;
  for (const auto& f : structure_formats()) out += (out.empty() ? "" : ", ") + std::string(f.names_help) + " (" + f.name + ")";
  return out;
}

}  // namespace af
