#include "atomforge/src/thermo.hpp"

#include "atomforge/src/velocity.hpp"

namespace af {

const std::vector<std::string>& ThermoRow::names() {
  static const std::vector<std::string> n = {"step", "time", "temp", "pe",  "ke",  "etotal", "press",
                                             "vol",  "pxx",  "pyy",  "pzz", "pyz", "pxz",    "pxy"};
  return n;
}

std::vector<double> ThermoRow::values() const {
  return {static_cast<double>(step), time, temp, pe, ke, etotal, press, vol, pxx, pyy, pzz, pyz, pxz, pxy};
}

ThermoRow compute_thermo(long step, double time, const Atoms& atoms, const Box& box, const Units& u,
                         const EnergyVirial& ev) {
  ThermoRow r;
  r.step = step;
  r.time = time;
  r.ke = atoms.kinetic_energy(u.mvv2e);
  r.temp = 2.0 * r.ke / (temperature_dof(atoms.nlocal) * u.boltz);
  r.pe = ev.e;
  r.etotal = r.pe + r.ke;
  r.vol = box.volume();
  // LAMMPS compute pressure: (dof kB T + W_xx + W_yy + W_zz) / (3 V) * nktv2p.
  r.press = (2.0 * r.ke + ev.v[0] + ev.v[1] + ev.v[2]) / (3.0 * r.vol) * u.nktv2p;
  double k[6];
  atoms.kinetic_tensor(u.mvv2e, k);
  const double s = u.nktv2p / r.vol;
  r.pxx = (k[0] + ev.v[0]) * s;
  r.pyy = (k[1] + ev.v[1]) * s;
  r.pzz = (k[2] + ev.v[2]) * s;
  r.pxy = (k[3] + ev.v[3]) * s;
  r.pxz = (k[4] + ev.v[4]) * s;
  r.pyz = (k[5] + ev.v[5]) * s;
  return r;
}

std::string thermo_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%10s %12s %14s %16s %16s %16s %14s %14s", "step", "time", "temp", "pe", "ke",
                "etotal", "press", "vol");
  return buf;
}

std::string thermo_line(const ThermoRow& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%10ld %12.6g %14.8g %16.10g %16.10g %16.10g %14.8g %14.8g", r.step, r.time, r.temp,
                r.pe, r.ke, r.etotal, r.press, r.vol);
  return buf;
}

}  // namespace af
