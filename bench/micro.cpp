// Force and neighbor-list kernels on the lj_melt system (32,000 atoms), per list kind;
// the single core's fused multiply-add peak (BM_FmaPeak, float and double), the
// yardstick for the NNIP kernels' GFLOP/s in bench/RESULTS.md; and the equivariant
// model's densest stage alone, the exact radial MLP over tiles of edges with its
// tangent (BM_EqRadialTile: issue 25's model, 8 -> 64 -> 160, 128 edges per tile).
//   build/bin/micro_bench [--benchmark_filter=...]   (OMP_NUM_THREADS sets threads)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "atomforge/potentials/nnip/equivariant/eq_radial.hpp"
#include "atomforge/src/deck.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/potential.hpp"

namespace {

struct Setup {
  af::Deck deck;
  af::Box box;
  af::Atoms atoms;
  std::unique_ptr<af::Potential> pot;
  af::NeighborList list;

  explicit Setup(af::ListKind kind) {
    const char* path = "/tmp/af_micro_bench.yaml";
    std::ofstream(path) << R"(units: lj
system:
  lattice: {style: fcc, density: 0.8442, repeat: [20, 20, 20], species: Ar}
  masses: {Ar: 1.0}
potential: {style: lj, cutoff: 2.5, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}]}
neighbor: {skin: 0.3}
stages: [{integrator: {style: nve}, steps: 0}]
)";
    deck = af::load_deck(path);
    std::remove(path);
    box = deck.structure.box;
    atoms = af::Atoms::from_structure(deck.structure);
    pot = deck.potential->create();
    list.setup(kind, pot->cutoff(), deck.neighbor);
    list.build(atoms, box, 0);
  }
};

const af::ListKind kKinds[] = {af::ListKind::Half, af::ListKind::Full, af::ListKind::Cluster};
const char* kNames[] = {"half", "full", "cluster"};

void BM_Force(benchmark::State& state) {
  Setup s(kKinds[state.range(0)]);
  af::ComputeFlags fl;
  fl.energy = fl.virial = state.range(1) != 0;
  for (auto _ : state) {
    auto ev = s.pot->compute(s.atoms, s.list, fl, af::DblView());
    Kokkos::fence();
    benchmark::DoNotOptimize(ev.e);
  }
  state.SetLabel(std::string(kNames[state.range(0)]) + (fl.energy ? " +energy/virial" : ""));
  state.counters["atoms/s"] = benchmark::Counter(double(s.atoms.nlocal), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Force)->ArgsProduct({{0, 1, 2}, {0, 1}})->Unit(benchmark::kMillisecond);

void BM_NeighborBuild(benchmark::State& state) {
  Setup s(kKinds[state.range(0)]);
  long step = 1;
  for (auto _ : state) {
    s.list.build(s.atoms, s.box, step++);
    Kokkos::fence();
  }
  state.SetLabel(kNames[state.range(0)]);
}
BENCHMARK(BM_NeighborBuild)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

// Peak FMA rate of one core: kChains independent vector accumulators (enough to hide
// the FMA latency on two FMA ports), each a = a * m + c per iteration; 2 FLOP per lane.
// 64-byte vectors (one AVX-512 register; GCC splits them where the target is narrower).
template <class T>
void BM_FmaPeak(benchmark::State& state) {
  constexpr int kLanes = 64 / sizeof(T), kChains = 16;
  typedef T Vec __attribute__((vector_size(64)));
  Vec acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Vec{} + T(c + 1) * T(1e-3);
  const Vec m = Vec{} + T(0.999999), a = Vec{} + T(1e-7);
  const long iters = 1L << 22;
  for (auto _ : state) {
    for (long k = 0; k < iters; ++k)  // without -ffast-math nothing folds across iterations
      for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * m + a;
    benchmark::DoNotOptimize(acc);
  }
  const double flop = 2.0 * kLanes * kChains * double(iters);
  state.counters["GFLOP/s"] = benchmark::Counter(flop * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_TEMPLATE(BM_FmaPeak, float)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_FmaPeak, double)->Unit(benchmark::kMillisecond);

template <class T>
void BM_EqRadialTile(benchmark::State& state) {
  using namespace af::nnip;
  using namespace af::nnip::kernels;
  EqLayout L;
  L.NB = 8, L.nrad = 2, L.rad_in[0] = 8, L.rad_in[1] = 64, L.rad_in[2] = 160, L.P = 5, L.C = 32, L.rc = 4.0;
  RadialPadded RP;
  RP.width = 64;
  RP.off[0][0] = 0, RP.off[0][1] = 8 * 64;
  Kokkos::View<T*, af::Device> w("w", 8 * 64 + 64 * 160);
  auto hw = Kokkos::create_mirror_view(w);
  for (int k = 0; k < static_cast<int>(hw.extent(0)); ++k) hw(k) = T(0.3) * T((k * 7919) % 201 - 100) / T(100);
  Kokkos::deep_copy(w, hw);
  constexpr int rows = 128, tiles = 512;
  const std::size_t bytes = sizeof(T) * (rows + 4 * rows * RP.width + 2 * rows * 160) + 256;
  Kokkos::TeamPolicy<af::ExecSpace> policy(tiles, 1);
  policy.set_scratch_size(1, Kokkos::PerTeam(bytes));
  using Team = Kokkos::TeamPolicy<af::ExecSpace>::member_type;
  for (auto _ : state) {
    Kokkos::parallel_for("bench::radial_tile", policy, KOKKOS_LAMBDA(const Team& team) {
      T* d = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * rows));
      T* work = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * 4 * rows * RP.width));
      T* out = static_cast<T*>(team.team_scratch(1).get_shmem(sizeof(T) * 2 * rows * 160));
      for (int e = 0; e < rows; ++e) d[e] = T(2.0 + 1.9 * e / rows + 1e-3 * team.league_rank());
      radial_tile(team, L, RP, w, 0, rows, rows, d, true, out, work);
    });
    Kokkos::fence();
  }
  // Multiply-adds of the values and the tangent rows through both layers (the basis and
  // SiLU not counted, as in bench/nnip_vs_torch.py's model count).
  const double flop = 2.0 * 2 * rows * tiles * (8 * 64 + 64 * 160);
  state.counters["GFLOP/s"] = benchmark::Counter(flop * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_TEMPLATE(BM_EqRadialTile, float)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_EqRadialTile, double)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  setenv("OMP_PROC_BIND", "false", 0);  // quiets Kokkos 3.4's warning; binding is unchanged
  Kokkos::ScopeGuard guard(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
