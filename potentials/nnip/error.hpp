// The NNIP library's one error type: a model file that cannot be used, or a graph the
// kernels cannot take. what() is one line naming the file (or model) and the problem;
// callers map it to their own errors (the engine: InputError at load, GuardError in a
// run).
#pragma once
#include <stdexcept>
#include <string>

namespace af::nnip {

struct Error : std::runtime_error {
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

}  // namespace af::nnip
