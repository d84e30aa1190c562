#include "atomforge/src/system.hpp"

#include "atomforge/src/deck_reader.hpp"

namespace af {

struct System::State {
  Box box;
  Atoms atoms;  // ids 1..N: structure index + 1 (the caller's ids are kept in user_ids)
  std::vector<long> user_ids;
  std::shared_ptr<const PotentialSpec> spec;
  std::unique_ptr<Potential> pot;
  NeighborList list;
  long builds = 0;     // the list's step counter (its sort schedule)
  bool moved = false;  // a cell set since the last build: rebuild
  DblView eatom;

  // Each atom's row in the structure's order.
  std::vector<int> order() const {
    auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.id);
    std::vector<int> row(atoms.nlocal);
    for (int i = 0; i < atoms.nlocal; ++i) row[i] = static_cast<int>(hid(i) - 1);
    return row;
  }
};

namespace {

std::shared_ptr<const PotentialSpec> parse_potential(const std::string& text, const Units& units,
                                                     const Structure& s, std::uint64_t seed) {
  MapReader pot(parse_yaml(text, "potential", "potential"));
  std::string style;
  return potential_styles().parse(pot, style, DeckContext{units, s, seed});
}

Units units_named(const std::string& name) {
  Units u;
  if (!Units::lookup(name, u)) throw InputError("units: unknown units '" + name + "' (lj, metal or real)");
  return u;
}

}  // namespace

System::System(const Structure& structure, const std::string& potential, const SystemSettings& settings)
    : System(structure, parse_potential(potential, units_named(settings.units), structure, settings.seed), settings) {}

System::System(const Structure& structure, std::shared_ptr<const PotentialSpec> potential,
               const SystemSettings& settings)
    : s_(std::make_unique<State>()), units_(units_named(settings.units)) {
  Structure st = structure;
  st.masses.resize(st.ntypes(), 0.0);
  const std::string missing = assign_masses(st, *potential, units_, {});
  if (!missing.empty()) throw InputError("structure: no mass for species '" + missing + "'");
  s_->user_ids = st.id.size() == st.natoms() ? st.id : std::vector<long>();
  st.id.resize(st.natoms());
  for (std::size_t i = 0; i < st.natoms(); ++i) st.id[i] = static_cast<long>(i) + 1;
  s_->box = st.box;
  s_->atoms = Atoms::from_structure(st);
  s_->spec = std::move(potential);
  s_->pot = s_->spec->create();
  NeighborSettings nb;
  nb.skin = units_.name == "lj" ? 0.3 : 2.0;
  if (settings.neighbor) nb = *settings.neighbor;
  s_->list.setup(choose_list_kind(nb, s_->pot->list_kind(), s_->pot->supports_clusters()), s_->pot->cutoff(), nb);
  s_->list.build(s_->atoms, s_->box, s_->builds);
}

System::~System() = default;
System::System(System&&) noexcept = default;
System& System::operator=(System&&) noexcept = default;

std::size_t System::natoms() const { return static_cast<std::size_t>(s_->atoms.nlocal); }
Atoms& System::atoms() { return s_->atoms; }
Box& System::box() { return s_->box; }
NeighborList& System::neighbor_list() { return s_->list; }
Potential& System::potential() { return *s_->pot; }

void System::update_neighbors() {
  State& s = *s_;
  if (s.moved || s.list.need_rebuild(s.builds + 1, s.atoms, s.box))
    s.list.build(s.atoms, s.box, ++s.builds);
  else
    s.list.update_ghosts(s.atoms, s.box);
  s.moved = false;
}

Evaluation System::compute(bool per_atom_energies, bool energy_and_virial) {
  State& s = *s_;
  update_neighbors();
  ComputeFlags flags;
  flags.per_atom_energy = per_atom_energies;
  flags.energy = flags.virial = energy_and_virial || per_atom_energies;
  if (per_atom_energies && s.eatom.extent(0) < std::size_t(s.atoms.nall()))
    s.eatom = DblView("system::eatom", s.atoms.nall() + s.atoms.nall() / 8 + 16);
  const EnergyVirial ev = s.pot->compute(s.atoms, s.list, flags, s.eatom);
  Evaluation r;
  r.energy = ev.e;
  const double V = s.box.volume();
  for (int k = 0; k < 6; ++k) {
    r.virial[k] = ev.v[k];
    r.stress[k] = -ev.v[k] / V;
  }
  const auto row = s.order();
  const int n = s.atoms.nlocal;
  auto hf = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s.atoms.f);
  r.forces.resize(3 * n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) r.forces[3 * row[i] + k] = hf(i, k);
  if (per_atom_energies) {
    auto he = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s.eatom);
    r.energies.resize(n);
    for (int i = 0; i < n; ++i) r.energies[row[i]] = he(i);
  }
  return r;
}

void System::set_positions(const std::vector<double>& x) {
  State& s = *s_;
  const int n = s.atoms.nlocal;
  if (x.size() != 3 * std::size_t(n))
    throw InputError("set_positions: " + std::to_string(x.size()) + " values for " + std::to_string(n) + " atoms");
  const auto row = s.order();
  auto hx = Kokkos::create_mirror_view(s.atoms.x);
  auto him = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s.atoms.image);
  // Positions relative to each atom's current image, so they stay continuous with the
  // last build's wrapped ones: the list is rebuilt only once atoms have moved enough.
  for (int i = 0; i < n; ++i) {
    double sh[3];
    s.box.image_shift(him(i, 0), him(i, 1), him(i, 2), sh);
    for (int k = 0; k < 3; ++k) hx(i, k) = x[3 * row[i] + k] - sh[k];
  }
  Kokkos::deep_copy(s.atoms.x, hx);
}

void System::set_cell(const Box& box, bool scale_atoms) {
  State& s = *s_;
  Box nb = box;
  nb.update_inverse();
  if (scale_atoms) {
    auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s.atoms.x);
    for (int i = 0; i < s.atoms.nlocal; ++i) {
      double x[3] = {hx(i, 0), hx(i, 1), hx(i, 2)}, u[3];
      s.box.to_frac(x, u);
      nb.to_cart(u, x);
      for (int k = 0; k < 3; ++k) hx(i, k) = x[k];
    }
    Kokkos::deep_copy(s.atoms.x, hx);
  }
  s.box = nb;
  s.moved = true;
}

MinimizeResult System::relax(const MinimizeSettings& settings) {
  update_neighbors();
  return minimize(settings, s_->atoms, s_->box, s_->list, *s_->pot, units_, [](long, const EnergyVirial&) {});
}

Structure System::structure() const {
  const Structure internal = s_->atoms.to_structure(s_->box);
  Structure out = internal;
  const auto row = s_->order();
  for (std::size_t i = 0; i < internal.natoms(); ++i) {
    const int r = row[i];
    out.type[r] = internal.type[i];
    out.id[r] = s_->user_ids.empty() ? r + 1 : s_->user_ids[r];
    for (int k = 0; k < 3; ++k) {
      out.x[3 * r + k] = internal.x[3 * i + k];
      out.v[3 * r + k] = internal.v[3 * i + k];
      out.image[3 * r + k] = internal.image[3 * i + k];
    }
  }
  return out;
}

}  // namespace af
