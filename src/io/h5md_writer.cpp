#include "atomforge/src/io/h5md_writer.hpp"

#include "atomforge/src/deck_reader.hpp"  // InputError
#include "atomforge/src/io/h5_ordered_file.hpp"

#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace af {

namespace {

void check(herr_t rc, const std::string& path, const char* what) {
  if (rc < 0) throw std::runtime_error(path + ": HDF5 error while " + what);
}
hid_t check_id(hid_t id, const std::string& path, const char* what) {
  if (id < 0) throw std::runtime_error(path + ": HDF5 error while " + what);
  return id;
}

// Variable-length UTF-8 strings: h5py returns them as str (fixed-length ones come back
// as bytes, which MDAnalysis's unit lookup does not recognise).
hid_t vlen_string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void attr_string(hid_t obj, const char* name, const std::string& value) {
  hid_t t = vlen_string_type();
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  H5Awrite(a, t, &p);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

void attr_strings(hid_t obj, const char* name, const std::vector<std::string>& values) {
  hid_t t = vlen_string_type();
  hsize_t n = values.size();
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<const char*> p;
  for (const auto& v : values) p.push_back(v.c_str());
  H5Awrite(a, t, p.data());
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

void attr_ints(hid_t obj, const char* name, const std::vector<int>& values) {
  hsize_t n = values.size();
  hid_t sp = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
  hid_t a = H5Acreate2(obj, name, H5T_NATIVE_INT, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT, values.data());
  H5Aclose(a);
  H5Sclose(sp);
}

hid_t group(hid_t parent, const char* name) { return H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT); }

void dataset_1d(hid_t parent, const char* name, hid_t filetype, hid_t memtype, hsize_t n, const void* data) {
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  hid_t d = H5Dcreate2(parent, name, filetype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (n) H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d);
  H5Sclose(sp);
}

void dataset_string(hid_t parent, const char* name, const std::string& s) {
  hid_t t = vlen_string_type();
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(parent, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = s.c_str();
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p);
  H5Dclose(d);
  H5Sclose(sp);
  H5Tclose(t);
}

}  // namespace

H5mdWriter::H5mdWriter(const std::string& path, const Units& units, const std::vector<std::string>& species_names,
                       const std::vector<int>& species_index, const std::vector<long>& ids, const bool periodic[3],
                       H5mdFields fields, const std::string& deck_text)
    : H5mdWriter(path, units, species_names, species_index, ids, periodic, fields, deck_text, Resume{}) {}

H5mdWriter::H5mdWriter(const std::string& path, const Units& units, const std::vector<std::string>& species_names,
                       const std::vector<int>& species_index, const std::vector<long>& ids, const bool periodic[3],
                       H5mdFields fields, const std::string& deck_text, Resume resume)
    : path_(path), units_(units), natoms_(ids.size()), fields_(fields) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as one line by us
  if (resume.step >= 0 && access(path.c_str(), F_OK) == 0) {
    try {
      reopen(resume);
    } catch (...) {
      close_all();  // the destructor does not run for a constructor that throws
      throw;
    }
    return;
  }
  create(species_names, species_index, ids, periodic, deck_text);
}

void H5mdWriter::reopen(Resume r) {
  auto refuse = [&](const std::string& why) {
    throw InputError(path_ + ": cannot continue this trajectory after the restart (" + why +
                     "); move it away or run with --restart-new-files");
  };
  hid_t fapl = ordered_file_access();
  file_ = H5Fopen(path_.c_str(), H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (file_ < 0) refuse("not an HDF5 file this process can write");
  particles_ = H5Gopen2(file_, "particles/trajectory", H5P_DEFAULT);
  observables_ = H5Gopen2(file_, "observables", H5P_DEFAULT);
  if (particles_ < 0 || observables_ < 0) refuse("no particles/trajectory or observables group");
  const std::pair<Series*, const char*> fields[] = {{&position_, "position"}, {&velocity_, "velocity"},
                                                    {&force_, "force"},       {&image_, "image"},
                                                    {&energy_, "potential_energy"}};
  const bool wanted[] = {fields_.position, fields_.velocity, fields_.force, fields_.image, fields_.energy};
  for (int k = 0; k < 5; ++k) {
    const bool there = H5Lexists(particles_, fields[k].second, H5P_DEFAULT) > 0;
    if (there != wanted[k]) refuse(std::string(there ? "it has " : "it lacks ") + fields[k].second + ", the deck " +
                                   (wanted[k] ? "asks for it" : "does not"));
    if (there) {
      *fields[k].first = open_series(particles_, fields[k].second, r);
      if (fields[k].first->shape[0] != natoms_) refuse("another number of atoms");
    }
  }
  hid_t box = H5Gopen2(particles_, "box", H5P_DEFAULT);
  if (box < 0) refuse("no box group");
  edges_ = open_series(box, "edges", r);
  H5Gclose(box);
  // Every observable series (thermo columns, analysis), by name.
  std::vector<std::string> names;
  H5Literate(observables_, H5_INDEX_NAME, H5_ITER_INC, nullptr,
             [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
               static_cast<std::vector<std::string>*>(out)->push_back(name);
               return 0;
             },
             &names);
  for (const auto& n : names) obs_.emplace(n, open_series(observables_, n.c_str(), r));
  flush();
}

H5mdWriter::Series H5mdWriter::open_series(hid_t parent, const char* name, Resume r) {
  Series s;
  s.group = check_id(H5Gopen2(parent, name, H5P_DEFAULT), path_, (std::string("opening ") + name).c_str());
  s.value = check_id(H5Dopen2(s.group, "value", H5P_DEFAULT), path_, "opening a dataset");
  s.step = check_id(H5Dopen2(s.group, "step", H5P_DEFAULT), path_, "opening a dataset");
  s.time = check_id(H5Dopen2(s.group, "time", H5P_DEFAULT), path_, "opening a dataset");
  hid_t sp = H5Dget_space(s.value);
  hsize_t dims[3] = {0, 0, 0};
  s.rank = H5Sget_simple_extent_ndims(sp) - 1;
  H5Sget_simple_extent_dims(sp, dims, nullptr);
  H5Sclose(sp);
  for (int k = 0; k < s.rank && k < 2; ++k) s.shape[k] = dims[k + 1];
  std::vector<long long> steps(dims[0]);
  if (!steps.empty())
    check(H5Dread(s.step, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, steps.data()), path_, "reading steps");
  hsize_t keep = 0;
  while (keep < steps.size() && (steps[keep] < r.step || (steps[keep] == r.step && r.step % r.every == 0))) ++keep;
  dims[0] = keep;
  check(H5Dset_extent(s.value, dims), path_, "dropping frames");
  check(H5Dset_extent(s.step, &keep), path_, "dropping frames");
  check(H5Dset_extent(s.time, &keep), path_, "dropping frames");
  s.frames = keep;
  return s;
}

void H5mdWriter::create(const std::vector<std::string>& species_names, const std::vector<int>& species_index,
                        const std::vector<long>& ids, const bool periodic[3], const std::string& deck_text) {
  const std::string& path = path_;
  const Units& units = units_;
  const H5mdFields& fields = fields_;
  hid_t fapl = check_id(ordered_file_access(), path, "setting up the file driver");
  // Freed space is never reused: a block freed and refilled in one flush would be
  // overwritten while the file on disk still points at it (see h5_ordered_file).
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_AGGR, 0, 1);
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fcpl);
  H5Pclose(fapl);
  check_id(file_, path, "creating the file");
  const bool lj = units.name == "lj";  // reduced units are dimensionless: no unit attributes

  hid_t h5md = group(file_, "h5md");
  attr_ints(h5md, "version", {1, 1});
  hid_t author = group(h5md, "author");
  attr_string(author, "name", "atomforge user");
  H5Gclose(author);
  hid_t creator = group(h5md, "creator");
  attr_string(creator, "name", "atomforge");
  attr_string(creator, "version", ATOMFORGE_VERSION);
  H5Gclose(creator);
  H5Gclose(h5md);

  hid_t parts = group(file_, "particles");
  particles_ = check_id(group(parts, "trajectory"), path, "creating particles/trajectory");
  H5Gclose(parts);

  hid_t box = group(particles_, "box");
  attr_ints(box, "dimension", {3});
  attr_strings(box, "boundary", {periodic[0] ? "periodic" : "none", periodic[1] ? "periodic" : "none",
                                 periodic[2] ? "periodic" : "none"});
  const hsize_t edge_shape[2] = {3, 3};
  edges_ = make_series(box, "edges", 2, edge_shape, H5T_IEEE_F64LE, lj ? nullptr : units.length_unit);
  H5Gclose(box);

  const hsize_t vec_shape[2] = {natoms_, 3};
  if (fields.position) position_ = make_series(particles_, "position", 2, vec_shape, H5T_IEEE_F64LE, lj ? nullptr : units.length_unit);
  if (fields.velocity) velocity_ = make_series(particles_, "velocity", 2, vec_shape, H5T_IEEE_F64LE, lj ? nullptr : units.velocity_unit);
  if (fields.force) force_ = make_series(particles_, "force", 2, vec_shape, H5T_IEEE_F64LE, lj ? nullptr : units.force_unit);
  if (fields.image) image_ = make_series(particles_, "image", 2, vec_shape, H5T_STD_I32LE, nullptr);
  const hsize_t scalar_shape[1] = {natoms_};
  if (fields.energy)
    energy_ = make_series(particles_, "potential_energy", 1, scalar_shape, H5T_IEEE_F64LE, lj ? nullptr : units.energy_unit);

  dataset_1d(particles_, "species", H5T_STD_I32LE, H5T_NATIVE_INT, natoms_, species_index.data());
  dataset_1d(particles_, "id", H5T_STD_I64LE, H5T_NATIVE_LONG, natoms_, ids.data());

  observables_ = group(file_, "observables");
  hid_t params = group(file_, "parameters");
  hid_t af = group(params, "atomforge");
  dataset_string(af, "deck", deck_text);
  attr_strings(af, "species", species_names);
  attr_string(af, "units", units.name);
  H5Gclose(af);
  H5Gclose(params);
  flush();
}

H5mdWriter::Series H5mdWriter::make_series(hid_t parent, const char* name, int rank, const hsize_t* shape, hid_t type,
                                           const char* unit) {
  Series s;
  s.rank = rank;
  for (int k = 0; k < rank; ++k) s.shape[k] = shape[k];
  s.group = check_id(group(parent, name), path_, "creating a group");
  // value: (frames, shape...), one frame per chunk.
  hsize_t dims[3] = {0, 0, 0}, maxd[3] = {H5S_UNLIMITED, 0, 0}, chunk[3] = {1, 1, 1};
  for (int k = 0; k < rank; ++k) {
    dims[k + 1] = maxd[k + 1] = chunk[k + 1] = std::max<hsize_t>(shape[k], 1);
    dims[k + 1] = shape[k];
    maxd[k + 1] = shape[k];
  }
  if (rank == 0) chunk[0] = 256;  // scalar observables: many rows per chunk
  hid_t sp = H5Screate_simple(rank + 1, dims, maxd);
  hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(pl, rank + 1, chunk);
  s.value = check_id(H5Dcreate2(s.group, "value", type, sp, H5P_DEFAULT, pl, H5P_DEFAULT), path_, "creating a dataset");
  H5Sclose(sp);
  H5Pclose(pl);
  if (unit) attr_string(s.value, "unit", unit);

  hsize_t d0 = 0, m0 = H5S_UNLIMITED, c0 = 256;
  hid_t sp1 = H5Screate_simple(1, &d0, &m0);
  hid_t pl1 = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(pl1, 1, &c0);
  s.step = H5Dcreate2(s.group, "step", H5T_STD_I64LE, sp1, H5P_DEFAULT, pl1, H5P_DEFAULT);
  s.time = H5Dcreate2(s.group, "time", H5T_IEEE_F64LE, sp1, H5P_DEFAULT, pl1, H5P_DEFAULT);
  if (unit) attr_string(s.time, "unit", units_.time_unit);
  H5Sclose(sp1);
  H5Pclose(pl1);
  return s;
}

void H5mdWriter::append(Series& s, long step, double time, const void* data, hid_t memtype) {
  const hsize_t n = s.frames;
  // value
  hsize_t dims[3] = {n + 1, s.shape[0], s.shape[1]};
  check(H5Dset_extent(s.value, dims), path_, "growing a dataset");
  hid_t fsp = H5Dget_space(s.value);
  hsize_t start[3] = {n, 0, 0}, count[3] = {1, s.shape[0], s.shape[1]};
  H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, nullptr, count, nullptr);
  hid_t msp = H5Screate_simple(s.rank + 1, count, nullptr);
  check(H5Dwrite(s.value, memtype, msp, fsp, H5P_DEFAULT, data), path_, "writing a frame");
  H5Sclose(msp);
  H5Sclose(fsp);
  // step and time
  auto put1 = [&](hid_t d, hid_t mt, const void* v) {
    hsize_t nn = n + 1, st = n, one = 1;
    check(H5Dset_extent(d, &nn), path_, "growing a dataset");
    hid_t f = H5Dget_space(d);
    H5Sselect_hyperslab(f, H5S_SELECT_SET, &st, nullptr, &one, nullptr);
    hid_t m = H5Screate_simple(1, &one, nullptr);
    check(H5Dwrite(d, mt, m, f, H5P_DEFAULT, v), path_, "writing a frame");
    H5Sclose(m);
    H5Sclose(f);
  };
  const long long st = step;
  put1(s.step, H5T_NATIVE_LLONG, &st);
  put1(s.time, H5T_NATIVE_DOUBLE, &time);
  s.frames = n + 1;
}

void H5mdWriter::write_frame(long step, double time, const Box& box, const double* x, const double* v,
                             const double* f, const int* image, const double* energy) {
  // Edges as rows a, b, c (MDAnalysis reads each row as a cell vector).
  double e[9];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) e[3 * r + c] = box.h[c][r];
  append(edges_, step, time, e, H5T_NATIVE_DOUBLE);
  // The lead series (MDAnalysis counts frames by it) waits for flush(); see there.
  const double* lead = fields_.position ? x : fields_.velocity ? v : fields_.force ? f : nullptr;
  if (lead) {
    lead_frame_.assign(lead, lead + 3 * natoms_);
    lead_step_ = step;
    lead_time_ = time;
  }
  if (fields_.velocity && lead != v) append(velocity_, step, time, v, H5T_NATIVE_DOUBLE);
  if (fields_.force && lead != f) append(force_, step, time, f, H5T_NATIVE_DOUBLE);
  if (fields_.image) append(image_, step, time, image, H5T_NATIVE_INT);
  if (fields_.energy) append(energy_, step, time, energy, H5T_NATIVE_DOUBLE);
}

void H5mdWriter::write_observables(long step, double time, const std::vector<std::string>& names,
                                   const std::vector<double>& values) {
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k] == "step" || names[k] == "time") continue;
    auto it = obs_.find(names[k]);
    if (it == obs_.end()) {
      std::string unit;
      if (units_.name != "lj") {
        if (names[k] == "temp") unit = "K";
        else if (names[k] == "pe" || names[k] == "ke" || names[k] == "etotal") unit = units_.energy_unit;
        else if (names[k] == "press" || (names[k].size() == 3 && names[k][0] == 'p')) unit = units_.pressure_unit;
        else if (names[k] == "vol") unit = std::string(units_.length_unit) + "3";
      }
      Series s = make_series(observables_, names[k].c_str(), 0, nullptr, H5T_IEEE_F64LE, unit.empty() ? nullptr : unit.c_str());
      it = obs_.emplace(names[k], s).first;
    }
    append(it->second, step, time, &values[k], H5T_NATIVE_DOUBLE);
  }
}

void H5mdWriter::write_observable_array(const std::string& name, long step, double time,
                                        const std::vector<double>& values, const char* unit) {
  auto it = obs_.find(name);
  if (it == obs_.end()) {
    const hsize_t shape[1] = {values.size()};
    it = obs_.emplace(name, make_series(observables_, name.c_str(), 1, shape, H5T_IEEE_F64LE, unit)).first;
  }
  append(it->second, step, time, values.data(), H5T_NATIVE_DOUBLE);
}

void H5mdWriter::flush() {
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), path_, "flushing");
  if (lead_step_ < 0) return;
  // Readers count frames by the lead series: it grows only once the frame's other
  // series and observables are in the file, so a kill never shows a partial frame.
  Series& lead = fields_.position ? position_ : fields_.velocity ? velocity_ : force_;
  append(lead, lead_step_, lead_time_, lead_frame_.data(), H5T_NATIVE_DOUBLE);
  lead_step_ = -1;
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), path_, "flushing");
}

void H5mdWriter::close_series(Series& s) {
  if (s.group < 0) return;
  H5Dclose(s.value);
  H5Dclose(s.step);
  H5Dclose(s.time);
  H5Gclose(s.group);
  s.group = -1;
}

H5mdWriter::~H5mdWriter() {
  try {
    if (lead_step_ >= 0 && file_ >= 0) flush();  // a frame written without its flush
  } catch (...) {
  }
  close_all();
}

void H5mdWriter::close_all() {
  close_series(position_);
  close_series(velocity_);
  close_series(force_);
  close_series(image_);
  close_series(energy_);
  close_series(edges_);
  for (auto& kv : obs_) close_series(kv.second);
  obs_.clear();
  if (observables_ >= 0) H5Gclose(observables_);
  if (particles_ >= 0) H5Gclose(particles_);
  if (file_ >= 0) H5Fclose(file_);
  observables_ = particles_ = file_ = -1;
}

}  // namespace af
