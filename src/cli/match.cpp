#include "atomforge/src/cli/match.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/structure_io.hpp"
#include "atomforge/src/structure/matcher.hpp"

namespace af::cli {

void MatchCommand::add(CLI::App& parent) {
  app = parent.add_subcommand("match", "Compare two structures as pymatgen's StructureMatcher does (JSON line)");
  app->add_option("a", a, "First structure file")->required();
  app->add_option("b", b, "Second structure file")->required();
  app->add_option("--ltol", ltol, "Fractional length tolerance (default 0.2; csp 0.3)");
  app->add_option("--stol", stol, "Site tolerance in (V/N)^(1/3) (default 0.3; csp 0.5)");
  app->add_option("--angle-tol", angle_tol, "Angle tolerance in degrees (default 5; csp 10)");
  app->add_flag("--no-primitive", no_primitive, "Do not reduce to primitive cells");
  app->add_flag("--no-scale", no_scale, "Do not scale the cells to equal volume");
  app->add_flag("--timing", timing, "Add each pair's time in seconds to its line (\"seconds\")");
  app->add_flag("--all-pairs", all_pairs, "Compare every frame of A with every frame of B (lines carry i and j)");
  app->add_option("--preset", preset, "csp: ltol 0.3, stol 0.5, angle_tol 10")->check(CLI::IsMember({"csp"}));
}

namespace {
std::vector<Structure> read_frames(const std::string& path) {
  const StructureFormat* f = structure_format(path);
  if (!f) throw InputError(path + ": cannot tell the format from the name (known: " + structure_formats_help() + ")");
  std::vector<Structure> frames = read_structure_frames(*f, path);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::string where = path + (frames.size() > 1 ? " frame " + std::to_string(i) : "");
    if (frames[i].natoms() == 0) throw InputError(where + ": the structure has no atoms");
    for (int k = 0; k < 3; ++k)
      if (!frames[i].box.periodic[k]) throw InputError(where + ": matching needs a cell periodic in all three directions");
  }
  return frames;
}
std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}
}  // namespace

int MatchCommand::run() const {
  cell::MatcherOptions o = preset == "csp" ? cell::MatcherOptions::csp() : cell::MatcherOptions{};
  if (ltol >= 0) o.ltol = ltol;
  if (stol >= 0) o.stol = stol;
  if (angle_tol >= 0) o.angle_tol = angle_tol;
  if (no_primitive) o.primitive_cell = false;
  if (no_scale) o.scale = false;
  try {
    const std::vector<Structure> fa = read_frames(a), fb = read_frames(b);
    if (!all_pairs && fa.size() != fb.size())
      throw InputError(b + ": " + std::to_string(fb.size()) + " frames, " + a + " has " + std::to_string(fa.size()) +
                       " (compare frame i with frame i, or every pair with --all-pairs)");
    // Species ids in alphabetical order of their names (pymatgen groups sites so), one
    // list for every frame; each frame reduced once.
    std::vector<std::string> names;
    for (const auto* frames : {&fa, &fb})
      for (const auto& s : *frames) names.insert(names.end(), s.species.begin(), s.species.end());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const cell::StructureMatcher m(o);
    auto cell_of = [&](const Structure& s) { return cell::from_structure(s, names); };
    // One pair: the reduced cells' decision and RMS distance as one JSON line; with
    // --timing also the seconds it took (reductions included where done here).
    auto line = [&](std::size_t i, std::size_t j, const cell::Cell& ca, const cell::Cell& cb, double seconds) {
      const bool fit = m.fit_reduced(ca, cb);
      const auto rd = m.rms_dist_reduced(ca, cb);
      std::string out = "{";
      if (all_pairs) out += "\"i\": " + std::to_string(i) + ", \"j\": " + std::to_string(j) + ", ";
      out += std::string("\"match\": ") + (fit ? "true" : "false");
      out += ", \"rms\": " + (rd ? number(rd->rms) : std::string("null"));
      out += ", \"max_dist\": " + (rd ? number(rd->max_dist) : std::string("null"));
      return out + (seconds >= 0 ? ", \"seconds\": " + number(seconds) : std::string()) + "}\n";
    };
    using Clock = std::chrono::steady_clock;
    if (all_pairs) {  // each frame reduced once
      std::vector<cell::Cell> rb;
      for (const auto& s : fb) rb.push_back(m.reduce(cell_of(s)));
      for (std::size_t i = 0; i < fa.size(); ++i) {
        const cell::Cell ca = m.reduce(cell_of(fa[i]));
        for (std::size_t j = 0; j < rb.size(); ++j) {
          const auto t0 = Clock::now();
          std::string out = line(i, j, ca, rb[j], -1);
          if (timing) out = line(i, j, ca, rb[j], std::chrono::duration<double>(Clock::now() - t0).count());
          std::fputs(out.c_str(), stdout);
        }
      }
    } else {
      for (std::size_t i = 0; i < fa.size(); ++i) {
        const auto t0 = Clock::now();
        const cell::Cell ca = m.reduce(cell_of(fa[i])), cb = m.reduce(cell_of(fb[i]));
        std::string out = line(i, i, ca, cb, -1);
        if (timing) {  // the pair again, timed as a whole (reductions, fit, RMS)
          const double t = std::chrono::duration<double>(Clock::now() - t0).count();
          out = line(i, i, ca, cb, t);
        }
        std::fputs(out.c_str(), stdout);
      }
    }
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace af::cli
