// Deck styles, one table per extension kind: potentials, integrators and NNIP
// architectures here (the engine's); minimisers, stage kinds and outputs in src/deck.hpp. A style is a name, a
// parser that reads its own deck section into a typed spec (all validation there, before
// anything runs), and the keys that section takes, which docs/decks.md must document
// (tests/ref/test_styles_documented.py). Adding a style: its file in its own folder and
// one line in the kind's table (registry.cpp; NNIP architectures: src/nnip/nnip_spec.cpp;
// minimisers, stage kinds and outputs: src/deck.cpp).
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/integrator.hpp"
#include "atomforge/src/potential.hpp"
#include "atomforge/src/structure.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct DeckContext {
  const Units& units;
  const Structure& structure;  // species names and types
  std::uint64_t seed;
  // Resolves a species name in the structure or fails at `at`.
  int species_index(const DeckNode& at) const;
};

class PotentialSpec {
 public:
  virtual ~PotentialSpec() = default;
  virtual std::unique_ptr<Potential> create() const = 0;
  // Pairwise potentials run on any list kind, cluster lists included.
  virtual bool pairwise() const { return false; }
  // Three-body potentials need each atom's full neighborhood.
  virtual bool needs_full_list() const { return false; }
  // A line worth telling the user about what was built (e.g. a neural model's radial
  // path); empty: nothing.
  virtual std::string note() const { return {}; }
  // Masses per type the potential's file defines (LAMMPS sets them from EAM files),
  // used where the deck and structure file give none; empty if none.
  virtual std::vector<double> masses() const { return {}; }
};

// A potential file named in a deck: as given (relative to the working directory), else
// in $LAMMPS_POTENTIALS, else in Debian's /usr/share/lammps/potentials. Fails at `at`.
std::string find_potential_file(const DeckNode& at);

class IntegratorSpec {
 public:
  virtual ~IntegratorSpec() = default;
  virtual double timestep() const = 0;
  virtual std::unique_ptr<Integrator> create(const Units& units) const = 0;
};

using PotentialParser = std::shared_ptr<const PotentialSpec> (*)(MapReader& section, const DeckContext& ctx);
using IntegratorParser = std::shared_ptr<const IntegratorSpec> (*)(MapReader& section, const DeckContext& ctx);

// One style of a kind: `keys` are its section's keys besides `style` (nested ones as
// parent.child), in the order docs/decks.md gives them.
template <class Parser>
struct Style {
  std::string name;
  Parser parse;
  std::vector<std::string> keys;
};

// A style's parser read only keys its registration declares (so docs/decks.md, which the
// declared keys are checked against, covers every key a deck can use). Throws
// std::logic_error naming the style and key otherwise: a programming error.
void check_declared_keys(const std::string& style, const std::vector<std::string>& keys, const MapReader& section);

template <class Parser>
class StyleTable {
 public:
  StyleTable(std::string kind, std::vector<Style<Parser>> styles) : kind_(std::move(kind)), styles_(std::move(styles)) {}
  const std::string& kind() const { return kind_; }
  const std::vector<Style<Parser>>& styles() const { return styles_; }
  const Style<Parser>* find(const std::string& name) const {
    for (const auto& s : styles_)
      if (s.name == name) return &s;
    return nullptr;
  }
  // The style named at `at`; otherwise fails there with a did-you-mean and the names.
  const Style<Parser>& pick(const DeckNode& at) const {
    const std::string name = at.as_string();
    if (const auto* s = find(name)) return *s;
    fail_choice(at, kind_ + " style", name, names());
  }
  std::vector<std::string> names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& st : styles_) out.push_back(st.name);
    std::sort(out.begin(), out.end());
    return out;
  }
  // Parses `section` with the style its `style` key names (name: that style), checks
  // that the parser read only declared keys and finishes the section.
  template <class... Args>
  auto parse(MapReader& section, std::string& name, Args&&... args) const {
    const auto& st = pick(section.get("style"));
    name = st.name;
    auto spec = st.parse(section, std::forward<Args>(args)...);
    check_declared_keys(st.name, st.keys, section);
    section.finish();
    return spec;
  }

 private:
  std::string kind_;
  std::vector<Style<Parser>> styles_;
};


const StyleTable<PotentialParser>& potential_styles();
const StyleTable<IntegratorParser>& integrator_styles();


// A registered style of some kind with its keys (`atomforge styles` prints them all:
// registered_styles, src/deck.hpp).
struct StyleInfo {
  std::string kind, name;
  std::vector<std::string> keys;
};
std::vector<StyleInfo> nnip_architecture_styles();  // src/nnip/nnip_spec.cpp

// Masses per type: those in `keep` as they are, else the potential file's (EAM files
// carry them, as LAMMPS's pair_coeff sets them), else the structure's, else standard
// atomic weights of element names (not in lj units). Returns a species left without a
// mass ("" when every type has one).
std::string assign_masses(Structure& s, const PotentialSpec& pot, const Units& units, const std::vector<int>& keep);

}  // namespace af
