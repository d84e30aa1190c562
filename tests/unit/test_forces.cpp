// Forces and virial against central finite differences of the energy.
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace {

const char* kLJ = R"(units: metal
system: {read: DATA, species: [A, B], masses: {A: 20.0, B: 40.0}}
potential:
  style: lj
  cutoff: 6.0
  shift: SHIFT
  pairs:
    - {species: [A, A], epsilon: 0.0104, sigma: 3.4}
    - {species: [B, B], epsilon: 0.02, sigma: 3.0, cutoff: 5.0}
    - {species: [A, B], epsilon: 0.015, sigma: 3.2, cutoff: 5.5}
neighbor: {skin: 1.0}
stages: [{integrator: {style: nve}, steps: 0}]
)";

const char* kMorse = R"(units: metal
system: {read: DATA, species: [A, B], masses: {A: 20.0, B: 40.0}}
potential:
  style: morse
  cutoff: 6.0
  shift: SHIFT
  pairs:
    - {species: [A, A], d0: 0.3, alpha: 1.4, r0: 3.0}
    - {species: [B, B], d0: 0.5, alpha: 1.2, r0: 3.3, cutoff: 5.5}
    - {species: [A, B], d0: 0.4, alpha: 1.3, r0: 3.1}
neighbor: {skin: 1.0}
stages: [{integrator: {style: nve}, steps: 0}]
)";

std::string make_deck(const char* tmpl, const std::string& data, bool shift, const std::string& name) {
  std::string s = tmpl;
  s.replace(s.find("DATA"), 4, data);
  s.replace(s.find("SHIFT"), 5, shift ? "true" : "false");
  return aft::write_file(name, s);
}

void check_forces_and_virial(const std::string& deck) {
  aft::System sys(deck);
  const af::EnergyVirial ev = sys.compute();
  const auto f = sys.host(sys.atoms.f);
  const auto x0 = sys.host(sys.atoms.x);
  const double h = 1e-5;
  double fmax = 0, err = 0;
  for (double v : f) fmax = std::max(fmax, std::fabs(v));
  for (int i = 0; i < sys.atoms.nlocal; ++i)
    for (int k = 0; k < 3; ++k) {
      auto x = x0;
      x[3 * i + k] = x0[3 * i + k] + h;
      sys.set_positions(x);
      const double ep = sys.compute().e;
      x[3 * i + k] = x0[3 * i + k] - h;
      sys.set_positions(x);
      const double em = sys.compute().e;
      const double fd = -(ep - em) / (2 * h);
      err = std::max(err, std::fabs(fd - f[3 * i + k]));
    }
  sys.set_positions(x0);
  EXPECT_GT(fmax, 0.01);
  EXPECT_LT(err / fmax, 1e-6) << "max |F_fd - F| = " << err << ", max |F| = " << fmax;

  // Virial: dE/d(eps_ab) = -W_ab for the deformation x -> (I + eps) x, box likewise.
  // Upper-triangular strains keep the restricted triclinic form; W is symmetric.
  const int comp[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  const af::Box box0 = sys.box;
  const double eps = 1e-6;
  double wmax = 0;
  for (double w : ev.v) wmax = std::max(wmax, std::fabs(w));
  for (int c = 0; c < 6; ++c) {
    double e[2];
    for (int s = 0; s < 2; ++s) {
      const double d = s == 0 ? eps : -eps;
      const int a = comp[c][0], b = comp[c][1];
      auto x = x0;
      for (int i = 0; i < sys.atoms.nlocal; ++i) x[3 * i + a] += d * x0[3 * i + b];
      sys.box = box0;
      for (int col = 0; col < 3; ++col) sys.box.h[a][col] += d * box0.h[b][col];
      sys.box.update_inverse();
      sys.set_positions(x);
      e[s] = sys.compute().e;
    }
    const double w_fd = -(e[0] - e[1]) / (2 * eps);
    EXPECT_LT(std::fabs(w_fd - ev.v[c]) / wmax, 1e-6) << "virial component " << c << ": fd " << w_fd << " vs " << ev.v[c];
  }
  // Pressure: the virial part equals -dE/dV under isotropic scaling.
  double e[2];
  const double vol0 = box0.volume();
  double vols[2];
  for (int s = 0; s < 2; ++s) {
    const double d = s == 0 ? eps : -eps;
    auto x = x0;
    for (double& v : x) v *= 1 + d;
    sys.box = box0;
    for (int r = 0; r < 3; ++r)
      for (int col = 0; col < 3; ++col) sys.box.h[r][col] *= 1 + d;
    sys.box.update_inverse();
    vols[s] = sys.box.volume();
    sys.set_positions(x);
    e[s] = sys.compute().e;
  }
  const double dEdV = (e[0] - e[1]) / (vols[0] - vols[1]);
  const double p_virial = (ev.v[0] + ev.v[1] + ev.v[2]) / (3 * vol0);
  EXPECT_LT(std::fabs(-dEdV - p_virial) / std::fabs(p_virial), 1e-6) << "-dE/dV " << -dEdV << " vs " << p_virial;
}

}  // namespace

TEST(Forces, LJTriclinicTwoSpeciesFiniteDifferences) {
  const auto data = aft::random_data_file("lj.data", 40, 12.0, 2.0, -1.5, 1.0, 2.5, 42);
  check_forces_and_virial(make_deck(kLJ, data, false, "lj.yaml"));
  check_forces_and_virial(make_deck(kLJ, data, true, "lj_shift.yaml"));
}

TEST(Forces, MorseTriclinicTwoSpeciesFiniteDifferences) {
  const auto data = aft::random_data_file("morse.data", 40, 12.0, -2.5, 1.0, 0.5, 2.4, 7);
  check_forces_and_virial(make_deck(kMorse, data, false, "morse.yaml"));
  check_forces_and_virial(make_deck(kMorse, data, true, "morse_shift.yaml"));
}

const char* kEam = R"(units: metal
system: {read: DATA, species: [A, B], masses: {A: 28.0, B: 12.0}}
potential: POTENTIAL
neighbor: {skin: 1.0}
stages: [{integrator: {style: nve}, steps: 0}]
)";

std::string eam_deck(const std::string& data, const std::string& potential, const std::string& name) {
  std::string s = kEam;
  s.replace(s.find("DATA"), 4, data);
  s.replace(s.find("POTENTIAL"), 9, potential);
  return aft::write_file(name, s);
}

TEST(Forces, EamFlavoursFiniteDifferences) {
  const auto data = aft::random_data_file("eam.data", 50, 11.0, 1.5, -1.0, 0.8, 2.1, 21);
  check_forces_and_virial(eam_deck(data, "{style: eam, files: {A: Cu_u3.eam, B: Ni_u3.eam}}", "eam.yaml"));
  check_forces_and_virial(eam_deck(data, "{style: eam/alloy, file: NiAlH_jea.eam.alloy, species: [Ni, Al]}", "alloy.yaml"));
  check_forces_and_virial(eam_deck(data, "{style: eam/fs, file: AlFe_mm.eam.fs, species: [Fe, Al]}", "fs.yaml"));
}

TEST(Forces, ThreeBodyFiniteDifferences) {
  const auto data = aft::random_data_file("threebody.data", 45, 10.5, 1.2, -0.8, 0.6, 2.0, 31);
  check_forces_and_virial(eam_deck(data, "{style: sw, file: Si.sw, species: [Si, Si]}", "sw.yaml"));
  check_forces_and_virial(eam_deck(data, "{style: tersoff, file: SiC.tersoff, species: [Si, C]}", "tersoff.yaml"));
  check_forces_and_virial(eam_deck(data, "{style: tersoff, file: Si.tersoff, species: [Si, Si]}", "tersoff_si.yaml"));
}

TEST(Forces, SmallCellEqualsReplicatedCell) {
  // Cutoff larger than the cell: energy per atom of a 2-atom cell equals that of its
  // 3x3x3 replica (neighbors are periodic images, never minimum images).
  const char* small = R"(units: lj
system:
  lattice: {style: bcc, a: 1.6, repeat: [1, 1, 1], species: Ar}
  masses: {Ar: 1.0}
potential: {style: lj, cutoff: 3.5, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}]}
stages: [{integrator: {style: nve}, steps: 0}]
)";
  std::string big = small;
  big.replace(big.find("[1, 1, 1]"), 9, "[3, 3, 3]");
  aft::System a(aft::write_file("small.yaml", small));
  aft::System b(aft::write_file("big.yaml", big));
  const double ea = a.compute().e / a.atoms.nlocal, eb = b.compute().e / b.atoms.nlocal;
  EXPECT_NEAR(ea, eb, 1e-12 * std::fabs(eb));
}

namespace {

// Energy, virial and forces from one list kind.
struct Result {
  double e;
  double v[6];
  std::vector<double> f;
};

Result evaluate(const std::string& deck_path, af::ListKind kind) {
  af::Deck deck = af::load_deck(deck_path);
  af::Box box = deck.structure.box;
  af::Atoms atoms = af::Atoms::from_structure(deck.structure);
  auto pot = deck.potential->create();
  af::NeighborList list;
  deck.neighbor.sort_every = 0;  // keep atom order so forces compare index by index
  list.setup(kind, pot->cutoff(), deck.neighbor);
  list.build(atoms, box, 0);
  const af::EnergyVirial ev = pot->compute(atoms, list, af::ComputeFlags{}, af::DblView());
  Result r{ev.e, {}, {}};
  for (int k = 0; k < 6; ++k) r.v[k] = ev.v[k];
  auto f = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atoms.f);
  for (int i = 0; i < atoms.nlocal; ++i)
    for (int k = 0; k < 3; ++k) r.f.push_back(f(i, k));
  return r;
}

void expect_same(const Result& a, const Result& b, const std::string& what) {
  EXPECT_NEAR(a.e, b.e, 1e-11 * std::fabs(b.e)) << what;
  double vmax = 0, fmax = 0, verr = 0, ferr = 0;
  for (int k = 0; k < 6; ++k) {
    vmax = std::max(vmax, std::fabs(b.v[k]));
    verr = std::max(verr, std::fabs(a.v[k] - b.v[k]));
  }
  for (std::size_t i = 0; i < b.f.size(); ++i) {
    fmax = std::max(fmax, std::fabs(b.f[i]));
    ferr = std::max(ferr, std::fabs(a.f[i] - b.f[i]));
  }
  EXPECT_LE(verr, 1e-11 * std::max(vmax, 1.0)) << what;
  EXPECT_LE(ferr, 1e-11 * std::max(fmax, 1.0)) << what;  // one-atom cells have zero forces
}

}  // namespace

TEST(Forces, ClusterListsMatchAtomLists) {
  // Multi-species (lane-by-lane physics), one species (vector physics), tiny cells and
  // a slab that is not periodic along z.
  std::vector<std::string> decks;
  const auto mixed = aft::random_data_file("mix.data", 120, 14.0, 3.0, -2.0, 1.5, 2.2, 5);
  decks.push_back(make_deck(kLJ, mixed, true, "mix_lj.yaml"));
  decks.push_back(make_deck(kMorse, mixed, false, "mix_morse.yaml"));
  decks.push_back(eam_deck(mixed, "{style: eam/alloy, file: NiAlH_jea.eam.alloy, species: [Ni, Al]}", "mix_eam.yaml"));
  decks.push_back(eam_deck(mixed, "{style: sw, file: Si.sw, species: [Si, Si]}", "mix_sw.yaml"));
  decks.push_back(eam_deck(mixed, "{style: tersoff, file: SiC.tersoff, species: [Si, C]}", "mix_tersoff.yaml"));
  const char* single = R"(units: lj
system: {read: DATA, species: [Ar], masses: {Ar: 1.0}, boundary: BOUNDARY}
potential: {style: POT, cutoff: 2.5, pairs: [{species: [Ar, Ar], PARAMS}]}
neighbor: {skin: 0.4}
stages: [{integrator: {style: nve}, steps: 0}]
)";
  struct V {
    const char* style;
    double a;
    int n;
    const char *boundary, *pot, *params;
  } variants[] = {
      {"fcc", 1.6, 5, "[p, p, p]", "lj", "epsilon: 1.0, sigma: 1.0"},
      {"bcc", 1.6, 1, "[p, p, p]", "lj", "epsilon: 1.0, sigma: 1.0"},
      {"sc", 1.1, 1, "[p, p, p]", "morse", "d0: 1.0, alpha: 2.0, r0: 1.1"},
      {"diamond", 2.2, 3, "[p, p, f]", "lj", "epsilon: 1.0, sigma: 0.9"},
      {"fcc", 1.6, 3, "[f, f, f]", "morse", "d0: 1.0, alpha: 2.0, r0: 1.1"},
  };
  int k = 0;
  for (const auto& v : variants) {
    std::string t = single;
    auto put = [&](const std::string& key, const std::string& val) { t.replace(t.find(key), key.size(), val); };
    put("DATA", aft::lattice_data_file("lat" + std::to_string(k) + ".data", v.style, v.a, v.n, 0.08, 100 + k));
    put("BOUNDARY", v.boundary);
    put("POT", v.pot);
    put("PARAMS", v.params);
    decks.push_back(aft::write_file("single" + std::to_string(k++) + ".yaml", t));
  }
  for (const auto& d : decks) {
    const Result full = evaluate(d, af::ListKind::Full);
    if (af::load_deck(d).potential->needs_full_list()) continue;  // three-body: full lists only
    const Result half = evaluate(d, af::ListKind::Half);
    expect_same(full, half, d + " full vs half");
    if (af::load_deck(d).potential->pairwise()) expect_same(evaluate(d, af::ListKind::Cluster), half, d + " cluster vs half");
  }
}
