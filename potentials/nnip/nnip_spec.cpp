// Deck entry for neural potentials: potential: {style: nnip, model: FILE.h5}. The model
// file names its architecture; each architecture is one line in the map below.
#include <sys/stat.h>

#include <map>

#include "potentials/nnip/attention.hpp"
#include "potentials/nnip/equivariant.hpp"
#include "registry.hpp"

namespace af {

namespace {

using nnip::ModelFile;
using Factory = std::unique_ptr<nnip::Model> (*)(const ModelFile&, const std::vector<int>&, int spline_knots,
                                                 bool single, bool grid);

const std::map<std::string, Factory>& architectures() {
  static const std::map<std::string, Factory> m = {
      {"equivariant",
       [](const ModelFile& f, const std::vector<int>& tm, int knots, bool single, bool grid) -> std::unique_ptr<nnip::Model> {
         if (single) return std::make_unique<nnip::EquivariantModel<float>>(f, tm, knots, grid);
         return std::make_unique<nnip::EquivariantModel<double>>(f, tm, knots, grid);
       }},
      {"attention",
       [](const ModelFile& f, const std::vector<int>& tm, int, bool single, bool) -> std::unique_ptr<nnip::Model> {
         if (single) return std::make_unique<nnip::AttentionModel<float>>(f, tm);
         return std::make_unique<nnip::AttentionModel<double>>(f, tm);
       }},
  };
  return m;
}

class NnipSpec final : public PotentialSpec {
 public:
  NnipSpec(std::shared_ptr<const ModelFile> f, std::vector<int> type_map, Factory make, int knots, bool single,
           bool grid)
      : file_(std::move(f)), type_map_(std::move(type_map)), make_(make), knots_(knots), single_(single), grid_(grid) {}
  std::unique_ptr<Potential> create() const override {
    return std::make_unique<nnip::NnipPotential>(make_(*file_, type_map_, knots_, single_, grid_));
  }
  bool needs_full_list() const override { return true; }

 private:
  std::shared_ptr<const ModelFile> file_;
  std::vector<int> type_map_;
  Factory make_;
  int knots_;
  bool single_, grid_;
};

}  // namespace

std::shared_ptr<const PotentialSpec> parse_nnip(MapReader& sec, const DeckContext& ctx) {
  if (ctx.units.name != "metal") sec.node().fail("nnip models are in metal units (eV, Angstrom); set 'units: metal'");
  const DeckNode mnode = sec.get("model");
  const std::string path = mnode.as_string();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) mnode.fail("cannot find model file '" + path + "'");
  const std::string precision = sec.get_string("precision", "float64");
  if (precision != "float64" && precision != "float32") sec.get("precision").fail("precision: float64 or float32");
  // radial: mlp (exact) or spline (a cubic Hermite table of the radial MLP, `knots`
  // intervals; its error is measured in tests/ref/test_equivariant_engine.py).
  const std::string radial = sec.get_string("radial", "mlp");
  if (radial != "mlp" && radial != "spline") sec.get("radial").fail("radial: mlp or spline");
  const long knots = radial == "spline" ? sec.get_int("knots", 2048) : 0;
  if (radial == "spline" && (knots < 16 || knots > 1000000)) sec.get("knots").fail("knots: 16..1000000");
  // tensor_product: cg (sparse Clebsch-Gordan) or grid (spherical-grid Gaunt product for
  // the parity-even paths, CG for the rest); both give the same model.
  const std::string tp = sec.get_string("tensor_product", "cg");
  if (tp != "cg" && tp != "grid") sec.get("tensor_product").fail("tensor_product: cg or grid");
  auto file = std::make_shared<const ModelFile>(path);
  const auto it = architectures().find(file->architecture());
  if (it == architectures().end()) file->fail("unknown architecture '" + file->architecture() + "'");
  if (file->architecture() != "equivariant" && radial != "mlp") sec.get("radial").fail("radial: spline is for equivariant models");
  if (file->architecture() != "equivariant" && tp != "cg")
    sec.get("tensor_product").fail("tensor_product is for equivariant models");
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
  return std::make_shared<NnipSpec>(file, type_map, it->second, static_cast<int>(knots), precision == "float32",
                                    tp == "grid");
}

}  // namespace af
