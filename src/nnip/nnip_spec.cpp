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
using ArchitectureParser = ModelMaker (*)(MapReader& section, const CommonOptions& common);

// One implementation, which every build runs (`backend` selects nothing here).
ModelMaker parse_equivariant(MapReader& sec, const CommonOptions& common) {
  nnip::EquivariantOptions o;
  o.single = common.single;
  // radial: mlp (exact) or spline (a cubic Hermite table of the radial MLP, `knots`
  // intervals; its error is measured in tests/ref/test_equivariant_engine.py).
  const std::string radial = sec.get_string("radial", "mlp");
  if (radial != "mlp" && radial != "spline") sec.get("radial").fail("radial: mlp or spline");
  const long knots = radial == "spline" ? sec.get_int("knots", 2048) : 0;
  if (radial == "spline" && (knots < 16 || knots > 1000000)) sec.get("knots").fail("knots: 16..1000000");
  o.knots = static_cast<int>(knots);
  // tensor_product: cg (sparse Clebsch-Gordan) or grid (spherical-grid Gaunt product for
  // the parity-even paths, CG for the rest); both give the same model.
  const std::string tp = sec.get_string("tensor_product", "cg");
  if (tp != "cg" && tp != "grid") sec.get("tensor_product").fail("tensor_product: cg or grid");
  o.grid = tp == "grid";
  return [o](const ModelFile& f) { return nnip::make_equivariant(f, o); };
}

ModelMaker parse_attention(MapReader& sec, const CommonOptions& common) {
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
  NnipSpec(std::shared_ptr<const ModelFile> f, std::vector<int> species_of_type, ModelMaker make)
      : file_(std::move(f)), species_of_type_(std::move(species_of_type)), make_(std::move(make)) {}
  std::unique_ptr<Potential> create() const override {
    try {
      return std::make_unique<nnip::NnipPotential>(make_(*file_), species_of_type_);
    } catch (const nnip::Error& e) {  // a weight of the wrong shape: the file's problem
      throw InputError(e.what());
    }
  }
  bool needs_full_list() const override { return true; }

 private:
  std::shared_ptr<const ModelFile> file_;
  std::vector<int> species_of_type_;
  ModelMaker make_;
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
  ModelMaker make = arch->parse(sec, common);
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
  return std::make_shared<NnipSpec>(file, type_map, std::move(make));
}

}  // namespace af
