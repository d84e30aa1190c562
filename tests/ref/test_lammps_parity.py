"""LAMMPS parity: Debian's lmp writes a data file with velocities; both engines run
100 NVE steps from it; thermo every 10 steps must agree (pe, ke, etotal, press) to
1e-6 relative."""
import os
import sys

from common import Checks, load_deck, read_csv, rel, run_atomforge, run_lammps, workdir, write_deck, lammps_thermo, SOURCE_DIR

TOL = 1e-6

CASES = {
    # inputs/lj_melt.yaml is LAMMPS bench/in.lj: 32,000 atoms, fcc 0.8442, lj/cut 2.5, skin 0.3.
    "lj_melt": dict(
        create="""units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 20 0 20 0 20
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 1.44 87287 loop geom
write_data start.data nocoeff
""",
        setup="""units lj
atom_style atomic
read_data start.data
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
neighbor 0.3 bin
neigh_modify delay 0 every 20 check no
timestep 0.005
""",
        deck=None,  # derived from inputs/lj_melt.yaml
    ),
    # Small triclinic two-species box, per-pair LJ parameters and cutoffs, metal units.
    "triclinic_mix": dict(
        create="""units metal
atom_style atomic
lattice fcc 5.3
region box block 0 5 0 5 0 5
create_box 2 box
create_atoms 1 box
change_box all triclinic
change_box all xy final 4.1 xz final -2.7 yz final 3.3 remap units box
set type 1 type/fraction 2 0.35 4321
displace_atoms all random 0.15 0.15 0.15 777 units box
mass 1 39.948
mass 2 83.798
velocity all create 80.0 2468 loop geom
write_data start.data nocoeff
""",
        setup="""units metal
atom_style atomic
read_data start.data
pair_style lj/cut 8.0
pair_coeff 1 1 0.0104 3.40 8.0
pair_coeff 2 2 0.0140 3.65 7.5
pair_coeff 1 2 0.0121 3.52 7.8
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
""",
        deck={
            "units": "metal",
            "system": {"read": "start.data", "species": ["Ar", "Kr"]},
            "potential": {"style": "lj", "cutoff": 8.0, "pairs": [
                {"species": ["Ar", "Ar"], "epsilon": 0.0104, "sigma": 3.40},
                {"species": ["Kr", "Kr"], "epsilon": 0.0140, "sigma": 3.65, "cutoff": 7.5},
                {"species": ["Ar", "Kr"], "epsilon": 0.0121, "sigma": 3.52, "cutoff": 7.8}]},
            "neighbor": {"skin": 1.0, "every": 1, "check": True},
            "stages": [{"name": "nve", "integrator": {"style": "nve", "timestep": 0.002}, "steps": 100}],
        },
    ),
    # Morse copper-like fcc crystal at 600 K, metal units.
    "morse": dict(
        create="""units metal
atom_style atomic
lattice fcc 3.615
region box block 0 6 0 6 0 6
create_box 1 box
create_atoms 1 box
mass 1 63.546
displace_atoms all random 0.05 0.05 0.05 99 units box
velocity all create 600.0 13579 loop geom
write_data start.data nocoeff
""",
        setup="""units metal
atom_style atomic
read_data start.data
pair_style morse 6.0
pair_coeff 1 1 0.3429 1.3588 2.866 6.0
neighbor 2.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.001
""",
        deck={
            "units": "metal",
            "system": {"read": "start.data", "species": ["Cu"]},
            "potential": {"style": "morse", "cutoff": 6.0, "pairs": [
                {"species": ["Cu", "Cu"], "d0": 0.3429, "alpha": 1.3588, "r0": 2.866}]},
            "neighbor": {"skin": 2.0, "every": 1, "check": True},
            "stages": [{"name": "nve", "integrator": {"style": "nve", "timestep": 0.001}, "steps": 100}],
        },
    ),
    # Nose-Hoover chain (fix nvt, chain of 3) on EAM copper at 600 K from a rattled crystal.
    "nvt_eam": dict(
        create="""units metal
atom_style atomic
lattice fcc 3.615
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 63.55
displace_atoms all random 0.05 0.05 0.05 7 units box
velocity all create 900.0 4567 loop geom
write_data start.data nocoeff
""",
        setup="""units metal
atom_style atomic
read_data start.data
pair_style eam
pair_coeff 1 1 /usr/share/lammps/potentials/Cu_u3.eam
neighbor 1.0 bin
neigh_modify delay 0 every 1 check yes
timestep 0.002
""",
        fix="fix 1 all nvt temp 600.0 600.0 0.1 tchain 3",
        deck={
            "units": "metal",
            "system": {"read": "start.data", "species": ["Cu"]},
            "potential": {"style": "eam", "file": "Cu_u3.eam"},
            "neighbor": {"skin": 1.0, "every": 1, "check": True},
            "stages": [{"name": "nvt", "integrator": {"style": "nvt", "timestep": 0.002, "temperature": 600.0,
                                                       "damping": 0.1, "chain": 3}, "steps": 100}],
        },
    ),
    # MTK barostat (fix npt iso, chains of 3 on particles and barostat) on EAM copper.
    "npt_eam": dict(
        create=None,  # same structure as nvt_eam
        setup=None,
        fix="fix 1 all npt temp 300.0 300.0 0.1 iso 0.0 0.0 1.0",
        deck={
            "units": "metal",
            "system": {"read": "start.data", "species": ["Cu"]},
            "potential": {"style": "eam", "file": "Cu_u3.eam"},
            "neighbor": {"skin": 1.0, "every": 1, "check": True},
            "stages": [{"name": "npt", "integrator": {"style": "npt", "timestep": 0.002, "temperature": 300.0,
                                                       "damping": 0.1, "pressure": 0.0, "pressure_damping": 1.0,
                                                       "couple": "iso"}, "steps": 100}],
        },
    ),
    "npt_tri_eam": dict(
        create=None,
        setup=None,
        fix="fix 1 all npt temp 300.0 300.0 0.1 tri 0.0 0.0 1.0",
        deck={
            "units": "metal",
            "system": {"read": "start.data", "species": ["Cu"]},
            "potential": {"style": "eam", "file": "Cu_u3.eam"},
            "neighbor": {"skin": 1.0, "every": 1, "check": True},
            "stages": [{"name": "npt", "integrator": {"style": "npt", "timestep": 0.002, "temperature": 300.0,
                                                       "damping": 0.1, "pressure": 0.0, "pressure_damping": 1.0,
                                                       "couple": "tri"}, "steps": 100}],
        },
    ),
}
CASES["npt_aniso_eam"] = dict(CASES["npt_tri_eam"], fix="fix 1 all npt temp 300.0 300.0 0.1 aniso 0.0 0.0 1.0")
CASES["npt_aniso_eam"]["deck"] = __import__("copy").deepcopy(CASES["npt_tri_eam"]["deck"])
CASES["npt_aniso_eam"]["deck"]["stages"][0]["integrator"]["couple"] = "aniso"
for _k in ("npt_eam", "npt_tri_eam", "npt_aniso_eam"):
    CASES[_k]["create"] = CASES["nvt_eam"]["create"].replace("write_data", "change_box all triclinic\nwrite_data")
    CASES[_k]["setup"] = CASES["nvt_eam"]["setup"]


def lj_melt_deck():
    deck = load_deck(os.path.join(SOURCE_DIR, "inputs", "lj_melt.yaml"))
    deck["system"] = {"read": "start.data", "species": ["Ar"], "masses": {"Ar": 1.0}}
    deck["stages"][0]["steps"] = 100
    return deck


def main(name):
    case = CASES[name]
    c = Checks(f"lammps_parity[{name}]")
    wd = workdir(name)
    run_lammps(case["create"], wd)
    out = run_lammps(case["setup"] + case.get("fix", "fix 1 all nve") + """
thermo 10
thermo_style custom step pe ke etotal press vol
thermo_modify norm no format float %.16g
run 100
""", wd)
    ref = lammps_thermo(out, ["Step", "PotEng", "KinEng", "TotEng", "Press", "Volume"])
    deck = lj_melt_deck() if case["deck"] is None else case["deck"]
    deck["output"] = {"thermo": {"every": 10, "file": "thermo.csv"}}
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    run_atomforge(["run", "deck.yaml"], wd)
    got = read_csv(os.path.join(wd, "thermo.csv"))
    c.check(len(got) == len(ref) == 11, f"11 thermo rows each (atomforge {len(got)}, LAMMPS {len(ref)})")
    c.check([g["step"] for g in got] == [r["Step"] for r in ref], "same thermo steps")
    # Relative to each value; pressure can pass through zero, so its denominator is
    # at least 1e-3 of the largest |press| in the run.
    pscale = max(abs(r["Press"]) for r in ref)
    worst = {k: 0.0 for k in ("pe", "ke", "etotal", "press", "vol")}
    for g, r in zip(got, ref):
        worst["pe"] = max(worst["pe"], rel(g["pe"], r["PotEng"]))
        worst["ke"] = max(worst["ke"], rel(g["ke"], r["KinEng"]))
        worst["etotal"] = max(worst["etotal"], rel(g["etotal"], r["TotEng"]))
        worst["press"] = max(worst["press"], rel(g["press"], r["Press"], floor=1e-3 * pscale))
        worst["vol"] = max(worst["vol"], rel(g["vol"], r["Volume"]))
    for k, v in worst.items():
        c.check(v < TOL, f"{k}: max relative difference {v:.3e} (tolerance {TOL:g})")
    c.done()


if __name__ == "__main__":
    main(sys.argv[1])
