"""Minimisation with cell relaxation: FIRE and CG relax a strained, rattled, triclinic
crystal (Stillinger-Weber Si diamond, EAM Cu fcc) to max |f| < 1e-6 eV/A at zero
pressure; the cell becomes cubic with the potential's lattice constant (5.431 A, 3.615 A)
within 1e-4 A, and the energy equals LAMMPS's minimize with fix box/relax tri within
1e-8 eV/atom."""
import os

import h5py
import numpy as np

from common import Checks, lammps_thermo, run_atomforge, run_lammps, workdir, write_deck

POT = "/usr/share/lammps/potentials"
CASES = {
    "Si (sw)": ("diamond", 5.431, 2, 28.0855, "pair_style sw\npair_coeff * * {pot}/Si.sw Si", {"style": "sw", "file": "Si.sw"}, "Si"),
    "Cu (eam)": ("fcc", 3.615, 3, 63.55, "pair_style eam\npair_coeff 1 1 {pot}/Cu_u3.eam", {"style": "eam", "file": "Cu_u3.eam"}, "Cu"),
}


def main():
    c = Checks("minimize")
    for name, (lat, a, n, mass, pair, pot, sp) in CASES.items():
        wd = workdir("min")
        run_lammps(f"""units metal
atom_style atomic
lattice {lat} {a}
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 {mass}
change_box all triclinic
change_box all x scale 1.02 y scale 0.985 z scale 1.01 xy final 0.3 xz final -0.2 yz final 0.25 remap units box
displace_atoms all random 0.05 0.05 0.05 11 units box
write_data start.data nocoeff
""", wd)
        out = run_lammps(f"""units metal
atom_style atomic
read_data start.data
{pair.format(pot=POT)}
neighbor 1.0 bin
thermo_style custom step pe
thermo_modify format float %.15g norm no
fix 1 all box/relax tri 0.0 vmax 0.001
min_style cg
minimize 0.0 1.0e-10 20000 200000
minimize 0.0 1.0e-10 20000 200000
unfix 1
minimize 0.0 1.0e-10 20000 200000
""", wd)
        e_lmp = lammps_thermo(out, ["PotEng"])[-1]["PotEng"]
        natoms = (8 if lat == "diamond" else 4) * n ** 3
        for style in ("fire", "cg"):
            deck = {"units": "metal", "system": {"read": "start.data", "species": [sp]}, "potential": pot,
                    "neighbor": {"skin": 1.0},
                    "stages": [{"name": "relax", "minimize": {"style": style, "fmax": 1e-6, "cell": {"pressure": 0.0}}}],
                    "output": {"trajectory": {"every": 10 ** 9, "file": f"{style}.h5md", "fields": ["position", "force", "energy"]}}}
            write_deck(deck, os.path.join(wd, f"{style}.yaml"))
            p = run_atomforge(["run", f"{style}.yaml"], wd, threads=2)
            with h5py.File(os.path.join(wd, f"{style}.h5md"), "r") as f:
                t = f["particles/trajectory"]
                fmax = np.linalg.norm(t["force/value"][-1], axis=1).max()
                edges = t["box/edges/value"][-1]
                e = t["potential_energy/value"][-1].sum()
            c.check("converged" in p.stdout and fmax < 1e-6, f"{name} {style}: max |f| = {fmax:.2e} eV/A")
            lengths = np.diag(edges) / n
            tilt = np.abs(edges[np.tril_indices(3, -1)]).max()
            c.check(np.abs(lengths - a).max() < 1e-4 and tilt < 1e-4 * n,
                    f"{name} {style}: lattice constants {lengths.round(6)}, largest tilt {tilt:.1e} A")
            c.check(abs(e - e_lmp) / natoms < 1e-8, f"{name} {style}: energy {e / natoms:.10f} vs LAMMPS {e_lmp / natoms:.10f} eV/atom")
    c.done()


if __name__ == "__main__":
    main()
