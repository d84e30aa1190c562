#include "atomforge/src/atoms.hpp"

#include "atomforge/src/potential.hpp"

namespace af {

Atoms Atoms::from_structure(const Structure& s) {
  Atoms a;
  const int n = static_cast<int>(s.natoms());
  a.nlocal = n;
  a.species = s.species;
  a.mass_host = s.masses;
  a.x = VecView("x", n);
  a.v = VecView("v", n);
  a.f = VecView("f", n);
  a.type = IntView("type", n);
  a.id = IdView("id", n);
  a.image = Int3View("image", n);
  a.mass = DblView("mass", s.ntypes());
  auto hx = Kokkos::create_mirror_view(a.x);
  auto hv = Kokkos::create_mirror_view(a.v);
  auto ht = Kokkos::create_mirror_view(a.type);
  auto hid = Kokkos::create_mirror_view(a.id);
  auto him = Kokkos::create_mirror_view(a.image);
  auto hm = Kokkos::create_mirror_view(a.mass);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      hx(i, k) = s.x[3 * i + k];
      hv(i, k) = s.v.empty() ? 0.0 : s.v[3 * i + k];
      him(i, k) = s.image.empty() ? 0 : s.image[3 * i + k];
    }
    ht(i) = s.type[i];
    hid(i) = s.id[i];
  }
  for (int t = 0; t < s.ntypes(); ++t) hm(t) = s.masses[t];
  Kokkos::deep_copy(a.x, hx);
  Kokkos::deep_copy(a.v, hv);
  Kokkos::deep_copy(a.type, ht);
  Kokkos::deep_copy(a.id, hid);
  Kokkos::deep_copy(a.image, him);
  Kokkos::deep_copy(a.mass, hm);
  return a;
}

Structure Atoms::to_structure(const Box& box) const {
  Structure s;
  s.box = box;
  s.species = species;
  s.masses = mass_host;
  const int n = nlocal;
  auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
  auto hv = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  auto ht = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), type);
  auto hid = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), id);
  auto him = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), image);
  s.x.resize(3 * n);
  s.v.resize(3 * n);
  s.image.resize(3 * n);
  s.type.resize(n);
  s.id.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) {
      s.x[3 * i + k] = hx(i, k);
      s.v[3 * i + k] = hv(i, k);
      s.image[3 * i + k] = him(i, k);
    }
    s.type[i] = ht(i);
    s.id[i] = hid(i);
  }
  return s;
}

void Atoms::reserve_ghosts(int n) {
  const std::size_t need = static_cast<std::size_t>(nlocal) + n;
  if (x.extent(0) < need) {
    const std::size_t cap = need + need / 8 + 16;
    Kokkos::resize(x, cap);
    Kokkos::resize(type, cap);
  }
  if (f.extent(0) < need) Kokkos::resize(f, x.extent(0));
}

void Atoms::permute(const IntView& perm) {
  const int n = nlocal;
  VecView x2("x", x.extent(0)), v2("v", v.extent(0));
  IntView t2("type", type.extent(0));
  IdView id2("id", n);
  Int3View im2("image", n);
  auto X = x, V = v;
  auto T = type;
  auto ID = id;
  auto IM = image;
  Kokkos::parallel_for(
      "atoms::permute", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
        const int o = perm(i);
        for (int k = 0; k < 3; ++k) {
          x2(i, k) = X(o, k);
          v2(i, k) = V(o, k);
          im2(i, k) = IM(o, k);
        }
        t2(i) = T(o);
        id2(i) = ID(o);
      });
  x = x2;
  v = v2;
  type = t2;
  id = id2;
  image = im2;
}

double Atoms::kinetic_energy(double mvv2e) const {
  double ke = 0;
  auto V = v;
  auto T = type;
  auto M = mass;
  Kokkos::parallel_reduce(
      "atoms::ke", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
      KOKKOS_LAMBDA(const int i, double& sum) {
        sum += M(T(i)) * (V(i, 0) * V(i, 0) + V(i, 1) * V(i, 1) + V(i, 2) * V(i, 2));
      },
      ke);
  return 0.5 * mvv2e * ke;
}

}  // namespace af

namespace af {

void Atoms::kinetic_tensor(double mvv2e, double t[6]) const {
  auto V = v;
  auto T = type;
  auto M = mass;
  EnergyVirial k;  // its six virial slots serve as the tensor
  Kokkos::parallel_reduce(
      "atoms::ke_tensor", Kokkos::RangePolicy<ExecSpace>(0, nlocal),
      KOKKOS_LAMBDA(const int i, EnergyVirial& acc) {
        const double m = M(T(i));
        acc.v[0] += m * V(i, 0) * V(i, 0);
        acc.v[1] += m * V(i, 1) * V(i, 1);
        acc.v[2] += m * V(i, 2) * V(i, 2);
        acc.v[3] += m * V(i, 0) * V(i, 1);
        acc.v[4] += m * V(i, 0) * V(i, 2);
        acc.v[5] += m * V(i, 1) * V(i, 2);
      },
      k);
  for (int c = 0; c < 6; ++c) t[c] = mvv2e * k.v[c];
}

}  // namespace af
