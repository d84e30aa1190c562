#include "atomforge/src/cli/match.hpp"

#include <cstdio>
#include <string>

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
  app->add_option("--preset", preset, "csp: ltol 0.3, stol 0.5, angle_tol 10")->check(CLI::IsMember({"csp"}));
}

namespace {
Structure read_structure(const std::string& path) {
  const StructureFormat* f = structure_format(path);
  if (!f) throw InputError(path + ": cannot tell the format from the name (known: " + structure_formats_help() + ")");
  Structure s = f->read(path);
  if (s.natoms() == 0) throw InputError(path + ": the structure has no atoms");
  for (int k = 0; k < 3; ++k)
    if (!s.box.periodic[k]) throw InputError(path + ": matching needs a cell periodic in all three directions");
  return s;
}
std::string number(const std::optional<double>& x) {
  if (!x) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", *x);
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
    const Structure sa = read_structure(a), sb = read_structure(b);
    const auto [ca, cb] = cell::cells_of(sa, sb);
    const cell::StructureMatcher m(o);
    const cell::Cell ra = m.reduce(ca), rb = m.reduce(cb);
    const bool fit = m.fit_reduced(ra, rb);
    const auto rd = m.rms_dist_reduced(ra, rb);
    std::printf("{\"match\": %s, \"rms\": %s, \"max_dist\": %s}\n", fit ? "true" : "false",
                number(rd ? std::optional<double>(rd->rms) : std::nullopt).c_str(),
                number(rd ? std::optional<double>(rd->max_dist) : std::nullopt).c_str());
  } catch (const InputError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace af::cli
