#include "atomforge/src/cli/match.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/io/structure_io.hpp"
#include "atomforge/src/structure/dedup.hpp"
#include "atomforge/src/structure/matcher.hpp"
#include "atomforge/src/structure/metrics.hpp"

namespace af::cli {

void MatcherFlags::add(CLI::App& app) {
  app.add_option("--ltol", ltol, "Fractional length tolerance (default 0.2; csp 0.3)");
  app.add_option("--stol", stol, "Site tolerance in (V/N)^(1/3) (default 0.3; csp 0.5)");
  app.add_option("--angle-tol", angle_tol, "Angle tolerance in degrees (default 5; csp 10)");
  app.add_flag("--no-primitive", no_primitive, "Do not reduce to primitive cells");
  app.add_flag("--no-scale", no_scale, "Do not scale the cells to equal volume");
  app.add_flag("--anonymous", anonymous, "Any one-to-one relabelling of species may map one structure onto the other");
  app.add_option("--preset", preset, "csp: ltol 0.3, stol 0.5, angle_tol 10; pymatgen: 0.2, 0.3, 5")
      ->check(CLI::IsMember({"csp", "pymatgen"}));
}

cell::MatcherOptions MatcherFlags::options(const std::string& fallback) const {
  const std::string& p = preset.empty() ? fallback : preset;
  cell::MatcherOptions o = p == "csp" ? cell::MatcherOptions::csp() : cell::MatcherOptions{};
  if (ltol >= 0) o.ltol = ltol;
  if (stol >= 0) o.stol = stol;
  if (angle_tol >= 0) o.angle_tol = angle_tol;
  if (no_primitive) o.primitive_cell = false;
  if (no_scale) o.scale = false;
  if (anonymous) o.anonymous = true;
  return o;
}

void MatchCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("match", "Compare structures as pymatgen's StructureMatcher does (JSON lines)");
  app->add_option("A", a, "First structure file (extended XYZ: every frame)")->required();
  app->add_option("B", b, "Second structure file")->required();
  flags.add(*app);
  app->add_flag("--all-pairs", all_pairs, "Compare every frame of A with every frame of B (lines carry i and j)");
  app->add_flag("--timing", timing, "Add each pair's time in seconds to its line (\"seconds\")");
}

namespace {
std::vector<Structure> read_frames(const std::string& path, std::vector<double>* energies = nullptr) {
  const StructureFormat* f = structure_format(path);
  if (!f) throw InputError(path + ": cannot tell the format from the name (known: " + structure_formats_help() + ")");
  std::vector<Structure> frames = energies && f->read == read_extxyz ? read_extxyz_frames(path, false, energies)
                                                                     : read_structure_frames(*f, path);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::string where = path + (frames.size() > 1 ? " frame " + std::to_string(i) : "");
    if (frames[i].natoms() == 0) throw InputError(where + ": the structure has no atoms");
    for (int k = 0; k < 3; ++k)
      if (!frames[i].box.periodic[k]) throw InputError(where + ": matching needs a cell periodic in all three directions");
  }
  return frames;
}
// Species names of every frame, sorted: ids in alphabetical order (pymatgen groups sites so).
std::vector<std::string> species_names(std::initializer_list<const std::vector<Structure>*> sets) {
  std::vector<std::string> names;
  for (const auto* frames : sets)
    for (const auto& s : *frames) names.insert(names.end(), s.species.begin(), s.species.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}
std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}
std::string number(const std::optional<double>& x) { return x ? number(*x) : std::string("null"); }
}  // namespace

int MatchCommand::run() const {
  const cell::MatcherOptions o = flags.options();
  try {
    const std::vector<Structure> fa = read_frames(a), fb = read_frames(b);
    if (!all_pairs && fa.size() != fb.size())
      throw InputError(b + ": " + std::to_string(fb.size()) + " frames, " + a + " has " + std::to_string(fa.size()) +
                       " (compare frame i with frame i, or every pair with --all-pairs)");
    std::vector<std::string> names = species_names({&fa, &fb});
    const cell::StructureMatcher m(o);
    auto cell_of = [&](const Structure& s) { return cell::from_structure(s, names); };
    // One pair: the reduced cells' decision and RMS distance as one JSON line; with
    // --timing also the seconds it took (reductions included where done here).
    // One pair as one JSON line; with --timing also the seconds since t0 (the frame-wise
    // mode starts t0 before reducing the pair's two cells).
    using Clock = std::chrono::steady_clock;
    auto line = [&](std::size_t i, std::size_t j, const cell::Cell& ca, const cell::Cell& cb, Clock::time_point t0) {
      const bool fit = m.fit_reduced(ca, cb);
      const auto rd = m.rms_dist_reduced(ca, cb);
      const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      std::string out = "{";
      if (all_pairs) out += "\"i\": " + std::to_string(i) + ", \"j\": " + std::to_string(j) + ", ";
      out += std::string("\"match\": ") + (fit ? "true" : "false");
      out += ", \"rms\": " + (rd ? number(rd->rms) : std::string("null"));
      out += ", \"max_dist\": " + (rd ? number(rd->max_dist) : std::string("null"));
      out += (timing ? ", \"seconds\": " + number(seconds) : std::string()) + "}\n";
      std::fputs(out.c_str(), stdout);
    };
    if (all_pairs) {  // each frame reduced once
      std::vector<cell::Cell> rb;
      for (const auto& s : fb) rb.push_back(m.reduce(cell_of(s)));
      for (std::size_t i = 0; i < fa.size(); ++i) {
        const cell::Cell ca = m.reduce(cell_of(fa[i]));
        for (std::size_t j = 0; j < rb.size(); ++j) line(i, j, ca, rb[j], Clock::now());
      }
    } else {
      for (std::size_t i = 0; i < fa.size(); ++i) {
        const auto t0 = Clock::now();
        line(i, i, m.reduce(cell_of(fa[i])), m.reduce(cell_of(fb[i])), t0);
      }
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

void DedupCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("dedup", "Write the unique structures of a file (lowest energy of each class)");
  app->add_option("IN", in, "Structures (extended XYZ frames; energy=E on a frame's line ranks it)")->required();
  app->add_option("OUT", out, "Unique structures (extended XYZ)")->required();
  flags.add(*app);
}

int DedupCommand::run() const {
  const std::string tmp = out + ".atomforge-tmp";
  try {
    const StructureFormat* to = structure_format(out);
    if (!to || to->write != write_extxyz) throw InputError(out + ": dedup writes extended XYZ (.xyz/.extxyz)");
    std::vector<double> energies;
    const std::vector<Structure> frames = read_frames(in, &energies);
    std::vector<std::string> names = species_names({&frames});
    std::vector<cell::Cell> cells;
    for (const auto& s : frames) cells.push_back(cell::from_structure(s, names));
    const cell::Classes classes = cell::deduplicate(cells, energies, cell::StructureMatcher(flags.options()));
    std::vector<Structure> unique;
    std::vector<double> unique_e;
    std::string sizes, reps;
    for (const auto& c : classes.members) {
      unique.push_back(frames[c.front()]);
      unique_e.push_back(c.front() < static_cast<int>(energies.size()) ? energies[c.front()] : std::nan(""));
      sizes += (sizes.empty() ? "" : ", ") + std::to_string(c.size());
      reps += (reps.empty() ? "" : ", ") + std::to_string(c.front());
    }
    write_extxyz_frames(tmp, unique, unique_e);
    if (std::rename(tmp.c_str(), out.c_str()) != 0) throw InputError(out + ": cannot write");
    std::printf("{\"frames\": %zu, \"unique\": %zu, \"comparisons\": %ld, \"class_sizes\": [%s], "
                "\"representatives\": [%s]}\n",
                frames.size(), unique.size(), classes.comparisons, sizes.c_str(), reps.c_str());
  } catch (const InputError& e) {
    std::remove(tmp.c_str());
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

void MetricsCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("metrics", "Crystal-structure-prediction metrics: DiffCSP match rate and RMSE, OMatG "
                                         "cRMSE and METRe, validity, uniqueness, novelty (JSON)");
  app->add_option("--reference", reference, "Reference structures, N frames")->required();
  app->add_option("--generated", generated,
                  "Generated structures, K per reference: frame j*K + c is candidate c of reference j")
      ->required();
  app->add_option("--k", ks, "Candidates per reference to score (default 1 and 20, those <= K)");
  app->add_option("--known", known, "Structures a novel one must not match (novelty is null without)");
  flags.add(*app);
}

int MetricsCommand::run() const {
  try {
    const std::vector<Structure> ref = read_frames(reference), gen = read_frames(generated);
    std::vector<Structure> seen;
    if (!known.empty()) seen = read_frames(known);
    std::vector<std::string> names = species_names({&ref, &gen, &seen});
    auto cells = [&](const std::vector<Structure>& frames) {
      std::vector<cell::Cell> out;
      for (const auto& s : frames) out.push_back(cell::from_structure(s, names));
      return out;
    };
    const std::vector<cell::Cell> rc = cells(ref), gc = cells(gen), kc = cells(seen);
    cell::MetricsOptions o;
    o.matcher = flags.options("csp");
    const int K = static_cast<int>(gen.size() / std::max<std::size_t>(ref.size(), 1));
    o.ks = ks;
    std::sort(o.ks.begin(), o.ks.end());
    o.ks.erase(std::unique(o.ks.begin(), o.ks.end()), o.ks.end());
    if (ks.empty())
      for (int k : {1, 20})
        if (k <= std::max(K, 1)) o.ks.push_back(k);
    cell::CspMetrics m;
    try {
      m = cell::csp_metrics(rc, gc, known.empty() ? nullptr : &kc, o);
    } catch (const std::invalid_argument& e) {
      throw InputError(generated + ": " + e.what());
    }
    auto rate = [](const cell::Rate& r, const char* name, bool crmse) {
      return "{\"" + std::string(name) + "\": " + number(r.match_rate) + ", \"matched\": " + std::to_string(r.matched) +
             ", \"rmse\": " + number(r.rmse) + (crmse ? ", \"crmse\": " + number(r.crmse) : std::string()) + "}";
    };
    std::string diffcsp;
    for (const auto& [k, r] : m.diffcsp)
      diffcsp += (diffcsp.empty() ? "\"" : ", \"") + std::to_string(k) + "\": " + rate(r, "match_rate", false);
    std::string out = "{\"references\": " + std::to_string(m.n_reference) + ", \"generated\": " +
                      std::to_string(m.n_generated) + ", \"candidates_per_reference\": " + std::to_string(m.candidates);
    out += ", \"ltol\": " + number(o.matcher.ltol) + ", \"stol\": " + number(o.matcher.stol) +
           ", \"angle_tol\": " + number(o.matcher.angle_tol);
    out += ", \"diffcsp\": {" + diffcsp + "}";
    out += ", \"one_to_one\": " + rate(m.one_to_one, "match_rate", true);
    out += ", \"metre\": " + rate(m.metre, "metre", true);
    out += ", \"valid\": " + std::to_string(m.valid) + ", \"validity\": " + number(m.validity);
    out += ", \"unique\": " + std::to_string(m.unique) + ", \"uniqueness\": " + number(m.uniqueness);
    out += ", \"novel\": " + (m.novel ? std::to_string(*m.novel) : std::string("null")) +
           ", \"novelty\": " + number(m.novelty);
    out += ", \"comparisons\": " + std::to_string(m.comparisons) + "}\n";
    std::fputs(out.c_str(), stdout);
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace af::cli
