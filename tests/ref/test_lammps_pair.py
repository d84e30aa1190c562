"""pair_style atomforge in LAMMPS (build/bin/lmp_atomforge, interfaces/lammps/), ghost mode.

For both shipped neural potentials on a shaken, sheared (triclinic) 216-atom Si cell:
1. the energy, forces and pressure tensor of `run 0` equal atomforge's own single point
   on the same structure (LAMMPS's write_data file through `atomforge run`) to 1e-10
   relative, at 1, 2 and 4 MPI ranks (any domain decomposition is exact);
2. compute pe/atom sums to the energy (1e-12) and compute stress/atom to -P V (1e-10);
3. 20 MD steps give the same final energy and pressure at 1, 2 and 4 ranks (1e-9);
4. newton off and a classic potential file are refused with one clear message.
"""
import os
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck
from test_system_api import parse_extxyz_last, rel

LMP = os.environ.get("AF_LMP_ATOMFORGE", "build/bin/lmp_atomforge")
MODELS = os.path.join(SOURCE_DIR, "examples", "models")
BAR_PER_EV_A3 = 1.6021765e6  # LAMMPS's metal nktv2p: bar per eV/A^3

# The structure, made once (create_atoms numbers atoms by rank, so every run reads it).
MAKE = """units metal
boundary p p p
lattice diamond 5.431
region box prism 0 3 0 3 0 3 0.6 -0.4 0.3
create_box 1 box
create_atoms 1 box
mass 1 28.0855
displace_atoms all random 0.12 0.12 0.12 4321
write_data start.data
"""
INPUT = """units metal
{newton}
read_data start.data
pair_style atomforge {pot}
pair_coeff * * Si
compute pe all pe/atom
compute pesum all reduce sum c_pe
compute sa all stress/atom NULL virial
compute sasum all reduce sum c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]
thermo_style custom step pe c_pesum pxx pyy pzz pxy pxz pyz vol c_sasum[1] c_sasum[2] c_sasum[3] c_sasum[4] c_sasum[5] c_sasum[6]
thermo_modify format float %.16g
dump d all custom 1 forces{tag}.txt id fx fy fz
dump_modify d sort id format float %.16g
run 0
undump d
velocity all create 800 5 loop geom
timestep 0.001
fix nve all nve
thermo 20
run 20
"""


def lmp(wd, tag, pot, np_, newton="newton on"):
    with open(os.path.join(wd, f"in.{tag}"), "w") as f:
        f.write(INPUT.format(pot=pot, tag=tag, newton=newton))
    cmd = [os.path.abspath(LMP), "-in", f"in.{tag}", "-log", "none", "-nocite"]
    if np_ > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_)] + cmd
    return subprocess.run(cmd, cwd=wd, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))


def thermo_rows(stdout):
    rows, header = [], None
    for line in stdout.splitlines():
        w = line.split()
        if w[:1] == ["Step"]:
            header = w
        elif header and len(w) == len(header):
            try:
                rows.append(dict(zip(header, map(float, w))))
            except ValueError:
                header = None
    return rows


def forces(path):
    lines = open(path).read().splitlines()
    i = lines.index("ITEM: ATOMS id fx fy fz")
    return np.array([[float(v) for v in ln.split()[1:]] for ln in lines[i + 1:]])


def main():
    c = Checks("lammps_pair")
    wd = workdir("lammps-pair")
    with open(os.path.join(wd, "in.make"), "w") as f:
        f.write(MAKE)
    subprocess.run(["lmp", "-in", "in.make", "-log", "none", "-screen", "none"], cwd=wd, check=True)
    for name in ("equivariant", "attention"):
        pot = os.path.join(wd, f"{name}.yaml")
        with open(pot, "w") as f:
            f.write(f"potential: {{style: nnip, model: {os.path.join(MODELS, f'si_{name}.h5')}}}\n")
        finals = {}
        for np_ in (1, 2, 4):
            tag = f"{name}{np_}"
            p = lmp(wd, tag, pot, np_)
            if p.returncode != 0:
                c.check(False, f"{tag}: lmp_atomforge failed: {(p.stdout + p.stderr)[-1500:]}")
                continue
            rows = thermo_rows(p.stdout)
            first, last = rows[0], rows[-1]
            finals[np_] = last
            if np_ == 1:  # atomforge's own single point on LAMMPS's structure
                deck = {"units": "metal", "system": {"read": "start.data", "species": ["Si"]},
                        "potential": {"style": "nnip", "model": os.path.join(MODELS, f"si_{name}.h5")},
                        "stages": [{"name": "sp", "integrator": {"style": "nve"}, "steps": 0}],
                        "output": {"extxyz": {"every": 10 ** 9, "file": f"{name}_af.extxyz"}}}
                write_deck(deck, os.path.join(wd, f"{name}_af.yaml"))
                run_atomforge(["run", f"{name}_af.yaml", "-q"], wd)
                ref = parse_extxyz_last(os.path.join(wd, f"{name}_af.extxyz"))
            f_l = forces(os.path.join(wd, f"forces{tag}.txt"))
            p_l = np.array([first[k] for k in ("Pxx", "Pyy", "Pzz", "Pxy", "Pxz", "Pyz")])
            p_ref = -ref["stress"] * BAR_PER_EV_A3
            de = abs(first["PotEng"] - ref["energy"]) / abs(ref["energy"])
            df, dp = rel(f_l, ref["forces"]), rel(p_l, p_ref)
            c.check(de <= 1e-10 and df <= 1e-10 and dp <= 1e-10,
                    f"{name}, {np_} rank(s): LAMMPS run 0 = atomforge single point (energy {de:.1e}, forces "
                    f"{df:.1e}, pressure tensor {dp:.1e}; 1e-10)")
            dsum = abs(first["c_pesum"] - first["PotEng"]) / abs(first["PotEng"])
            c.check(dsum <= 1e-12, f"{name}, {np_} rank(s): sum of pe/atom = pe ({dsum:.1e})")
            sa = np.array([first[f"c_sasum[{k}]"] for k in range(1, 7)])
            dsa = rel(-sa / first["Volume"], p_l)
            c.check(dsa <= 1e-10, f"{name}, {np_} rank(s): sum of stress/atom = -pressure x volume ({dsa:.1e}; 1e-10)")
        if len(finals) == 3:
            worst = max(max(abs(finals[n][k] - finals[1][k]) / max(abs(finals[1][k]), 1.0)
                            for k in ("PotEng", "Pxx", "Pyy", "Pzz")) for n in (2, 4))
            c.check(worst <= 1e-9, f"{name}: 20 MD steps agree at 1, 2 and 4 ranks ({worst:.1e}; 1e-9)")

    # Refusals: newton off; a classic potential.
    p = lmp(wd, "newtonoff", os.path.join(wd, "equivariant.yaml"), 1, newton="newton off")
    c.check(p.returncode != 0 and "needs newton on" in p.stdout + p.stderr,
            f"newton off is refused: {(p.stdout + p.stderr).strip().splitlines()[-1:]}")
    classic = os.path.join(wd, "sw.yaml")
    with open(classic, "w") as f:
        f.write("{style: sw, file: Si.sw}\n")
    p = lmp(wd, "classic", classic, 1)
    c.check(p.returncode != 0 and "classic potential" in p.stdout + p.stderr,
            "a classic potential file is refused with a message")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
