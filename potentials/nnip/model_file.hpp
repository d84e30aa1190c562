// The NNIP model file (HDF5, schema in docs/nnip_model.md): read once at deck time, all
// checks done here so that a wrong file stops with one line naming file and problem.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace af::nnip {

struct Tensor {
  std::vector<long> shape;
  std::vector<double> data;  // row-major
};

class ModelFile {
 public:
  static constexpr int kVersion = 1;
  // Opens and checks format, version and the common attributes; throws Error (error.hpp).
  // `format` "atomforge-crystal-flow" (the learned sampler, docs/learned_sampler.md) reads
  // its `elements` as species() and has no units, architecture or r_cut.
  explicit ModelFile(const std::string& path, const std::string& format = "atomforge-nnip");

  const std::string& path() const { return path_; }
  const std::string& architecture() const { return architecture_; }
  const std::vector<std::string>& species() const { return species_; }
  double r_cut() const { return r_cut_; }
  // hyper/ attributes.
  long hyper_int(const std::string& name) const;
  double hyper_double(const std::string& name) const;
  std::vector<long> hyper_ints(const std::string& name) const;
  // weights/NAME, which must have exactly this shape.
  Tensor weight(const std::string& name, const std::vector<long>& shape) const;
  [[noreturn]] void fail(const std::string& msg) const;

 private:
  std::string path_, architecture_;
  std::vector<std::string> species_;
  double r_cut_ = 0;
  std::map<std::string, std::vector<double>> hyper_;
  std::map<std::string, Tensor> weights_;
};

}  // namespace af::nnip
