#include "atomforge/src/io/frame_writers.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "atomforge/src/deck_reader.hpp"

namespace af {

FrameFile::FrameFile(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "w")) {
  if (!f_) throw InputError(path + ": cannot write");
}

namespace {

// Byte offset of the first frame to drop: one after `step`, or at it when `step` is not
// a multiple of `every` (an early stop's extra frame); the file's size if none.
long first_dropped(std::FILE* in, FrameFile::Kind kind, long step, long every) {
  char* line = nullptr;
  std::size_t cap = 0;
  long start = 0, skip = 0;  // extxyz: atom lines left in the current frame
  long drop = -1;
  bool want_step = false;  // dump: the next line is a frame's step
  for (;;) {
    const long at = std::ftell(in);
    if (getline(&line, &cap, in) < 0) break;
    long frame_step = -1;
    if (kind == FrameFile::Kind::Dump) {
      if (want_step) {
        frame_step = std::strtol(line, nullptr, 10);
        want_step = false;
      } else if (std::strncmp(line, "ITEM: TIMESTEP", 14) == 0) {
        start = at;
        want_step = true;
      }
    } else if (skip > 0) {
      --skip;
    } else {  // a frame's atom count, then its comment line
      start = at;
      skip = std::strtol(line, nullptr, 10);
      if (getline(&line, &cap, in) < 0) break;
      const char* s = std::strstr(line, " step=");
      frame_step = s ? std::strtol(s + 6, nullptr, 10) : -1;
    }
    if (frame_step >= 0 && (frame_step > step || (frame_step == step && step % every != 0))) {
      drop = start;
      break;
    }
  }
  std::free(line);
  if (drop < 0) {
    std::fseek(in, 0, SEEK_END);
    drop = std::ftell(in);
  }
  return drop;
}

}  // namespace

FrameFile::FrameFile(const std::string& path, Kind kind, long resume_step, long every) : path_(path) {
  std::FILE* in = std::fopen(path.c_str(), "r");
  if (!in) {
    f_ = std::fopen(path.c_str(), "w");
    if (!f_) throw InputError(path + ": cannot write");
    return;
  }
  const long keep = first_dropped(in, kind, resume_step, every);
  std::fclose(in);
  if (truncate(path.c_str(), keep) != 0 || !(f_ = std::fopen(path.c_str(), "a")))
    throw InputError(path + ": cannot continue this trajectory after the restart");
}

FrameFile::~FrameFile() {
  if (f_) std::fclose(f_);
}

void FrameFile::end_frame() {
  if (std::fflush(f_) != 0 || std::ferror(f_)) throw std::runtime_error(path_ + ": write failed");
}

void DumpWriter::write(const FrameData& fr) {
  const Box& b = *fr.box;
  const std::size_t n = fr.ids->size();
  std::fprintf(f_, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%zu\n", fr.step, n);
  const char* pbc[3];
  for (int k = 0; k < 3; ++k) pbc[k] = b.periodic[k] ? "pp" : "ff";
  const double xlo = b.lo[0], ylo = b.lo[1], zlo = b.lo[2];
  const double xhi = xlo + b.h[0][0], yhi = ylo + b.h[1][1], zhi = zlo + b.h[2][2];
  const double xy = b.h[0][1], xz = b.h[0][2], yz = b.h[1][2];
  if (xy != 0 || xz != 0 || yz != 0) {
    // LAMMPS writes the bounding box of the tilted cell plus the tilts.
    const double xlob = xlo + std::min({0.0, xy, xz, xy + xz}), xhib = xhi + std::max({0.0, xy, xz, xy + xz});
    const double ylob = ylo + std::min(0.0, yz), yhib = yhi + std::max(0.0, yz);
    std::fprintf(f_, "ITEM: BOX BOUNDS xy xz yz %s %s %s\n%.17g %.17g %.17g\n%.17g %.17g %.17g\n%.17g %.17g %.17g\n",
                 pbc[0], pbc[1], pbc[2], xlob, xhib, xy, ylob, yhib, xz, zlo, zhi, yz);
  } else {
    std::fprintf(f_, "ITEM: BOX BOUNDS %s %s %s\n%.17g %.17g\n%.17g %.17g\n%.17g %.17g\n", pbc[0], pbc[1], pbc[2], xlo,
                 xhi, ylo, yhi, zlo, zhi);
  }
  std::fprintf(f_, "ITEM: ATOMS id type x y z vx vy vz fx fy fz\n");
  for (std::size_t i = 0; i < n; ++i) {
    const double* x = fr.x + 3 * i;
    const double* v = fr.v + 3 * i;
    const double* f = fr.f + 3 * i;
    std::fprintf(f_, "%ld %d %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", (*fr.ids)[i], (*fr.types)[i] + 1,
                 x[0], x[1], x[2], v[0], v[1], v[2], f[0], f[1], f[2]);
  }
  end_frame();
}


void ExtxyzWriter::write(const FrameData& fr) {
  const Box& b = *fr.box;
  const std::size_t n = fr.ids->size();
  std::fprintf(f_, "%zu\nLattice=\"", n);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) std::fprintf(f_, "%s%.17g", r || c ? " " : "", b.h[c][r]);
  const double* w = fr.virial;
  const double V = b.volume();
  // Voigt xx yy zz xy xz yz -> full symmetric matrix, row by row.
  const double s[9] = {-w[0] / V, -w[3] / V, -w[4] / V, -w[3] / V, -w[1] / V, -w[5] / V, -w[4] / V, -w[5] / V, -w[2] / V};
  std::fprintf(f_, "\" Properties=species:S:1:pos:R:3:vel:R:3:forces:R:3 energy=%.17g stress=\"", fr.energy);
  for (int k = 0; k < 9; ++k) std::fprintf(f_, "%s%.17g", k ? " " : "", s[k]);
  std::fprintf(f_, "\" step=%ld time=%.17g pbc=\"%c %c %c\"\n", fr.step, fr.time, b.periodic[0] ? 'T' : 'F',
               b.periodic[1] ? 'T' : 'F', b.periodic[2] ? 'T' : 'F');
  for (std::size_t i = 0; i < n; ++i) {
    const double* x = fr.x + 3 * i;
    const double* v = fr.v + 3 * i;
    const double* f = fr.f + 3 * i;
    std::fprintf(f_, "%-3s %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n",
                 (*fr.species)[(*fr.types)[i]].c_str(), x[0] - b.lo[0], x[1] - b.lo[1], x[2] - b.lo[2], v[0], v[1], v[2],
                 f[0], f[1], f[2]);
  }
  end_frame();
}

}  // namespace af
