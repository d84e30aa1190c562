// Deck entry for neural potentials: potential: {style: nnip, model: FILE.h5}. The model
// file names its architecture; each architecture is one line in the map below.
#include <sys/stat.h>

#include "atomforge/src/nnip/nnip_potential.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

namespace {

using nnip::ModelFile;

class NnipSpec final : public PotentialSpec {
 public:
  NnipSpec(std::shared_ptr<const ModelFile> f, std::vector<int> species_of_type, const nnip::ModelOptions& opt)
      : file_(std::move(f)), species_of_type_(std::move(species_of_type)), opt_(opt) {}
  std::unique_ptr<Potential> create() const override {
    try {
      return std::make_unique<nnip::NnipPotential>(nnip::make_model(*file_, opt_), species_of_type_);
    } catch (const nnip::Error& e) {  // a weight of the wrong shape: the file's problem
      throw InputError(e.what());
    }
  }
  bool needs_full_list() const override { return true; }

 private:
  std::shared_ptr<const ModelFile> file_;
  std::vector<int> species_of_type_;
  nnip::ModelOptions opt_;
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
  // fuse_last_block: the attention model's last block forward and reverse in one kernel
  // (CPU builds; default true; false runs it as every other block, as GPU builds do).
  const bool fuse_last = sec.get_bool("fuse_last_block", true);
  std::shared_ptr<const ModelFile> file;
  try {
    file = std::make_shared<const ModelFile>(path);
  } catch (const nnip::Error& e) {
    throw InputError(e.what());
  }
  if (file->architecture() != "equivariant" && file->architecture() != "attention")
    throw InputError(path + ": unknown architecture '" + file->architecture() + "'");
  if (file->architecture() != "equivariant" && radial != "mlp") sec.get("radial").fail("radial: spline is for equivariant models");
  if (file->architecture() != "equivariant" && tp != "cg")
    sec.get("tensor_product").fail("tensor_product is for equivariant models");
  if (file->architecture() != "attention" && !fuse_last)
    sec.get("fuse_last_block").fail("fuse_last_block is for attention models");
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
  nnip::ModelOptions opt;
  opt.knots = static_cast<int>(knots);
  opt.single = precision == "float32";
  opt.grid = tp == "grid";
  opt.fuse_last = fuse_last;
  return std::make_shared<NnipSpec>(file, type_map, opt);
}

}  // namespace af
