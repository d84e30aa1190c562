"""Structure files: `atomforge convert` between LAMMPS data, extended XYZ and POSCAR,
checked against ASE reading and writing the same files and LAMMPS read_data:
- files written by ASE (extxyz, POSCAR, LAMMPS data) convert to every format and read
  back in ASE as the same structure as ASE reads from its own file: cell lengths and angles to 1e-10 relative,
  fractional positions to 1e-10, species per atom (POSCAR regroups atoms by species, so
  atoms are matched by position);
- a LAMMPS data file written by atomforge gives LAMMPS the same EAM energy as ASE's
  data file of the same structure (1e-10 relative);
- the last frame of an H5MD trajectory converts as h5py reads it and starts a run at
  the trajectory's last energy;
- bad input: one line naming file:line, exit code 2, no output file."""
import os
import subprocess

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.io import read, write

from common import Checks, read_csv, run_atomforge, run_lammps, workdir, write_deck


def structures():
    rng = np.random.default_rng(7)
    cell = np.array([[7.1, 0.0, 0.0], [1.3, 6.4, 0.0], [-0.8, 0.9, 8.2]])
    n = 37
    tri = Atoms(symbols=rng.choice(["Ni", "Al"], n), scaled_positions=rng.random((n, 3)), cell=cell, pbc=True)
    one = Atoms("Cu", positions=[[0.3, 0.2, 0.1]], cell=[[0.0, 1.8, 1.8], [1.8, 0.0, 1.8], [1.8, 1.8, 0.0]], pbc=True)
    big = bulk("Ni", "fcc", a=3.52, cubic=True).repeat((5, 5, 10))  # 1000 atoms
    big.symbols[rng.random(len(big)) < 0.3] = "Al"
    big.set_cell(big.cell[:] @ np.array([[1, 0.05, 0.02], [0, 1, 0.03], [0, 0, 1]]), scale_atoms=True)
    big.rattle(0.05, seed=3)
    return {"triclinic37": tri, "one_atom": one, "nial1000": big}


def same(a, b):
    """Same cell (lengths, angles), species and fractional positions (matched by position)."""
    ca, cb = a.cell.cellpar(), b.cell.cellpar()
    if not np.allclose(ca, cb, rtol=1e-10, atol=1e-10) or len(a) != len(b):
        return False, f"cell {ca} vs {cb}"
    fa, fb = a.get_scaled_positions(wrap=True), b.get_scaled_positions(wrap=True)
    d = fa[:, None, :] - fb[None, :, :]
    d -= np.round(d)
    dist = np.abs(d).max(axis=2)
    j = dist.argmin(axis=1)
    worst = dist[np.arange(len(a)), j].max()
    ok = worst < 1e-10 and len(set(j)) == len(a)
    ok = ok and list(np.array(a.get_chemical_symbols())) == list(np.array(b.get_chemical_symbols())[j])
    return ok, f"max fractional difference {worst:.1e}"


def lammps_energy(data, elements, wd):
    out = run_lammps(f"""units metal
atom_style atomic
boundary p p p
read_data {data}
mass * 1.0
pair_style eam/alloy
pair_coeff * * NiAlH_jea.eam.alloy {' '.join(elements)}
thermo_style custom step pe
thermo_modify format float %.15g
run 0
""", wd)
    lines = out.splitlines()
    k = [i for i, ln in enumerate(lines) if ln.split()[:2] == ["Step", "PotEng"]][0]
    return float(lines[k + 1].split()[1])


def main():
    c = Checks("convert")
    wd = workdir("convert")
    ase_formats = {"a.extxyz": dict(format="extxyz"), "POSCAR": dict(format="vasp", direct=True),
                   "a.data": dict(format="lammps-data", atom_style="atomic")}
    ours = ["b.extxyz", "b.vasp", "b.data"]
    for name, atoms in structures().items():
        d = os.path.join(wd, name)
        os.makedirs(d)
        for src, kw in ase_formats.items():
            extra = {"specorder": sorted(set(atoms.get_chemical_symbols()))} if kw["format"] == "lammps-data" else {}
            write(os.path.join(d, src), atoms, **kw, **extra)
            # What the file holds (ASE's extxyz keeps 8 decimals), named as the original.
            kw_read = {"style": "atomic"} if kw["format"] == "lammps-data" else {}
            ref = read(os.path.join(d, src), format=kw["format"], **kw_read)
            ref.set_chemical_symbols(atoms.get_chemical_symbols())
            ok_all, notes = True, []
            # LAMMPS data names types by number only: name them as a deck's species would.
            names = ["--species", ",".join(extra["specorder"])] if extra else []
            for dst in ours:
                p = run_atomforge(["convert", src, dst] + names, d, check=False)
                if p.returncode != 0:
                    ok_all = False
                    notes.append(f"{dst}: {p.stderr.strip()}")
                    continue
                fmt = {"b.extxyz": "extxyz", "b.vasp": "vasp", "b.data": "lammps-data"}[dst]
                kw2 = {"style": "atomic"} if fmt == "lammps-data" else {}
                back = read(os.path.join(d, dst), format=fmt, **kw2)
                if fmt == "lammps-data":  # ASE names types by number: map through the masses comments
                    names = read_type_names(os.path.join(d, dst))
                    back.set_chemical_symbols([names[t - 1] for t in back.get_array("type")])
                ok, note = same(ref, back)
                ok_all &= ok
                notes.append(f"{dst}: {note}")
            c.check(ok_all, f"{name}: ASE {src} -> atomforge -> ASE equal ({'; '.join(notes)})")

        # LAMMPS: atomforge's data file (from ASE's extxyz) vs ASE's data file.
        species = sorted(set(atoms.get_chemical_symbols()))
        if set(species) <= {"Ni", "Al"}:
            run_atomforge(["convert", "a.extxyz", "c.data"], d)
            write(os.path.join(d, "ref.data"), read(os.path.join(d, "a.extxyz")), format="lammps-data",
                  atom_style="atomic", specorder=species)
            e_ref = lammps_energy("ref.data", species, d)
            e_ours = lammps_energy("c.data", read_type_names(os.path.join(d, "c.data")), d)
            c.check(abs(e_ours - e_ref) <= 1e-10 * abs(e_ref),
                    f"{name}: LAMMPS read_data energy {e_ours:.12f} eV (ASE's file {e_ref:.12f})")

    # H5MD: the last frame of a trajectory, as h5py reads it, restarts a run.
    import h5py
    d = os.path.join(wd, "h5md")
    os.makedirs(d)
    write_deck({"units": "metal", "seed": 3,
                "system": {"lattice": {"style": "fcc", "a": 3.6, "repeat": [3, 3, 3], "species": ["Ni", "Al", "Ni", "Ni"]},
                           "velocities": {"temperature": 900}},
                "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
                "stages": [{"name": "md", "integrator": {"style": "nve", "timestep": 0.002}, "steps": 120}],
                "output": {"trajectory": {"every": 50, "file": "traj.h5md", "fields": ["position", "velocity", "image"]}}},
               os.path.join(d, "run1.yaml"))
    run_atomforge(["run", "run1.yaml", "-q"], d)
    run_atomforge(["convert", "traj.h5md", "last.extxyz"], d)
    with h5py.File(os.path.join(d, "traj.h5md"), "r") as f:
        g = f["particles/trajectory"]
        pos, vel = g["position/value"][-1], g["velocity/value"][-1]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["parameters/atomforge"].attrs["species"]]
        symbols = [names[t] for t in g["species"][()]]
        steps = g["position/step"][()]
        pe_last = f["observables/pe/value"][-1]
    last = read(os.path.join(d, "last.extxyz"))
    c.check(list(steps) == [0, 50, 100] and np.abs(last.positions - pos).max() < 1e-12
            and np.abs(last.arrays["vel"] - vel).max() < 1e-12 and last.get_chemical_symbols() == symbols,
            "H5MD last frame (step 100) -> extxyz: positions, velocities, species as h5py reads them")
    write_deck({"units": "metal", "system": {"read": "traj.h5md"},
                "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
                "stages": [{"name": "zero", "integrator": {"style": "nve", "timestep": 0.002}, "steps": 0}],
                "output": {"thermo": {"file": "thermo2.csv"}}}, os.path.join(d, "run2.yaml"))
    run_atomforge(["run", "run2.yaml", "-q"], d)
    pe2 = read_csv(os.path.join(d, "thermo2.csv"))[0]["pe"]
    c.check(abs(pe2 - pe_last) <= 1e-10 * abs(pe_last), f"a run read from the trajectory starts at its last energy "
            f"({pe2:.10f} vs {pe_last:.10f} eV)")
    with open(os.path.join(wd, "junk.h5md"), "w") as f:
        f.write("not hdf5\n")
    p = run_atomforge(["convert", "junk.h5md", "out.xyz"], wd, check=False)
    c.check(p.returncode == 2 and p.stderr.strip() == "junk.h5md: not an HDF5 file (or unreadable)",
            f"not an HDF5 file: '{p.stderr.strip()}'")

    # Bad input.
    with open(os.path.join(wd, "POSCAR_bad"), "w") as f:
        f.write("bad\n1.0\n3 0 0\n0 3 0\n0 0 3\nCu\n2\nDirect\n0 0 0\n")
    p = run_atomforge(["convert", "POSCAR_bad", "out.xyz"], wd, check=False)
    c.check(p.returncode == 2 and p.stderr.strip().startswith("POSCAR_bad:9:") and "1 of 2 atoms read" in p.stderr
            and len(p.stderr.strip().splitlines()) == 1 and not os.path.exists(os.path.join(wd, "out.xyz")),
            f"truncated POSCAR: exit {p.returncode}, '{p.stderr.strip()}', no output")
    p = run_atomforge(["convert", "POSCAR_bad", "out.pdb"], wd, check=False)
    c.check(p.returncode == 2 and "cannot tell the format" in p.stderr, f"unknown format: '{p.stderr.strip()}'")
    c.done()


def read_type_names(path):
    names = {}
    with open(path) as f:
        lines = f.read().splitlines()
    k = lines.index("Masses")
    for ln in lines[k + 2:]:
        if not ln.strip():
            break
        t, _, comment = ln.partition("#")
        names[int(t.split()[0])] = comment.strip()
    return [names[t] for t in sorted(names)]


if __name__ == "__main__":
    main()
