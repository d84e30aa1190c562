// The run as a library call: a deck held in memory, run_simulation with an observer that
// counts what the run reports and asks it to stop; nothing printed, no signal handler.
#include <gtest/gtest.h>

#include <vector>

#include "atomforge/src/simulation.hpp"
#include "test_support.hpp"

namespace {

struct Recorder final : af::RunObserver {
  long natoms = 0, steps_total = 0, last_progress = 0, stop_after = -1;
  std::vector<long> thermo_steps, frame_steps, checkpoint_steps;
  void started(long n, long total, const af::Potential&, const af::NeighborList&) override {
    natoms = n;
    steps_total = total;
  }
  void thermo(const af::ThermoRow& row, bool) override { thermo_steps.push_back(row.step); }
  void progress(long done) override { last_progress = done; }
  void frame(long step) override { frame_steps.push_back(step); }
  void checkpoint(long step, const std::string&) override { checkpoint_steps.push_back(step); }
  bool stop_requested() override { return stop_after >= 0 && last_progress >= stop_after; }
};

std::string deck_text() {
  const std::string dir = aft::temp_path("");
  return "units: lj\nseed: 3\n"
         "system:\n  lattice: {style: fcc, density: 0.8442, repeat: [4, 4, 4], species: Ar}\n"
         "  masses: {Ar: 1.0}\n  velocities: {temperature: 1.44}\n"
         "potential: {style: lj, cutoff: 2.5, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}]}\n"
         "stages: [{name: md, integrator: {style: nve, timestep: 0.005}, steps: 50}]\n"
         "output:\n  thermo: {every: 10}\n"
         "  trajectory: {every: 20, file: " + dir + "sim.h5md}\n"
         "  checkpoint: {every: 25, file: " + dir + "sim.ckpt.h5}\n";
}

}  // namespace

TEST(Simulation, RunsADeckFromTextWithAnObserver) {
  const af::Deck deck = af::load_deck_text(deck_text(), "in-memory");
  Recorder r;
  const af::RunResult res = af::run_simulation(deck, af::RunOptions{}, r);
  EXPECT_EQ(res.end, af::RunResult::End::Completed);
  EXPECT_EQ(res.step, 50);
  EXPECT_EQ(r.natoms, 256);
  EXPECT_EQ(r.steps_total, 50);
  EXPECT_EQ(r.thermo_steps, (std::vector<long>{0, 10, 20, 30, 40, 50}));
  EXPECT_EQ(r.frame_steps, (std::vector<long>{0, 20, 40}));
  EXPECT_EQ(r.checkpoint_steps, (std::vector<long>{25, 50}));
}

TEST(Simulation, StopsWhenTheObserverAsks) {
  const af::Deck deck = af::load_deck_text(deck_text(), "in-memory");
  Recorder r;
  r.stop_after = 13;
  const af::RunResult res = af::run_simulation(deck, af::RunOptions{}, r);
  EXPECT_EQ(res.end, af::RunResult::End::Stopped);
  EXPECT_EQ(res.step, 13);
  // The stop records its step everywhere: a thermo row, a last frame and a checkpoint.
  EXPECT_EQ(r.thermo_steps.back(), 13);
  EXPECT_EQ(r.frame_steps.back(), 13);
  EXPECT_EQ(r.checkpoint_steps.back(), 13);
}

TEST(Simulation, DeckTextErrorsNameTheGivenName) {
  try {
    af::load_deck_text("units: lj\nsystem: {lattice: {style: fcc, density: 0.8, repeat: [2, 2, 2], species: Ar}}\n"
                       "potential: {style: lj, cutof: 2.5}\nstages: [{integrator: {style: nve}, steps: 1}]\n",
                       "my-deck");
    FAIL() << "no error";
  } catch (const af::InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("my-deck:3:", 0), 0u) << e.what();
  }
}
