// af::System for Python: a structure given as arrays in any orientation (ASE's rows of
// cell vectors), rotated into the engine's restricted triclinic frame and back, so
// callers never see the engine's frame. Every call that computes releases the GIL.
#include "atomforge/python/src/module.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <map>

#include "atomforge/src/deck_reader.hpp"

namespace af::py_ {

namespace py = pybind11;

namespace {

using Rows = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A (3,3) or (N,3) array's values, checked; what names the argument in errors.
std::vector<double> rows3(const Rows& a, long n, const char* what) {
  if (a.ndim() != 2 || a.shape(1) != 3 || (n >= 0 && a.shape(0) != n))
    throw InputError(std::string(what) + ": expected an array of shape (" + (n >= 0 ? std::to_string(n) : "N") +
                     ", 3)");
  std::vector<double> v(a.data(), a.data() + a.size());
  for (double x : v)
    if (!std::isfinite(x)) throw InputError(std::string(what) + ": not finite");
  return v;
}

void rotate(const double r[3][3], const double in[3], double out[3]) {
  for (int k = 0; k < 3; ++k) out[k] = r[k][0] * in[0] + r[k][1] * in[1] + r[k][2] * in[2];
}
void rotate_back(const double r[3][3], const double in[3], double out[3]) {  // r^T
  for (int k = 0; k < 3; ++k) out[k] = r[0][k] * in[0] + r[1][k] * in[1] + r[2][k] * in[2];
}

}  // namespace

PySystem::PySystem(const Rows& cell, std::array<bool, 3> pbc, const std::vector<std::string>& symbols,
                   const Rows& positions, const std::string& potential, const std::string& units,
                   std::uint64_t seed) {
  ensure_kokkos(-1);
  const long n = static_cast<long>(symbols.size());
  if (n == 0) throw InputError("structure: no atoms");
  Structure s;
  s.box = box_from_rows(rows3(cell, 3, "cell"));
  for (int k = 0; k < 3; ++k) s.box.periodic[k] = pbc[k];
  std::map<std::string, int> index;
  for (long i = 0; i < n; ++i) {
    auto [it, added] = index.emplace(symbols[i], static_cast<int>(s.species.size()));
    if (added) s.species.push_back(symbols[i]);
    s.type.push_back(it->second);
    s.id.push_back(i + 1);
  }
  s.masses.assign(s.species.size(), 0.0);
  s.x = to_engine(rows3(positions, n, "positions"));
  SystemSettings settings;
  settings.units = units;
  settings.seed = seed;
  py::gil_scoped_release release;
  system_ = std::make_unique<System>(s, potential, settings);
  live_systems().insert(this);
}

PySystem::~PySystem() { live_systems().erase(this); }

void PySystem::release() { system_.reset(); }

System& PySystem::sys() {
  if (!system_) throw InputError("this atomforge object was released (Kokkos has been finalised)");
  return *system_;
}

Box PySystem::box_from_rows(const std::vector<double>& c) {
  double m[3][3];
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) m[i][k] = c[3 * i + k];
  Box b;
  try {
    b = Box::from_vectors(m, rot_);
  } catch (const std::exception& e) {
    throw InputError(std::string("cell: ") + e.what());
  }
  return b;
}

std::vector<double> PySystem::to_engine(const std::vector<double>& x) const {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); i += 3) rotate(rot_, &x[i], &out[i]);
  return out;
}

std::vector<double> PySystem::from_engine(const std::vector<double>& x) const {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); i += 3) rotate_back(rot_, &x[i], &out[i]);
  return out;
}

void PySystem::set_positions(const Rows& x) {
  std::vector<double> v = to_engine(rows3(x, static_cast<long>(sys().natoms()), "positions"));
  py::gil_scoped_release release;
  sys().set_positions(v);
}

void PySystem::set_cell(const Rows& cell, std::array<bool, 3> pbc, const Rows& positions) {
  System& s = sys();
  const long n = static_cast<long>(s.natoms());
  const std::vector<double> c = rows3(cell, 3, "cell"), x = rows3(positions, n, "positions");
  Box b = box_from_rows(c);  // the new orientation; positions follow it
  for (int k = 0; k < 3; ++k) b.periodic[k] = pbc[k];
  const std::vector<double> v = to_engine(x);
  py::gil_scoped_release release;
  s.set_cell(b, false);
  s.set_positions(v);
}

py::dict PySystem::compute(bool per_atom, bool energy_and_stress) {
  Evaluation e;
  {
    py::gil_scoped_release release;
    e = sys().compute(per_atom, energy_and_stress);
  }
  const long n = static_cast<long>(sys().natoms());
  py::array_t<double> forces({n, 3L});
  const std::vector<double> f = from_engine(e.forces);
  std::copy(f.begin(), f.end(), forces.mutable_data());
  // Stress (xx yy zz xy xz yz) as a matrix, rotated back, in ASE's Voigt order.
  const double* s = e.stress;
  const double S[3][3] = {{s[0], s[3], s[4]}, {s[3], s[1], s[5]}, {s[4], s[5], s[2]}};
  double T[3][3];
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double v = 0;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) v += rot_[i][a] * S[i][j] * rot_[j][b];
      T[a][b] = v;
    }
  py::array_t<double> stress(6L);
  double* o = stress.mutable_data();
  o[0] = T[0][0], o[1] = T[1][1], o[2] = T[2][2], o[3] = T[1][2], o[4] = T[0][2], o[5] = T[0][1];
  py::dict d;
  d["forces"] = forces;
  if (energy_and_stress || per_atom) {
    d["energy"] = e.energy;
    d["stress"] = stress;
  }
  if (per_atom) d["energies"] = py::array_t<double>(static_cast<py::ssize_t>(e.energies.size()), e.energies.data());
  return d;
}

py::dict PySystem::relax(const py::dict& kw) {
  MinimizeSettings m;
  for (auto item : kw) {
    const std::string key = py::str(item.first);
    const py::handle v = item.second;
    if (key == "fmax") m.fmax = v.cast<double>();
    else if (key == "ptol") m.ptol = v.cast<double>();
    else if (key == "max_steps") m.max_iterations = v.cast<long>();
    else if (key == "max_move") m.max_move = v.cast<double>();
    else if (key == "cell") m.relax_cell = v.cast<bool>();
    else if (key == "pressure") m.pressure = v.cast<double>();
    else if (key == "style") {
      m.style = v.cast<std::string>();
      if (m.style != "fire" && m.style != "cg") throw InputError("relax: style '" + m.style + "' (fire or cg)");
    } else if (key == "couple") {
      const std::string c = v.cast<std::string>();
      if (c == "iso") m.couple = MinimizeSettings::Couple::Iso;
      else if (c == "aniso") m.couple = MinimizeSettings::Couple::Aniso;
      else if (c == "tri") m.couple = MinimizeSettings::Couple::Tri;
      else throw InputError("relax: couple '" + c + "' (iso, aniso or tri)");
    } else {
      throw InputError("relax: unknown setting '" + key + "'");
    }
  }
  if (!(m.fmax > 0) || !(m.max_iterations > 0) || !(m.max_move > 0) || !(m.ptol > 0))
    throw InputError("relax: fmax, ptol, max_steps and max_move must be positive");
  MinimizeResult r;
  {
    py::gil_scoped_release release;
    r = sys().relax(m);
  }
  py::dict d;
  d["converged"] = r.converged;
  d["iterations"] = r.iterations;
  d["energy"] = r.energy;
  d["fmax"] = r.fmax;
  d["stress_error"] = r.stress_error;
  d["reason"] = r.reason;
  return d;
}

// Cell rows and unwrapped positions in the caller's orientation.
py::tuple PySystem::state() {
  const Structure s = sys().structure();
  const long n = static_cast<long>(s.natoms());
  std::vector<double> cell(9), x(s.x);
  for (int k = 0; k < 3; ++k) {
    const auto v = s.box.vector(k);
    rotate_back(rot_, v.data(), &cell[3 * k]);
  }
  if (!s.image.empty())
    for (long i = 0; i < n; ++i) {
      double sh[3];
      s.box.image_shift(s.image[3 * i], s.image[3 * i + 1], s.image[3 * i + 2], sh);
      for (int k = 0; k < 3; ++k) x[3 * i + k] += sh[k];
    }
  const std::vector<double> xo = from_engine(x);
  py::array_t<double> c({3L, 3L}), p({n, 3L});
  std::copy(cell.begin(), cell.end(), c.mutable_data());
  std::copy(xo.begin(), xo.end(), p.mutable_data());
  return py::make_tuple(c, p);
}

void bind_system(py::module_& m) {
  py::class_<PySystem>(m, "System", "af::System: a structure and a potential (src/system.hpp)")
      .def(py::init<const Rows&, std::array<bool, 3>, const std::vector<std::string>&, const Rows&,
                    const std::string&, const std::string&, std::uint64_t>(),
           py::arg("cell"), py::arg("pbc"), py::arg("symbols"), py::arg("positions"), py::arg("potential"),
           py::arg("units") = "metal", py::arg("seed") = 12345)
      .def("natoms", [](PySystem& s) { return s.sys().natoms(); })
      .def("compute", &PySystem::compute, py::arg("per_atom") = false, py::arg("energy_and_stress") = true)
      .def("set_positions", &PySystem::set_positions)
      .def("set_cell", &PySystem::set_cell, py::arg("cell"), py::arg("pbc"), py::arg("positions"))
      .def("relax", &PySystem::relax)
      .def("state", &PySystem::state)
      .def("release", &PySystem::release);
}

}  // namespace af::py_
