"""pair_style atomforge with classic potentials against LAMMPS's own styles, same MD.

Debian's LAMMPS (29 Sep 2021) runs each input twice: with its own pair style (`lmp`,
the peer) and with `pair_style atomforge` (`lmp_atomforge`, the same potential file
through af::OpenSystem), at 1 rank and 2 ranks x 1 thread, NVE 1 fs, STEPS steps:
  sw       Si diamond 10x10x10 (8,000 atoms, 1000 K), Si.sw
  tersoff  Si diamond 10x10x10 (8,000 atoms, 1000 K), Si.tersoff
  eam      Ni fcc 14x14x14 (10,976 atoms, 800 K), Ni_u3.eam
  lj       Ar fcc 14x14x14 (10,976 atoms, 60 K), lj/cut 8.5 A
ms per step (Loop time), LAMMPS's Pair and Comm sections (average over ranks), best of
2, and the ghost / local atom ratio (LAMMPS's Nghost / Nlocal per rank).

    /usr/bin/python3 bench/lammps_classic.py [STEPS]        (default 50)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LMP_AF = os.path.join(ROOT, "build", "bin", "lmp_atomforge")
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
POT = "/usr/share/lammps/potentials"
CASES = {  # lattice, a, n, mass, temperature, LAMMPS's style, atomforge section
    "sw": ("diamond", 5.431, 10, 28.0855, 1000, f"pair_style sw\npair_coeff * * {POT}/Si.sw Si",
           f"{{style: sw, file: {POT}/Si.sw}}", "Si"),
    "tersoff": ("diamond", 5.431, 10, 28.0855, 1000, f"pair_style tersoff\npair_coeff * * {POT}/Si.tersoff Si",
                f"{{style: tersoff, file: {POT}/Si.tersoff}}", "Si"),
    "eam": ("fcc", 3.52, 14, 58.69, 800, f"pair_style eam\npair_coeff * * {POT}/Ni_u3.eam",
            f"{{style: eam, file: {POT}/Ni_u3.eam}}", "Ni"),
    "lj": ("fcc", 5.26, 14, 39.948, 60, "pair_style lj/cut 8.5\npair_coeff * * 0.0104 3.40",
           "{style: lj, cutoff: 8.5, pairs: [{species: [Ar, Ar], epsilon: 0.0104, sigma: 3.40}]}", "Ar"),
}
INPUT = """units metal
lattice {lattice} {a}
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 {mass}
{pair}
velocity all create {temp} 5 loop geom
neighbor 1.0 bin
timestep 0.001
fix nve all nve
thermo {steps}
run {steps}
"""


def section(out, name):
    m = re.search(rf"^{name}\s*\|\s*[\d.e+-]+\s*\|\s*([\d.e+-]+)", out, re.M)  # min | avg
    return float(m.group(1)) if m else 0.0


def run(exe, wd, text, ranks):
    with open(os.path.join(wd, "in.bench"), "w") as f:
        f.write(text)
    cmd = [exe, "-in", "in.bench", "-log", "none", "-nocite"]
    if ranks > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] + cmd
    best = None
    for _ in range(2):
        out = subprocess.run(cmd, cwd=wd, capture_output=True, text=True, check=True,
                             env=dict(os.environ, OMP_NUM_THREADS="1")).stdout
        loop = float(re.search(r"Loop time of ([\d.e+-]+)", out).group(1))
        row = (loop, section(out, "Pair"), section(out, "Comm"))
        nlocal = float(re.search(r"^Nlocal:\s+([\d.e+-]+) ave", out, re.M).group(1))
        nghost = float(re.search(r"^Nghost:\s+([\d.e+-]+) ave", out, re.M).group(1))
        if best is None or row[0] < best[0][0]:
            best = (row, nghost / nlocal)
    (loop, pair, comm), ghosts = best
    return [1e3 * v / STEPS for v in (loop, pair, comm)], ghosts


def main():
    wd = tempfile.mkdtemp(prefix="af-lmpclassic-")
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    print(f"CPU: {cpu}; {STEPS} steps; ms per step (Pair, Comm); best of 2")
    print("| potential | atoms | ranks | LAMMPS step (Pair, Comm) | lmp_atomforge step (Pair, Comm) | Pair ratio | ghosts / locals |")
    print("|---|---|---|---|---|---|---|")
    for name, (lattice, a, n, mass, temp, native, sec, species) in CASES.items():
        with open(os.path.join(wd, f"{name}.yaml"), "w") as f:
            f.write(f"potential: {sec}\n")
        atoms = n ** 3 * (8 if lattice == "diamond" else 4)
        for ranks in (1, 2):
            common = dict(lattice=lattice, a=a, n=n, mass=mass, temp=temp, steps=STEPS)
            ref, _ = run("lmp", wd, INPUT.format(pair=native, **common), ranks)
            af, ghosts = run(LMP_AF, wd, INPUT.format(pair=f"pair_style atomforge {name}.yaml\n"
                                                            f"pair_coeff * * {species}", **common), ranks)
            print(f"| {name} | {atoms} | {ranks} | {ref[0]:.2f} ({ref[1]:.2f}, {ref[2]:.2f}) | "
                  f"{af[0]:.2f} ({af[1]:.2f}, {af[2]:.2f}) | {af[1] / ref[1]:.2f} | {ghosts:.2f} |", flush=True)


if __name__ == "__main__":
    main()
