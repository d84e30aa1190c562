#include "atomforge/src/deck.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "atomforge/src/elements.hpp"
#include "atomforge/src/io/structure_io.hpp"
#include "atomforge/src/lattice.hpp"

namespace af {

long Deck::total_steps() const {
  long n = 0;
  for (const auto& s : stages) n += s.minimize ? 0 : s.steps;
  return n;
}

namespace {

Structure read_structure(const DeckNode& at) {
  const std::string path = at.as_string();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) at.fail("system.read: cannot find '" + path + "'");
  if (access(path.c_str(), R_OK) != 0) at.fail("system.read: cannot read '" + path + "'");
  if (const StructureFormat* f = structure_format(path)) return f->read(path);
  at.fail("system.read: cannot tell the format of '" + path + "' (known: " + structure_formats_help() + ")");
}

void parse_system(MapReader& m, Deck& d) {
  auto lat = m.find("lattice");
  auto read = m.find("read");
  if (lat && read) read->fail("system: give either 'lattice' or 'read', not both");
  if (!lat && !read) m.node().fail("system: needs 'lattice' (generate a crystal) or 'read' (a structure file)");
  if (lat) {
    MapReader l(*lat);
    const DeckNode style = l.get("style");
    const std::string s = style.as_string();
    const auto basis = lattice_basis(s);
    if (basis.empty()) fail_choice(style, "lattice style", s, lattice_styles());
    double a = 0;
    auto dens = l.find("density");
    auto an = l.find("a");
    if (dens && an) an->fail("lattice: give 'density' or 'a', not both");
    if (dens) {
      const double rho = l.get_positive("density");
      a = std::cbrt(basis.size() / rho);  // LAMMPS: reduced density sets the cubic cell
    } else if (an) {
      a = l.get_positive("a");
    } else {
      l.node().fail("lattice: needs 'density' (atoms per volume) or 'a' (lattice constant)");
    }
    const DeckNode rep = l.get("repeat");
    int repeat[3];
    const auto r = rep.items();
    if (r.size() != 3) rep.fail("lattice.repeat: expected three integers [nx, ny, nz]");
    double total = static_cast<double>(basis.size());
    for (int k = 0; k < 3; ++k) {
      const long v = r[k].as_int();
      if (v < 1) r[k].fail("lattice.repeat: counts must be at least 1");
      total *= static_cast<double>(v);
      if (total > static_cast<double>(max_atoms()))
        rep.fail("lattice.repeat: more than " + std::to_string(max_atoms()) + " atoms");
      repeat[k] = static_cast<int>(v);
    }
    const DeckNode spn = l.get("species");
    const auto species = spn.as_strings();
    if (species.size() != 1 && species.size() != basis.size())
      spn.fail("lattice.species: give one name, or one per basis atom (" + std::to_string(basis.size()) + " for " + s + ")");
    l.finish();
    d.structure = make_lattice(s, a, repeat, species);
  } else {
    d.structure = read_structure(*read);
  }
  if (auto sp = m.find("species")) {
    const auto names = sp->as_strings();
    if (static_cast<int>(names.size()) != d.structure.ntypes())
      sp->fail("system.species: " + std::to_string(names.size()) + " names for " + std::to_string(d.structure.ntypes()) + " atom types");
    d.structure.species = names;
  }
  if (auto ms = m.find("masses")) {
    if (!ms->is_map()) ms->fail("system.masses: expected a mapping {species: mass}");
    for (auto it = ms->yaml().begin(); it != ms->yaml().end(); ++it) {
      const DeckNode key = ms->child(it->first, "system.masses");
      const DeckNode val = ms->child(it->second, "system.masses." + it->first.Scalar());
      const std::string name = key.as_string();
      const int t = d.structure.find_species(name);
      if (t < 0) fail_choice(key, "species", name, d.structure.species, "the system has");
      const double mass = val.as_double();
      if (!(mass > 0)) val.fail("system.masses: mass must be positive");
      d.structure.masses[t] = mass;
      d.deck_masses.push_back(t);
    }
  }
  if (auto v = m.find("velocities")) {
    MapReader vr(*v);
    d.velocities.create = true;
    d.velocities.temperature = vr.get_double("temperature");
    if (d.velocities.temperature < 0) vr.get("temperature").fail("velocities.temperature must not be negative");
    d.velocities.seed = static_cast<std::uint64_t>(vr.get_int("seed", static_cast<long>(d.seed)));
    vr.finish();
  }
  if (auto b = m.find("boundary")) {
    const auto flags = b->as_strings();
    if (flags.size() != 3) b->fail("system.boundary: expected three of p (periodic) or f (fixed)");
    for (int k = 0; k < 3; ++k) {
      if (flags[k] != "p" && flags[k] != "f") b->fail("system.boundary: each entry is p or f, got '" + flags[k] + "'");
      d.structure.box.periodic[k] = flags[k] == "p";
    }
  }
  if (d.structure.natoms() == 0) m.node().fail("system: has no atoms");
  m.finish();
}

}  // namespace

void parse_neighbor_section(MapReader& m, const Units& units, NeighborSettings& nb) {
  nb.skin = m.has("skin") ? m.get_double("skin") : (units.name == "lj" ? 0.3 : 2.0);
  if (nb.skin < 0) m.get("skin").fail("neighbor.skin must not be negative");
  nb.every = static_cast<int>(m.get_int("every", 1));
  if (nb.every < 1) m.get("every").fail("neighbor.every must be at least 1");
  nb.delay = static_cast<int>(m.get_int("delay", 0));
  if (nb.delay < 0) m.get("delay").fail("neighbor.delay must not be negative");
  nb.check = m.get_bool("check", true);
  nb.sort_every = static_cast<int>(m.get_int("sort", 1000));
  if (nb.sort_every < 0) m.get("sort").fail("neighbor.sort must not be negative");
  if (auto l = m.find("list")) {
    const std::string kind = l->as_string();
    if (kind == "auto") nb.list = NeighborSettings::List::Auto;
    else if (kind == "half") nb.list = NeighborSettings::List::Half;
    else if (kind == "full") nb.list = NeighborSettings::List::Full;
    else if (kind == "cluster") nb.list = NeighborSettings::List::Cluster;
    else fail_choice(*l, "neighbor list kind", kind, {"auto", "half", "full", "cluster"});
  }
  m.finish();
}

namespace {

// FIRE and CG read the same keys (integrators/minimize.cpp runs the style).
void parse_minimizer_keys(MapReader& m, const Units& u, MinimizeSettings& s) {
  s.fmax = m.get_positive("fmax", u.name == "lj" ? 1e-6 : 1e-6);
  s.max_iterations = m.get_int("max_iterations", 100000);
  if (s.max_iterations < 1 || s.max_iterations > 1000000000000000L)
    m.get("max_iterations").fail("minimize.max_iterations must be 1..10^15");
  s.max_move = m.get_positive("max_move", u.name == "lj" ? 0.1 : 0.1);
  if (auto c = m.find("cell")) {
    MapReader cm(*c);
    s.relax_cell = true;
    s.pressure = cm.get_double("pressure", 0.0);
    s.ptol = cm.get_positive("ptol", 0.01);
    const std::string couple = cm.get_string("couple", "tri");
    if (couple == "iso") s.couple = MinimizeSettings::Couple::Iso;
    else if (couple == "aniso") s.couple = MinimizeSettings::Couple::Aniso;
    else if (couple == "tri") s.couple = MinimizeSettings::Couple::Tri;
    else fail_choice(cm.get("couple"), "cell coupling", couple, {"iso", "aniso", "tri"});
    cm.finish();
  }
}

// A `minimize` section: its style (default fire) parses the rest.
void parse_minimize(MapReader& m, const Units& u, MinimizeSettings& s) {
  const auto& st = m.has("style") ? minimizer_styles().pick(m.get("style")) : *minimizer_styles().find("fire");
  s.style = st.name;
  st.parse(m, u, s);
  check_declared_keys(st.name, st.keys, m);
  m.finish();
}

void parse_md_stage(MapReader& st, const DeckContext& ctx, StageSpec& s) {
  const DeckNode steps = st.get("steps");
  s.steps = steps.as_int();
  if (s.steps < 0) steps.fail("steps must not be negative");
  // Step counters add up over stages and restarts in 64 bits: keep far from overflow.
  if (s.steps > 1000000000000000L) steps.fail("steps: at most 10^15 per stage");
  MapReader integ(st.get("integrator"));
  s.integrator = integrator_styles().parse(integ, s.style, ctx);
}

void parse_minimize_stage(MapReader& st, const DeckContext& ctx, StageSpec& s) {
  if (st.contains("integrator")) st.get("integrator").fail("a stage either runs an integrator or minimizes, not both");
  if (st.contains("steps")) st.get("steps").fail("minimize stages end on convergence; use minimize.max_iterations");
  MapReader m(st.get("minimize"));
  parse_minimize(m, ctx.units, s.min);
  s.minimize = true;
  s.style = "minimize/" + s.min.style;
}

void check_writable(const DeckNode& at, const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) at.fail("cannot write '" + path + "': directory '" + dir + "' does not exist");
  if (access(dir.c_str(), W_OK) != 0) at.fail("cannot write '" + path + "': directory '" + dir + "' is not writable");
}

void parse_thermo(MapReader& tr, Deck& d) {
  d.thermo.every = tr.get_int("every", 0);
  if (d.thermo.every < 0) tr.get("every").fail("output.thermo.every must not be negative");
  if (auto f = tr.find("file")) {
    d.thermo.file = f->as_string();
    check_writable(*f, d.thermo.file);
  }
}

void parse_analysis(MapReader& ar, Deck& d) {
  AnalysisSettings& s = d.analysis;
  s.every = ar.get_int("every", 0);
  if (s.every < 1) ar.get("every").fail("output.analysis.every must be at least 1");
  auto optional_file = [](MapReader& rr, std::string& out) {
    if (auto f = rr.find("file")) {
      out = f->as_string();
      check_writable(*f, out);
    }
  };
  if (auto r = ar.find("rdf")) {
    MapReader rr(*r);
    s.rdf = true;
    s.rdf_cutoff = rr.get_positive("cutoff");
    s.rdf_bins = static_cast<int>(rr.get_int("bins", 200));
    if (s.rdf_bins < 1) rr.get("bins").fail("rdf.bins must be at least 1");
    optional_file(rr, s.rdf_file);
    rr.finish();
  }
  if (auto r = ar.find("msd")) {
    MapReader rr(*r);
    s.msd = true;
    optional_file(rr, s.msd_file);
    rr.finish();
  }
  if (auto r = ar.find("coordination")) {
    MapReader rr(*r);
    s.coordination = true;
    s.coord_cutoff = rr.get_positive("cutoff");
    optional_file(rr, s.coord_file);
    rr.finish();
  }
  if (!s.rdf && !s.msd && !s.coordination) ar.node().fail("output.analysis: ask for rdf, msd and/or coordination");
}

// dump, extxyz and checkpoint: every and file.
template <FrameFileOutput Deck::*Out>
void parse_frames(MapReader& tr, Deck& d) {
  FrameFileOutput& out = d.*Out;
  const std::string key = Out == &Deck::dump ? "dump" : Out == &Deck::extxyz ? "extxyz" : "checkpoint";
  out.every = tr.get_int("every", 0);
  if (out.every < 1) tr.get("every").fail("output." + key + ".every must be at least 1");
  const DeckNode f = tr.get("file");
  out.file = f.as_string();
  check_writable(f, out.file);
  if (out.file == d.thermo.file) f.fail("output." + key + ".file is the same file as output.thermo.file");
}

void parse_trajectory(MapReader& tr, Deck& d) {
  d.trajectory.every = tr.get_int("every", 0);
  if (d.trajectory.every < 1) tr.get("every").fail("output.trajectory.every must be at least 1");
  const DeckNode f = tr.get("file");
  d.trajectory.file = f.as_string();
  check_writable(f, d.trajectory.file);
  if (d.trajectory.file == d.thermo.file) f.fail("output.trajectory.file is the same file as output.thermo.file");
  const std::string& tf = d.trajectory.file;
  if (tf.size() < 5 || tf.compare(tf.size() - 5, 5, ".h5md") != 0)
    d.warnings.push_back(f.located("warning: '" + tf + "' does not end in .h5md; MDAnalysis recognises H5MD files by that extension"));
  if (auto fl = tr.find("fields")) {
    d.trajectory.position = d.trajectory.velocity = d.trajectory.force = d.trajectory.image = false;
    const std::vector<std::string> known = {"position", "velocity", "force", "image", "energy"};
    for (const auto& item : fl->items()) {
      const std::string s = item.as_string();
      if (s == "position") d.trajectory.position = true;
      else if (s == "velocity") d.trajectory.velocity = true;
      else if (s == "force") d.trajectory.force = true;
      else if (s == "image") d.trajectory.image = true;
      else if (s == "energy") d.trajectory.energy = true;
      else fail_choice(item, "trajectory field", s, known);
    }
    if (!d.trajectory.position && !d.trajectory.velocity && !d.trajectory.force)
      fl->fail("output.trajectory.fields: needs at least one of position, velocity, force (readers require it)");
  }
}

void parse_output(MapReader& m, Deck& d) {
  for (const auto& kind : output_kinds().styles()) {
    const auto sec = m.find(kind.name);
    if (!sec) continue;
    MapReader r(*sec);
    kind.parse(r, d);
    check_declared_keys(kind.name, kind.keys, r);
    r.finish();
  }
  m.finish();
}

}  // namespace

const StyleTable<MinimizerParser>& minimizer_styles() {
  static const std::vector<std::string> keys = {"fmax", "max_iterations", "max_move", "cell", "cell.pressure",
                                                "cell.ptol", "cell.couple"};
  static const StyleTable<MinimizerParser> t("minimizer",
                                             {{"fire", parse_minimizer_keys, keys}, {"cg", parse_minimizer_keys, keys}});
  return t;
}

const StyleTable<StageParser>& stage_kinds() {
  static const StyleTable<StageParser> t("stage", {{"md", parse_md_stage, {"name", "integrator", "steps"}},
                                                   {"minimize", parse_minimize_stage, {"name", "minimize"}}});
  return t;
}

const StyleTable<OutputParser>& output_kinds() {
  static const StyleTable<OutputParser> t(
      "output", {{"thermo", parse_thermo, {"every", "file"}},
                 {"trajectory", parse_trajectory, {"every", "file", "fields"}},
                 {"dump", parse_frames<&Deck::dump>, {"every", "file"}},
                 {"extxyz", parse_frames<&Deck::extxyz>, {"every", "file"}},
                 {"checkpoint", parse_frames<&Deck::checkpoint>, {"every", "file"}},
                 {"analysis", parse_analysis, {"every", "rdf", "rdf.cutoff", "rdf.bins", "rdf.file", "msd", "msd.file",
                                               "coordination", "coordination.cutoff", "coordination.file"}}});
  return t;
}

std::vector<StyleInfo> registered_styles() {
  std::vector<StyleInfo> out;
  auto add = [&](const auto& table) {
    for (const auto& st : table.styles()) out.push_back({table.kind(), st.name, st.keys});
  };
  add(potential_styles());
  for (auto& a : nnip_architecture_styles()) out.push_back(std::move(a));
  add(integrator_styles());
  add(minimizer_styles());
  add(stage_kinds());
  add(output_kinds());
  return out;
}

Deck load_deck(const std::string& path) { return load_deck_text(read_text_file(path), path); }

Deck load_deck_text(const std::string& text, const std::string& name) {
  DeckNode root = parse_yaml(text, name, "deck");
  Deck d;
  d.path = name;
  d.text = text;
  MapReader top(root);
  const std::string units = top.get_string("units", "lj");
  if (!Units::lookup(units, d.units)) fail_choice(top.get("units"), "units", units, Units::names());
  const long seed = top.get_int("seed", 12345);
  if (seed < 0) top.get("seed").fail("seed must not be negative");
  d.seed = static_cast<std::uint64_t>(seed);

  {
    MapReader sys(top.get("system"));
    parse_system(sys, d);
  }
  const DeckContext ctx{d.units, d.structure, d.seed};
  {
    MapReader pot(top.get("potential"));
    d.potential = potential_styles().parse(pot, d.potential_style, ctx);
    if (const std::string n = d.potential->note(); !n.empty()) d.notes.push_back(pot.node().located("note: " + n));
  }
  // Masses: the deck's, else the potential file's (EAM files carry them and LAMMPS's
  // pair_coeff overrides a data file's Masses with them), else the structure file's,
  // else standard atomic weights for element names.
  {
    const std::string missing = assign_masses(d.structure, *d.potential, d.units, d.deck_masses);
    if (!missing.empty()) top.get("system").fail("system: no mass for species '" + missing + "' (add it under system.masses)");
  }
  if (auto n = top.find("neighbor")) {
    MapReader nr(*n);
    parse_neighbor_section(nr, d.units, d.neighbor);
    if (d.neighbor.list == NeighborSettings::List::Cluster && !d.potential->pairwise())
      nr.get("list").fail("neighbor.list: cluster lists serve pairwise potentials only, not '" + d.potential_style + "'");
    if (d.neighbor.list != NeighborSettings::List::Auto && d.neighbor.list != NeighborSettings::List::Full &&
        d.potential->needs_full_list())
      nr.get("list").fail("neighbor.list: '" + d.potential_style + "' needs full neighbor lists");
  } else {
    d.neighbor.skin = d.units.name == "lj" ? 0.3 : 2.0;
  }
  {
    const DeckNode stages = top.get("stages");
    const auto items = stages.items();
    if (items.empty()) stages.fail("stages: the list is empty; add at least one stage");
    for (std::size_t i = 0; i < items.size(); ++i) {
      MapReader st(items[i]);
      StageSpec s;
      s.name = st.get_string("name", "stage" + std::to_string(i + 1));
      const auto& kinds = stage_kinds().styles();
      const auto* kind = &kinds.front();  // md unless the entry names another kind
      for (const auto& k : kinds)
        if (&k != &kinds.front() && st.contains(k.name)) kind = &k;
      kind->parse(st, ctx, s);
      check_declared_keys(kind->name, kind->keys, st);
      st.finish();
      d.stages.push_back(std::move(s));
    }
  }
  if (auto o = top.find("output")) {
    MapReader out(*o);
    parse_output(out, d);
  }
  if (auto g = top.find("guards")) {
    MapReader gr(*g);
    d.guards.min_distance = gr.get_double("min_distance", 0.0);
    if (d.guards.min_distance < 0) gr.get("min_distance").fail("guards.min_distance must not be negative");
    d.guards.max_neighbors = static_cast<int>(gr.get_int("max_neighbors", 2000));
    if (d.guards.max_neighbors < 1) gr.get("max_neighbors").fail("guards.max_neighbors must be at least 1");
    gr.finish();
  }
  top.finish();
  return d;
}

}  // namespace af
