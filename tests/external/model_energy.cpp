// A neural potential through atomforge_nnip alone: the graph of the same 64-atom cell as
// single_point.cpp, built here by brute force over periodic images (each edge's sender
// is the image's owner), every node contributing; prints the energy and the forces
// F_i = sum over i's edges of dE/dr minus the same over the edges i sends.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <vector>

#include "atomforge/potentials/nnip/model.hpp"

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: model_energy MODEL.h5\n");
    return 2;
  }
  const double a = 5.431, L = 2 * a, basis[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                                                    {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
  std::vector<double> x;
  int n = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k)
        for (const auto& b : basis) {
          const double shake = 0.05 * ((n * 7919) % 13 - 6) / 6.0;
          x.insert(x.end(), {(i + b[0]) * a + shake, (j + b[1]) * a - 0.5 * shake, (k + b[2]) * a + 0.3 * shake});
          ++n;
        }
  try {
    af::nnip::ModelFile file(argv[1]);
    auto model = af::nnip::make_model(file);
    const double rc = model->cutoff();
    std::vector<int> offset = {0}, sender;
    std::vector<double> vec;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j)
        for (int p = -1; p <= 1; ++p)
          for (int q = -1; q <= 1; ++q)
            for (int r = -1; r <= 1; ++r) {
              const double d[3] = {x[3 * j] + p * L - x[3 * i], x[3 * j + 1] + q * L - x[3 * i + 1],
                                   x[3 * j + 2] + r * L - x[3 * i + 2]};
              const double d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
              if (d2 > 0 && d2 < rc * rc) {
                sender.push_back(j);
                vec.insert(vec.end(), d, d + 3);
              }
            }
      offset.push_back(static_cast<int>(sender.size()));
    }
    af::nnip::Graph g;
    g.nnodes = n;
    g.nedges = static_cast<int>(sender.size());
    g.offset = af::IntView("offset", n + 1);
    g.receiver = af::IntView("receiver", g.nedges);
    g.sender = af::IntView("sender", g.nedges);
    g.vec = af::VecView("vec", g.nedges);
    g.species = af::IntView("species", n);  // all Si: species 0 of the model
    auto ho = Kokkos::create_mirror_view(g.offset);
    auto hr = Kokkos::create_mirror_view(g.receiver);
    auto hs = Kokkos::create_mirror_view(g.sender);
    auto hv = Kokkos::create_mirror_view(g.vec);
    for (int i = 0; i <= n; ++i) ho(i) = offset[i];
    for (int i = 0; i < n; ++i) {
      g.max_degree = std::max(g.max_degree, offset[i + 1] - offset[i]);
      for (int e = offset[i]; e < offset[i + 1]; ++e) hr(e) = i;
    }
    for (int e = 0; e < g.nedges; ++e) {
      hs(e) = sender[e];
      for (int c = 0; c < 3; ++c) hv(e, c) = vec[3 * e + c];
    }
    Kokkos::deep_copy(g.offset, ho);
    Kokkos::deep_copy(g.receiver, hr);
    Kokkos::deep_copy(g.sender, hs);
    Kokkos::deep_copy(g.vec, hv);
    af::DblView energy("energy", n);
    af::VecView dedr("dedr", g.nedges);
    model->compute(g, energy, dedr);
    auto he = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), energy);
    auto hd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dedr);
    double total = 0;
    for (int i = 0; i < n; ++i) total += he(i);
    std::vector<double> f(3 * n, 0.0);
    for (int e = 0; e < g.nedges; ++e)
      for (int c = 0; c < 3; ++c) {
        f[3 * hr(e) + c] += hd(e, c);
        f[3 * hs(e) + c] -= hd(e, c);
      }
    std::printf("energy %.17g\n", total);
    for (int i = 0; i < n; ++i) std::printf("%.17g %.17g %.17g\n", f[3 * i], f[3 * i + 1], f[3 * i + 2]);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  }
  return 0;
}
