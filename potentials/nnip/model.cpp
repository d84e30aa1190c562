#include "atomforge/potentials/nnip/model.hpp"

#include <cstdio>

#include "atomforge/potentials/nnip/attention/attention.hpp"
#include "atomforge/potentials/nnip/equivariant/eq_setup.hpp"
#include "atomforge/potentials/nnip/equivariant/equivariant.hpp"

namespace af::nnip {

void Model::compute_exchange(const Graph&, int, NodeExchange&, const DblView&, const VecView&) {
  throw Error("the " + name() + " model has no exchange mode (use ghost mode)");
}

RadialChoice choose_radial(const ModelFile& f, const EquivariantOptions& o) {
  RadialChoice c;
  if (o.radial == Radial::mlp) {
    c.note = "radial: exact MLP (as asked)";
    return c;
  }
  EqHostData data;
  EqLayout L = read_equivariant(f, data);
  if (o.single)
    for (double& v : data.params) v = double(float(v));
  c.error = radial_table_error(L, data.params, radial_table(L, data.params, o.knots), o.single);
  char err[64], tol[32];
  std::snprintf(err, sizeof err, "%.1e", c.error);
  std::snprintf(tol, sizeof tol, "%.0e", kSplineTolerance);
  const std::string table = "cubic Hermite table of " + std::to_string(o.knots) + " intervals, largest error " + err +
                            " relative to the exact MLP";
  c.spline = o.radial == Radial::spline || c.error < kSplineTolerance;
  if (o.radial == Radial::spline)
    c.note = "radial: spline (as asked; " + table + ")";
  else if (c.spline)
    c.note = "radial: spline (" + table + ", below " + tol + ")";
  else
    c.note = "radial: exact MLP (the " + table + ", above the " + tol + " the default allows)";
  return c;
}

std::unique_ptr<Model> make_equivariant(const ModelFile& f, const EquivariantOptions& o) {
  const int knots = o.radial == Radial::mlp ? 0
                    : o.radial == Radial::spline ? o.knots
                                                 : (choose_radial(f, o).spline ? o.knots : 0);
  if (o.single) return std::make_unique<EquivariantModel<float>>(f, knots, o.grid);
  return std::make_unique<EquivariantModel<double>>(f, knots, o.grid);
}

std::unique_ptr<Model> make_attention(const ModelFile& f, const AttentionOptions& o) {
  if (o.backend == Backend::portable) return make_attention_portable(f, o);
  if constexpr (kHostBackendBuilt)
    return make_attention_host(f, o);
  else
    throw Error("backend: host is for CPU builds; this build runs the portable back end only");
}

std::unique_ptr<Model> make_model(const ModelFile& f) {
  if (f.architecture() == "equivariant") return make_equivariant(f);
  if (f.architecture() == "attention") return make_attention(f);
  f.fail("unknown architecture '" + f.architecture() + "' (known: equivariant, attention)");
}

}  // namespace af::nnip
