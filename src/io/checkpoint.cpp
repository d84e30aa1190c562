#include "atomforge/src/io/checkpoint.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "atomforge/src/deck_reader.hpp"

namespace af {

namespace {

constexpr int kVersion = 1;

template <class T>
hid_t native();
template <>
hid_t native<double>() { return H5T_NATIVE_DOUBLE; }
template <>
hid_t native<long>() { return H5T_NATIVE_LONG; }
template <>
hid_t native<int>() { return H5T_NATIVE_INT; }

template <class T>
void put(hid_t f, const char* name, const std::vector<T>& v) {
  const hsize_t n = v.size();
  hid_t sp = H5Screate_simple(1, &n, nullptr);
  hid_t d = H5Dcreate2(f, name, native<T>(), sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0 || (n > 0 && H5Dwrite(d, native<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0))
    throw std::runtime_error(std::string("checkpoint: cannot write ") + name);
  H5Dclose(d);
  H5Sclose(sp);
}

void put_string(hid_t f, const char* name, const std::string& s) {
  put(f, name, std::vector<int>(s.begin(), s.end()));  // as codes: no string-type pitfalls
}

class In {
 public:
  In(hid_t f, const std::string& path) : f_(f), path_(path) {}
  template <class T>
  std::vector<T> get(const char* name) const {
    if (H5Lexists(f_, name, H5P_DEFAULT) <= 0) throw InputError(path_ + ": not an atomforge checkpoint (no " + name + ")");
    hid_t d = H5Dopen2(f_, name, H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    const hssize_t n = H5Sget_simple_extent_npoints(sp);
    std::vector<T> v(n > 0 ? n : 0);
    if (n > 0 && H5Dread(d, native<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
      throw InputError(path_ + ": cannot read " + name);
    H5Sclose(sp);
    H5Dclose(d);
    return v;
  }
  std::string get_string(const char* name) const {
    const auto c = get<int>(name);
    return std::string(c.begin(), c.end());
  }

 private:
  hid_t f_;
  std::string path_;
};

std::vector<double> box_numbers(const Box& b) {
  std::vector<double> v(b.lo, b.lo + 3);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) v.push_back(b.h[r][c]);
  for (int k = 0; k < 3; ++k) v.push_back(b.periodic[k] ? 1.0 : 0.0);
  return v;
}

Box box_from(const std::vector<double>& v, const std::string& path) {
  if (v.size() != 15) throw InputError(path + ": malformed cell in checkpoint");
  Box b;
  for (int k = 0; k < 3; ++k) b.lo[k] = v[k];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) b.h[r][c] = v[3 + 3 * r + c];
  for (int k = 0; k < 3; ++k) b.periodic[k] = v[12 + k] != 0;
  b.update_inverse();
  return b;
}

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
  const std::string tmp = path + ".tmp";
  hid_t f = H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error(path + ": cannot write checkpoint");
  const Structure& s = c.atoms;
  put(f, "version", std::vector<int>{kVersion});
  put(f, "step", std::vector<long>{c.step, c.stage_step});
  put(f, "time", std::vector<double>{c.time});
  put(f, "stage", std::vector<int>{c.stage});
  put(f, "id", s.id);
  put(f, "type", s.type);
  put(f, "x", s.x);
  put(f, "v", s.v);
  put(f, "image", s.image);
  put(f, "masses", s.masses);
  std::string names;
  for (const auto& n : s.species) names += n + "\n";
  put_string(f, "species", names);
  put(f, "box", box_numbers(s.box));
  const NeighborState& n = c.neighbor;
  put(f, "neighbor_counters", std::vector<long>{n.last_build, n.last_sort, n.builds, n.dangerous});
  put(f, "neighbor_xhold", n.xhold);
  put(f, "neighbor_box", box_numbers(n.box));
  put_string(f, "integrator", c.integrator);
  put(f, "integrator_state", c.integrator_state);
  put_string(f, "deck", c.deck_text);
  if (H5Fclose(f) < 0) throw std::runtime_error(path + ": cannot write checkpoint");
  // On disk before it replaces the previous checkpoint: a machine crash right after the
  // rename must not leave a name pointing at unwritten blocks.
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) throw std::runtime_error(path + ": cannot flush checkpoint");
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": cannot replace checkpoint");
}

Checkpoint read_checkpoint(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw InputError(path + ": cannot open checkpoint (not an HDF5 file?)");
  struct Closer {
    hid_t f;
    ~Closer() { H5Fclose(f); }
  } closer{f};
  In in(f, path);
  if (in.get<int>("version") != std::vector<int>{kVersion})
    throw InputError(path + ": checkpoint version is not " + std::to_string(kVersion));
  Checkpoint c;
  const auto steps = in.get<long>("step");
  c.step = steps.at(0);
  c.stage_step = steps.at(1);
  c.time = in.get<double>("time").at(0);
  c.stage = in.get<int>("stage").at(0);
  Structure& s = c.atoms;
  s.id = in.get<long>("id");
  s.type = in.get<int>("type");
  s.x = in.get<double>("x");
  s.v = in.get<double>("v");
  s.image = in.get<int>("image");
  s.masses = in.get<double>("masses");
  const std::string names = in.get_string("species");
  for (std::size_t p = 0, q; (q = names.find('\n', p)) != std::string::npos; p = q + 1) s.species.push_back(names.substr(p, q - p));
  s.box = box_from(in.get<double>("box"), path);
  const std::size_t n = s.id.size();
  if (s.type.size() != n || s.x.size() != 3 * n || s.v.size() != 3 * n || s.image.size() != 3 * n)
    throw InputError(path + ": inconsistent atom arrays in checkpoint");
  const auto nc = in.get<long>("neighbor_counters");
  if (nc.size() != 4) throw InputError(path + ": malformed neighbor state in checkpoint");
  c.neighbor.last_build = nc[0];
  c.neighbor.last_sort = nc[1];
  c.neighbor.builds = nc[2];
  c.neighbor.dangerous = nc[3];
  c.neighbor.xhold = in.get<double>("neighbor_xhold");
  if (c.neighbor.xhold.size() != 3 * n) throw InputError(path + ": malformed neighbor state in checkpoint");
  c.neighbor.box = box_from(in.get<double>("neighbor_box"), path);
  c.integrator = in.get_string("integrator");
  c.integrator_state = in.get<double>("integrator_state");
  c.deck_text = in.get_string("deck");
  return c;
}

}  // namespace af
