"""Per-call overhead of atomforge.Calculator (ASE) over the engine's own force time.

Stillinger-Weber Si at 64 and 1,000 atoms, same thread count on both sides:
  engine: `atomforge run` of an NVE deck, force time per step from its loop-time table
          (Force; Force + Neigh, since a calculator call also updates the neighbor list);
  python: atoms.get_forces() on that run's first steps' frames, per call (ASE's state
          check, set_positions, neighbor update, forces, conversions), best of 5 repeats;
  ase-md: ASE VelocityVerlet per step, against the engine's whole step;
  peer:   ASE's LAMMPSlib calculator (python3-lammps, one rank, no threads) on the frames.

    /usr/bin/python3 bench/python_overhead.py [THREADS]        (default 1)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ATOMFORGE = os.environ.get("ATOMFORGE", os.path.join(ROOT, "build", "bin", "atomforge"))
THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import atomforge  # noqa: E402
from ase import units  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.md.verlet import VelocityVerlet  # noqa: E402

SW = {"style": "sw", "file": "Si.sw"}


DECK = """units: metal
seed: 5
system:
  lattice: {{style: diamond, a: 5.431, repeat: [{rep}, {rep}, {rep}], species: Si}}
  velocities: {{temperature: 600}}
potential: {{style: sw, file: Si.sw}}
stages:
  - {{name: md, integrator: {{style: nve, timestep: 0.001}}, steps: {steps}}}
"""


def engine(rep, steps, frames, wd):
    """Force time per step (best of 3 runs); then `frames` steps of the same run, every
    step written, for the calculator."""
    deck = os.path.join(wd, f"sw{rep}.yaml")
    with open(deck, "w") as f:
        f.write(DECK.format(rep=rep, steps=steps))
    best = None
    for _ in range(3):
        out = subprocess.run([ATOMFORGE, "run", deck, "--threads", str(THREADS)], capture_output=True, text=True,
                             cwd=wd, check=True, env=dict(os.environ, OMP_PROC_BIND="false")).stdout
        total = float(re.search(r"Loop time ([0-9.e+-]+) s", out).group(1))
        force = float(re.search(r"Force\s*\|\s*([0-9.e+-]+)", out).group(1))
        neigh = float(re.search(r"Neigh\s*\|\s*([0-9.e+-]+)", out).group(1))
        row = (force / steps, (force + neigh) / steps, total / steps)
        best = row if best is None or row[0] < best[0] else best
    with open(deck, "w") as f:
        f.write(DECK.format(rep=rep, steps=frames) + f"output:\n  extxyz: {{every: 1, file: frames{rep}.extxyz}}\n")
    subprocess.run([ATOMFORGE, "run", deck, "--threads", str(THREADS), "-q"], cwd=wd, check=True, capture_output=True,
                   env=dict(os.environ, OMP_PROC_BIND="false"))
    return best


def lammpslib():
    """The peer: ASE's LAMMPSlib calculator over Debian's LAMMPS (one rank)."""
    from ase.calculators.lammpslib import LAMMPSlib
    return LAMMPSlib(lmpcmds=["pair_style sw", "pair_coeff * * /usr/share/lammps/potentials/Si.sw Si"],
                     atom_types={"Si": 1}, log_file=None, keep_alive=True)


def python_calls(rep, wd, make_calc=lambda: atomforge.Calculator(SW, threads=THREADS)):
    """The engine run's own consecutive frames, so both sides see the same neighbor
    counts (at 600 K some second neighbors enter SW's cutoff) and rebuild as often."""
    import ase.io
    frames = ase.io.read(os.path.join(wd, f"frames{rep}.extxyz"), index=":")
    atoms = frames[0].copy()
    atoms.calc = make_calc()
    moves = [f.get_positions() for f in frames]
    calls = len(moves)
    atoms.get_forces()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        for x in moves:
            atoms.set_positions(x)
            atoms.get_forces()
        times.append((time.perf_counter() - t) / calls)
    return float(np.min(times))


def ase_md(rep, steps):
    atoms = bulk("Si", "diamond", 5.431, cubic=True) * (rep, rep, rep)
    atoms.calc = atomforge.Calculator(SW, threads=THREADS)
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
    MaxwellBoltzmannDistribution(atoms, temperature_K=600, rng=np.random.default_rng(2))
    dyn = VelocityVerlet(atoms, 1.0 * units.fs)
    dyn.run(10)
    t = time.perf_counter()
    dyn.run(steps)
    return (time.perf_counter() - t) / steps


def main():
    wd = tempfile.mkdtemp(prefix="af-pybench-")
    print(f"threads {THREADS}; times per call / step in microseconds")
    print("| atoms | engine force | engine force+neigh | calculator call | overhead vs force | "
          "vs force+neigh | engine step | ASE VelocityVerlet step | LAMMPSlib call |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rep, steps, calls in ((2, 20000, 2000), (5, 2000, 300)):
        n = 8 * rep ** 3
        f, fn, step = engine(rep, steps, calls, wd)
        call = python_calls(rep, wd)
        md = ase_md(rep, calls)
        try:
            peer = f"{python_calls(rep, wd, lammpslib) * 1e6:.1f}"
        except Exception as e:  # python3-lammps (scripts/install-deps.sh) missing
            peer = f"n/a ({type(e).__name__})"
        print(f"| {n} | {f * 1e6:.1f} | {fn * 1e6:.1f} | {call * 1e6:.1f} | {(call / f - 1) * 100:+.0f}% | "
              f"{(call / fn - 1) * 100:+.0f}% | {step * 1e6:.1f} | {md * 1e6:.1f} | {peer} |", flush=True)


if __name__ == "__main__":
    main()
