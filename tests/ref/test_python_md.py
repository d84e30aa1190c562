"""ASE dynamics and optimisers driving atomforge.Calculator (216-atom Si, Stillinger-Weber).

1. ASE's VelocityVerlet, 1,000 steps of 1 fs from 1,000 K, conserves energy as well as
   the engine's own NVE from the same positions and velocities (LAMMPS data file, same
   time step): the largest excursion of E_total from its start and the drift (slope of a
   line fit) are each within 1.5x of the engine's plus 1e-6 eV/atom.
2. ASE's Langevin (1,000 steps, 1,000 K, friction 0.02/fs, started at 1,000 K) runs and holds the
   temperature: the mean over the last 500 steps is within 10% of 1,000 K (a 216-atom
   system's temperature fluctuates by ~10% per sample; the mean of 500 is far tighter).
3. ASE's BFGS with ExpCellFilter relaxes a strained, shaken cell to SW's diamond lattice
   constant 5.431 A (within 1e-4 A) and fmax 1e-4 eV/A.
"""
import os

import numpy as np

from common import Checks, workdir

import atomforge
from ase import units
from ase.build import bulk
from ase.constraints import ExpCellFilter
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary
from ase.md.verlet import VelocityVerlet
from ase.optimize import BFGS

SW = {"style": "sw", "file": "Si.sw"}
STEPS = 1000


def si216():
    return bulk("Si", "diamond", 5.431, cubic=True) * (3, 3, 3)


def write_data(path, atoms):
    """LAMMPS data file (orthogonal cell) with velocities in Angstrom/ps."""
    L = np.diag(atoms.cell.array)
    v = atoms.get_velocities() * 1000 * units.fs  # ASE units -> Angstrom/ps
    with open(path, "w") as f:
        f.write(f"ase initial state\n\n{len(atoms)} atoms\n1 atom types\n")
        for k, ax in enumerate("xyz"):
            f.write(f"0 {L[k]!r} {ax}lo {ax}hi\n")
        f.write(f"\nMasses\n\n1 {atoms.get_masses()[0]!r}\n\nAtoms # atomic\n\n")
        for i, p in enumerate(atoms.get_positions()):
            f.write(f"{i + 1} 1 {p[0]!r} {p[1]!r} {p[2]!r}\n")
        f.write("\nVelocities\n\n")
        for i, u in enumerate(v):
            f.write(f"{i + 1} {u[0]!r} {u[1]!r} {u[2]!r}\n")


def excursion_and_drift(t, e, n):
    e = np.asarray(e) / n
    return np.abs(e - e[0]).max(), abs(np.polyfit(t, e, 1)[0]) * (t[-1] - t[0])


def main():
    c = Checks("python_md")
    wd = workdir("python-md")
    os.chdir(wd)

    atoms = si216()
    atoms.rattle(0.02, seed=3)
    MaxwellBoltzmannDistribution(atoms, temperature_K=2000, rng=np.random.default_rng(5))
    Stationary(atoms)
    write_data("start.data", atoms)

    # The engine's own NVE.
    deck = f"""units: metal
system: {{read: start.data, species: [Si]}}
potential: {{style: sw, file: Si.sw}}
stages:
  - {{name: nve, integrator: {{style: nve, timestep: 0.001}}, steps: {STEPS}}}
output:
  thermo: {{every: 10, file: engine_thermo.csv}}
"""
    engine = atomforge.run(deck).info["run"]["thermo"]
    t_engine, e_engine = engine["step"], engine["etotal"]

    # ASE's VelocityVerlet with the calculator.
    atoms.calc = atomforge.Calculator(SW)
    pe0 = atoms.get_potential_energy()
    e_ase, t_ase = [], []
    dyn = VelocityVerlet(atoms, timestep=1.0 * units.fs)
    dyn.attach(lambda: (t_ase.append(dyn.nsteps), e_ase.append(atoms.get_total_energy())), interval=10)
    dyn.run(STEPS)
    n = len(atoms)
    exc_a, drift_a = excursion_and_drift(np.array(t_ase, float), e_ase, n)
    exc_e, drift_e = excursion_and_drift(np.array(t_engine, float), e_engine, n)
    # Same start: potential energy to rounding; kinetic energy to the unit constants
    # (LAMMPS's metal mvv2e, 1.0364269e-4, has 8 digits; ASE's CODATA units more).
    dpe = abs(pe0 - engine["pe"][0]) / abs(pe0)
    dke = abs(e_ase[0] - pe0 - engine["ke"][0]) / engine["ke"][0]
    c.check(dpe <= 1e-12 and dke <= 1e-7, f"same start in ASE and the engine (potential energy {dpe:.1e}, "
            f"kinetic {dke:.1e} relative)")
    c.check(exc_a <= 1.5 * exc_e + 1e-6 and drift_a <= 1.5 * drift_e + 1e-6,
            f"VelocityVerlet {STEPS} steps: excursion {exc_a:.2e} / drift {drift_a:.2e} eV/atom vs the engine's "
            f"NVE {exc_e:.2e} / {drift_e:.2e} (within 1.5x + 1e-6)")

    # Langevin.
    atoms = si216()
    MaxwellBoltzmannDistribution(atoms, temperature_K=1000, rng=np.random.default_rng(6))
    atoms.calc = atomforge.Calculator(SW)
    temps = []
    dyn = Langevin(atoms, 1.0 * units.fs, temperature_K=1000, friction=0.02 / units.fs, rng=np.random.default_rng(7))
    dyn.attach(lambda: temps.append(atoms.get_temperature()), interval=1)
    dyn.run(STEPS)
    mean_t = float(np.mean(temps[-500:]))
    c.check(abs(mean_t - 1000) <= 100, f"Langevin {STEPS} steps: mean temperature of the last 500 {mean_t:.0f} K (1000 +- 100)")

    # BFGS with a cell filter.
    atoms = bulk("Si", "diamond", 5.431, cubic=True) * (2, 2, 2)
    atoms.set_cell(atoms.cell.array @ np.array([[1.03, 0.01, 0], [0, 0.98, 0.02], [0, 0, 1.04]]), scale_atoms=True)
    atoms.rattle(0.03, seed=9)
    atoms.calc = atomforge.Calculator(SW)
    opt = BFGS(ExpCellFilter(atoms), logfile=None)
    converged = opt.run(fmax=1e-4, steps=500)
    cellpar = atoms.cell.cellpar()
    a = cellpar[:3] / 2
    c.check(converged and np.abs(a - 5.431).max() <= 1e-4 and np.abs(cellpar[3:] - 90).max() <= 1e-3,
            f"BFGS + ExpCellFilter: a = {a[0]:.5f} {a[1]:.5f} {a[2]:.5f} A, angles {cellpar[3]:.4f} "
            f"{cellpar[4]:.4f} {cellpar[5]:.4f} after {opt.nsteps} steps (5.431 +- 1e-4)")
    c.done()


if __name__ == "__main__":
    main()
