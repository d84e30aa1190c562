"""Single-point parity with Debian's lmp for many-body potentials on random,
distorted, triclinic, multi-species structures with vacancies: total energy and forces
to 1e-8 relative, all six pressure components to 1e-7 relative, per-atom energies to
1e-8 (tolerances of issue 3, acceptance 1)."""
import os
import sys

import h5py
import numpy as np

from common import Checks, lammps_thermo, read_csv, run_atomforge, run_lammps, workdir, write_deck

POT = "/usr/share/lammps/potentials"

# name: (lattice, a, types, masses, lammps pair lines, atomforge potential, species)
CASES = {
    "eam": ("fcc", 3.615, 1, [63.55], "pair_style eam\npair_coeff 1 1 {pot}/Cu_u3.eam",
            {"style": "eam", "file": "Cu_u3.eam"}, ["Cu"]),
    "eam_alloy": ("fcc", 3.6, 2, [58.71, 26.98], "pair_style eam/alloy\npair_coeff * * {pot}/NiAlH_jea.eam.alloy Ni Al",
                  {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy", "species": ["Ni", "Al"]}, ["Ni", "Al"]),
    "eam_fs": ("bcc", 2.9, 2, [26.98, 55.85], "pair_style eam/fs\npair_coeff * * {pot}/AlFe_mm.eam.fs Al Fe",
               {"style": "eam/fs", "file": "AlFe_mm.eam.fs"}, ["Al", "Fe"]),
    # Two atom types mapped to the same element exercise the type-to-element maps.
    "sw": ("diamond", 5.431, 2, [28.0855, 28.0855], "pair_style sw\npair_coeff * * {pot}/Si.sw Si Si",
           {"style": "sw", "file": "Si.sw", "species": ["Si", "Si"]}, ["Si", "Si2"]),
    "tersoff": ("diamond", 4.36, 2, [28.0855, 12.011], "pair_style tersoff\npair_coeff * * {pot}/SiC.tersoff Si C",
                {"style": "tersoff", "file": "SiC.tersoff"}, ["Si", "C"]),
}


def structure(lat, a, ntypes, masses):
    s = f"""units metal
atom_style atomic
lattice {lat} {a}
region box block 0 {3 if lat == "diamond" else 4} 0 3 0 {3 if lat == "diamond" else 4}
create_box {ntypes} box
create_atoms 1 box
change_box all triclinic
change_box all x scale 1.03 y scale 0.98 z scale 1.01 xy final 0.9 xz final -0.6 yz final 0.7 remap units box
"""
    if ntypes > 1:
        s += "set type 1 type/fraction 2 0.35 1234\n"
    s += "region everywhere block INF INF INF INF INF INF\ndelete_atoms porosity everywhere 0.04 4321\n"
    s += "displace_atoms all random 0.12 0.12 0.12 5678 units box\n"
    for t, m in enumerate(masses, 1):
        s += f"mass {t} {m}\n"
    return s + "write_data start.data nocoeff\n"


def main(name):
    lat, a, ntypes, masses, pair, pot, species = CASES[name]
    c = Checks(f"manybody[{name}]")
    wd = workdir(name)
    run_lammps(structure(lat, a, ntypes, masses), wd)
    out = run_lammps(f"""units metal
atom_style atomic
read_data start.data
{pair.format(pot=POT)}
compute pe all pe/atom
thermo_style custom step pe press pxx pyy pzz pyz pxz pxy
thermo_modify format float %.17g norm no
dump d all custom 1 dump.txt id fx fy fz c_pe
dump_modify d sort id format float %.17g
run 0
""", wd)
    ref = lammps_thermo(out, ["PotEng", "Press", "Pxx", "Pyy", "Pzz", "Pyz", "Pxz", "Pxy"])[0]
    dump = np.loadtxt(os.path.join(wd, "dump.txt"), skiprows=9)
    deck = {
        "units": "metal",
        "system": {"read": "start.data", "species": species, "masses": dict(zip(species, masses))},
        "potential": pot,
        "stages": [{"integrator": {"style": "nve", "timestep": 0.001}, "steps": 0}],
        "output": {"thermo": {"every": 1, "file": "thermo.csv"},
                   "trajectory": {"every": 1, "file": "traj.h5md", "fields": ["position", "force", "energy"]}},
    }
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], wd)
    got = read_csv(os.path.join(wd, "thermo.csv"))[0]
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        t = f["particles/trajectory"]
        ids = t["id"][()]
        force = t["force/value"][0]
        epa = t["potential_energy/value"][0]
    c.check(np.array_equal(ids, dump[:, 0].astype(int)), f"same {len(ids)} atoms")
    e_rel = abs(got["pe"] - ref["PotEng"]) / abs(ref["PotEng"])
    c.check(e_rel < 1e-8, f"total energy {got['pe']:.12f} vs {ref['PotEng']:.12f}: relative {e_rel:.2e}")
    f_rel = np.abs(force - dump[:, 1:4]).max() / np.abs(dump[:, 1:4]).max()
    c.check(f_rel < 1e-8, f"forces: max difference / max |F| = {f_rel:.2e}")
    pe_rel = (np.abs(epa - dump[:, 4]) / np.abs(dump[:, 4])).max()
    c.check(pe_rel < 1e-8, f"per-atom energies: max relative difference {pe_rel:.2e}")
    c.check(abs(epa.sum() - got["pe"]) < 1e-9 * abs(got["pe"]), "per-atom energies sum to the total")
    pscale = max(abs(ref[k]) for k in ("Pxx", "Pyy", "Pzz", "Pyz", "Pxz", "Pxy"))
    for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy"):
        r = abs(got[k] - ref[k.capitalize()]) / max(abs(ref[k.capitalize()]), 1e-300)
        c.check(r < 1e-7, f"{k}: {got[k]:.9g} vs {ref[k.capitalize()]:.9g} bar, relative {r:.2e}"
                          f" ({abs(got[k] - ref[k.capitalize()]) / pscale:.1e} of the largest component)")
    c.done()


if __name__ == "__main__":
    main(sys.argv[1])
