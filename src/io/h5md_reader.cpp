#include "atomforge/src/io/h5md_reader.hpp"

#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <algorithm>
#include <type_traits>
#include <vector>

#include "atomforge/src/deck_reader.hpp"

namespace af {

namespace {

// Closes an HDF5 handle on scope exit.
struct Handle {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~Handle() {
    if (id >= 0 && close) close(id);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}
  [[noreturn]] void fail(const std::string& msg) const { throw InputError(path_ + ": " + msg); }
  bool exists(hid_t loc, const std::string& name) const { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

  // Row `frame` (or the whole dataset with frame < 0) of a dataset, as doubles/ints.
  template <class T>
  std::vector<T> read(hid_t loc, const std::string& name, long frame, std::vector<hsize_t>* shape_out) const {
    Handle d(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) fail("cannot open dataset '" + name + "'");
    Handle sp(H5Dget_space(d.id), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    if (rank < 0 || rank > 3) fail("'" + name + "' has an unexpected shape");
    hsize_t dims[3] = {0, 0, 0}, start[3] = {0, 0, 0}, count[3] = {0, 0, 0};
    if (rank > 0) H5Sget_simple_extent_dims(sp.id, dims, nullptr);
    hsize_t n = 1;
    for (int k = 0; k < rank; ++k) {
      count[k] = dims[k];
      if (k == 0 && frame >= 0) {
        if (dims[0] == 0) fail("'" + name + "' has no frames");
        start[0] = static_cast<hsize_t>(frame);
        count[0] = 1;
      }
      n *= count[k];
      // Checked as it grows (no overflow): nothing atomforge reads is larger.
      if (n > 9 * static_cast<hsize_t>(max_atoms())) fail("'" + name + "' is larger than any structure");
    }
    std::vector<T> out(n);
    const hid_t mem_type = std::is_same<T, double>::value ? H5T_NATIVE_DOUBLE
                           : std::is_same<T, long>::value ? H5T_NATIVE_LONG
                                                          : H5T_NATIVE_INT;
    Handle ms(H5Screate_simple(rank > 0 ? rank : 1, rank > 0 ? count : &n, nullptr), H5Sclose);
    if (rank > 0) H5Sselect_hyperslab(sp.id, H5S_SELECT_SET, start, nullptr, count, nullptr);
    if (H5Dread(d.id, mem_type, rank > 0 ? ms.id : H5S_ALL, rank > 0 ? sp.id : H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      fail("cannot read '" + name + "'");
    if (shape_out) shape_out->assign(dims, dims + rank);
    return out;
  }

  std::vector<std::string> string_attribute(hid_t loc, const char* obj, const char* name) const {
    std::vector<std::string> out;
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0) return out;
    Handle a(H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    Handle sp(H5Aget_space(a.id), H5Sclose);
    const hssize_t n = H5Sget_simple_extent_npoints(sp.id);
    // Read with the attribute's own string type (same character set; fixed-length
    // strings are read as such).
    Handle t(H5Aget_type(a.id), H5Tclose);
    if (H5Tget_class(t.id) != H5T_STRING) return out;
    if (!H5Tis_variable_str(t.id)) {
      const std::size_t len = H5Tget_size(t.id);
      std::vector<char> buf(len * (n > 0 ? n : 0) + 1, '\0');
      if (n > 0 && H5Aread(a.id, t.id, buf.data()) >= 0)
        for (hssize_t k = 0; k < n; ++k) out.emplace_back(std::string(&buf[k * len], strnlen(&buf[k * len], len)));
      return out;
    }
    std::vector<char*> p(n > 0 ? n : 0);
    if (n > 0 && H5Aread(a.id, t.id, p.data()) >= 0) {
      for (char* s : p) out.emplace_back(s ? s : "");
      H5Dvlen_reclaim(t.id, sp.id, H5P_DEFAULT, p.data());
    }
    return out;
  }

 private:
  std::string path_;
};

}  // namespace

Structure read_h5md_last_frame(const std::string& path) {
  Reader r(path);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become our messages
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (file.id < 0) r.fail("not an HDF5 file (or unreadable)");
  if (!r.exists(file.id, "particles")) r.fail("no particles group (not an H5MD file?)");
  Handle parts(H5Gopen2(file.id, "particles", H5P_DEFAULT), H5Gclose);
  // The first particles group, as MDAnalysis takes it.
  char name[256] = {0};
  if (H5Lget_name_by_idx(parts.id, ".", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof name, H5P_DEFAULT) <= 0)
    r.fail("particles group is empty");
  Handle g(H5Gopen2(parts.id, name, H5P_DEFAULT), H5Gclose);
  const std::string pg = std::string("particles/") + name;
  if (!r.exists(g.id, "position")) r.fail(pg + " has no position");
  if (!r.exists(g.id, "box") || !r.exists(g.id, "box/edges")) r.fail(pg + " has no box/edges");

  std::vector<hsize_t> shape;
  r.read<double>(g.id, "position/step", -1, &shape);  // frame count from the step series
  if (shape.empty() || shape[0] == 0) r.fail(pg + "/position has no frames");
  const long last = static_cast<long>(shape[0]) - 1;
  std::vector<double> x = r.read<double>(g.id, "position/value", last, &shape);
  if (shape.size() != 3 || shape[2] != 3) r.fail(pg + "/position/value must be (frames, N, 3)");
  const std::size_t n = shape[1];
  std::vector<hsize_t> eshape;
  const std::vector<double> e = r.read<double>(g.id, "box/edges/value", -1, &eshape);
  if (eshape.size() != 3 || eshape[1] != 3 || eshape[2] != 3)
    r.fail(pg + "/box/edges/value must be (frames, 3, 3) (cell vectors as rows)");
  const std::size_t eframe = eshape[0] - 1;  // edges are written with every position frame
  double cell[3][3];
  for (int a = 0; a < 3; ++a)
    for (int c = 0; c < 3; ++c) cell[a][c] = e[9 * eframe + 3 * a + c];

  Structure s;
  double rot[3][3];
  try {
    s.box = Box::from_vectors(cell, rot);
  } catch (const std::exception& ex) {
    r.fail(std::string("box/edges: ") + ex.what());
  }
  const auto boundary = r.string_attribute(g.id, "box", "boundary");
  for (int k = 0; k < 3 && boundary.size() == 3; ++k) s.box.periodic[k] = boundary[k] == "periodic";
  auto rotate = [&](const std::vector<double>& v) {
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) out[3 * i + k] = rot[k][0] * v[3 * i] + rot[k][1] * v[3 * i + 1] + rot[k][2] * v[3 * i + 2];
    return out;
  };
  s.x = rotate(x);
  if (r.exists(g.id, "velocity")) {
    std::vector<hsize_t> vs;
    r.read<double>(g.id, "velocity/step", -1, &vs);
    s.v = rotate(r.read<double>(g.id, "velocity/value", static_cast<long>(vs[0]) - 1, nullptr));
  }
  if (r.exists(g.id, "image")) {
    std::vector<hsize_t> is;
    r.read<double>(g.id, "image/step", -1, &is);
    s.image = r.read<int>(g.id, "image/value", static_cast<long>(is[0]) - 1, nullptr);
  }
  std::vector<int> species(n, 0);
  if (r.exists(g.id, "species")) species = r.read<int>(g.id, "species", -1, nullptr);
  if (species.size() != n) r.fail(pg + "/species has the wrong length");
  int ntypes = 0;
  for (int t : species) {
    if (t < 0) r.fail(pg + "/species must not be negative");
    if (t >= 100000) r.fail(pg + "/species: more than 100000 species");
    ntypes = std::max(ntypes, t + 1);
  }
  std::vector<std::string> names;
  if (r.exists(file.id, "parameters") && r.exists(file.id, "parameters/atomforge"))
    names = r.string_attribute(file.id, "parameters/atomforge", "species");
  if (static_cast<int>(names.size()) < ntypes) {
    names.clear();
    for (int t = 0; t < ntypes; ++t) names.push_back(std::to_string(t + 1));
  }
  s.species = names;
  s.masses.assign(names.size(), 0.0);
  s.type = species;
  if (r.exists(g.id, "id")) {
    s.id = r.read<long>(g.id, "id", -1, nullptr);
    if (s.id.size() != n) r.fail(pg + "/id has the wrong length");
  } else {
    for (std::size_t i = 0; i < n; ++i) s.id.push_back(static_cast<long>(i) + 1);
  }
  return s;
}

}  // namespace af
