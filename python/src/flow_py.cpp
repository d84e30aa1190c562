// The learned sampler's network from Python (tests against aftrain.crystal_flow, users
// who drive sampling themselves): velocities and whole Euler integrations of a batch.
#include "atomforge/samplers/learned/crystal_flow.hpp"
#include "atomforge/python/src/module.hpp"

namespace py = pybind11;

namespace af::py_ {

namespace {

using Rows = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Ints = py::array_t<int, py::array::c_style | py::array::forcecast>;

template <class T, class A>
std::vector<T> flat(const A& a) {
  return std::vector<T>(a.data(), a.data() + a.size());
}

Rows rows(const std::vector<double>& v, long n, long w) {
  Rows out({n, w});
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

}  // namespace

void bind_flow(py::module_& m) {
  m.def(
      "flow_velocity",
      [](const std::string& model, const Ints& z, const Ints& offsets, const Rows& frac, const Rows& k, const Rows& t) {
        ensure_kokkos(0);
        sampler::FlowBatch b{flat<int>(z), flat<int>(offsets), flat<double>(frac), flat<double>(k), flat<double>(t)};
        std::vector<double> vx, vk;
        {
          py::gil_scoped_release release;
          const sampler::CrystalFlow flow(model);
          flow.velocity(b, vx, vk);
        }
        return py::make_tuple(rows(vx, static_cast<long>(b.z.size()), 3), rows(vk, b.structures(), 5));
      },
      py::arg("model"), py::arg("z"), py::arg("offsets"), py::arg("frac"), py::arg("k"), py::arg("t"));
  m.def(
      "flow_integrate",
      [](const std::string& model, const Ints& z, const Ints& offsets, const Rows& frac, const Rows& k, int steps) {
        ensure_kokkos(0);
        std::vector<int> zz = flat<int>(z), off = flat<int>(offsets);
        std::vector<double> f = flat<double>(frac), kk = flat<double>(k);
        {
          py::gil_scoped_release release;
          const sampler::CrystalFlow flow(model);
          flow.integrate(zz, off, f, kk, steps);
        }
        return py::make_tuple(rows(f, static_cast<long>(zz.size()), 3), rows(kk, static_cast<long>(off.size()) - 1, 5));
      },
      py::arg("model"), py::arg("z"), py::arg("offsets"), py::arg("frac"), py::arg("k"), py::arg("steps"));
}

}  // namespace af::py_
