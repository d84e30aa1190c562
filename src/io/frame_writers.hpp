// Text trajectories written frame by frame, flushed after each frame:
//   DumpWriter    LAMMPS `dump custom` with columns id type x y z vx vy vz fx fy fz
//                 (triclinic bounds as LAMMPS writes them), atoms in id order;
//   ExtxyzWriter  extended XYZ in ASE's conventions: Lattice, Properties
//                 (species, pos, vel, forces), pbc, energy, stress and step/time per frame.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "atomforge/src/box.hpp"

namespace af {

// One frame in atom-id order; arrays are 3 per atom.
struct FrameData {
  long step = 0;
  double time = 0;
  const Box* box = nullptr;
  const std::vector<long>* ids = nullptr;
  const std::vector<int>* types = nullptr;
  const std::vector<std::string>* species = nullptr;
  const double *x = nullptr, *v = nullptr, *f = nullptr;
  double energy = 0;          // potential energy
  const double* virial = nullptr;  // xx yy zz xy xz yz (sum of r f, energy units)
};

// A text file written frame by frame: opened (truncated) on construction, flushed after
// each frame, closed on destruction.
class FrameFile {
 public:
  explicit FrameFile(const std::string& path);
  // Continues `path` after a restart at `resume_step` (a missing file starts afresh):
  // keeps the frames an uninterrupted run writes up to that step (drops those after it,
  // and an early stop's extra frame at it, one whose step is not a multiple of `every`),
  // then appends.
  enum class Kind { Dump, Extxyz };
  FrameFile(const std::string& path, Kind kind, long resume_step, long every);
  ~FrameFile();
  FrameFile(const FrameFile&) = delete;
  FrameFile& operator=(const FrameFile&) = delete;

 protected:
  void end_frame();  // flush; throws on a write error
  std::string path_;
  FILE* f_ = nullptr;
};

class DumpWriter : public FrameFile {
 public:
  using FrameFile::FrameFile;
  DumpWriter(const std::string& path, long resume_step, long every) : FrameFile(path, Kind::Dump, resume_step, every) {}
  void write(const FrameData& fr);
};

class ExtxyzWriter : public FrameFile {
 public:
  using FrameFile::FrameFile;
  ExtxyzWriter(const std::string& path, long resume_step, long every)
      : FrameFile(path, Kind::Extxyz, resume_step, every) {}
  // energy in the run's energy unit; stress = -virial / V (ASE's sign: the potential
  // part, as an ASE calculator's get_stress) in energy/length^3, all 9 components.
  void write(const FrameData& fr);
};

}  // namespace af
