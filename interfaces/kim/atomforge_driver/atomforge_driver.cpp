// atomforge_driver: a KIM portable-model driver (KIM API 2.2+) running any atomforge
// potential through af::OpenSystem. A parameterized model's first parameter file is a
// YAML file with the model's species and a deck's potential section,
//   species: [Si]
//   potential: {style: nnip, model: si_equivariant.h5}
// whose file names refer to the model's other parameter files. The simulator's particles
// are the open system: contributing ones counted, padding ones computed as ghosts; the
// influence distance is the potential's ghost depth (a neural model's receptive field),
// so padding reaches it. Energy, forces, per-particle energies, virial, and per-particle
// virials for neural models. Units: metal (A, eV). docs/kim.md.
#include <Kokkos_Core.hpp>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "KIM_LogMacros.hpp"
#include "KIM_ModelDriverHeaders.hpp"
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/kokkos_init.hpp"
#include "atomforge/src/open_system.hpp"

namespace {

struct Driver {
  std::unique_ptr<af::OpenSystem> system;
  double influence = 0, cutoff = 0;
  int not_requesting_padding_neighbors = 1;  // the open system bins every particle itself
  std::vector<double> scratch;             // forces when the simulator asks for none
  std::vector<double> vatom;               // per-particle virials, the open system's convention
};

template <class Api>
void log_error(const Api* api, const std::string& message, int line) {
  api->LogEntry(KIM::LOG_VERBOSITY::error, "atomforge_driver: " + message, line, __FILE__);
}

// The working directory is the parameter files' while the potential loads, so its file
// names (model:, file:) are the model's own parameter files.
struct InDirectory {
  std::filesystem::path before;
  explicit InDirectory(const std::filesystem::path& dir) : before(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InDirectory() { std::filesystem::current_path(before); }
};

int destroy(KIM::ModelDestroy* const api) {
  Driver* d = nullptr;
  api->GetModelBufferPointer(reinterpret_cast<void**>(&d));
  delete d;
  return false;
}

int arguments_create(KIM::ModelCompute const* const model, KIM::ModelComputeArgumentsCreate* const api) {
  namespace N = KIM::COMPUTE_ARGUMENT_NAME;
  Driver* d = nullptr;
  model->GetModelBufferPointer(reinterpret_cast<void**>(&d));
  for (const auto& name : {N::partialEnergy, N::partialForces, N::partialParticleEnergy, N::partialVirial})
    if (api->SetArgumentSupportStatus(name, KIM::SUPPORT_STATUS::optional)) return true;
  // Per-particle virials: neural models each edge's half to each end, classic ones LAMMPS's split.
  if (d->system->has_per_atom_virial() && api->SetArgumentSupportStatus(N::partialParticleVirial, KIM::SUPPORT_STATUS::optional))
    return true;
  return false;
}

int arguments_destroy(KIM::ModelCompute const* const, KIM::ModelComputeArgumentsDestroy* const) { return false; }

int compute(KIM::ModelCompute const* const api, KIM::ModelComputeArguments const* const args) {
  namespace N = KIM::COMPUTE_ARGUMENT_NAME;
  Driver* d = nullptr;
  api->GetModelBufferPointer(reinterpret_cast<void**>(&d));
  const int* n = nullptr;
  const int* species = nullptr;
  const int* contributing = nullptr;
  const double* x = nullptr;
  double *energy = nullptr, *forces = nullptr, *particle_energy = nullptr, *virial = nullptr,
         *particle_virial = nullptr;
  if (args->GetArgumentPointer(N::numberOfParticles, &n) || args->GetArgumentPointer(N::particleSpeciesCodes, &species) ||
      args->GetArgumentPointer(N::particleContributing, &contributing) ||
      args->GetArgumentPointer(N::coordinates, &x) || args->GetArgumentPointer(N::partialEnergy, &energy) ||
      args->GetArgumentPointer(N::partialForces, &forces) ||
      args->GetArgumentPointer(N::partialParticleEnergy, &particle_energy) ||
      args->GetArgumentPointer(N::partialVirial, &virial) ||
      (d->system->has_per_atom_virial() && args->GetArgumentPointer(N::partialParticleVirial, &particle_virial))) {
    log_error(api, "cannot read the compute arguments", __LINE__);
    return true;
  }
  const int count = *n;
  double* f = forces;
  if (!f) {
    d->scratch.resize(3 * static_cast<std::size_t>(count));
    f = d->scratch.data();
  }
  for (int k = 0; k < 3 * count; ++k) f[k] = 0;
  if (particle_energy)
    for (int i = 0; i < count; ++i) particle_energy[i] = 0;
  af::OpenSystem::Request request;
  request.energy = energy != nullptr;
  request.virial = virial != nullptr;
  request.per_atom_energy = particle_energy != nullptr;
  request.per_atom_virial = particle_virial != nullptr;
  if (particle_virial) {
    d->vatom.assign(6 * static_cast<std::size_t>(count), 0.0);
  }
  try {
    const af::OpenSystem::Result r = d->system->compute(count, x, species, contributing, f, particle_energy,
                                                        particle_virial ? d->vatom.data() : nullptr, request);
    if (energy) *energy = r.energy;
    if (virial) {  // KIM: -sum r (x) f, in Voigt order xx yy zz yz xz xy
      const double* w = r.virial;  // sum r (x) f: xx yy zz xy xz yz
      const double v[6] = {-w[0], -w[1], -w[2], -w[5], -w[4], -w[3]};
      for (int k = 0; k < 6; ++k) virial[k] = v[k];
    }
    for (int i = 0; particle_virial && i < count; ++i) {  // the same conversion per particle
      const double* w = &d->vatom[6 * static_cast<std::size_t>(i)];
      double* v = particle_virial + 6 * static_cast<std::size_t>(i);
      v[0] = -w[0], v[1] = -w[1], v[2] = -w[2], v[3] = -w[5], v[4] = -w[4], v[5] = -w[3];
    }
  } catch (const std::exception& e) {
    log_error(api, e.what(), __LINE__);
    return true;
  }
  return false;
}

}  // namespace

extern "C" int model_driver_create(KIM::ModelDriverCreate* const api, KIM::LengthUnit const,
                                   KIM::EnergyUnit const, KIM::ChargeUnit const, KIM::TemperatureUnit const,
                                   KIM::TimeUnit const) {
  if (!Kokkos::is_initialized()) {
    af::initialize_kokkos(-1);  // OMP_NUM_THREADS threads; finalised at exit
    std::atexit([] {
      if (Kokkos::is_initialized()) Kokkos::finalize();
    });
  }
  int nfiles = 0;
  api->GetNumberOfParameterFiles(&nfiles);
  const std::string* dir = nullptr;
  const std::string* first = nullptr;
  if (nfiles >= 1) api->GetParameterFileDirectoryName(&dir);
  if (!dir || api->GetParameterFileBasename(0, &first)) {
    log_error(api, "a model needs its YAML parameter file (species: and potential:) first", __LINE__);
    return true;
  }
  auto d = std::make_unique<Driver>();
  try {
    InDirectory here(*dir);
    af::DeckNode root = af::load_yaml(*first);
    af::MapReader top(root);
    const std::vector<std::string> species = top.get("species").as_strings();
    d->system = af::OpenSystem::load(*first, species, "metal");
    for (std::size_t k = 0; k < species.size(); ++k)
      if (api->SetSpeciesCode(KIM::SpeciesName(species[k]), static_cast<int>(k))) {
        log_error(api, "'" + species[k] + "' is not a KIM species name", __LINE__);
        return true;
      }
  } catch (const std::exception& e) {
    log_error(api, e.what(), __LINE__);
    return true;
  }
  d->cutoff = d->system->cutoff();
  d->influence = d->system->ghost_depth();
  namespace R = KIM::MODEL_ROUTINE_NAME;  // (no Refresh: the model publishes no parameters)
  const auto cpp = KIM::LANGUAGE_NAME::cpp;
  int error = api->SetUnits(KIM::LENGTH_UNIT::A, KIM::ENERGY_UNIT::eV, KIM::CHARGE_UNIT::unused,
                            KIM::TEMPERATURE_UNIT::unused, KIM::TIME_UNIT::unused) ||
              api->SetModelNumbering(KIM::NUMBERING::zeroBased) ||
              api->SetRoutinePointer(R::ComputeArgumentsCreate, cpp, true,
                                     reinterpret_cast<KIM::Function*>(arguments_create)) ||
              api->SetRoutinePointer(R::Compute, cpp, true, reinterpret_cast<KIM::Function*>(compute)) ||
              api->SetRoutinePointer(R::ComputeArgumentsDestroy, cpp, true,
                                     reinterpret_cast<KIM::Function*>(arguments_destroy)) ||
              api->SetRoutinePointer(R::Destroy, cpp, true, reinterpret_cast<KIM::Function*>(destroy));
  if (error) {
    log_error(api, "the KIM API refused the model's set-up", __LINE__);
    return true;
  }
  api->SetInfluenceDistancePointer(&d->influence);
  api->SetNeighborListPointers(1, &d->cutoff, &d->not_requesting_padding_neighbors);
  api->SetModelBufferPointer(d.release());
  return false;
}
