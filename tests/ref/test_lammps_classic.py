"""pair_style atomforge with classic potentials (LJ, EAM, SW, Tersoff) in LAMMPS.

The rank's locals and ghosts are one open atomforge system with the contributing mask on
the locals (interfaces/lammps/pair_atomforge_classic.cpp). Every case starts from a fixed
data file (written once by Debian's lmp) with `neighbor 0.5 bin` and `neigh_modify every 1
delay 0 check yes`: two-species LJ (Ar, Kr) on a sheared fcc cell, EAM alloy (NiAlH_jea,
Ni and Al) on a shaken triclinic fcc cell, SW on a shaken 216-atom Si cell and an 8-atom
triclinic cell, Tersoff (SiC.tersoff) on disordered SiC.

1. run 0 equals atomforge's own single point (atomforge.Calculator on the data file's
   structure: per-atom energies within 1e-12 eV, forces within 1e-10 eV/A, the virial
   within 1e-12 relative; pe/atom sums to pe) and LAMMPS's own pair style (forces within
   1e-10 eV/A, energy 1e-12 relative), at 1, 2 and 4 ranks and on a forced `processors 4
   1 1` grid, and with `mode exchange` (the same computation for classic potentials) on
   that grid; the rank counts agree to 1e-13 (energy, relative) and 1e-11 eV/A (forces);
2. a ghost shell thinner than the cutoff (ghost_cutoff 0.5 r_c) at 4 ranks gives wrong
   forces (negative control);
3. 100 NVE steps of Tersoff SiC at 1 and 4 ranks and `atomforge run` of the same data
   file: pe and etotal at every 10th step agree to 1e-10;
4. compute stress/atom equals LAMMPS's own pair style's per atom (1e-10 of the largest
   entry) for every case at 1 rank and on a 4 x 1 x 1 grid, both modes, and sums to the
   virial;
5. units real with EAM and a missing potential file each stop with one clear LAMMPS
   error.
"""
import os
import subprocess
import sys

import numpy as np

from common import Checks, workdir
from test_lammps_pair import (MAKE, MD, NKTV2P, STRUCTURES, data_atoms, dump, lmp, nve_agreement, ranks_agree,
                              thermo_rows)

import atomforge  # noqa: E402  (PYTHONPATH: the build's python/ folder, set by ctest)

POT = "/usr/share/lammps/potentials"
FCC = """units metal
boundary p p p
lattice fcc {a} origin 0.05 0.1 0.15
region box prism 0 3 0 3 0 3 1.0 -1.0 1.0
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.3 77
mass 1 {m1}
mass 2 {m2}
displace_atoms all random {shake} {shake} {shake} 4321 units box
velocity all create 600 5 loop geom
write_data {name}.data
"""
RUN0 = """units {units}
{processors}
read_data {name}.data
neighbor 0.5 bin
neigh_modify every 1 delay 0 check yes
{pair}
compute pe all pe/atom
compute pesum all reduce sum c_pe
compute pv all pressure NULL virial
thermo_style custom step pe c_pesum vol c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6]
thermo_modify format float %.17g
dump d all custom 1 {tag}.dump id fx fy fz c_pe
dump_modify d sort id format float %.17g
run 0
"""
LJ_PAIRS = [("Ar", "Ar", 0.0104, 3.40), ("Kr", "Kr", 0.0140, 3.65), ("Ar", "Kr", 0.0121, 3.52)]
CASES = {  # name: (atomforge section, LAMMPS's own pair style, structure, species)
    "lj": ({"style": "lj", "cutoff": 8.5,
            "pairs": [{"species": [a, b], "epsilon": e, "sigma": s} for a, b, e, s in LJ_PAIRS]},
           "pair_style lj/cut 8.5\n" + "\n".join(f"pair_coeff {1 + (a == 'Kr')} {1 + (b == 'Kr')} {e} {s}"
                                                  for a, b, e, s in LJ_PAIRS), "arkr", "Ar Kr"),
    "eam": ({"style": "eam/alloy", "file": f"{POT}/NiAlH_jea.eam.alloy"},
            f"pair_style eam/alloy\npair_coeff * * {POT}/NiAlH_jea.eam.alloy Ni Al", "nial", "Ni Al"),
    "sw": ({"style": "sw", "file": f"{POT}/Si.sw"}, f"pair_style sw\npair_coeff * * {POT}/Si.sw Si", "si216", "Si"),
    "sw_small": ({"style": "sw", "file": f"{POT}/Si.sw"}, f"pair_style sw\npair_coeff * * {POT}/Si.sw Si", "si8",
                 "Si"),
    "tersoff": ({"style": "tersoff", "file": f"{POT}/SiC.tersoff"},
                f"pair_style tersoff\npair_coeff * * {POT}/SiC.tersoff Si C", "sic64", "Si C"),
}


def section_yaml(sec):
    def value(v):
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {value(x)}" for k, x in v.items()) + "}"
        return str(v)
    return "potential: " + value(sec) + "\n"


def check_run(c, label, wd, tag, p, ref):
    """A LAMMPS run 0 (process p, dump tag.dump) against atomforge's own single point
    ref = (per-atom energies, forces, virial in Voigt order): per-atom energies 1e-12 eV,
    forces 1e-10 eV/A, virial 1e-12 relative, pe/atom summing to pe. Returns (thermo
    row, forces), or None if the run failed."""
    if p.returncode != 0:
        c.check(False, f"{label}: LAMMPS failed: {(p.stdout + p.stderr)[-800:]}")
        return None
    t = thermo_rows(p.stdout)[0]
    f, e = dump(os.path.join(wd, f"{tag}.dump"))
    w = np.array([t[f"c_pv[{k}]"] for k in (1, 2, 3, 6, 5, 4)]) * t["Volume"] / NKTV2P  # Voigt order, eV
    de, df = np.abs(e - ref[0]).max(), np.abs(f - ref[1]).max()
    dw = np.abs(w - ref[2]).max() / np.abs(ref[2]).max()
    dsum = abs(t["c_pesum"] - t["PotEng"]) / abs(t["PotEng"])
    c.check(de <= 1e-12 and df <= 1e-10 and dw <= 1e-12 and dsum <= 1e-12,
            f"{label}: = atomforge (per-atom energies {de:.1e} eV, forces {df:.1e} eV/A, virial {dw:.1e} rel; "
            f"pe/atom sum {dsum:.1e})")
    return t, f


def single_points(c, wd, name, sec, native, struct, species):
    atoms = data_atoms(os.path.join(wd, f"{struct}.data"), species.split())
    atoms.calc = atomforge.Calculator(sec)
    e_ref, f_ref = atoms.get_potential_energies(), atoms.get_forces()
    w_ref = -atoms.get_stress() * atoms.get_volume()  # virial (xx yy zz yz xz xy), eV
    p = lmp(wd, f"{name}_native", RUN0.format(units="metal", processors="", name=struct, pair=native,
                                              tag=f"{name}_native"), 1)
    t_nat = thermo_rows(p.stdout)[0]
    f_nat, _ = dump(os.path.join(wd, f"{name}_native.dump"))
    runs = {}
    for ranks, grid in ((1, ""), (2, ""), (4, ""), (4, "processors 4 1 1")):
        tag = f"{name}_{ranks}{'g' if grid else ''}"
        pair = f"pair_style atomforge {name}.yaml\npair_coeff * * {species}"
        p = lmp(wd, tag, RUN0.format(units="metal", processors=grid, name=struct, pair=pair, tag=tag), ranks)
        run = check_run(c, f"{name} on {struct}, {ranks} rank(s) {grid}", wd, tag, p, (e_ref, f_ref, w_ref))
        if not run:
            continue
        t, f = runs[tag] = run
        dn = abs(t["PotEng"] - t_nat["PotEng"]) / abs(t_nat["PotEng"])
        dfn = np.abs(f - f_nat).max()
        c.check(dn <= 1e-12 and dfn <= 1e-10,
                f"{name} on {struct}, {ranks} rank(s) {grid}: = LAMMPS's own style (energy {dn:.1e} rel, "
                f"forces {dfn:.1e} eV/A)")
    # `mode exchange`: classic potentials have no node features to exchange and compute
    # as in ghost mode (ghosts one cutoff deep either way).
    tag = f"{name}_exchange"
    pair = f"pair_style atomforge {name}.yaml mode exchange\npair_coeff * * {species}"
    p = lmp(wd, tag, RUN0.format(units="metal", processors="processors 4 1 1", name=struct, pair=pair, tag=tag), 4)
    check_run(c, f"{name} on {struct}, mode exchange, 4 ranks processors 4 1 1", wd, tag, p, (e_ref, f_ref, w_ref))
    return ranks_agree(c, name, runs, f"{name}_1")


SA = RUN0.replace("compute pv all", "compute sa all stress/atom NULL virial\ncompute pv all").replace(
    "dump d all custom 1 {tag}.dump id fx fy fz c_pe",
    "dump d all custom 1 {tag}.dump id c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]")


def stress_atom(c, wd, name, native, struct, species):
    """compute stress/atom: per atom equal to LAMMPS's own pair style (1e-10 relative to the
    largest entry; pair terms split half and half, triplets in thirds, as LAMMPS) at 1 rank
    and on a 4 x 1 x 1 grid of 4, in both modes, and summing to the virial (1e-12
    relative)."""
    def per_atom(tag):
        lines = open(os.path.join(wd, f"{tag}.dump")).read().splitlines()
        i = next(k for k, ln in enumerate(lines) if ln.startswith("ITEM: ATOMS"))
        return np.array([[float(v) for v in ln.split()[1:7]] for ln in lines[i + 1:]])

    p = lmp(wd, f"{name}_sa_native", SA.format(units="metal", processors="", name=struct, pair=native,
                                               tag=f"{name}_sa_native"), 1)
    ref = per_atom(f"{name}_sa_native")
    scale = np.abs(ref).max()
    for ranks, grid, mode in ((1, "", "ghost"), (4, "processors 4 1 1", "ghost"), (4, "processors 4 1 1", "exchange")):
        tag = f"{name}_sa_{ranks}_{mode}"
        pair = f"pair_style atomforge {name}.yaml mode {mode}\npair_coeff * * {species}"
        p = lmp(wd, tag, SA.format(units="metal", processors=grid, name=struct, pair=pair, tag=tag), ranks)
        if p.returncode != 0:
            c.check(False, f"{name} stress/atom, {ranks} rank(s): LAMMPS failed: {(p.stdout + p.stderr)[-600:]}")
            continue
        sa = per_atom(tag)
        t = thermo_rows(p.stdout)[0]
        w = np.array([t[f"c_pv[{k}]"] for k in range(1, 7)]) * t["Volume"]  # bar A^3, as stress/atom
        d = np.abs(sa - ref).max() / scale
        dsum = np.abs(-sa.sum(axis=0) - w).max() / np.abs(w).max()
        c.check(d <= 1e-10 and dsum <= 1e-12,
                f"{name} on {struct}, {ranks} rank(s) {grid} {mode} mode: stress/atom = LAMMPS's own style "
                f"({d:.1e} of its largest entry), sums to the virial ({dsum:.1e})")


def main():
    c = Checks("lammps_classic")
    wd = workdir("lammps-classic")
    makes = {n: MAKE.format(name=n, **STRUCTURES[n]) for n in ("si216", "si8", "sic64")}
    makes["nial"] = FCC.format(a=3.6, m1=58.69, m2=26.98, shake=0.1, name="nial")
    makes["arkr"] = FCC.format(a=5.6, m1=39.948, m2=83.798, shake=0.2, name="arkr")
    for n, text in makes.items():
        with open(os.path.join(wd, f"make_{n}"), "w") as f:
            f.write(text)
        subprocess.run(["lmp", "-in", f"make_{n}", "-log", "none", "-screen", "none"], cwd=wd, check=True)
    for name, (sec, _, _, _) in CASES.items():
        with open(os.path.join(wd, f"{name}.yaml"), "w") as f:
            f.write(section_yaml(sec))

    forces = {name: single_points(c, wd, name, *case) for name, case in CASES.items()}
    for name in CASES:
        _, native, struct, species = CASES[name]
        stress_atom(c, wd, name, native, struct, species)

    # Negative control: ghosts half a cutoff deep on 4 thin slabs: forces go wrong.
    pair = "pair_style atomforge sw.yaml ghost_cutoff 1.9\npair_coeff * * Si"
    p = lmp(wd, "undersized", RUN0.format(units="metal", processors="processors 4 1 1", name="si216", pair=pair,
                                          tag="undersized"), 4)
    if p.returncode == 0 and forces["sw"] is not None:
        f, _ = dump(os.path.join(wd, "undersized.dump"))
        err = np.abs(f - forces["sw"]).max()
        c.check(err > 1e-3, f"negative control: SW with a half-cutoff ghost shell at 4 ranks is wrong (forces off "
                            f"by {err:.2e} eV/A)")
    else:
        c.check(False, f"negative control run failed: {(p.stdout + p.stderr)[-500:]}")

    # 100 NVE steps of Tersoff SiC: 1 and 4 ranks and atomforge's own run of the same data file.
    md = MD.format(processors="", data="sic64.data", pot="tersoff.yaml", species="Si C")
    ok, worst = nve_agreement(wd, md, "sic64.data", ["Si", "C"], CASES["tersoff"][0])
    c.check(ok and worst <= 1e-10,
            f"100 NVE steps (Tersoff SiC): 1 rank, 4 ranks and atomforge run agree (pe, etotal {worst:.1e}; 1e-10)")

    # Errors: one clear line each.
    with open(os.path.join(wd, "missing.yaml"), "w") as f:
        f.write("{style: sw, file: no_such.sw}\n")
    bad = {
        "units real with EAM": ("real", RUN0, "eam.yaml", "Ni Al", "nial", "metal units"),
        "missing potential file": ("metal", RUN0, "missing.yaml", "Si", "si8", "no_such.sw"),
    }
    for what, (units, text, pot, species, struct, needle) in bad.items():
        pair = f"pair_style atomforge {pot}\npair_coeff * * {species}"
        p = lmp(wd, "bad", text.format(units=units, processors="", name=struct, pair=pair, tag="bad"), 1)
        errors = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.startswith("ERROR")]
        c.check(p.returncode != 0 and len(errors) == 1 and needle in errors[0], f"{what}: {errors}")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
