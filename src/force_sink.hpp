// The engine's one force-scatter mechanism: where a kernel puts forces (and per-atom
// energies) on atoms other than the one a thread works on. The pair driver's half-list
// kernel, the many-body kernels and the NNIP scatter all use it. Host backends: per-thread
// copies (no atomics; summed after the kernel), or the arrays themselves when one thread
// runs; devices: atomics. Ghost rows are folded into their owners at the end.
#pragma once
#include <type_traits>

#include "atomforge/src/neighbor.hpp"

namespace af {

struct ForceSink {
  using Copies3 = Kokkos::View<double***, Kokkos::LayoutRight, Device>;
  using Copies1 = Kokkos::View<double**, Kokkos::LayoutRight, Device>;
  struct NoToken {
    KOKKOS_INLINE_FUNCTION int acquire() const { return 0; }
    KOKKOS_INLINE_FUNCTION void release(int) const {}
  };
  using Token = std::conditional_t<kHostExec, Kokkos::Experimental::UniqueToken<ExecSpace>, NoToken>;

  Copies3 fc;  // host: (thread, atom, xyz)
  Copies1 ec;  // host: (thread, atom)
  VecView f;   // device targets
  DblView e;
  Token token;

  struct Slot {
    int t;
    double* f;
    double* e;
  };
  KOKKOS_INLINE_FUNCTION Slot open() const {
    if constexpr (kHostExec) {
      const int t = token.acquire();
      const int c = fc.extent(0) == 1 || ec.extent(0) == 1 ? 0 : t;  // one copy: the arrays themselves
      return {t, fc.extent(0) ? &fc(c, 0, 0) : nullptr, ec.extent(0) ? &ec(c, 0) : nullptr};
    } else {
      return {0, nullptr, nullptr};
    }
  }
  KOKKOS_INLINE_FUNCTION void close(const Slot& s) const { token.release(s.t); }
  KOKKOS_INLINE_FUNCTION void force(const Slot& s, int j, double fx, double fy, double fz) const {
    if constexpr (kHostExec) {
      s.f[3 * j] += fx;
      s.f[3 * j + 1] += fy;
      s.f[3 * j + 2] += fz;
    } else {
      Kokkos::atomic_add(&f(j, 0), fx);
      Kokkos::atomic_add(&f(j, 1), fy);
      Kokkos::atomic_add(&f(j, 2), fz);
    }
  }
  KOKKOS_INLINE_FUNCTION void energy(const Slot& s, int j, double v) const {
    if constexpr (kHostExec) {
      s.e[j] += v;
    } else {
      Kokkos::atomic_add(&e(j), v);
    }
  }
};

// Per-atom virials of many-body kernels (ComputeFlags::virial_atom), LAMMPS's split: a
// pair term's r (x) f half to each end, a triplet's thirds to its three atoms. Atomics:
// they are asked for rarely (compute stress/atom) and only where there are no ghost rows
// to fold (open systems). Empty: off.
struct AtomVirials {
  Kokkos::View<double* [6], Device> v;
  KOKKOS_INLINE_FUNCTION bool on() const { return v.extent(0) > 0; }
  // s (a (x) fa + b (x) fb) into atom i (b, fb may be null).
  KOKKOS_INLINE_FUNCTION void add(int i, double s, const double* a, const double* fa, const double* b = nullptr,
                                  const double* fb = nullptr) const {
    double w[6] = {a[0] * fa[0], a[1] * fa[1], a[2] * fa[2], a[0] * fa[1], a[0] * fa[2], a[1] * fa[2]};
    if (b) {
      w[0] += b[0] * fb[0];
      w[1] += b[1] * fb[1];
      w[2] += b[2] * fb[2];
      w[3] += b[0] * fb[1];
      w[4] += b[0] * fb[2];
      w[5] += b[1] * fb[2];
    }
    for (int k = 0; k < 6; ++k) Kokkos::atomic_add(&v(i, k), s * w[k]);
  }
};

// Zeroes rows [0, nlocal) of v (a ComputeFlags::virial_atom; nothing if empty) before a
// kernel adds into them through AtomVirials; throws where atoms has ghost rows.
void zero_atom_virials(const Atoms& atoms, const Kokkos::View<double* [6], Device>& v);

// Owns the per-thread copies between steps (allocated once, not per step).
class ForceSinkOwner {
 public:
  // Zeroes what the kernel adds into: rows [0, n) of f and e (either may be empty: a
  // sink of forces only, or of per-atom sums only, e.g. EAM densities), or their thread
  // copies. Returns the sink. exclusive: no row is touched by two threads (a structure
  // batch: each structure's rows belong to the thread visiting it), so the host threads
  // add into the arrays themselves.
  ForceSink begin(const VecView& f, const DblView& e, int n, bool exclusive = false);
  // Sets rows [0, n) of f and e to the sums of the thread copies.
  void end(const VecView& f, const DblView& e, int n) const;
  // atoms.f and eatom (if given) over locals and ghosts; end folds ghost rows into owners.
  ForceSink begin(Atoms& atoms, const DblView& eatom, bool exclusive = false) {
    return begin(atoms.f, eatom, atoms.nall(), exclusive);
  }
  void end(Atoms& atoms, const NeighborList& list, const DblView& eatom);

 private:
  ForceSink::Copies3 fc_;
  ForceSink::Copies1 ec_;
  bool with_forces_ = false, with_energy_ = false;
  int copies_ = 0;  // thread copies in use (0: devices; 1: the arrays themselves)
};

}  // namespace af
