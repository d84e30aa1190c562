// OpenSystem (open_system.hpp): loading, and the neural path. Each call: one graph of
// every atom (edges within r_c, local_pairs.hpp), the model's per-node energies and
// per-edge dE/dr with non-contributing nodes not counted, forces on every atom, the
// virial -sum r (x) dE/dr over edges. Classic potentials: open_system_classic.cpp.
#include "atomforge/src/open_system.hpp"

#include <Kokkos_Core.hpp>

#include <stdexcept>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/local_pairs.hpp"
#include "atomforge/src/nnip/nnip_potential.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct OpenSystem::Neural {
  nnip::Graph g;
  DblView energy;
  VecView dedr;
  LocalPairs candidates, pairs;  // within r_c + skin (kept); within r_c (this call)
  // Host mirrors, made when their views grow (the views themselves on CPU builds).
  IntView::HostMirror offset, receiver, sender, species, contributing;
  VecView::HostMirror vec, dedr_host;
  DblView::HostMirror energy_host;
};

OpenSystem::OpenSystem() = default;
OpenSystem::~OpenSystem() = default;

std::unique_ptr<OpenSystem> OpenSystem::load(const std::string& path, const std::vector<std::string>& species,
                                             const std::string& units_name) {
  Units units;
  if (!Units::lookup(units_name, units))
    throw std::runtime_error("units " + units_name + " are not atomforge's (lj, metal or real)");
  Structure names;  // the species the potential section is read against
  names.species = species;
  DeckNode root = load_yaml(path);
  MapReader top(root);
  DeckNode node = top.contains("potential") ? top.get("potential") : root;
  MapReader section(node);
  std::string style;
  const auto spec = potential_styles().parse(section, style, DeckContext{units, names, 0});
  std::unique_ptr<OpenSystem> os(new OpenSystem);
  os->potential_ = spec->create();
  os->style_ = os->potential_->style();
  if (auto* nn = dynamic_cast<nnip::NnipPotential*>(os->potential_.get())) {
    if (units_name != "metal") throw std::runtime_error("atomforge's neural potentials are in metal units (units metal)");
    auto sp = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), nn->species_of_type());
    for (std::size_t k = 0; k < species.size(); ++k) os->model_species_.push_back(sp(k));
    os->cutoff_ = nn->model().cutoff();
    os->ghost_depth_ = nn->model().receptive_cutoffs() * os->cutoff_;
    os->neural_ = std::make_shared<Neural>();
  } else {
    os->cutoff_ = os->potential_->cutoff();
    os->ghost_depth_ = os->cutoff_;  // every term is centred within r_c of a contributing atom
  }
  return os;
}

bool OpenSystem::neural() const { return neural_ != nullptr; }
int OpenSystem::exchange_width() const {
  return neural_ ? static_cast<nnip::NnipPotential&>(*potential_).model().exchange_width() : 0;
}
bool OpenSystem::has_per_atom_virial() const { return neural_ || potential_->supports_per_atom_virial(); }
bool OpenSystem::has_exchange() const {
  return !neural_ || static_cast<nnip::NnipPotential&>(*potential_).model().has_exchange();
}
const std::string& OpenSystem::style() const { return style_; }
double OpenSystem::cutoff() const { return cutoff_; }
double OpenSystem::ghost_depth() const { return ghost_depth_; }

bool OpenSystem::reuse_pairs(int n, const Request& request) {
  if (request.same_atoms && n == pairs_n_) return true;
  pairs_n_ = n;
  return false;
}

OpenSystem::Result OpenSystem::compute(int n, const double* x, const int* type, const int* contributing, double* f,
                                       double* eatom, double* vatom, const Request& request) {
  if (neural_) return compute_neural(n, x, type, contributing, f, eatom, vatom, request);
  if (request.per_atom_virial && !has_per_atom_virial())
    throw std::runtime_error("per-atom virials are not available with " + style_);
  return compute_classic(n, x, type, contributing, f, eatom, vatom, request);
}

OpenSystem::Result OpenSystem::compute_neural(int n, const double* x, const int* type, const int* contributing,
                                              double* f, double* eatom, double* vatom, const Request& request) {
  Neural& G = *neural_;
  if (!reuse_pairs(n, request)) G.candidates.find(x, n, cutoff_ + request.skin);
  LocalPairs& P = G.pairs;
  int nowned = n;  // exchange mode: contributing atoms first, edges of theirs only
  if (request.exchange) {
    nowned = 0;
    while (nowned < n && contributing[nowned]) ++nowned;
    for (int i = nowned; i < n; ++i)
      if (contributing[i]) throw std::runtime_error("exchange mode needs the contributing atoms first");
  }
  P.filter(G.candidates, x, cutoff_, nowned);
  const int nedges = P.count();

  // Device views of the graph, grown, never shrunk (host mirrors on CPU builds are the views).
  nnip::Graph& g = G.g;
  g.nnodes = n;
  g.nedges = nedges;
  g.max_degree = P.max_degree;
  auto grow_int = [](IntView& v, IntView::HostMirror& h, int m, const char* name) {
    if (static_cast<int>(v.extent(0)) >= m && h.extent(0) == v.extent(0)) return;
    if (static_cast<int>(v.extent(0)) < m) v = IntView(std::string(name), m + m / 8 + 16);
    h = Kokkos::create_mirror_view(v);
  };
  grow_int(g.offset, G.offset, n + 1, "af_open::offset");
  grow_int(g.receiver, G.receiver, nedges, "af_open::receiver");
  grow_int(g.sender, G.sender, nedges, "af_open::sender");
  grow_int(g.species, G.species, n, "af_open::species");
  grow_int(g.contributing, G.contributing, n, "af_open::contributing");
  if (static_cast<int>(g.vec.extent(0)) < nedges || G.vec.extent(0) != g.vec.extent(0)) {
    if (static_cast<int>(g.vec.extent(0)) < nedges) g.vec = VecView("af_open::vec", nedges + nedges / 8 + 16);
    G.dedr = VecView("af_open::dedr", g.vec.extent(0));
    G.vec = Kokkos::create_mirror_view(g.vec);
    G.dedr_host = Kokkos::create_mirror_view(G.dedr);
  }
  if (static_cast<int>(G.energy.extent(0)) < n || G.energy_host.extent(0) != G.energy.extent(0)) {
    if (static_cast<int>(G.energy.extent(0)) < n) G.energy = DblView("af_open::energy", g.species.extent(0));
    G.energy_host = Kokkos::create_mirror_view(G.energy);
  }
  {
    const auto ho = G.offset, hr = G.receiver, hs = G.sender, hsp = G.species, hc = G.contributing;
    const auto hv = G.vec;
    for (int i = 0; i <= n; ++i) ho(i) = P.offset[i];
    for (int e = 0; e < nedges; ++e) {
      hr(e) = P.receiver[e];
      hs(e) = P.sender[e];
      for (int k = 0; k < 3; ++k) hv(e, k) = P.vec[3 * e + k];
    }
    for (int i = 0; i < n; ++i) {
      hsp(i) = model_species_[type[i]];
      hc(i) = contributing[i] ? 1 : 0;
    }
    Kokkos::deep_copy(g.offset, ho);
    Kokkos::deep_copy(g.receiver, hr);
    Kokkos::deep_copy(g.sender, hs);
    Kokkos::deep_copy(g.vec, hv);
    Kokkos::deep_copy(g.species, hsp);
    Kokkos::deep_copy(g.contributing, hc);
  }
  nnip::Model& model = static_cast<nnip::NnipPotential&>(*potential_).model();
  if (request.exchange)
    model.compute_exchange(g, nowned, *request.exchange, G.energy, G.dedr);
  else
    model.compute(g, G.energy, G.dedr);
  const auto he = G.energy_host;
  const auto hd = G.dedr_host;
  Kokkos::deep_copy(Kokkos::subview(he, std::make_pair(0, n)), Kokkos::subview(G.energy, std::make_pair(0, n)));
  Kokkos::deep_copy(Kokkos::subview(hd, std::make_pair(0, nedges), Kokkos::ALL),
                    Kokkos::subview(G.dedr, std::make_pair(0, nedges), Kokkos::ALL));

  // F_i += g, F_j -= g for edge i <- j (r = x_j - x_i, g = dE/dr); W = -r (x) g.
  Result out;
  for (int e = 0; e < nedges; ++e) {
    const int i = P.receiver[e], j = P.sender[e];
    for (int k = 0; k < 3; ++k) {
      f[3 * i + k] += hd(e, k);
      f[3 * j + k] -= hd(e, k);
    }
    if (request.virial || request.per_atom_virial) {
      const double* r = &P.vec[3 * e];
      const double w[6] = {-r[0] * hd(e, 0), -r[1] * hd(e, 1), -r[2] * hd(e, 2),
                           -0.5 * (r[0] * hd(e, 1) + r[1] * hd(e, 0)), -0.5 * (r[0] * hd(e, 2) + r[2] * hd(e, 0)),
                           -0.5 * (r[1] * hd(e, 2) + r[2] * hd(e, 1))};
      for (int k = 0; k < 6; ++k) out.virial[k] += w[k];
      if (request.per_atom_virial)  // half to each end
        for (int k = 0; k < 6; ++k) {
          vatom[6 * i + k] += 0.5 * w[k];
          vatom[6 * j + k] += 0.5 * w[k];
        }
    }
  }
  for (int i = 0; i < n; ++i)
    if (contributing[i]) {
      out.energy += he(i);
      if (request.per_atom_energy) eatom[i] += he(i);
    }
  return out;
}

}  // namespace af
