// pair_style atomforge, ghost mode (pair_atomforge.h): the rank's local and ghost atoms
// are one af::OpenSystem with the locals contributing (atomforge/src/open_system.hpp);
// forces land on locals and ghosts (LAMMPS sums the ghosts' into their owners), per-atom
// energies and virials likewise (compute pe/atom, stress/atom reverse-communicate them).
#include "pair_atomforge.h"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neighbor.h"
#include "update.h"
#include "timer.h"

#include "atomforge/potentials/nnip/model.hpp"
#include "atomforge/src/kokkos_init.hpp"
#include "atomforge/src/open_system.hpp"

using namespace LAMMPS_NS;

namespace {

// LAMMPS's reverse communication of a pair style's per-atom data: reverse_comm_pair in
// LAMMPS up to 2022, reverse_comm(Pair*) after.
template <class C>
auto reverse_comm_of(C* comm, Pair* pair, int) -> decltype(comm->reverse_comm_pair(pair), void()) {
  comm->reverse_comm_pair(pair);
}
template <class C>
void reverse_comm_of(C* comm, Pair* pair, long) {
  comm->reverse_comm(pair);
}

}  // namespace

// The model's per-atom rows between this rank's atoms and their ghost copies (periodic
// images included): forward by comm->forward_comm_array, reverse through the style's
// pack/unpack_reverse_comm. The time goes to LAMMPS's Comm section, the model's to Pair.
class PairAtomforge::Exchange final : public af::nnip::NodeExchange {
 public:
  explicit Exchange(PairAtomforge* pair) : pair_(pair) {}
  void forward(double* rows, int n, int width) override {
    pair_->timer->stamp(Timer::PAIR);
    ptrs_.resize(n);
    for (int i = 0; i < n; ++i) ptrs_[i] = rows + static_cast<std::size_t>(i) * width;
    pair_->comm->forward_comm_array(width, ptrs_.data());
    pair_->timer->stamp(Timer::COMM);
  }
  void reverse(double* rows, int n, int width) override {
    if (width > pair_->comm_reverse) throw std::runtime_error("exchange row wider than the style's comm_reverse");
    pair_->timer->stamp(Timer::PAIR);
    pair_->xrows_ = rows;
    pair_->xwidth_ = width;
    reverse_comm_of(pair_->comm, pair_, 0);
    pair_->timer->stamp(Timer::COMM);
  }

 private:
  PairAtomforge* pair_;
  std::vector<double*> ptrs_;
};

int PairAtomforge::pack_reverse_comm(int n, int first, double* buf) {
  const int w = xwidth_;
  std::copy(xrows_ + static_cast<std::size_t>(first) * w, xrows_ + static_cast<std::size_t>(first + n) * w, buf);
  return n * w;
}

void PairAtomforge::unpack_reverse_comm(int n, int* list, double* buf) {
  const int w = xwidth_;
  for (int k = 0; k < n; ++k) {
    double* row = xrows_ + static_cast<std::size_t>(list[k]) * w;
    for (int q = 0; q < w; ++q) row[q] += buf[k * w + q];
  }
}

PairAtomforge::PairAtomforge(LAMMPS* lmp) : Pair(lmp) {
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  no_virial_fdotr_compute = 1;  // the open system returns the virial (its own f . r or per-term tallies)
  if (!Kokkos::is_initialized()) af::initialize_kokkos(-1);  // a LAMMPS without KOKKOS: ours
}

PairAtomforge::~PairAtomforge() {
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairAtomforge::settings(int narg, char** arg) {
  // FILE [mode ghost|exchange] [ghost_cutoff R]; ghost_cutoff (Angstrom) replaces the ghost depth:
  // for tests that show a too thin ghost shell is wrong.
  if (narg < 1 || narg % 2 == 0)
    error->all(FLERR, "Illegal pair_style atomforge command: expected FILE [mode ghost|exchange] [ghost_cutoff R]");
  file_ = arg[0];
  ghost_override_ = 0;
  exchange_ = false;
  for (int k = 1; k + 1 < narg; k += 2) {
    const std::string key = arg[k], value = arg[k + 1];
    if (key == "mode") {
      if (value != "ghost" && value != "exchange")
        error->all(FLERR, "pair_style atomforge: unknown mode '" + value + "' (ghost or exchange)");
      exchange_ = value == "exchange";
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
  std::vector<std::string> names;  // distinct species, in order of first use
  type_of_.assign(ntypes + 1, 0);
  for (int t = 1; t <= ntypes; ++t) {
    const std::string name = arg[1 + t];
    const auto it = std::find(names.begin(), names.end(), name);
    type_of_[t] = static_cast<int>(it - names.begin());
    if (it == names.end()) names.push_back(name);
  }
  try {
    system_ = af::OpenSystem::load(file_, names, update->unit_style);
  } catch (const std::exception& e) {
    error->all(FLERR, std::string("pair_style atomforge: ") + e.what());
  }
  if (exchange_ && !system_->has_exchange())
    error->all(FLERR, "pair_style atomforge: " + file_ +
                          ": mode exchange is not available for this model (use mode ghost)");
  const double depth = exchange_ ? system_->cutoff() : system_->ghost_depth();
  cut_ghost_ = ghost_override_ > 0 ? ghost_override_ : depth;
  for (int i = 1; i <= ntypes; ++i)
    for (int j = i; j <= ntypes; ++j) setflag[i][j] = 1;
}

void PairAtomforge::init_style() {
  if (force->newton_pair == 0)
    error->all(FLERR, "pair_style atomforge needs newton on (ghost atoms' forces return to their owners)");
  // No neighbor list is requested: the open system bins every atom, ghosts included, at
  // LAMMPS's re-neighborings (within cutoff + skin). Ghosts as deep as the ghost depth
  // plus the skin.
  comm->cutghostuser = std::max(comm->cutghostuser, cut_ghost_ + neighbor->skin);
  comm_reverse = exchange_ ? system_->exchange_width() : 0;  // sizes LAMMPS's buffers (comm->init follows)
}

// (Below the cutoff only for the ghost_cutoff tests: LAMMPS's ghosts are at least this deep.)
double PairAtomforge::init_one(int, int) {
  const double rc = system_ ? system_->cutoff() : 0.0;
  return ghost_override_ > 0 ? std::min(rc, ghost_override_) : rc;
}

void PairAtomforge::compute(int eflag, int vflag) {
  ev_init(eflag, vflag);
  if (vflag_atom && !system_->has_per_atom_virial())
    error->all(FLERR, "pair_style atomforge: compute stress/atom is not available with " + system_->style() +
                          " (no per-atom virials)");
  const int nlocal = atom->nlocal, nall = nlocal + atom->nghost;
  types_.resize(nall);
  contributing_.resize(nall);
  for (int i = 0; i < nall; ++i) {
    types_[i] = type_of_[atom->type[i]];
    contributing_[i] = i < nlocal;
  }
  af::OpenSystem::Request request;
  request.energy = eflag_global != 0;
  request.virial = vflag_global != 0;
  request.per_atom_energy = eflag_atom != 0;
  request.per_atom_virial = vflag_atom != 0;
  request.same_atoms = neighbor->ago > 0;  // LAMMPS keeps atoms and ghosts in place between re-neighborings
  request.skin = neighbor->skin;
  if (exchange_ && system_->neural()) {
    if (!exchange_rows_) exchange_rows_ = std::make_unique<Exchange>(this);
    request.exchange = exchange_rows_.get();
  }
  af::OpenSystem::Result r;
  try {  // LAMMPS's 2d arrays are contiguous: row 0 addresses them all
    r = system_->compute(nall, nall ? atom->x[0] : nullptr, types_.data(), contributing_.data(),
                         nall ? atom->f[0] : nullptr, eflag_atom ? eatom : nullptr,
                         vflag_atom && nall ? vatom[0] : nullptr, request);
  } catch (const std::exception& e) {
    error->one(FLERR, std::string("pair_style atomforge: ") + e.what());
  }
  if (eflag_global) eng_vdwl += r.energy;
  if (vflag_global)
    for (int k = 0; k < 6; ++k) virial[k] += r.virial[k];  // both xx yy zz xy xz yz
}
