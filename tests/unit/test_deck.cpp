#include <gtest/gtest.h>

#include "test_support.hpp"

namespace {

std::string error_of(const std::string& text, const std::string& name) {
  try {
    af::load_deck(aft::write_file(name, text));
  } catch (const af::InputError& e) {
    return e.what();
  }
  return "";
}

const char* kGood = R"(units: lj
system:
  lattice: {style: fcc, density: 0.8442, repeat: [2, 2, 2], species: Ar}
  masses: {Ar: 1.0}
potential: {style: lj, cutoff: 2.5, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}]}
stages:
  - {name: a, integrator: {style: nve, timestep: 0.005}, steps: 10}
  - {name: b, integrator: {style: langevin, timestep: 0.002, temperature: {start: 1.0, stop: 2.0}, damping: 0.5}, steps: 5}
)";

}  // namespace

TEST(Deck, ParsesAndFillsDefaults) {
  const af::Deck d = af::load_deck(aft::write_file("good.yaml", kGood));
  EXPECT_EQ(d.structure.natoms(), 32u);
  EXPECT_EQ(d.stages.size(), 2u);
  EXPECT_EQ(d.total_steps(), 15);
  EXPECT_DOUBLE_EQ(d.stages[1].integrator->timestep(), 0.002);
  EXPECT_DOUBLE_EQ(d.neighbor.skin, 0.3);
  EXPECT_NEAR(d.structure.box.lx(), 2 * std::cbrt(4 / 0.8442), 1e-12);
}

TEST(Deck, UnknownKeyNamesLineColumnAndSuggestion) {
  std::string t = kGood;
  t.replace(t.find("steps: 10"), 9, "stpes: 10");
  const std::string e = error_of(t, "typo.yaml");
  EXPECT_NE(e.find("typo.yaml:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'steps'"), std::string::npos) << e;
}

TEST(Deck, Errors) {
  struct C {
    std::string from, to, expect;
  } cases[] = {
      {"timestep: 0.005", "timestep: -0.005", "must be positive"},
      {"species: [Ar, Ar]", "species: [Ar, Kr]", "unknown species 'Kr'"},
      {"style: nve", "style: nev", "did you mean 'nve'"},
      {"cutoff: 2.5", "cutoff: two", "expected a number"},
      {"units: lj", "units: si", "unknown units"},
      {"repeat: [2, 2, 2]", "repeat: [2, 2]", "three integers"},
  };
  for (const auto& c : cases) {
    std::string t = kGood;
    t.replace(t.find(c.from), c.from.size(), c.to);
    const std::string e = error_of(t, "bad.yaml");
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.to << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
    EXPECT_EQ(e.rfind(aft::temp_path("bad.yaml:"), 0), 0u) << e;
  }
}

TEST(Deck, DidYouMean) {
  EXPECT_EQ(af::did_you_mean("stpes", {"steps", "name", "integrator"}), "steps");
  EXPECT_EQ(af::did_you_mean("zzzzzz", {"steps", "name"}), "");
}
