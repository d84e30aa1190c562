#include "atomforge/potentials/nnip/model_file.hpp"

#include <hdf5.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>

#include "atomforge/potentials/nnip/error.hpp"

namespace af::nnip {

namespace {

struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

// Numeric attribute (scalar or 1-D, possibly empty) as doubles; false if absent or not numeric.
bool numeric_attribute(hid_t obj, const char* name, std::vector<double>& v) {
  v.clear();
  if (H5Aexists(obj, name) <= 0) return false;
  Handle a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  Handle t{H5Aget_type(a.id), H5Tclose};
  const H5T_class_t cls = H5Tget_class(t.id);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return false;
  Handle sp{H5Aget_space(a.id), H5Sclose};
  const hssize_t n = H5Sget_simple_extent_npoints(sp.id);
  if (n < 0 || n > 1000000) return false;
  v.resize(n);
  return n == 0 || H5Aread(a.id, H5T_NATIVE_DOUBLE, v.data()) >= 0;
}

std::vector<double> numeric_attribute(hid_t obj, const char* name) {
  std::vector<double> v;
  numeric_attribute(obj, name, v);
  return v;
}

// String attribute (scalar or 1-D, fixed or variable length).
std::vector<std::string> string_attribute(hid_t obj, const char* name) {
  std::vector<std::string> out;
  if (H5Aexists(obj, name) <= 0) return out;
  Handle a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  Handle t{H5Aget_type(a.id), H5Tclose};
  if (H5Tget_class(t.id) != H5T_STRING) return out;
  Handle sp{H5Aget_space(a.id), H5Sclose};
  const hssize_t n = H5Sget_simple_extent_npoints(sp.id);
  if (n <= 0 || n > 100000) return out;
  if (H5Tis_variable_str(t.id) > 0) {
    std::vector<char*> p(n);
    if (H5Aread(a.id, t.id, p.data()) >= 0) {
      for (char* s : p) out.emplace_back(s ? s : "");
      H5Dvlen_reclaim(t.id, sp.id, H5P_DEFAULT, p.data());
    }
  } else {
    const std::size_t len = H5Tget_size(t.id);
    std::vector<char> buf(len * n + 1, '\0');
    if (H5Aread(a.id, t.id, buf.data()) >= 0)
      for (hssize_t k = 0; k < n; ++k) out.emplace_back(&buf[k * len], strnlen(&buf[k * len], len));
  }
  return out;
}

herr_t collect(hid_t loc, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

void ModelFile::fail(const std::string& msg) const { throw Error(path_ + ": " + msg); }

ModelFile::ModelFile(const std::string& path, const std::string& want) : path_(path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  // A device or pipe (/dev/zero, /dev/stdin) would never end or block forever.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) fail("not a regular file");
  Handle f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (f.id < 0) fail("cannot open model file (not an HDF5 file?)");
  const auto format = string_attribute(f.id, "format");
  const bool flow = want == "atomforge-crystal-flow";
  if (format.size() != 1 || format[0] != want)
    fail(flow ? "not an atomforge crystal-flow model file (format attribute)" : "not an atomforge NNIP model file (no format attribute)");
  const auto version = numeric_attribute(f.id, "version");
  if (version.size() != 1) fail("model file has no version");
  if (version[0] != kVersion)
    fail("model file version " + std::to_string(static_cast<long>(version[0])) + " is not supported (this atomforge reads version " +
         std::to_string(kVersion) + ")");
  if (flow) {
    architecture_ = "crystal-flow";
    species_ = string_attribute(f.id, "elements");
  } else {
    const auto arch = string_attribute(f.id, "architecture");
    if (arch.size() != 1) fail("model file names no architecture");
    architecture_ = arch[0];
    const auto units = string_attribute(f.id, "units");
    if (units.size() != 1 || units[0] != "metal") fail("model units must be 'metal' (eV, Angstrom)");
    species_ = string_attribute(f.id, "species");
    if (species_.empty()) fail("model file lists no species");
    const auto rc = numeric_attribute(f.id, "r_cut");
    if (rc.size() != 1 || !(rc[0] > 0) || !std::isfinite(rc[0])) fail("model file needs a positive r_cut");
    r_cut_ = rc[0];
  }
  if (H5Lexists(f.id, "hyper", H5P_DEFAULT) <= 0) fail("model file has no hyper group");
  Handle hyper{H5Gopen2(f.id, "hyper", H5P_DEFAULT), H5Gclose};
  const int nattr = H5Aget_num_attrs(hyper.id);
  for (int k = 0; k < nattr; ++k) {
    char name[256] = {0};
    Handle a{H5Aopen_by_idx(hyper.id, ".", H5_INDEX_NAME, H5_ITER_INC, k, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
    H5Aget_name(a.id, sizeof name, name);
    std::vector<double> v;
    if (numeric_attribute(hyper.id, name, v)) hyper_[name] = v;
  }
  if (H5Lexists(f.id, "weights", H5P_DEFAULT) <= 0) fail("model file has no weights group");
  Handle w{H5Gopen2(f.id, "weights", H5P_DEFAULT), H5Gclose};
  std::vector<std::string> names;
  H5Ovisit(w.id, H5_INDEX_NAME, H5_ITER_INC, collect, &names);
  for (const auto& n : names) {
    Handle d{H5Dopen2(w.id, n.c_str(), H5P_DEFAULT), H5Dclose};
    Handle sp{H5Dget_space(d.id), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    if (d.id < 0 || rank < 0 || rank > 4) fail("weights/" + n + " is unreadable");
    hsize_t dims[4] = {1, 1, 1, 1};
    H5Sget_simple_extent_dims(sp.id, dims, nullptr);
    Tensor t;
    long size = 1;
    for (int r = 0; r < rank; ++r) {
      t.shape.push_back(static_cast<long>(dims[r]));
      size *= static_cast<long>(dims[r]);
      if (size > 100000000) fail("weights/" + n + " is too large");
    }
    t.data.resize(size);
    if (size > 0 && H5Dread(d.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data.data()) < 0)
      fail("weights/" + n + " is not numeric");
    for (double v : t.data)
      if (!std::isfinite(v)) fail("weights/" + n + " holds a non-finite value");
    weights_[n] = std::move(t);
  }
}

long ModelFile::hyper_int(const std::string& name) const {
  const auto v = hyper_ints(name);
  if (v.size() != 1) fail("hyper/" + name + " must be one integer");
  return v[0];
}

double ModelFile::hyper_double(const std::string& name) const {
  const auto it = hyper_.find(name);
  if (it == hyper_.end() || it->second.size() != 1) fail("hyper/" + name + " is missing");
  return it->second[0];
}

std::vector<long> ModelFile::hyper_ints(const std::string& name) const {
  const auto it = hyper_.find(name);
  if (it == hyper_.end()) fail("hyper/" + name + " is missing");
  std::vector<long> out;
  for (double v : it->second) {
    if (v != std::floor(v) || std::fabs(v) > 1e9) fail("hyper/" + name + " must hold integers");
    out.push_back(static_cast<long>(v));
  }
  return out;
}

Tensor ModelFile::weight(const std::string& name, const std::vector<long>& shape) const {
  const auto it = weights_.find(name);
  if (it == weights_.end()) fail("weights/" + name + " is missing");
  if (it->second.shape != shape) {
    auto str = [](const std::vector<long>& s) {
      std::string o;
      for (long v : s) o += (o.empty() ? "" : "x") + std::to_string(v);
      return o.empty() ? std::string("scalar") : o;
    };
    fail("weights/" + name + " has shape " + str(it->second.shape) + ", expected " + str(shape));
  }
  return it->second;
}

}  // namespace af::nnip
