// On-the-fly structural analysis:
//   rdf          g(r) per species pair;
//   msd          mean-squared displacement from the run's start, total and per species;
//   coordination mean number of neighbors within a cutoff, total and per species pair.
// Every `every` steps a sample goes to the CSV files (msd, coordination) and into the
// RDF averages; the RDF CSV gets one block of rows per stage (the average of the samples
// taken during that stage; the starting structure belongs to none).
// The trajectory's observables/ get one row per trajectory frame, like every other
// observable there (readers such as MDAnalysis index observables by frame): msd and
// coordination at that step, and g(r) averaged over the samples since the last frame.
// Distances come from a full neighbor list built on a copy of the atoms, so the run's
// own lists (and their cutoffs) are untouched.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "atomforge/src/atoms.hpp"
#include "atomforge/src/box.hpp"
#include "atomforge/src/io/csv_writer.hpp"
#include "atomforge/src/io/h5md_writer.hpp"
#include "atomforge/src/units.hpp"

namespace af {

struct AnalysisSettings {
  long every = 0;  // 0: off
  bool rdf = false, msd = false, coordination = false;
  double rdf_cutoff = 0;
  int rdf_bins = 200;
  double coord_cutoff = 0;
  std::string rdf_file, msd_file, coord_file;
};

class Analysis {
 public:
  Analysis(const AnalysisSettings& s, const Units& u, const std::vector<std::string>& species, H5mdWriter* h5);
  bool due(long step) const { return s_.every > 0 && step % s_.every == 0; }
  // in_stage false (the step-0 structure): rows for the CSVs, but no part of a stage's RDF.
  void sample(long step, double time, const Atoms& atoms, const Box& box, bool in_stage = true);
  // Observables for the trajectory frame at `step` (after sample() when both are due).
  void frame(long step, double time, const Atoms& atoms, const Box& box);
  // Writes the stage's averaged RDF and starts a new average.
  void end_stage(const std::string& stage);

  // Public only because nvcc rejects device lambdas in private member functions.
  void measure(long step, const Atoms& atoms, const Box& box);

 private:
  struct Measurement {
    long step = -1;
    std::vector<double> hist;   // (pair, bin) counts, full-list (both ends)
    std::vector<double> norm;   // per pair: ordered pairs / V
    std::vector<double> coord;  // cn, then one per pair
    std::vector<double> msd;    // msd, then one per species
  };
  std::vector<double> rdf_of(const std::vector<double>& hist, const std::vector<double>& norm) const;
  std::vector<std::string> pair_names() const;
  AnalysisSettings s_;
  Units u_;
  std::vector<std::string> species_;
  H5mdWriter* h5_;
  std::unique_ptr<CsvWriter> rdf_csv_, msd_csv_, coord_csv_;
  Measurement last_;
  // RDF sums over samples: the stage's (CSV) and since the last frame (H5MD).
  std::vector<double> stage_hist_, stage_norm_, block_hist_, block_norm_;
  std::vector<double> x0_;  // unwrapped start positions by atom id order
};

}  // namespace af
