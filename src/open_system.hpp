// A potential evaluated on an open set of atoms of which only some contribute: a LAMMPS
// rank's locals among its ghosts, a KIM simulator's contributing particles among its
// padding. The energy is the contributing atoms' (their per-atom energies summed); forces
// land on every atom (the caller returns those on ghost copies to their owners), so the
// results summed over ranks are the whole system's, exactly, for any decomposition.
// Ghost copies must reach ghost_depth() beyond the contributing atoms.
//
//   auto os = af::OpenSystem::load("model.yaml", {"Si", "C"}, "metal");
//   af::OpenSystem::Result r = os->compute(n, x, type, contributing, f, eatom, nullptr, {});
//
// Neural potentials: one graph of every atom (edges within r_c), non-contributing nodes
// computed but not counted; ghosts to the receptive field. Classic potentials: the atoms
// as local atoms of an open af::Atoms with ComputeFlags::contributing; ghosts one cutoff.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace af {

class Potential;
namespace nnip {
class NodeExchange;
}

class OpenSystem {
 public:
  // path: a YAML file holding a deck's potential section, or a mapping with a `potential:`
  // key; species: the caller's type names (type k = species[k]); units: lj | metal |
  // real. Errors (af::InputError, std::runtime_error) carry one line naming the problem.
  static std::unique_ptr<OpenSystem> load(const std::string& path, const std::vector<std::string>& species,
                                          const std::string& units);
  ~OpenSystem();

  bool neural() const;
  const std::string& style() const;
  double cutoff() const;       // interaction cutoff r_c
  double ghost_depth() const;  // receptive field (neural) or r_c (classic)
  // Exchange mode (Request::exchange): a neural model computed block by block, its node
  // features sent to ghosts one cutoff deep after every block and gradient sums returned;
  // classic potentials need no exchange (ghosts r_c deep already) and compute as without one.
  bool has_exchange() const;
  int exchange_width() const;  // the widest per-atom row the exchange carries (0: none)

  struct Request {
    bool energy = true, virial = true, per_atom_energy = false, per_atom_virial = false;
    // Pairs are found within cutoff + skin and kept: same_atoms promises the same atoms in
    // the same order as the previous call, none moved more than skin/2 since the pairs
    // were found (LAMMPS: no re-neighboring since); then only positions are sent.
    bool same_atoms = false;
    double skin = 0;
    // Exchange mode: the contributing atoms come first (a LAMMPS rank's locals), the rest
    // are ghost copies at least cutoff() + skin deep whose rows `exchange` fills from
    // their owners and sums back into them (nnip::NodeExchange). Null: ghost mode
    // (ghosts ghost_depth() deep).
    nnip::NodeExchange* exchange = nullptr;
  };
  struct Result {
    double energy = 0;                 // the contributing atoms' energy
    double virial[6] = {0, 0, 0, 0, 0, 0};  // sum over this set's terms of r (x) f: xx yy zz xy xz yz
  };
  // Whether per-atom virials are available: neural potentials (each edge's half to each
  // end) and the classic ones whose kernels tally them (LAMMPS's split: pair terms half to
  // each end, triplets a third to each atom) — all of atomforge's.
  bool has_per_atom_virial() const;
  // n atoms: x (3 per atom, contiguous), type (the caller's type index), contributing (1/0).
  // Adds forces into f (3 per atom) and, when requested, per-atom energies into eatom (n)
  // and per-atom virials into vatom (6 per atom, as virial; throws where
  // !has_per_atom_virial()). Storage is kept between calls.
  Result compute(int n, const double* x, const int* type, const int* contributing, double* f, double* eatom,
                 double* vatom, const Request& request);

 private:
  OpenSystem();
  struct Neural;
  struct Classic;
  Result compute_neural(int n, const double* x, const int* type, const int* contributing, double* f, double* eatom,
                        double* vatom, const Request& request);
  Result compute_classic(int n, const double* x, const int* type, const int* contributing, double* f, double* eatom,
                         double* vatom, const Request& request);
  Result evaluate_classic(int n, double* f, double* eatom, double* vatom, const Request& request);
  std::unique_ptr<Potential> potential_;
  std::string style_;
  std::vector<int> model_species_;  // neural: caller's type -> model species index
  double cutoff_ = 0, ghost_depth_ = 0;
  int pairs_n_ = -1;  // atoms when candidate pairs were last found (-1: never)
  bool reuse_pairs(int n, const Request& request);
  std::shared_ptr<Neural> neural_;  // (shared_ptr: each part complete only in its own .cpp)
  std::shared_ptr<Classic> classic_;
};

}  // namespace af
