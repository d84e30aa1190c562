"""atomforge from Python, notebook style: a Stillinger-Weber Si crystal and the shipped
equivariant model through ASE, molecular dynamics, relaxations, matching and a deck.

    /usr/bin/python3 examples/python/si_from_python.py [--quick]

Needs only the README's set-up (which makes `import atomforge` work); runs in ~20 s.
"""
import os
import sys

import numpy as np
from ase import units
from ase.build import bulk
from ase.constraints import ExpCellFilter
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet
from ase.optimize import BFGS

import atomforge

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "si_equivariant.h5")
QUICK = "--quick" in sys.argv
SW = {"style": "sw", "file": "Si.sw"}  # any deck `potential:` section; files as in decks

# %% 1. A calculator on a 64-atom cell: energy, forces, stress (eV, Angstrom).
si = bulk("Si", "diamond", 5.431, cubic=True) * (2, 2, 2)
si.calc = atomforge.Calculator(SW)
print(f"atomforge {atomforge.__version__}, {atomforge.initialize()} threads")
print(f"SW diamond: {si.get_potential_energy() / len(si):.6f} eV/atom, "
      f"pressure {-si.get_stress()[:3].mean() / units.GPa:.2e} GPa")

# %% 2. NVE with ASE's Velocity Verlet, then Langevin at 1200 K.
MaxwellBoltzmannDistribution(si, temperature_K=1200, rng=np.random.default_rng(1))
dyn = VelocityVerlet(si, 1.0 * units.fs)
e0 = si.get_total_energy()
dyn.run(200 if QUICK else 1000)
print(f"NVE {dyn.nsteps} steps: total energy drift {(si.get_total_energy() - e0) / len(si):+.2e} eV/atom")
dyn = Langevin(si, 1.0 * units.fs, temperature_K=1200, friction=0.02 / units.fs, rng=np.random.default_rng(2))
temps = []
dyn.attach(lambda: temps.append(si.get_temperature()))
dyn.run(200 if QUICK else 1000)
print(f"Langevin {dyn.nsteps} steps: mean temperature {np.mean(temps[len(temps) // 2:]):.0f} K")

# %% 3. Relax a strained cell: ASE's BFGS with a cell filter, and atomforge.relax (the
#       engine's FIRE, as a deck's minimize stage); both find SW's a = 5.431 A.
strained = bulk("Si", "diamond", 5.431, cubic=True)
strained.set_cell(strained.cell.array * [1.04, 0.98, 1.02], scale_atoms=True)
strained.rattle(0.03, seed=3)
ase_relaxed = strained.copy()
ase_relaxed.calc = atomforge.Calculator(SW)
BFGS(ExpCellFilter(ase_relaxed), logfile=None).run(fmax=1e-4)
af_relaxed = atomforge.relax(strained, SW, fmax=1e-6, cell=True)
print(f"BFGS + ExpCellFilter: a = {ase_relaxed.cell.cellpar()[0]:.5f} A; "
      f"atomforge.relax: a = {af_relaxed.cell.cellpar()[0]:.5f} A ({af_relaxed.info['relax']['iterations']} FIRE steps)")

# %% 4. The same with the shipped neural potential (equivariant, trained on SW data).
nn = atomforge.relax(strained, {"style": "nnip", "model": MODEL}, fmax=1e-4, cell=True)
print(f"equivariant model: a = {nn.cell.cellpar()[0]:.5f} A, {nn.get_potential_energy() / len(nn):.5f} eV/atom")

# %% 5. Structure matching (pymatgen's StructureMatcher semantics) and deduplication.
print("SW and NNIP minima match:", bool(atomforge.match(af_relaxed, nn)),
      "| diamond vs bcc:", bool(atomforge.match(af_relaxed, bulk("Si", "bcc", 3.1))))
unique = atomforge.dedup([af_relaxed, nn, bulk("Si", "fcc", 3.9)])
print(f"dedup: {len(unique)} unique of 3; classes {[u.info['members'] for u in unique]}")

# %% 6. A whole deck from Python (YAML text or a file); its outputs are written as usual.
deck = """units: metal
seed: 3
system:
  lattice: {style: diamond, a: 5.431, repeat: [2, 2, 2], species: Si}
  velocities: {temperature: 800}
potential: {style: sw, file: Si.sw}
stages:
  - {name: md, integrator: {style: langevin, temperature: 800, damping: 0.1, timestep: 0.001}, steps: 500}
output:
  thermo: {every: 100, file: thermo.csv}
"""
os.makedirs("si_from_python", exist_ok=True)
os.chdir("si_from_python")
final = atomforge.run(deck)
thermo = final.info["run"]["thermo"]
print(f"deck: {final.info['run']['end']} at step {final.info['run']['step']}, "
      f"temperatures {np.round(thermo['temp']).astype(int).tolist()} K")
