#include "atomforge/src/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "atomforge/src/neighbor.hpp"

namespace af {

namespace {

// Unwrapped positions of local atoms, in atom-id order, with their types.
void unwrapped(const Atoms& atoms, const Box& box, std::vector<long>& ids, std::vector<int>& types,
               std::vector<double>& x) {
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.x);
  auto him = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.image);
  auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.id);
  auto ht = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.type);
  const int n = atoms.nlocal;
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return hid(a) < hid(b); });
  ids.resize(n);
  types.resize(n);
  x.resize(3 * n);
  for (int k = 0; k < n; ++k) {
    const int i = order[k];
    double s[3];
    box.image_shift(him(i, 0), him(i, 1), him(i, 2), s);
    for (int c = 0; c < 3; ++c) x[3 * k + c] = hx(i, c) + s[c];
    ids[k] = hid(i);
    types[k] = ht(i);
  }
}

}  // namespace

Analysis::Analysis(const AnalysisSettings& s, const Units& u, const std::vector<std::string>& species, H5mdWriter* h5)
    : s_(s), u_(u), species_(species), h5_(h5) {
  const auto pairs = pair_names();
  if (s_.rdf) {
    std::vector<std::string> cols = {"stage", "r"};
    for (const auto& p : pairs) cols.push_back("g_" + p);
    if (!s_.rdf_file.empty()) rdf_csv_ = std::make_unique<CsvWriter>(s_.rdf_file, cols);
    stage_hist_.assign(pairs.size() * s_.rdf_bins, 0.0);
    stage_norm_.assign(pairs.size(), 0.0);
    block_hist_ = stage_hist_;
    block_norm_ = stage_norm_;
  }
  if (s_.msd && !s_.msd_file.empty()) {
    std::vector<std::string> cols = {"step", "time", "msd"};
    for (const auto& sp : species_) cols.push_back("msd_" + sp);
    msd_csv_ = std::make_unique<CsvWriter>(s_.msd_file, cols);
  }
  if (s_.coordination && !s_.coord_file.empty()) {
    std::vector<std::string> cols = {"step", "time", "cn"};
    for (const auto& p : pairs) cols.push_back("cn_" + p);
    coord_csv_ = std::make_unique<CsvWriter>(s_.coord_file, cols);
  }
}

std::vector<std::string> Analysis::pair_names() const {
  std::vector<std::string> out;
  for (std::size_t a = 0; a < species_.size(); ++a)
    for (std::size_t b = a; b < species_.size(); ++b) out.push_back(species_[a] + "-" + species_[b]);
  return out;
}

void Analysis::measure(long step, const Atoms& atoms, const Box& box) {
  if (last_.step == step) return;
  const int nt = static_cast<int>(species_.size());
  auto pair_index = [nt](int a, int b) {
    if (a > b) std::swap(a, b);
    return a * nt - a * (a - 1) / 2 + (b - a);
  };
  const int npairs = nt * (nt + 1) / 2;
  std::vector<int> count(nt, 0);
  {
    auto ht = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.type);
    for (int i = 0; i < atoms.nlocal; ++i) ++count[ht(i)];
  }
  last_.step = step;
  // Distances: a full list on a copy of the atoms.
  const double rc = std::max(s_.rdf ? s_.rdf_cutoff : 0.0, s_.coordination ? s_.coord_cutoff : 0.0);
  if (s_.rdf || s_.coordination) {
    ProbeList probe = probe_list(atoms, box, rc);
    const Atoms& copy = probe.copy;
    const NeighborList& list = probe.list;
    const int bins = s_.rdf ? s_.rdf_bins : 1;
    const double rdf_rc = s_.rdf ? s_.rdf_cutoff : 0.0, coord_rc = s_.coordination ? s_.coord_cutoff : 0.0;
    Kokkos::View<double**, Device> hist("analysis::hist", npairs, bins);
    Kokkos::View<double*, Device> coord("analysis::coord", npairs);
    auto x = copy.x;
    auto type = copy.type;
    auto nl = list.view();
    const double dr = rdf_rc / bins;
    Kokkos::parallel_for(
        "analysis::pairs", Kokkos::RangePolicy<ExecSpace>(0, copy.nlocal), KOKKOS_LAMBDA(const int i) {
          const int ti = type(i);
          for (int k = 0; k < nl.num(i); ++k) {
            const int j = nl.neigh(i, k);
            const double dx = x(j, 0) - x(i, 0), dy = x(j, 1) - x(i, 1), dz = x(j, 2) - x(i, 2);
            const double r = sqrt(dx * dx + dy * dy + dz * dz);
            int a = ti, b = type(j);
            if (a > b) {
              const int t = a;
              a = b;
              b = t;
            }
            const int p = a * nt - a * (a - 1) / 2 + (b - a);
            if (r < rdf_rc) Kokkos::atomic_add(&hist(p, static_cast<int>(r / dr)), 1.0);
            if (r < coord_rc) Kokkos::atomic_add(&coord(p), 1.0);
          }
        });
    auto hh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), hist);
    auto hc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), coord);
    const double V = box.volume();
    if (s_.rdf) {
      last_.hist.assign(npairs * bins, 0.0);
      last_.norm.assign(npairs, 0.0);
      for (int a = 0; a < nt; ++a)
        for (int b = a; b < nt; ++b) {
          const int p = pair_index(a, b);
          // Full lists count each pair from both ends: the ordered pairs are N_a (N_a - 1)
          // for a == b and 2 N_a N_b otherwise (the normalisation of LAMMPS and MDAnalysis).
          last_.norm[p] = (a == b ? count[a] * (count[a] - 1.0) : 2.0 * count[a] * double(count[b])) / V;
          for (int k = 0; k < bins; ++k) last_.hist[p * bins + k] = hh(p, k);
        }
    }
    if (s_.coordination) {
      last_.coord.assign(1, 0.0);
      double total = 0;
      for (int a = 0; a < nt; ++a)
        for (int b = a; b < nt; ++b) {
          const int p = pair_index(a, b);
          total += hc(p);
          // Neighbors of type b around an a atom (and of a around b) per a atom.
          last_.coord.push_back(count[a] ? hc(p) / (a == b ? count[a] : count[a] + count[b]) : 0.0);
        }
      last_.coord[0] = atoms.nlocal ? total / atoms.nlocal : 0.0;
    }
  }
  if (s_.msd) {
    std::vector<long> ids;
    std::vector<int> types;
    std::vector<double> x;
    unwrapped(atoms, box, ids, types, x);
    if (x0_.empty()) {
      x0_ = x;
    }
    std::vector<double> per(nt, 0.0);
    double total = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      double d2 = 0;
      for (int c = 0; c < 3; ++c) d2 += (x[3 * k + c] - x0_[3 * k + c]) * (x[3 * k + c] - x0_[3 * k + c]);
      total += d2;
      per[types[k]] += d2;
    }
    last_.msd = {ids.empty() ? 0.0 : total / ids.size()};
    for (int t = 0; t < nt; ++t) last_.msd.push_back(count[t] ? per[t] / count[t] : 0.0);
  }
}

void Analysis::sample(long step, double time, const Atoms& atoms, const Box& box, bool in_stage) {
  measure(step, atoms, box);
  auto with_step = [&](const std::vector<double>& v) {
    std::vector<double> row = {double(step), time};
    row.insert(row.end(), v.begin(), v.end());
    return row;
  };
  if (coord_csv_) coord_csv_->row(with_step(last_.coord));
  if (msd_csv_) msd_csv_->row(with_step(last_.msd));
  if (s_.rdf && in_stage) {
    for (std::size_t k = 0; k < last_.hist.size(); ++k) {
      stage_hist_[k] += last_.hist[k];
      block_hist_[k] += last_.hist[k];
    }
    for (std::size_t p = 0; p < last_.norm.size(); ++p) {
      stage_norm_[p] += last_.norm[p];
      block_norm_[p] += last_.norm[p];
    }
  }
}

std::vector<double> Analysis::rdf_of(const std::vector<double>& hist, const std::vector<double>& norm) const {
  const int bins = s_.rdf_bins;
  const int npairs = static_cast<int>(norm.size());
  const double dr = s_.rdf_cutoff / bins;
  std::vector<double> g(npairs * bins);
  for (int p = 0; p < npairs; ++p)
    for (int k = 0; k < bins; ++k) {
      const double r0 = k * dr, r1 = r0 + dr;
      const double shell = 4.0 / 3.0 * M_PI * (r1 * r1 * r1 - r0 * r0 * r0);
      g[p * bins + k] = norm[p] > 0 ? hist[p * bins + k] / (norm[p] * shell) : 0.0;
    }
  return g;
}

void Analysis::frame(long step, double time, const Atoms& atoms, const Box& box) {
  if (!h5_) return;
  measure(step, atoms, box);
  if (s_.msd) {
    const std::string unit = u_.name == "lj" ? "" : std::string(u_.length_unit) + "2";
    h5_->write_observable_array("msd", step, time, last_.msd, unit.empty() ? nullptr : unit.c_str());
  }
  if (s_.coordination) h5_->write_observable_array("coordination", step, time, last_.coord, nullptr);
  if (s_.rdf) {
    // No sample since the last frame (analysis.every longer than trajectory.every): this frame's g(r).
    const bool empty = std::all_of(block_norm_.begin(), block_norm_.end(), [](double v) { return v == 0; });
    const auto g = empty ? rdf_of(last_.hist, last_.norm) : rdf_of(block_hist_, block_norm_);
    const auto names = pair_names();
    const int bins = s_.rdf_bins;
    for (std::size_t p = 0; p < names.size(); ++p)
      h5_->write_observable_array("rdf_" + names[p], step, time,
                                  std::vector<double>(g.begin() + p * bins, g.begin() + (p + 1) * bins), nullptr);
    std::fill(block_hist_.begin(), block_hist_.end(), 0.0);
    std::fill(block_norm_.begin(), block_norm_.end(), 0.0);
  }
}

void Analysis::end_stage(const std::string& stage) {
  if (!s_.rdf || std::all_of(stage_norm_.begin(), stage_norm_.end(), [](double v) { return v == 0; })) return;
  const int bins = s_.rdf_bins;
  const int npairs = static_cast<int>(stage_norm_.size());
  const double dr = s_.rdf_cutoff / bins;
  const auto g = rdf_of(stage_hist_, stage_norm_);
  if (rdf_csv_) {
    for (int k = 0; k < bins; ++k) {
      std::vector<double> row = {0.0, (k + 0.5) * dr};
      for (int p = 0; p < npairs; ++p) row.push_back(g[p * bins + k]);
      rdf_csv_->row_labelled(stage, row);
    }
  }
  std::fill(stage_hist_.begin(), stage_hist_.end(), 0.0);
  std::fill(stage_norm_.begin(), stage_norm_.end(), 0.0);
}

}  // namespace af
