// Shared deck handling for pairwise styles: `cutoff`, `pairs: [{species: [A, B], ...}]`
// into a symmetric per-type-pair table, and a device copy of it.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "atomforge/src/pair_driver.hpp"
#include "atomforge/src/registry.hpp"

namespace af {

template <class P>
struct PairTable {
  int ntypes = 0;
  std::vector<std::optional<P>> entry;  // ntypes * ntypes, symmetric

  std::optional<P>& at(int i, int j) { return entry[i * ntypes + j]; }
};

// Reads the `pairs` list; parse_entry reads one entry's own keys (not `species`) and
// receives the global cutoff as default.
template <class P>
PairTable<P> read_pairs(MapReader& sec, const DeckContext& ctx, double global_cut,
                        const std::function<P(MapReader&, double)>& parse_entry) {
  PairTable<P> t;
  t.ntypes = ctx.structure.ntypes();
  t.entry.assign(t.ntypes * t.ntypes, std::nullopt);
  const DeckNode pairs = sec.get("pairs");
  for (const auto& item : pairs.items()) {
    MapReader e(item);
    const DeckNode sp = e.get("species");
    const auto names = sp.items();
    if (names.size() != 2) sp.fail("pairs.species: expected two species names [A, B]");
    const int a = ctx.species_index(names[0]);
    const int b = ctx.species_index(names[1]);
    if (t.at(a, b)) sp.fail("pairs: coefficients for " + names[0].as_string() + "-" + names[1].as_string() + " given twice");
    const P p = parse_entry(e, global_cut);
    e.finish();
    t.at(a, b) = p;
    t.at(b, a) = p;
  }
  return t;
}

template <class P>
Kokkos::View<P*, Device> to_device(const std::vector<P>& v, const char* label) {
  Kokkos::View<P*, Device> d(std::string(label), v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  Kokkos::deep_copy(d, h);
  return d;
}

// A pairwise style: per-species-pair physics, plus a one-species variant holding its
// parameters by value (vectorised on CPU cluster lists). The style's .cpp supplies
// the physics and the parser; this does the rest.
template <class Params, class Multi, class Single>
class PairStyle final : public Potential {
 public:
  PairStyle(std::string name, const std::vector<Params>& table, int nt, double cutmax)
      : name_(std::move(name)), multi_{to_device(table, "pair::params"), nt}, single_{table[0]}, nt_(nt),
        cutmax_(cutmax) {}
  std::string style() const override { return name_; }
  double cutoff() const override { return cutmax_; }
  bool supports_clusters() const override { return true; }
  bool supports_batches() const override { return true; }
  bool supports_per_atom_virial() const override { return true; }
  EnergyVirial compute(Atoms& atoms, const NeighborList& list, const ComputeFlags& fl, const DblView& eatom) override {
    if (nt_ == 1) return driver_.compute(single_, atoms, list, fl, eatom);
    return driver_.compute(multi_, atoms, list, fl, eatom);
  }

 private:
  std::string name_;
  Multi multi_;
  Single single_;
  int nt_;
  PairDriver driver_;
  double cutmax_;
};

template <class Params, class Multi, class Single>
class PairStyleSpec final : public PotentialSpec {
 public:
  std::string name;
  std::vector<Params> table;  // ntypes * ntypes
  int nt = 0;
  double cutmax = 0;
  std::unique_ptr<Potential> create() const override {
    return std::make_unique<PairStyle<Params, Multi, Single>>(name, table, nt, cutmax);
  }
  bool pairwise() const override { return true; }
};

}  // namespace af
