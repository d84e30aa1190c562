"""Text trajectories beside H5MD: output.dump (LAMMPS dump custom) and output.extxyz.
A triclinic Ni-Al EAM alloy runs 50 NVE steps in atomforge and in LAMMPS from the same
data file; every 10 steps:
- our dump equals LAMMPS's `dump custom ... id type x y z vx vy vz fx fy fz` (sorted by
  id): the same TIMESTEP, atom count and BOX BOUNDS lines (triclinic bounding box and
  tilts, 1e-12), positions (modulo the cell), velocities and forces to 1e-9 relative;
- ASE reads our dump (lammps-dump-text) with the same cell and positions;
- ASE reads every extxyz frame: positions and forces equal the dump's, energy equals
  LAMMPS pe, and stress (ASE sign, eV/A^3) equals minus LAMMPS's virial pressure
  tensor (compute pressure NULL virial) to 1e-9 relative."""
import os

import numpy as np
from ase.io import read

from common import Checks, lammps_thermo, run_atomforge, run_lammps, workdir, write_deck

NKTV2P = 1.6021765e6  # LAMMPS metal units: eV/A^3 -> bar


def write_data(path):
    rng = np.random.default_rng(11)
    a = 3.55
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    cells = np.array([[i, j, k] for i in range(4) for j in range(4) for k in range(4)])
    frac = ((cells[:, None, :] + base[None, :, :]).reshape(-1, 3)) / 4.0
    h = np.array([[4 * a, 0.9, -0.6], [0, 4 * a, 0.7], [0, 0, 4 * a]])  # columns a, b, c
    x = frac @ h.T + rng.normal(0, 0.05, frac.shape)
    types = np.where(rng.random(len(x)) < 0.3, 2, 1)
    v = rng.normal(0, 6.0, x.shape)
    v -= v.mean(axis=0)
    with open(path, "w") as f:
        f.write(f"triclinic NiAl\n\n{len(x)} atoms\n2 atom types\n\n0 {h[0, 0]} xlo xhi\n0 {h[1, 1]} ylo yhi\n"
                f"0 {h[2, 2]} zlo zhi\n{h[0, 1]} {h[0, 2]} {h[1, 2]} xy xz yz\n\nMasses\n\n1 58.6934\n2 26.9815385\n\n"
                "Atoms # atomic\n\n")
        for i, (t, p) in enumerate(zip(types, x)):
            f.write(f"{i + 1} {t} {p[0]!r} {p[1]!r} {p[2]!r}\n")
        f.write("\nVelocities\n\n")
        for i, u in enumerate(v):
            f.write(f"{i + 1} {u[0]!r} {u[1]!r} {u[2]!r}\n")


def read_dump(path):
    frames, lines, k = [], open(path).read().splitlines(), 0
    while k < len(lines):
        step = int(lines[k + 1])
        n = int(lines[k + 3])
        bounds_head = lines[k + 4]
        bounds = np.array([[float(w) for w in lines[k + 5 + r].split()] for r in range(3)])
        rows = np.array([[float(w) for w in ln.split()] for ln in lines[k + 9:k + 9 + n]])
        frames.append(dict(step=step, n=n, head=bounds_head, bounds=bounds, atoms_head=lines[k + 8], rows=rows))
        k += 9 + n
    return frames


def main():
    c = Checks("text_trajectories")
    wd = workdir("text_traj")
    write_data(os.path.join(wd, "start.data"))
    deck = {
        "units": "metal",
        "system": {"read": "start.data", "species": ["Ni", "Al"]},
        "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
        "neighbor": {"skin": 2.0, "every": 1, "delay": 0, "check": True},
        "stages": [{"name": "nve", "integrator": {"style": "nve", "timestep": 0.002}, "steps": 50}],
        "output": {"dump": {"every": 10, "file": "ours.lammpstrj"}, "extxyz": {"every": 10, "file": "ours.extxyz"}},
    }
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], wd)
    out = run_lammps("""units metal
atom_style atomic
read_data start.data
pair_style eam/alloy
pair_coeff * * NiAlH_jea.eam.alloy Ni Al
neighbor 2.0 bin
neigh_modify every 1 delay 0 check yes
timestep 0.002
fix 1 all nve
compute pv all pressure NULL virial
thermo_style custom step pe c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6]
thermo_modify format float %.17g
thermo 10
dump 1 all custom 10 ref.lammpstrj id type x y z vx vy vz fx fy fz
dump_modify 1 sort id format float %.17g
run 50
""", wd)
    thermo = lammps_thermo(out, ["Step", "PotEng"] + [f"c_pv[{k}]" for k in range(1, 7)])
    ours, ref = read_dump(os.path.join(wd, "ours.lammpstrj")), read_dump(os.path.join(wd, "ref.lammpstrj"))
    c.check([f["step"] for f in ours] == [f["step"] for f in ref] == [0, 10, 20, 30, 40, 50],
            f"frames at steps {[f['step'] for f in ours]}")
    heads = all(a["head"] == b["head"] and a["atoms_head"] == b["atoms_head"] and a["n"] == b["n"]
                for a, b in zip(ours, ref))
    c.check(heads, f"header lines as LAMMPS's ('{ours[0]['head']}', '{ours[0]['atoms_head']}')")
    berr = max(np.abs(a["bounds"] - b["bounds"]).max() for a, b in zip(ours, ref))
    c.check(berr < 1e-12, f"BOX BOUNDS equal LAMMPS's (max difference {berr:.1e})")
    errs = {"ids/types": 0.0, "positions": 0.0, "velocities": 0.0, "forces": 0.0}
    for a, b in zip(ours, ref):
        lx = b["bounds"]
        h = np.array([[lx[0, 1] - lx[0, 0] - (max(0, lx[0, 2], lx[1, 2], lx[0, 2] + lx[1, 2]) - min(0, lx[0, 2], lx[1, 2], lx[0, 2] + lx[1, 2])), lx[0, 2], lx[1, 2]],
                      [0, lx[1, 1] - lx[1, 0] - (max(0, lx[2, 2]) - min(0, lx[2, 2])), lx[2, 2]],
                      [0, 0, lx[2, 1] - lx[2, 0]]])
        errs["ids/types"] = max(errs["ids/types"], np.abs(a["rows"][:, :2] - b["rows"][:, :2]).max())
        d = (a["rows"][:, 2:5] - b["rows"][:, 2:5]) @ np.linalg.inv(h).T
        d = (d - np.round(d)) @ h.T
        errs["positions"] = max(errs["positions"], np.abs(d).max())
        for name, cols in (("velocities", slice(5, 8)), ("forces", slice(8, 11))):
            scale = np.abs(b["rows"][:, cols]).max()
            errs[name] = max(errs[name], np.abs(a["rows"][:, cols] - b["rows"][:, cols]).max() / scale)
    c.check(errs["ids/types"] == 0 and errs["positions"] < 1e-9 and errs["velocities"] < 1e-9 and errs["forces"] < 1e-9,
            "atoms equal LAMMPS's dump: " + ", ".join(f"{k} {v:.1e}" for k, v in errs.items()))

    frames = read(os.path.join(wd, "ours.lammpstrj"), format="lammps-dump-text", index=":")
    ok = len(frames) == len(ours) and all(
        np.allclose(fr.get_positions(), o["rows"][:, 2:5], atol=1e-12) for fr, o in zip(frames, ours))
    c.check(ok, f"ASE reads our dump: {len(frames)} frames, positions as written")

    xyz = read(os.path.join(wd, "ours.extxyz"), index=":")
    c.check(len(xyz) == 6 and xyz[0].get_chemical_symbols().count("Al") == int((ours[0]["rows"][:, 1] == 2).sum()),
            f"ASE reads {len(xyz)} extxyz frames with species")
    ferr = max(np.abs(fr.get_forces() - o["rows"][:, 8:11]).max() for fr, o in zip(xyz, ours))
    perr = max(np.abs(fr.positions - (o["rows"][:, 2:5])).max() for fr, o in zip(xyz, ours))
    c.check(ferr < 1e-12 and perr < 1e-12, f"extxyz forces and positions equal the dump's ({ferr:.1e}, {perr:.1e})")
    eerr = max(abs(fr.get_potential_energy() - t["PotEng"]) / abs(t["PotEng"]) for fr, t in zip(xyz, thermo))
    c.check(eerr < 1e-9, f"extxyz energy equals LAMMPS pe (max relative difference {eerr:.1e})")
    serr = 0.0
    for fr, t in zip(xyz, thermo):
        s = fr.get_stress(voigt=False)  # 3x3, eV/A^3
        pv = np.array([[t["c_pv[1]"], t["c_pv[4]"], t["c_pv[5]"]], [t["c_pv[4]"], t["c_pv[2]"], t["c_pv[6]"]],
                       [t["c_pv[5]"], t["c_pv[6]"], t["c_pv[3]"]]])
        serr = max(serr, np.abs(-s * NKTV2P - pv).max() / np.abs(pv).max())
    c.check(serr < 1e-9, f"extxyz stress = -(LAMMPS virial pressure) / nktv2p (max relative difference {serr:.1e})")
    c.done()


if __name__ == "__main__":
    main()
