// The run description: a YAML deck parsed once, fully validated, into typed structs
// with every default filled. Nothing is created on disk while parsing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "atomforge/src/guards.hpp"

#include "atomforge/src/analysis.hpp"
#include "atomforge/src/minimize.hpp"
#include "atomforge/src/neighbor.hpp"
#include "atomforge/src/registry.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct VelocitySpec {
  bool create = false;
  double temperature = 0;
  std::uint64_t seed = 0;
};

struct StageSpec {
  std::string name;
  std::string style;
  std::shared_ptr<const IntegratorSpec> integrator;  // MD stages
  long steps = 0;
  bool minimize = false;                             // minimisation stages
  MinimizeSettings min;
};

struct ThermoOutput {
  long every = 0;     // 0: first and last step of each stage only
  std::string file;   // CSV; empty = screen only
};

struct TrajectoryOutput {
  long every = 0;     // 0: no trajectory
  std::string file;
  bool position = true, velocity = false, force = false, image = false, energy = false;
};

// A text trajectory (LAMMPS dump custom, extended XYZ): every N steps to one file.
struct FrameFileOutput {
  long every = 0;  // 0: off
  std::string file;
};

struct Deck {
  std::string path;
  std::string text;  // the deck as written, stored in outputs for provenance
  Units units;
  std::uint64_t seed = 0;
  Structure structure;
  VelocitySpec velocities;
  std::string potential_style;
  std::shared_ptr<const PotentialSpec> potential;
  NeighborSettings neighbor;
  std::vector<StageSpec> stages;
  ThermoOutput thermo;
  TrajectoryOutput trajectory;
  FrameFileOutput dump, extxyz, checkpoint;
  GuardSettings guards;
  std::vector<int> deck_masses;  // types whose mass system.masses gave
  AnalysisSettings analysis;
  std::vector<std::string> warnings;  // one line each ("file:line:col: ..."); the caller prints them
  std::vector<std::string> notes;     // the same, for what was chosen (printed unless quiet)

  long total_steps() const;
};

// Parses and validates; throws InputError ("file:line:col: problem") on any problem.
Deck load_deck(const std::string& path);
// The same from text already in memory; `name` stands for the file in messages and
// relative paths inside (structure and potential files) are the working directory's.
Deck load_deck_text(const std::string& text, const std::string& name = "<deck>");

// A `neighbor:` section (skin, every, delay, check, sort, list); also the sample deck's.
void parse_neighbor_section(MapReader& m, const Units& units, NeighborSettings& out);

// The deck's own kinds; their parsers and tables are in src/deck.cpp. A minimizer
// parses its `minimize` section; a stage kind its stage entry (the first kind is the
// default, another is chosen by a key of its own name in the entry: `minimize`, later
// `sample`); an output its section under `output` (in table order: thermo first, as the
// others refuse its file).
using MinimizerParser = void (*)(MapReader& section, const Units& units, MinimizeSettings& out);
using StageParser = void (*)(MapReader& entry, const DeckContext& ctx, StageSpec& out);
using OutputParser = void (*)(MapReader& section, Deck& deck);
const StyleTable<MinimizerParser>& minimizer_styles();
const StyleTable<StageParser>& stage_kinds();
const StyleTable<OutputParser>& output_kinds();

// Every registered style of every kind, the engine's and the deck's, with its keys.
std::vector<StyleInfo> registered_styles();

}  // namespace af
