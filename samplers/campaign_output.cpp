#include "atomforge/samplers/campaign_output.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/io/cif.hpp"
#include "atomforge/src/io/extxyz.hpp"
#include "atomforge/src/structure/dedup.hpp"

namespace af::sampler {

namespace {

std::string num(double x) {
  if (!std::isfinite(x)) return "null";
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", x);
  return b;
}

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

// Writes path atomically: a temporary file renamed over it.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) throw InputError(tmp + ": cannot write");
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) throw InputError(path + ": write failed");
}

// The value after "key": in flat JSON text (numbers, null, or a string).
std::string json_value(const std::string& text, const std::string& key, const std::string& path) {
  const std::string k = "\"" + key + "\":";
  std::size_t i = text.find(k);
  if (i == std::string::npos) throw InputError(path + ": no \"" + key + "\" (not a campaign state file)");
  i += k.size();
  while (i < text.size() && text[i] == ' ') ++i;
  std::string v;
  if (i < text.size() && text[i] == '"') {
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      v += text[i];
    }
    return v;
  }
  while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != '\n') v += text[i++];
  return v;
}

double json_number(const std::string& text, const std::string& key, const std::string& path) {
  const std::string v = json_value(text, key, path);
  if (v == "null") return std::nan("");
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str()) throw InputError(path + ": \"" + key + "\" is not a number");
  return x;
}

double info_number(const std::map<std::string, std::string>& info, const std::string& key) {
  const auto it = info.find(key);
  return it == info.end() ? std::nan("") : std::strtod(it->second.c_str(), nullptr);
}

std::string info_text(const std::map<std::string, std::string>& info, const std::string& key) {
  const auto it = info.find(key);
  return it == info.end() ? "" : it->second;
}

// The counts both campaign.json and summary.json hold, as JSON members.
std::string counts(const CampaignState& s) {
  const CampaignProgress& p = s.progress;
  std::string t;
  for (const auto& [key, v] : {std::pair<const char*, long>{"attempts", p.attempts}, {"generator_failures", s.generator_failures},
                               {"relaxations", p.relaxed}, {"converged", p.converged}, {"unconverged", p.unconverged},
                               {"failed", p.failed}, {"force_evaluations", p.force_evaluations}})
    t += std::string("  \"") + key + "\": " + std::to_string(v) + ",\n";
  return t + "  \"seconds\": " + num(p.seconds) + ",\n  \"relax_seconds\": " + num(p.relax_seconds) + ",\n";
}

}  // namespace

void CampaignFiles::create() const {
  std::string partial;
  std::stringstream ss(dir_);
  std::string part;
  if (!dir_.empty() && dir_[0] == '/') partial = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (::mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST) throw InputError(dir_ + ": cannot create the directory");
  }
}

void CampaignFiles::save_state(const CampaignState& s, const std::string& fingerprint) const {
  std::string t = "{\n  \"format\": \"atomforge campaign state 1\",\n  \"fingerprint\": " + quoted(fingerprint) + ",\n";
  t += "  \"next_index\": " + std::to_string(s.next_index) + ",\n";
  t += "  \"relaxed_bytes\": " + std::to_string(s.relaxed_bytes) + ",\n" + counts(s);
  t += "  \"best\": " + num(s.progress.best) + ",\n  \"best_hits\": " + std::to_string(s.progress.best_hits) + "\n}\n";
  write_atomically(dir_ + "/campaign.json", t);
}

CampaignState CampaignFiles::load_state(const std::string& fingerprint) const {
  const std::string path = dir_ + "/campaign.json";
  std::ifstream in(path);
  if (!in) throw InputError(path + ": no campaign to restart here (run without --restart to start one)");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string t = buf.str();
  if (json_value(t, "format", path) != "atomforge campaign state 1") throw InputError(path + ": not a campaign state file");
  if (json_value(t, "fingerprint", path) != fingerprint)
    throw InputError(path + ": the deck's sample settings differ from those of the campaign stopped here (seed, "
                     "composition, generator or relax); restart with the same deck");
  CampaignState s;
  auto whole = [&](const char* key) { return static_cast<long>(json_number(t, key, path)); };
  s.next_index = whole("next_index");
  s.relaxed_bytes = whole("relaxed_bytes");
  s.generator_failures = whole("generator_failures");
  CampaignProgress& p = s.progress;
  p.attempts = whole("attempts");
  p.relaxed = whole("relaxations");
  p.converged = whole("converged");
  p.unconverged = whole("unconverged");
  p.failed = whole("failed");
  p.force_evaluations = whole("force_evaluations");
  p.seconds = json_number(t, "seconds", path);
  p.relax_seconds = json_number(t, "relax_seconds", path);
  p.best = json_number(t, "best", path);
  p.best_hits = whole("best_hits");
  struct stat st {};
  if (::stat(relaxed().c_str(), &st) != 0 || st.st_size < s.relaxed_bytes)
    throw InputError(relaxed() + ": shorter than the campaign state records (" + std::to_string(s.relaxed_bytes) +
                     " bytes): not the file of this campaign");
  return s;
}

CampaignFiles::Ranking CampaignFiles::finish(const CampaignSpec& spec, const CampaignState& s, bool stopped) const {
  std::vector<Structure> frames;
  std::vector<double> energies;
  std::vector<std::map<std::string, std::string>> info;
  if (s.relaxed_bytes > 0) frames = read_extxyz_frames(relaxed(), false, &energies, &info);
  std::vector<int> cand;
  std::vector<double> h;  // enthalpy per atom of each frame
  bool periodic = true;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    h.push_back(info_number(info[i], "enthalpy_per_atom"));
    if (info_text(info[i], "status") == "failed" || !std::isfinite(h.back())) continue;
    cand.push_back(static_cast<int>(i));
    const auto& p = frames[i].box.periodic;
    periodic = periodic && p[0] && p[1] && p[2];
  }
  std::vector<std::vector<int>> classes;
  if (periodic && !cand.empty()) {
    std::vector<std::string> names;
    std::vector<cell::Cell> cells;
    std::vector<double> e;
    for (int i : cand) cells.push_back(cell::from_structure(frames[i], names)), e.push_back(h[i]);
    const cell::Classes cl = cell::deduplicate(cells, e, cell::StructureMatcher(spec.match));
    for (const auto& m : cl.members) {
      classes.emplace_back();
      for (int j : m) classes.back().push_back(cand[j]);
    }
  } else {
    // Clusters: one minimum per energy (per atom) within the tolerance of its lowest member.
    std::vector<int> order = cand;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return h[a] < h[b]; });
    for (int i : order) {
      if (classes.empty() || h[i] - h[classes.back().front()] > spec.cluster_energy_tol) classes.emplace_back();
      classes.back().push_back(i);
    }
  }
  std::stable_sort(classes.begin(), classes.end(),
                   [&](const auto& a, const auto& b) { return h[a.front()] < h[b.front()]; });

  std::vector<Structure> ranked;
  std::vector<double> ranked_e;
  std::vector<ExtxyzInfo> ranked_info;
  for (std::size_t r = 0; r < classes.size(); ++r) {
    const int i = classes[r].front();
    ranked.push_back(frames[i]);
    ranked_e.push_back(energies[i]);
    ExtxyzInfo ri{{"rank", std::to_string(r + 1)}, {"hits", std::to_string(classes[r].size())}};
    for (const auto& [k, v] : info[i])
      if (k != "lattice" && k != "properties" && k != "pbc" && k != "energy") ri.push_back({k, v});
    ranked_info.push_back(std::move(ri));
  }
  write_extxyz_frames(dir_ + "/unique.extxyz.tmp", ranked, ranked_e, ranked_info);
  if (std::rename((dir_ + "/unique.extxyz.tmp").c_str(), (dir_ + "/unique.extxyz").c_str()) != 0)
    throw InputError(dir_ + "/unique.extxyz: write failed");
  if (::mkdir((dir_ + "/top").c_str(), 0777) != 0 && errno != EEXIST) throw InputError(dir_ + "/top: cannot create");
  for (std::size_t r = 0; r < classes.size() && static_cast<int>(r) < spec.top; ++r) {
    char name[32];
    std::snprintf(name, sizeof name, "/top/rank%02zu", r + 1);
    if (periodic) write_cif(dir_ + name + ".cif", ranked[r]);
    else write_extxyz(dir_ + name + ".xyz", ranked[r]);
  }

  const CampaignProgress& p = s.progress;
  std::string t = "{\n" + counts(s);
  t += "  \"unique\": " + std::to_string(classes.size()) + ",\n";
  t += "  \"relaxations_per_second\": " + num(p.seconds > 0 ? p.relaxed / p.seconds : std::nan("")) + ",\n";
  t += "  \"relaxer_relaxations_per_second\": " +
       num(p.relax_seconds > 0 ? p.relaxed / p.relax_seconds : std::nan("")) + ",\n";
  t += "  \"stopped\": " + std::string(stopped ? "true" : "false") + ",\n";
  if (classes.empty()) {
    t += "  \"best\": null\n}\n";
  } else {
    const int i = classes.front().front();
    t += "  \"best\": {\"index\": " + info_text(info[i], "index") + ", \"natoms\": " +
         std::to_string(frames[i].natoms()) + ", \"energy\": " + num(energies[i]) + ", \"enthalpy\": " +
         num(info_number(info[i], "enthalpy")) + ", \"enthalpy_per_atom\": " + num(h[i]) +
         ", \"spacegroup\": " + (periodic ? info_text(info[i], "spacegroup") : "null") +
         ", \"spacegroup_symbol\": " + quoted(info_text(info[i], "spacegroup_symbol")) +
         ", \"hits\": " + std::to_string(classes.front().size()) + "}\n}\n";
  }
  write_atomically(dir_ + "/summary.json", t);
  Ranking rk;
  rk.unique = static_cast<long>(classes.size());
  rk.best_hits = classes.empty() ? 0 : static_cast<long>(classes.front().size());
  rk.best = classes.empty() ? std::nan("") : h[classes.front().front()];
  return rk;
}

}  // namespace af::sampler
