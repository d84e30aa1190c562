// Pieces shared by integrators: velocity-Verlet kernels and temperature ramps.
#pragma once
#include "atomforge/src/deck_reader.hpp"
#include "atomforge/src/integrator.hpp"

namespace af {

namespace verlet {
// v += (dt/2) * ftm2v * f / m
void half_kick(Atoms& atoms, double dt, double ftm2v);
// x += dt * v
void drift(Atoms& atoms, double dt);
}  // namespace verlet

// A target temperature, constant or ramped linearly over a stage.
struct TemperatureRamp {
  double start = 0, stop = 0;
  double at(double progress) const { return start + (stop - start) * progress; }
};

// `temperature: T` or `temperature: {start: T0, stop: T1}`.
TemperatureRamp parse_temperature(MapReader& sec);

}  // namespace af
