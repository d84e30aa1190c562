// atomforge._core: Kokkos once per process (finalised at interpreter exit, after every
// live System has let go of its Views), engine errors as atomforge.InputError, and the
// bindings of system_py.cpp and structures_py.cpp. No signal handlers are installed.
#include "atomforge/python/src/module.hpp"

#include <Kokkos_Core.hpp>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/kokkos_init.hpp"

namespace af::py_ {

namespace py = pybind11;

std::set<PySystem*>& live_systems() {
  static std::set<PySystem*> s;
  return s;
}

int ensure_kokkos(int threads) {
  if (!Kokkos::is_initialized()) initialize_kokkos(threads);
  return Kokkos::DefaultHostExecutionSpace().concurrency();
}

namespace {

void finalize() {
  if (!Kokkos::is_initialized()) return;
  for (PySystem* s : live_systems()) s->release();
  Kokkos::finalize();
}

}  // namespace

}  // namespace af::py_

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace af::py_;
  m.doc() = "atomforge's engine in memory (src/system.hpp), the structure matcher and decks";
  m.attr("__version__") = ATOMFORGE_VERSION;
  // Bad input: the engine's one-line message, as an exception the interpreter survives.
  static py::exception<af::InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const af::InputError& e) {
      PyErr_SetString(input_error.ptr(), e.what());
    }
  });
  m.def("initialize", &ensure_kokkos, py::arg("threads") = -1,
        "Initialises Kokkos (once per process; threads <= 0: its default) and returns the thread count in use");
  m.def("threads", []() { return Kokkos::is_initialized() ? Kokkos::DefaultHostExecutionSpace().concurrency() : 0; });
  m.def("finalize", &finalize, "Releases every System and finalises Kokkos (registered with atexit)");
  bind_system(m);
  bind_structures(m);
  bind_flow(m);
}
