// Force and neighbor-list kernels on the lj_melt system (32,000 atoms), per list kind;
// and the single core's fused multiply-add peak (BM_FmaPeak, float and double), the
// yardstick for the NNIP kernels' GFLOP/s in bench/RESULTS.md.
//   build/bin/micro_bench [--benchmark_filter=...]   (OMP_NUM_THREADS sets threads)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

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

}  // namespace

int main(int argc, char** argv) {
  setenv("OMP_PROC_BIND", "false", 0);  // quiets Kokkos 3.4's warning; binding is unchanged
  Kokkos::ScopeGuard guard(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
