// pair_style atomforge, ghost mode (pair_atomforge.h): settings, the potential section,
// and the neural path. Each step: one graph of the rank's local and ghost atoms (edges
// within the model's cutoff, local_pairs.hpp), the model's per-node energies and
// per-edge dE/dr, forces on locals and ghosts (LAMMPS sums ghost forces into their
// owners), the local atoms' energy and the virial from f . r over every atom.
#include "pair_atomforge.h"

#include "local_pairs.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "memory.h"
#include "force.h"
#include "neighbor.h"
#include "update.h"

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/kokkos_init.hpp"
#include "atomforge/src/nnip/nnip_potential.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/units.hpp"

using namespace LAMMPS_NS;

struct PairAtomforge::Graph {
  af::nnip::Graph g;
  af::DblView energy;
  af::VecView dedr;
  af_lammps::LocalPairs pairs;
};

PairAtomforge::PairAtomforge(LAMMPS* lmp) : Pair(lmp), graph_(std::make_unique<Graph>()) {
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  if (!Kokkos::is_initialized()) af::initialize_kokkos(-1);  // a LAMMPS without KOKKOS: ours
}

PairAtomforge::~PairAtomforge() {
  release_classic();
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairAtomforge::settings(int narg, char** arg) {
  // FILE [mode ghost] [ghost_cutoff R]; ghost_cutoff (Angstrom) replaces the receptive
  // field as the ghost depth: for tests that show a too thin ghost shell is wrong.
  if (narg < 1 || narg % 2 == 0) error->all(FLERR, "Illegal pair_style atomforge command: expected FILE [mode ghost] [ghost_cutoff R]");
  file_ = arg[0];
  ghost_override_ = 0;
  for (int k = 1; k + 1 < narg; k += 2) {
    const std::string key = arg[k], value = arg[k + 1];
    if (key == "mode") {
      if (value != "ghost")
        error->all(FLERR, "pair_style atomforge: mode '" + value + "' is not available (this build has ghost mode only)");
    } else if (key == "ghost_cutoff") {
      ghost_override_ = std::atof(value.c_str());
      if (!(ghost_override_ > 0)) error->all(FLERR, "pair_style atomforge: ghost_cutoff must be a positive length");
    } else {
      error->all(FLERR, "pair_style atomforge: unknown keyword '" + key + "' (mode, ghost_cutoff)");
    }
  }
}

void PairAtomforge::coeff(int narg, char** arg) {
  const int ntypes = atom->ntypes;
  if (narg != 2 + ntypes || std::strcmp(arg[0], "*") != 0 || std::strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_coeff for atomforge: expected '* *' and one species name per atom type (" +
                          std::to_string(ntypes) + ")");
  if (!allocated) {
    allocated = 1;
    memory->create(setflag, ntypes + 1, ntypes + 1, "pair:setflag");
    memory->create(cutsq, ntypes + 1, ntypes + 1, "pair:cutsq");
  }
  af::Structure names;  // the species the potential section is read against
  std::vector<int> type_of(ntypes + 1, 0);
  for (int t = 1; t <= ntypes; ++t) {
    const std::string name = arg[1 + t];
    int k = names.find_species(name);
    if (k < 0) {
      k = names.ntypes();
      names.species.push_back(name);
    }
    type_of[t] = k;
  }
  af::Units units;
  if (!af::Units::lookup(update->unit_style, units))
    error->all(FLERR, std::string("pair_style atomforge: units ") + update->unit_style +
                          " are not atomforge's (lj, metal or real)");
  try {
    af::DeckNode root = af::load_yaml(file_);
    af::MapReader top(root);
    af::DeckNode node = top.contains("potential") ? top.get("potential") : root;
    af::MapReader section(node);
    std::string style;
    const auto spec = af::potential_styles().parse(section, style, af::DeckContext{units, names, 0});
    potential_ = spec->create();
  } catch (const std::exception& e) {
    error->all(FLERR, std::string("pair_style atomforge: ") + e.what());
  }
  auto* nn = dynamic_cast<af::nnip::NnipPotential*>(potential_.get());
  if (nn && std::strcmp(update->unit_style, "metal") != 0)
    error->all(FLERR, "pair_style atomforge: atomforge's neural potentials are in metal units (units metal)");
  release_classic();
  species_of_type_.assign(ntypes + 1, 0);
  if (nn) {
    auto species = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), nn->species_of_type());
    for (int t = 1; t <= ntypes; ++t) species_of_type_[t] = species(type_of[t]);
    cut_model_ = nn->model().cutoff();
    cut_ghost_ = nn->model().receptive_cutoffs() * cut_model_;
  } else {
    for (int t = 1; t <= ntypes; ++t) species_of_type_[t] = type_of[t];
    cut_model_ = potential_->cutoff();
    cut_ghost_ = cut_model_;  // every term is centred on a local atom: one cutoff of ghosts
  }
  // Classic kernels give each atom its own force from the full-list terms (not the
  // gradient of the rank's energy alone), so f . r is not the rank's virial: their
  // per-term tallies are (compute_classic).
  no_virial_fdotr_compute = nn ? 0 : 1;
  if (ghost_override_ > 0) cut_ghost_ = ghost_override_;
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j) setflag[i][j] = 1;
}

void PairAtomforge::init_style() {
  if (force->newton_pair == 0)
    error->all(FLERR, "pair_style atomforge needs newton on (ghost atoms' forces return to their owners)");
  // No neighbor list is requested: compute() bins every atom, ghosts included.
  // Ghosts as deep as the receptive field (plus the skin: the graph is rebuilt each step).
  comm->cutghostuser = std::max(comm->cutghostuser, cut_ghost_ + neighbor->skin);
}

// (Below the cutoff only for the ghost_cutoff tests: LAMMPS's ghosts are at least this deep.)
double PairAtomforge::init_one(int, int) { return ghost_override_ > 0 ? std::min(cut_model_, ghost_override_) : cut_model_; }

void PairAtomforge::compute(int eflag, int vflag) {
  ev_init(eflag, vflag);
  if (dynamic_cast<af::nnip::NnipPotential*>(potential_.get()))
    compute_model(eflag, vflag);
  else
    compute_classic(eflag, vflag);
  if (vflag_fdotr) virial_fdotr_compute();
}

void PairAtomforge::compute_model(int, int) {
  const int nlocal = atom->nlocal, nall = nlocal + atom->nghost;
  double** x = atom->x;
  double** f = atom->f;
  const int* type = atom->type;
  Graph& G = *graph_;
  af_lammps::LocalPairs& P = G.pairs;
  P.find(x, nall, cut_model_);
  const int nedges = P.count();
  const int max_degree = P.max_degree;
  const std::vector<int>& offset = P.offset;

  // Device views of the graph (host mirrors on CPU builds are the views themselves).
  af::nnip::Graph& g = G.g;
  g.nnodes = nall;
  g.nedges = nedges;
  g.max_degree = max_degree;
  auto grow_int = [](af::IntView& v, int n, const char* name) {
    if (static_cast<int>(v.extent(0)) < n) v = af::IntView(std::string(name), n + n / 8 + 16);
  };
  grow_int(g.offset, nall + 1, "af_lmp::offset");
  grow_int(g.receiver, nedges, "af_lmp::receiver");
  grow_int(g.sender, nedges, "af_lmp::sender");
  grow_int(g.species, nall, "af_lmp::species");
  grow_int(g.contributing, nall, "af_lmp::contributing");
  if (static_cast<int>(g.vec.extent(0)) < nedges) g.vec = af::VecView("af_lmp::vec", nedges + nedges / 8 + 16);
  if (static_cast<int>(G.dedr.extent(0)) < nedges) G.dedr = af::VecView("af_lmp::dedr", g.vec.extent(0));
  if (static_cast<int>(G.energy.extent(0)) < nall) G.energy = af::DblView("af_lmp::energy", g.species.extent(0));
  {
    auto ho = Kokkos::create_mirror_view(g.offset);
    auto hr = Kokkos::create_mirror_view(g.receiver);
    auto hs = Kokkos::create_mirror_view(g.sender);
    auto hv = Kokkos::create_mirror_view(g.vec);
    auto hsp = Kokkos::create_mirror_view(g.species);
    auto hc = Kokkos::create_mirror_view(g.contributing);
    for (int i = 0; i <= nall; ++i) ho(i) = offset[i];
    for (int e = 0; e < nedges; ++e) {
      hr(e) = P.receiver[e];
      hs(e) = P.sender[e];
      for (int k = 0; k < 3; ++k) hv(e, k) = P.vec[3 * e + k];
    }
    for (int i = 0; i < nall; ++i) {
      hsp(i) = species_of_type_[type[i]];
      hc(i) = i < nlocal ? 1 : 0;
    }
    Kokkos::deep_copy(g.offset, ho);
    Kokkos::deep_copy(g.receiver, hr);
    Kokkos::deep_copy(g.sender, hs);
    Kokkos::deep_copy(g.vec, hv);
    Kokkos::deep_copy(g.species, hsp);
    Kokkos::deep_copy(g.contributing, hc);
  }
  try {
    static_cast<af::nnip::NnipPotential&>(*potential_).model().compute(g, G.energy, G.dedr);
  } catch (const std::exception& e) {
    error->one(FLERR, std::string("pair_style atomforge: ") + e.what());
  }
  auto he = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), G.energy);
  auto hd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), G.dedr);

  // F_i += g, F_j -= g for edge i <- j (r = x_j - x_i, g = dE/dr).
  for (int e = 0; e < nedges; ++e) {
    const int i = P.receiver[e], j = P.sender[e];
    for (int k = 0; k < 3; ++k) {
      f[i][k] += hd(e, k);
      f[j][k] -= hd(e, k);
    }
    if (vflag_atom) {  // W = -r (x) g (symmetrised), half to each end
      const double* r = &P.vec[3 * e];
      const double w[6] = {-r[0] * hd(e, 0), -r[1] * hd(e, 1), -r[2] * hd(e, 2),
                           -0.5 * (r[0] * hd(e, 1) + r[1] * hd(e, 0)), -0.5 * (r[0] * hd(e, 2) + r[2] * hd(e, 0)),
                           -0.5 * (r[1] * hd(e, 2) + r[2] * hd(e, 1))};
      for (int k = 0; k < 6; ++k) {
        vatom[i][k] += 0.5 * w[k];
        vatom[j][k] += 0.5 * w[k];
      }
    }
  }
  if (eflag_either)
    for (int i = 0; i < nlocal; ++i) {
      if (eflag_global) eng_vdwl += he(i);
      if (eflag_atom) eatom[i] += he(i);
    }
}
