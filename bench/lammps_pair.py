"""pair_style atomforge in LAMMPS against atomforge's own engine, same model and MD.

Si diamond (5x5x5 cells, 1,000 atoms, 800 K), NVE 1 fs, STEPS steps, the shipped
equivariant and attention models in ghost and exchange mode (`pair_style atomforge FILE
mode M`). One MPI rank x 1 thread and 2 ranks x 1 thread in
LAMMPS (lmp_atomforge), 1 and 2 threads in atomforge; ms per step of the loop (LAMMPS's
and atomforge's "Loop time"), LAMMPS's Pair and Comm (average over ranks) and
atomforge's Force sections, best of 2; LAMMPS's ghost / local atoms per rank (Nghost /
Nlocal averages). In exchange mode the style's forward communications of the model's
rows are timed in LAMMPS's Comm section (the style stamps the timer around them).

    /usr/bin/python3 bench/lammps_pair.py [STEPS]        (default 50)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ATOMFORGE = os.path.join(ROOT, "build", "bin", "atomforge")
LMP = os.path.join(ROOT, "build", "bin", "lmp_atomforge")
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
ENV = dict(os.environ, OMP_PROC_BIND="false")

LAMMPS_IN = """units metal
lattice diamond 5.431
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 28.0855
pair_style atomforge {pot}
pair_coeff * * Si
velocity all create 800 5 loop geom
timestep 0.001
fix nve all nve
thermo {steps}
run {steps}
"""

DECK = """units: metal
seed: 5
system:
  lattice: {{style: diamond, a: 5.431, repeat: [5, 5, 5], species: Si}}
  velocities: {{temperature: 800}}
potential: {{style: nnip, model: {model}}}
stages:
  - {{name: md, integrator: {{style: nve, timestep: 0.001}}, steps: {steps}}}
"""


def best(cmd, cwd, patterns, threads, runs=2, raw=None):
    """The run with the least loop time: each pattern's first group in ms per step; the
    patterns of raw (if given) as printed, from the last run."""
    found = []
    for _ in range(runs):
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True,
                             env=dict(ENV, OMP_NUM_THREADS=str(threads))).stdout
        found.append([float(re.search(p, out).group(1)) / STEPS * 1e3 for p in patterns])
        extra = [float(re.search(p, out, re.M).group(1)) for p in raw or []]
    return min(found) + extra


def main():
    wd = tempfile.mkdtemp(prefix="af-lmpbench-")
    print(f"{STEPS} MD steps, 1,000 Si atoms; ms per step (best of 2)")
    print("| model | mode | threads or ranks | atomforge step (force) | lmp_atomforge step (Pair, Comm) | step ratio | "
          "Pair / force | ghosts / locals |")
    print("|---|---|---|---|---|---|---|---|")
    for name, mode in (("equivariant", "ghost"), ("equivariant", "exchange"), ("attention", "ghost"),
                       ("attention", "exchange")):
        model = os.path.join(ROOT, "examples", "models", f"si_{name}.h5")
        with open(os.path.join(wd, f"{name}.yaml"), "w") as f:
            f.write(f"potential: {{style: nnip, model: {model}}}\n")
        with open(os.path.join(wd, f"in.{name}"), "w") as f:
            f.write(LAMMPS_IN.format(pot=f"{name}.yaml mode {mode}", steps=STEPS))
        with open(os.path.join(wd, f"{name}_deck.yaml"), "w") as f:
            f.write(DECK.format(model=model, steps=STEPS))
        for n in (1, 2):
            af, af_force = best([ATOMFORGE, "run", f"{name}_deck.yaml", "--threads", str(n)], wd,
                                [r"Loop time ([0-9.e+-]+) s", r"Force\s*\|\s*([0-9.e+-]+)"], n)
            cmd = [LMP, "-in", f"in.{name}", "-log", "none", "-nocite"]
            if n > 1:
                cmd = ["mpirun", "--allow-run-as-root", "-np", str(n)] + cmd
            lmp, pair, comm, nlocal, nghost = best(
                cmd, wd, [r"Loop time of ([0-9.e+-]+) on", r"Pair\s*\|\s*[0-9.e+-]+\s*\|\s*([0-9.e+-]+)",
                          r"Comm\s*\|\s*[0-9.e+-]+\s*\|\s*([0-9.e+-]+)"], 1,
                raw=[r"^Nlocal:\s+([0-9.e+-]+) ave", r"^Nghost:\s+([0-9.e+-]+) ave"])
            print(f"| {name} | {mode} | {n} | {af:.1f} ({af_force:.1f}) | {lmp:.1f} ({pair:.1f}, {comm:.2f}) | {lmp / af:.2f} | "
                  f"{pair / af_force:.2f} | {nghost / nlocal:.2f} |", flush=True)


if __name__ == "__main__":
    main()
