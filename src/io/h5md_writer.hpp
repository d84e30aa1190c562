// H5MD 1.1 trajectories (https://www.nongnu.org/h5md/) through the HDF5 C library.
// Particles group `trajectory` (the name MDAnalysis 2.4 needs), time-dependent
// position / velocity / force / image / potential_energy (per atom) and box/edges
// (every frame), species and id;
// observables/ (thermo, analysis); the deck under parameters/. One frame per chunk;
// the caller flushes after each frame and its observables, so a killed run leaves
// every completed frame: the file driver (h5_ordered_file) orders each flush's writes,
// and the lead series grows last (flush()), so no kill shows part of a frame.
#pragma once
#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

#include "atomforge/src/box.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct H5mdFields {
  bool position = true, velocity = false, force = false, image = false, energy = false;
};

class H5mdWriter {
 public:
  // species_index/ids: per atom in output order (sorted by id).
  H5mdWriter(const std::string& path, const Units& units, const std::vector<std::string>& species_names,
             const std::vector<int>& species_index, const std::vector<long>& ids, const bool periodic[3],
             H5mdFields fields, const std::string& deck_text);
  // Continues an existing file after a restart at `resume_step` (a missing file starts
  // afresh, as above): keeps the frames an uninterrupted run writes up to that step,
  // i.e. drops those after it and an early stop's extra frame at it (a step that is not
  // a multiple of `every`), then appends. The file must hold the same atoms and fields.
  struct Resume {
    long step = -1;
    long every = 1;
  };
  H5mdWriter(const std::string& path, const Units& units, const std::vector<std::string>& species_names,
             const std::vector<int>& species_index, const std::vector<long>& ids, const bool periodic[3],
             H5mdFields fields, const std::string& deck_text, Resume resume);
  ~H5mdWriter();
  H5mdWriter(const H5mdWriter&) = delete;
  H5mdWriter& operator=(const H5mdWriter&) = delete;

  // Per-atom arrays are n*3, in output order; null for fields not written.
  void write_frame(long step, double time, const Box& box, const double* x, const double* v, const double* f,
                   const int* image, const double* energy);
  void write_observables(long step, double time, const std::vector<std::string>& names,
                         const std::vector<double>& values);
  // A time-dependent array observable (e.g. an RDF), created on first use.
  void write_observable_array(const std::string& name, long step, double time, const std::vector<double>& values,
                              const char* unit);
  // After each frame and its observables.
  void flush();

 private:
  struct Series {
    hid_t group = -1, step = -1, time = -1, value = -1;
    int rank = 0;            // of one frame's value
    hsize_t shape[2] = {0, 0};
    hsize_t frames = 0;
  };
  Series make_series(hid_t parent, const char* name, int rank, const hsize_t* shape, hid_t type, const char* unit);
  void create(const std::vector<std::string>& species_names, const std::vector<int>& species_index,
              const std::vector<long>& ids, const bool periodic[3], const std::string& deck_text);
  void reopen(Resume r);
  // Opens parent/name's value, step and time and keeps its first rows up to r.
  Series open_series(hid_t parent, const char* name, Resume r);
  void append(Series& s, long step, double time, const void* data, hid_t memtype);
  void close_series(Series& s);
  void close_all();

  std::string path_;
  hid_t file_ = -1;
  hid_t particles_ = -1, observables_ = -1;
  Units units_;
  std::size_t natoms_;
  H5mdFields fields_;
  Series position_, velocity_, force_, image_, energy_, edges_;
  std::map<std::string, Series> obs_;
  // The lead series' frame (position, else velocity, else force), held for flush().
  std::vector<double> lead_frame_;
  long lead_step_ = -1;
  double lead_time_ = 0;
};

}  // namespace af
