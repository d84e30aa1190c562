#include "atomforge/src/outputs.hpp"

#include <algorithm>

namespace af {

namespace {

std::string restart_name(const std::string& path, long step) {
  if (step < 0) return path;
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  const std::string tag = ".restart-" + std::to_string(step);
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path + tag;
  return path.substr(0, dot) + tag + path.substr(dot);
}

}  // namespace

Outputs::Outputs(const Deck& deck, const Atoms& atoms, const Box& box, long restart_step, bool new_files)
    : deck_(deck) {
  if (!deck.thermo.file.empty())
    // Rows up to the step before; the driver writes the restart step's row if it is due
    // (an early stop also wrote one that the uninterrupted run would not have).
    csv_ = restart_step >= 0 ? std::make_unique<CsvWriter>(deck.thermo.file, ThermoRow::names(), restart_step - 1)
                             : std::make_unique<CsvWriter>(deck.thermo.file, ThermoRow::names());
  const Structure& s = deck.structure;
  std::vector<std::size_t> order(s.natoms());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.id[a] < s.id[b]; });
  sorted_types_.resize(order.size());
  sorted_ids_.resize(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    sorted_types_[k] = s.type[order[k]];
    sorted_ids_[k] = s.id[order[k]];
  }
  const bool append = restart_step >= 0 && !new_files;
  const long frames_from = new_files ? restart_step : -1;  // new files' names carry the step
  if (deck.dump.every > 0)
    dump_ = append ? std::make_unique<DumpWriter>(deck.dump.file, restart_step, deck.dump.every)
                   : std::make_unique<DumpWriter>(restart_name(deck.dump.file, frames_from));
  if (deck.extxyz.every > 0)
    xyz_ = append ? std::make_unique<ExtxyzWriter>(deck.extxyz.file, restart_step, deck.extxyz.every)
                  : std::make_unique<ExtxyzWriter>(restart_name(deck.extxyz.file, frames_from));
  if (deck.trajectory.every > 0) {
    H5mdFields fl;
    fl.position = deck.trajectory.position;
    fl.velocity = deck.trajectory.velocity;
    fl.force = deck.trajectory.force;
    fl.image = deck.trajectory.image;
    fl.energy = deck.trajectory.energy;
    H5mdWriter::Resume resume;
    if (append) resume = {restart_step, deck.trajectory.every};
    traj_ = std::make_unique<H5mdWriter>(restart_name(deck.trajectory.file, frames_from), deck.units, s.species,
                                         sorted_types_, sorted_ids_, box.periodic, fl, deck.text, resume);
  }
  if (deck.analysis.every > 0) {
    AnalysisSettings a = deck.analysis;
    for (std::string* f : {&a.rdf_file, &a.msd_file, &a.coord_file})
      if (!f->empty()) *f = restart_name(*f, restart_step);
    analysis_ = std::make_unique<Analysis>(a, deck.units, deck.structure.species, traj_.get());
  }
}

std::string Outputs::thermo(const ThermoRow& row) {
  const auto values = row.values();
  if (csv_) csv_->row(values);
  return thermo_line(row);
}

void Outputs::frames(const ThermoRow& row, const EnergyVirial& ev, const Atoms& atoms, const Box& box,
                     const DblView& eatom, Frames which) {
  const long step = row.step;
  const double time = row.time;
  auto take = [&](bool on, long every) {
    if (!on) return false;
    const bool due = step % every == 0;
    return which == Frames::All || (which == Frames::Due ? due : !due);
  };
  const bool h5 = take(traj_ != nullptr, deck_.trajectory.every);
  const bool dump = take(dump_ != nullptr, deck_.dump.every);
  const bool xyz = take(xyz_ != nullptr, deck_.extxyz.every);
  if (!h5 && !dump && !xyz) return;
  const std::size_t n = atoms.nlocal;
  auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.id);
  // Rank of each atom in id order (atoms are spatially re-sorted during the run).
  std::vector<std::size_t> slot(n);
  for (std::size_t i = 0; i < n; ++i)
    slot[i] = std::lower_bound(sorted_ids_.begin(), sorted_ids_.end(), hid(i)) - sorted_ids_.begin();
  auto gather = [&](const VecView& src, std::vector<double>& dst) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(src, Kokkos::make_pair(0, int(n)), Kokkos::ALL()));
    dst.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) dst[3 * slot[i] + k] = h(i, k);
  };
  const bool text = dump || xyz;  // these always carry positions, velocities and forces
  if (text || (h5 && deck_.trajectory.position)) gather(atoms.x, x_);
  if (text || (h5 && deck_.trajectory.velocity)) gather(atoms.v, v_);
  if (text || (h5 && deck_.trajectory.force)) gather(atoms.f, f_);
  if (h5 && deck_.trajectory.image) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.image);
    image_.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) image_[3 * slot[i] + k] = h(i, k);
  }
  if (h5 && deck_.trajectory.energy) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kokkos::subview(eatom, Kokkos::make_pair(0, int(n))));
    e_.resize(n);
    for (std::size_t i = 0; i < n; ++i) e_[slot[i]] = h(i);
  }
  if (text) {
    FrameData fr;
    fr.step = step;
    fr.time = time;
    fr.box = &box;
    fr.ids = &sorted_ids_;
    fr.types = &sorted_types_;
    fr.species = &deck_.structure.species;
    fr.x = x_.data();
    fr.v = v_.data();
    fr.f = f_.data();
    fr.energy = row.pe;
    fr.virial = ev.v;
    if (dump) dump_->write(fr);
    if (xyz) xyz_->write(fr);
  }
  if (h5) {
    traj_->write_frame(step, time, box, x_.data(), v_.data(), f_.data(), image_.data(), e_.data());
    traj_->write_observables(step, time, ThermoRow::names(), row.values());
    if (analysis_) analysis_->frame(step, time, atoms, box);
    traj_->flush();
  }
}

}  // namespace af
