// The structure matcher, deduplication and decks for Python. Structures arrive as
// (cell rows, fractional coordinates, symbols), the matcher's own representation, so
// results are pymatgen's for the same lattice as given.
#include "atomforge/python/src/module.hpp"

#include <pybind11/stl.h>

#include <Kokkos_Core.hpp>
#include <cmath>

#include "atomforge/src/deck.hpp"
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/simulation.hpp"
#include "atomforge/src/structure/dedup.hpp"
#include "atomforge/samplers/campaign.hpp"

namespace af::py_ {

namespace py = pybind11;

namespace {

using Rows = PySystem::Rows;

cell::Cell to_cell(const py::tuple& t, std::vector<std::string>& names, const char* what) {
  if (t.size() != 3) throw InputError(std::string(what) + ": expected (cell, fractional positions, symbols)");
  const Rows lat = t[0].cast<Rows>(), frac = t[1].cast<Rows>();
  const auto symbols = t[2].cast<std::vector<std::string>>();
  if (lat.ndim() != 2 || lat.shape(0) != 3 || lat.shape(1) != 3)
    throw InputError(std::string(what) + ": the cell is not 3x3");
  if (frac.ndim() != 2 || frac.shape(1) != 3 || frac.shape(0) != static_cast<py::ssize_t>(symbols.size()) ||
      symbols.empty())
    throw InputError(std::string(what) + ": expected one fractional position (3 values) per symbol");
  cell::Cell c;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) c.lattice[i][k] = lat.at(i, k);
  if (!(std::abs(cell::det(c.lattice)) > 1e-12)) throw InputError(std::string(what) + ": the cell has no volume");
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    c.frac.push_back({frac.at(i, 0), frac.at(i, 1), frac.at(i, 2)});
    for (double v : c.frac.back())
      if (!std::isfinite(v)) throw InputError(std::string(what) + ": a position is not finite");
    std::size_t k = 0;
    while (k < names.size() && names[k] != symbols[i]) ++k;
    if (k == names.size()) names.push_back(symbols[i]);
    c.species.push_back(static_cast<int>(k));
  }
  return c;
}

cell::MatcherOptions options(const py::dict& kw) {
  std::string preset = "pymatgen";
  if (kw.contains("preset")) preset = kw["preset"].cast<std::string>();
  if (preset != "pymatgen" && preset != "csp") throw InputError("match: preset '" + preset + "' (pymatgen or csp)");
  cell::MatcherOptions o = preset == "csp" ? cell::MatcherOptions::csp() : cell::MatcherOptions{};
  for (auto item : kw) {
    const std::string key = py::str(item.first);
    if (key == "preset") continue;
    if (key == "ltol") o.ltol = item.second.cast<double>();
    else if (key == "stol") o.stol = item.second.cast<double>();
    else if (key == "angle_tol") o.angle_tol = item.second.cast<double>();
    else if (key == "primitive_cell") o.primitive_cell = item.second.cast<bool>();
    else if (key == "scale") o.scale = item.second.cast<bool>();
    else if (key == "anonymous") o.anonymous = item.second.cast<bool>();
    else throw InputError("match: unknown setting '" + key + "' (ltol, stol, angle_tol, primitive_cell, scale, "
                          "anonymous, preset)");
  }
  if (!(o.ltol > 0) || !(o.stol > 0) || !(o.angle_tol > 0))
    throw InputError("match: ltol, stol and angle_tol must be positive");
  return o;
}

// Stops a deck's run when Python has a signal pending (Ctrl-C), which is raised once the
// run has stopped cleanly with its outputs written.
struct PythonObserver : RunObserver {
  bool interrupted = false;
  std::vector<std::vector<double>> rows;
  void thermo(const ThermoRow& r, bool restart) override {
    if (!restart) rows.push_back(r.values());
  }
  bool stop_requested() override {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) interrupted = true;
    return interrupted;
  }
};

py::dict run_deck(const std::string& text, const std::string& path, const std::string& restart) {
  ensure_kokkos(-1);
  const Deck deck = path.empty() ? load_deck_text(text) : load_deck(path);
  RunOptions opt;
  opt.restart = restart;
  PythonObserver obs;
  RunResult r;
  {
    py::gil_scoped_release release;
    r = run_simulation(deck, opt, obs);
  }
  if (obs.interrupted) throw py::error_already_set();  // the KeyboardInterrupt set by PyErr_CheckSignals
  const char* ends[] = {"completed", "until", "stopped", "guard_failed"};
  py::dict d;
  d["end"] = ends[static_cast<int>(r.end)];
  d["step"] = r.step;
  d["message"] = r.message;
  d["thermo_names"] = ThermoRow::names();
  d["thermo"] = obs.rows;
  const Structure& s = r.state;
  std::vector<std::string> symbols;
  for (int t : s.type) symbols.push_back(s.species[t]);
  std::vector<double> cell(9);
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 3; ++j) cell[3 * k + j] = s.box.h[j][k];
  const long n = static_cast<long>(s.natoms());
  py::array_t<double> c({3L, 3L}), x({n, 3L}), v({n, 3L});
  std::copy(cell.begin(), cell.end(), c.mutable_data());
  for (long i = 0; i < n; ++i)  // ASE's cells start at the origin
    for (int k = 0; k < 3; ++k) x.mutable_data()[3 * i + k] = s.x[3 * i + k] - s.box.lo[k];
  if (s.has_velocities()) std::copy(s.v.begin(), s.v.end(), v.mutable_data());
  d["cell"] = c;
  d["positions"] = x;
  d["velocities"] = v;
  d["symbols"] = symbols;
  d["ids"] = s.id;
  d["pbc"] = std::vector<bool>{s.box.periodic[0], s.box.periodic[1], s.box.periodic[2]};
  d["units"] = deck.units.name;
  return d;
}

// A campaign's progress to an optional Python callable; Ctrl-C stops it cleanly (a
// checkpoint for restart) and is raised afterwards.
struct CampaignCallbacks : sampler::CampaignObserver {
  py::object callback;
  bool interrupted = false;
  void progress(const sampler::CampaignProgress& p) override {
    if (callback.is_none()) return;
    py::gil_scoped_acquire gil;
    py::dict d;
    d["attempts"] = p.attempts, d["relaxed"] = p.relaxed, d["converged"] = p.converged;
    d["unconverged"] = p.unconverged, d["failed"] = p.failed, d["seconds"] = p.seconds;
    d["best"] = p.best, d["best_hits"] = p.best_hits;
    try {
      callback(d);
    } catch (py::error_already_set& e) {  // raised once the campaign has stopped cleanly
      e.restore();
      interrupted = true;
    }
  }
  bool stop_requested() override {
    if (interrupted) return true;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) interrupted = true;
    return interrupted;
  }
};

py::dict sample(const std::string& text, const std::string& path, bool restart, py::object callback) {
  ensure_kokkos(-1);
  const sampler::CampaignSpec spec = path.empty() ? sampler::load_campaign_text(text) : sampler::load_campaign(path);
  CampaignCallbacks obs;
  obs.callback = std::move(callback);
  sampler::CampaignResult r;
  {
    py::gil_scoped_release release;
    r = sampler::run_campaign(spec, restart, obs);
  }
  if (obs.interrupted) throw py::error_already_set();  // KeyboardInterrupt, or the callback's error
  py::dict d;
  d["dir"] = spec.dir;
  d["relaxed"] = r.progress.relaxed;
  d["unique"] = r.unique;
  d["best"] = r.best;
  d["best_hits"] = r.best_hits;
  d["stopped"] = r.stopped;
  return d;
}

}  // namespace

void bind_structures(py::module_& m) {
  m.def(
      "match",
      [](const py::tuple& a, const py::tuple& b, const py::dict& kw) {
        std::vector<std::string> names;
        const cell::Cell ca = to_cell(a, names, "first structure"), cb = to_cell(b, names, "second structure");
        const cell::StructureMatcher matcher(options(kw));
        bool fit = false;
        std::optional<cell::RmsDist> rms;
        {
          py::gil_scoped_release release;
          fit = matcher.fit(ca, cb);
          rms = matcher.rms_dist(ca, cb);
        }
        py::dict d;
        d["match"] = fit;
        d["rms"] = rms ? py::cast(rms->rms) : py::none();
        d["max_dist"] = rms ? py::cast(rms->max_dist) : py::none();
        return d;
      },
      py::arg("a"), py::arg("b"), py::arg("options"));
  m.def(
      "dedup",
      [](const py::list& structures, const std::vector<double>& energies, const py::dict& kw) {
        std::vector<std::string> names;
        std::vector<cell::Cell> cells;
        for (std::size_t i = 0; i < structures.size(); ++i)
          cells.push_back(to_cell(structures[i].cast<py::tuple>(), names, ("structure " + std::to_string(i)).c_str()));
        if (energies.size() != cells.size()) throw InputError("dedup: one energy per structure (NaN where unknown)");
        const cell::StructureMatcher matcher(options(kw));
        std::vector<std::vector<int>> members;
        {
          py::gil_scoped_release release;
          members = cell::deduplicate(cells, energies, matcher).members;
        }
        return members;
      },
      py::arg("structures"), py::arg("energies"), py::arg("options"));
  m.def("run_deck", &run_deck, py::arg("text"), py::arg("path"), py::arg("restart") = "");
  m.def("sample", &sample, py::arg("text"), py::arg("path"), py::arg("restart"), py::arg("callback"));
}

}  // namespace af::py_
