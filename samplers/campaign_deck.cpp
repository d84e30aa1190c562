// The sample deck (docs/sampler.md): units, seed, potential, neighbor, sample, output.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>

#include "atomforge/potentials/nnip/error.hpp"
#include "atomforge/samplers/campaign.hpp"
#include "atomforge/samplers/learned/crystal_flow.hpp"
#include "atomforge/src/deck.hpp"
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/registry.hpp"

namespace af::sampler {

namespace {

std::vector<std::pair<std::string, int>> read_composition(MapReader& s, std::vector<int>& units_list) {
  std::vector<std::pair<std::string, int>> comp;
  if (auto c = s.find("composition")) {
    if (s.contains("formula")) s.get("formula").fail("sample: give composition or formula, not both");
    if (!c->is_map()) c->fail("sample.composition: expected a mapping {species: atoms per cell}");
    for (auto it = c->yaml().begin(); it != c->yaml().end(); ++it) {
      const DeckNode key = c->child(it->first, "sample.composition");
      const DeckNode val = c->child(it->second, "sample.composition." + it->first.Scalar());
      const long n = val.as_int();
      if (n < 1 || n > 100000) val.fail("sample.composition: " + key.as_string() + " needs 1 to 100000 atoms");
      comp.emplace_back(key.as_string(), static_cast<int>(n));
    }
    if (comp.empty()) c->fail("sample.composition is empty");
    units_list = {1};
    return comp;
  }
  const DeckNode f = s.get("formula");
  try {
    comp = parse_formula(f.as_string(), 1);
  } catch (const GeneratorError& e) {
    f.fail(std::string("sample.formula: ") + e.what());
  }
  units_list.clear();
  if (auto fu = s.find("formula_units")) {
    for (double v : fu->as_doubles()) {
      if (v != static_cast<int>(v) || v < 1 || v > 1000) fu->fail("sample.formula_units: whole numbers 1 to 1000");
      units_list.push_back(static_cast<int>(v));
    }
    if (units_list.empty()) fu->fail("sample.formula_units is empty");
  } else {
    units_list = {1};
  }
  return comp;
}

// FNV-1a of a file's bytes: a restart must use the model the campaign began with.
std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t h = 1469598103934665603ull;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize k = 0; k < in.gcount(); ++k) h = (h ^ static_cast<unsigned char>(buf[k])) * 1099511628211ull;
    if (!in) break;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

void read_generator(MapReader& g, GeneratorSpec& spec) {
  const std::string style = g.get_string("style", "symmetric");
  if (style == "symmetric") spec.mode = GeneratorMode::symmetric;
  else if (style == "random") spec.mode = GeneratorMode::random;
  else if (style == "learned") spec.mode = GeneratorMode::learned;
  else if (style == "mixture") spec.mode = GeneratorMode::mixture;
  else fail_choice(g.get("style"), "generator style", style, {"learned", "mixture", "random", "symmetric"});
  const bool learned = spec.mode == GeneratorMode::learned || spec.mode == GeneratorMode::mixture;
  if (learned) {
    const DeckNode m = g.get("model");
    spec.model = m.as_string();
    try {
      CrystalFlow::check(spec.model);
    } catch (const nnip::Error& e) {
      m.fail(std::string("sample.generator.model: ") + e.what());
    }
    const long steps = g.get_int("steps", 50);
    if (steps < 1 || steps > 100000) g.get("steps").fail("sample.generator.steps must be 1-100000");
    spec.flow_steps = static_cast<int>(steps);
    spec.model_digest = file_digest(spec.model);
  } else {
    for (const char* key : {"model", "steps", "weights"})
      if (g.contains(key)) g.get(key).fail(std::string("sample.generator.") + key + " needs style: learned or mixture");
  }
  if (auto w = g.find("weights")) {
    if (spec.mode != GeneratorMode::mixture) w->fail("sample.generator.weights needs style: mixture");
    MapReader wr(*w);
    const double wl = wr.get_double("learned", 1.0), ws = wr.get_double("symmetric", 1.0);
    wr.finish();
    if (!(wl >= 0 && ws >= 0 && wl + ws > 0)) w->fail("sample.generator.weights: learned and symmetric >= 0, not both 0");
    spec.learned_weight = wl / (wl + ws);
  }
  if (auto v = g.find("volume_per_atom")) {
    const auto r = v->as_doubles();
    if (r.size() != 2 || !(r[0] > 0 && r[1] >= r[0])) v->fail("sample.generator.volume_per_atom: [MIN, MAX] with 0 < MIN <= MAX");
    spec.volume_min = r[0], spec.volume_max = r[1];
  }
  if (auto md = g.find("min_distance")) {
    if (!md->is_map()) md->fail("sample.generator.min_distance: expected a mapping {A-B: distance}");
    for (auto it = md->yaml().begin(); it != md->yaml().end(); ++it) {
      const DeckNode key = md->child(it->first, "sample.generator.min_distance");
      const DeckNode val = md->child(it->second, "sample.generator.min_distance." + it->first.Scalar());
      const std::string pair = key.as_string();
      const auto dash = pair.find('-');
      if (dash == std::string::npos || dash == 0 || dash + 1 == pair.size())
        key.fail("sample.generator.min_distance: '" + pair + "' is not a pair A-B");
      const double d = val.as_double();
      if (!(d >= 0)) val.fail("sample.generator.min_distance: must be >= 0");
      spec.min_distance[{pair.substr(0, dash), pair.substr(dash + 1)}] = d;
    }
  }
  spec.min_distance_scale = g.get_double("min_distance_scale", 0.7);
  if (!(spec.min_distance_scale > 0)) g.get("min_distance_scale").fail("sample.generator.min_distance_scale must be > 0");
  if (auto sg = g.find("spacegroup")) {
    if (spec.mode != GeneratorMode::symmetric) sg->fail("sample.generator.spacegroup needs style: symmetric");
    const long n = sg->as_int();
    if (n < 1 || n > 230) sg->fail("sample.generator.spacegroup must be 1-230");
    spec.spacegroup = static_cast<int>(n);
  }
  spec.cluster = g.get_bool("cluster", false);
  if (spec.cluster && learned) g.get("cluster").fail("sample.generator: style " + style + " makes crystals, not clusters");
  if (auto pg = g.find("pointgroup")) {
    if (!spec.cluster || spec.mode != GeneratorMode::symmetric)
      pg->fail("sample.generator.pointgroup needs style: symmetric and cluster: true");
    spec.pointgroup = pg->as_string();
  }
  if (spec.cluster && spec.spacegroup != 0) g.get("spacegroup").fail("sample.generator: a cluster has no space group (pointgroup:)");
  g.finish();
}

void read_relax(MapReader& r, const Units& u, MinimizeSettings& m, bool cluster) {
  m.style = "fire";
  m.fmax = r.get_positive("fmax", 1e-3);
  m.max_iterations = r.get_int("max_steps", 2000);
  if (m.max_iterations < 1) r.get("max_steps").fail("sample.relax.max_steps must be at least 1");
  m.max_move = r.get_positive("max_move", 0.1);
  m.relax_cell = r.get_bool("cell", !cluster);
  m.pressure = r.get_double("pressure", 0.0);
  // Stress tolerance: 100 bar (metal), 100 atm (real), 1e-3 (lj) unless given.
  m.ptol = r.get_positive("ptol", u.name == "lj" ? 1e-3 : 100.0);
  m.couple = MinimizeSettings::Couple::Tri;
  r.finish();
}

}  // namespace

CampaignSpec load_campaign_text(const std::string& text, const std::string& name) {
  DeckNode root = parse_yaml(text, name, "deck");
  MapReader top(root);
  CampaignSpec spec;
  Units units;
  spec.units = top.get_string("units", "lj");
  if (!Units::lookup(spec.units, units)) fail_choice(top.get("units"), "units", spec.units, Units::names());
  const long seed = top.get_int("seed", 12345);
  if (seed < 0) top.get("seed").fail("seed must not be negative");
  spec.seed = static_cast<std::uint64_t>(seed);

  MapReader s(top.get("sample"));
  std::vector<int> formula_units;
  std::vector<std::pair<std::string, int>> comp;
  GeneratorSpec g;
  const auto gn = s.find("generator");
  if (gn && gn->is_map() && gn->yaml()["style"] && gn->yaml()["style"].Scalar() == "file") {
    // Proposals from a file (a prototype library): its frames in order, each relaxed once.
    MapReader gr(*gn);
    gr.get_string("style");
    const DeckNode f = gr.get("file");
    spec.frames_file = f.as_string();
    try {
      spec.frames = read_extxyz_frames(spec.frames_file);
    } catch (const InputError& e) {
      f.fail(std::string("sample.generator.file: ") + e.what());
    }
    gr.finish();
    if (s.contains("composition") || s.contains("formula"))
      s.node().fail("sample: generator style file takes the structures' own compositions (no composition)");
    for (Structure& st : spec.frames) {
      for (const std::string& name : st.species)
        if (std::none_of(comp.begin(), comp.end(), [&](const auto& c) { return c.first == name; }))
          comp.emplace_back(name, 1);
    }
    // Types renumbered to the campaign's species order, so that one potential serves all.
    for (Structure& st : spec.frames) {
      std::vector<int> map;
      for (const std::string& name : st.species)
        map.push_back(static_cast<int>(std::find_if(comp.begin(), comp.end(), [&](const auto& c) { return c.first == name; }) - comp.begin()));
      for (int& t : st.type) t = map[t];
      st.species.clear();
      for (const auto& c : comp) st.species.push_back(c.first);
      st.masses.assign(comp.size(), 0.0);
    }
  } else {
    comp = read_composition(s, formula_units);
    if (gn) {
      MapReader gr(*gn);
      read_generator(gr, g);
    } else {
      g.mode = GeneratorMode::symmetric;
    }
  }
  for (int fu : formula_units) {
    GeneratorSpec gi = g;
    gi.composition = comp;
    for (auto& [sp, n] : gi.composition) n *= fu;
    spec.generators.push_back(std::move(gi));
  }
  // The potential reads its species against the composition's.
  Structure species;
  for (const auto& [sp, n] : comp) species.species.push_back(sp);
  species.masses.assign(comp.size(), 0.0);
  {
    MapReader pot(top.get("potential"));
    std::string style;
    const DeckContext ctx{units, species, spec.seed};
    spec.potential = potential_styles().parse(pot, style, ctx);
  }
  if (auto nb = top.find("neighbor")) {
    MapReader nr(*nb);
    NeighborSettings n;
    parse_neighbor_section(nr, units, n);
    spec.neighbor = n;
  }
  if (auto r = s.find("relax")) {
    MapReader rr(*r);
    read_relax(rr, units, spec.relax, g.cluster);
  } else {
    MapReader empty(root.child(YAML::Node(YAML::NodeType::Map), "sample.relax"));
    read_relax(empty, units, spec.relax, g.cluster);
  }
  if (!spec.frames.empty() && !s.contains("budget")) {
    spec.max_relaxations = static_cast<long>(spec.frames.size());  // every frame once
  } else {
    MapReader b(s.get("budget"));
    spec.max_relaxations = b.get_int("relaxations", 0);
    spec.max_seconds = b.get_double("seconds", 0.0);
    if (spec.max_relaxations < 0) b.get("relaxations").fail("sample.budget.relaxations must not be negative");
    if (spec.max_seconds < 0) b.get("seconds").fail("sample.budget.seconds must not be negative");
    if (spec.max_relaxations == 0 && spec.max_seconds == 0)
      b.node().fail("sample.budget: give relaxations or seconds (or both: whichever ends first)");
    b.finish();
  }
  // Masses matter only for dynamics; lj units have no element masses, so 1 unless given.
  spec.masses.assign(comp.size(), units.name == "lj" ? 1.0 : 0.0);
  if (auto ms = s.find("masses")) {
    if (!ms->is_map()) ms->fail("sample.masses: expected a mapping {species: mass}");
    for (auto it = ms->yaml().begin(); it != ms->yaml().end(); ++it) {
      const DeckNode key = ms->child(it->first, "sample.masses");
      const DeckNode val = ms->child(it->second, "sample.masses." + it->first.Scalar());
      const int t = species.find_species(key.as_string());
      if (t < 0) fail_choice(key, "species", key.as_string(), species.species, "the composition has");
      if (!(val.as_double() > 0)) val.fail("sample.masses: mass must be positive");
      spec.masses[t] = val.as_double();
    }
  }
  spec.batch = static_cast<int>(s.get_int("batch", 64));
  if (spec.batch < 1 || spec.batch > 100000) s.get("batch").fail("sample.batch must be 1 to 100000");
  spec.top = static_cast<int>(s.get_int("top", 10));
  if (spec.top < 0) s.get("top").fail("sample.top must not be negative");
  if (auto m = s.find("match")) {
    MapReader mr(*m);
    const std::string preset = mr.get_string("preset", "csp");
    if (preset == "csp") spec.match = cell::MatcherOptions::csp();
    else if (preset == "pymatgen") spec.match = cell::MatcherOptions{};
    else fail_choice(mr.get("preset"), "matcher preset", preset, {"csp", "pymatgen"});
    spec.match.ltol = mr.get_positive("ltol", spec.match.ltol);
    spec.match.stol = mr.get_positive("stol", spec.match.stol);
    spec.match.angle_tol = mr.get_positive("angle_tol", spec.match.angle_tol);
    spec.cluster_energy_tol = mr.get_positive("energy_tol", spec.cluster_energy_tol);
    mr.finish();
  }
  s.finish();
  MapReader out(top.get("output"));
  spec.dir = out.get_string("dir");
  spec.deck = name;
  if (spec.dir.empty()) out.get("dir").fail("output.dir is empty");
  out.finish();
  top.finish();
  return spec;
}

CampaignSpec load_campaign(const std::string& path) { return load_campaign_text(read_text_file(path), path); }

}  // namespace af::sampler
