// Deck entry for neural potentials: potential: {style: nnip, model: FILE.h5}. The model
// file names its architecture; each architecture parses its own keys and is one line
// in architectures() below.
#include <sys/stat.h>

#include <functional>

#include "atomforge/src/nnip/nnip_potential.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

namespace {

using nnip::ModelFile;
using ModelMaker = std::function<std::unique_ptr<nnip::Model>(const ModelFile&)>;
// The keys every architecture shares: precision and backend.
struct CommonOptions {
  bool single = false;  // precision: float32
  nnip::Backend backend = nnip::kDefaultBackend;
};
// An architecture reads its own keys of the nnip section.
// note: a line for the deck's notes (empty: none).
using ArchitectureParser = ModelMaker (*)(MapReader& section, const CommonOptions& common, const ModelFile& file,
                                          std::string& note);

// One implementation, which every build runs (`backend` selects nothing here).
ModelMaker parse_equivariant(MapReader& sec, const CommonOptions& common, const ModelFile& file, std::string& note) {
  nnip::EquivariantOptions o;
  o.single = common.single;
  // radial: auto (default), mlp or spline. spline: the radial MLP as a cubic Hermite table
  // of `knots` intervals; auto: the table when its measured error against the exact MLP
  // is below 1e-6 relative, else the MLP (nnip::choose_radial; the deck's note says which).
  const std::string radial = sec.get_string("radial", "auto");
  if (radial != "auto" && radial != "mlp" && radial != "spline") sec.get("radial").fail("radial: auto, mlp or spline");
  o.radial = radial == "mlp" ? nnip::Radial::mlp : radial == "spline" ? nnip::Radial::spline : nnip::Radial::automatic;
  const long knots = sec.get_int("knots", 2048);
  if (radial == "mlp" && sec.has("knots")) sec.get("knots").fail("knots: only with radial: spline or auto");
  if (knots < 16 || knots > 1000000) sec.get("knots").fail("knots: 16..1000000");
  o.knots = static_cast<int>(knots);
  // tensor_product: cg (sparse Clebsch-Gordan) or grid (spherical-grid Gaunt product for
  // the parity-even paths, CG for the rest); both give the same model.
  const std::string tp = sec.get_string("tensor_product", "cg");
  if (tp != "cg" && tp != "grid") sec.get("tensor_product").fail("tensor_product: cg or grid");
  o.grid = tp == "grid";
  // Decided here, once (the check evaluates the MLP at 3 points per interval): the
  // maker gets the resolved choice and the deck a note.
  const nnip::RadialChoice choice = nnip::choose_radial(file, o);
  note = choice.note;
  o.radial = choice.spline ? nnip::Radial::spline : nnip::Radial::mlp;
  return [o](const ModelFile& f) { return nnip::make_equivariant(f, o); };
}

ModelMaker parse_attention(MapReader& sec, const CommonOptions& common, const ModelFile&, std::string&) {
  nnip::AttentionOptions o;
  o.single = common.single;
  o.backend = common.backend;
  // fuse_last_block: the last block forward and reverse in one kernel (host back end;
  // default true; false runs it as every other block, as the portable back end does).
  o.fuse_last = sec.get_bool("fuse_last_block", true);
  return [o](const ModelFile& f) { return nnip::make_attention(f, o); };
}

const StyleTable<ArchitectureParser>& architectures() {
  static const StyleTable<ArchitectureParser> t(
      "nnip architecture", {{"equivariant", parse_equivariant, {"radial", "knots", "tensor_product"}},
                            {"attention", parse_attention, {"fuse_last_block"}}});
  return t;
}

class NnipSpec final : public PotentialSpec {
 public:
  NnipSpec(std::shared_ptr<const ModelFile> f, std::vector<int> species_of_type, ModelMaker make, std::string note)
      : file_(std::move(f)), species_of_type_(std::move(species_of_type)), make_(std::move(make)), note_(std::move(note)) {}
  std::unique_ptr<Potential> create() const override {
    try {
      return std::make_unique<nnip::NnipPotential>(make_(*file_), species_of_type_);
    } catch (const nnip::Error& e) {  // a weight of the wrong shape: the file's problem
      throw InputError(e.what());
    }
  }
  bool needs_full_list() const override { return true; }
  std::string note() const override { return note_; }

 private:
  std::shared_ptr<const ModelFile> file_;
  std::vector<int> species_of_type_;
  ModelMaker make_;
  std::string note_;
};

}  // namespace

std::vector<StyleInfo> nnip_architecture_styles() {
  std::vector<StyleInfo> out;
  for (const auto& a : architectures().styles()) out.push_back({architectures().kind(), a.name, a.keys});
  return out;
}

std::vector<std::string> nnip_keys() {
  std::vector<std::string> keys = {"model", "precision", "backend"};
  for (const auto& a : architectures().styles()) keys.insert(keys.end(), a.keys.begin(), a.keys.end());
  return keys;
}

std::shared_ptr<const PotentialSpec> parse_nnip(MapReader& sec, const DeckContext& ctx) {
  if (ctx.units.name != "metal") sec.node().fail("nnip models are in metal units (eV, Angstrom); set 'units: metal'");
  const DeckNode mnode = sec.get("model");
  const std::string path = mnode.as_string();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) mnode.fail("cannot find model file '" + path + "'");
  const std::string precision = sec.get_string("precision", "float64");
  if (precision != "float64" && precision != "float32") sec.get("precision").fail("precision: float64 or float32");
  CommonOptions common;
  common.single = precision == "float32";
  // backend: host (the tuned CPU kernels; CPU builds' default) or portable (what GPU
  // builds run; potentials/nnip/backend.hpp).
  const std::string backend = sec.get_string("backend", nnip::backend_name(nnip::kDefaultBackend));
  if (backend != "host" && backend != "portable") sec.get("backend").fail("backend: portable or host");
  if (backend == "host" && !nnip::kHostBackendBuilt)
    sec.get("backend").fail("backend: host is for CPU builds; this build runs the portable back end only");
  common.backend = backend == "host" ? nnip::Backend::host : nnip::Backend::portable;
  std::shared_ptr<const ModelFile> file;
  try {
    file = std::make_shared<const ModelFile>(path);
  } catch (const nnip::Error& e) {
    throw InputError(e.what());
  }
  const auto* arch = architectures().find(file->architecture());
  if (!arch) throw InputError(path + ": unknown architecture '" + file->architecture() + "'");
  // Another architecture's key: say whose it is.
  for (const auto& other : architectures().styles())
    for (const auto& key : other.keys)
      if (other.name != arch->name && sec.has(key)) {
        const DeckNode v = sec.get(key);
        v.fail(key + (v.is_scalar() ? ": " + v.as_string() : std::string()) + " is for " + other.name + " models");
      }
  std::vector<int> type_map;
  for (const auto& name : ctx.structure.species) {
    int k = -1;
    for (std::size_t s = 0; s < file->species().size(); ++s)
      if (file->species()[s] == name) k = static_cast<int>(s);
    if (k < 0) {
      std::string have;
      for (const auto& s : file->species()) have += (have.empty() ? "" : ", ") + s;
      mnode.fail("species " + name + " is not in the model (it has " + have + ")");
    }
    type_map.push_back(k);
  }
  std::string note;
  ModelMaker make;
  try {
    make = arch->parse(sec, common, *file, note);
  } catch (const nnip::Error& e) {
    throw InputError(e.what());
  }
  return std::make_shared<NnipSpec>(file, type_map, std::move(make), note);
}

}  // namespace af
