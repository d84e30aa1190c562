"""H5MD trajectories: layout and units per H5MD 1.1, contents equal LAMMPS's dump of
the same run (positions, velocities, forces, box, step, time), opened by h5py and by
MDAnalysis 2.4 with mda.Universe(path)."""
import os
import warnings

import h5py
import numpy as np

from common import Checks, run_atomforge, run_lammps, workdir, write_deck

warnings.filterwarnings("ignore", category=DeprecationWarning)
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.coordinates.H5MD import H5MDReader  # noqa: E402

CREATE = """units metal
atom_style atomic
lattice fcc 3.615
region box block 0 4 0 4 0 4
create_box 2 box
create_atoms 1 box
change_box all triclinic
change_box all xy final 2.0 xz final -1.0 yz final 1.5 remap units box
set type 1 type/fraction 2 0.3 11
mass 1 63.546
mass 2 58.693
velocity all create 900.0 4242 loop geom
write_data start.data nocoeff
"""
RUN = """units metal
atom_style atomic
read_data start.data
pair_style morse 6.0
pair_coeff * * 0.3429 1.3588 2.866 6.0
neighbor 2.0 bin
timestep 0.002
fix 1 all nve
dump d all custom 10 dump.txt id x y z vx vy vz fx fy fz
dump_modify d sort id format float %.17g
run 50
"""


def read_dump(path):
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        step = int(lines[i + 1])
        n = int(lines[i + 3])
        bounds = [[float(x) for x in lines[i + 5 + k].split()] for k in range(3)]
        data = np.array([[float(x) for x in l.split()] for l in lines[i + 9:i + 9 + n]])
        frames.append((step, bounds, data))
        i += 9 + n
    return frames


def main():
    c = Checks("h5md")
    wd = workdir("h5md")
    run_lammps(CREATE, wd)
    run_lammps(RUN, wd)
    ref = read_dump(os.path.join(wd, "dump.txt"))
    deck = {
        "units": "metal",
        "system": {"read": "start.data", "species": ["Cu", "Ni"]},
        "potential": {"style": "morse", "cutoff": 6.0, "pairs": [
            {"species": p, "d0": 0.3429, "alpha": 1.3588, "r0": 2.866} for p in (["Cu", "Cu"], ["Ni", "Ni"], ["Cu", "Ni"])]},
        "neighbor": {"skin": 2.0},
        "stages": [{"integrator": {"style": "nve", "timestep": 0.002}, "steps": 50}],
        "output": {"thermo": {"every": 10},
                   "trajectory": {"every": 10, "file": "traj.h5md", "fields": ["position", "velocity", "force", "image"]}},
    }
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], wd)
    path = os.path.join(wd, "traj.h5md")

    with h5py.File(path, "r") as f:
        c.check(list(f["h5md"].attrs["version"]) == [1, 1], "h5md version 1.1")
        c.check("name" in f["h5md/creator"].attrs and "name" in f["h5md/author"].attrs, "author and creator")
        t = f["particles/trajectory"]
        n = t["position/value"].shape[1]
        c.check(t["position/value"].chunks == (1, n, 3), f"one frame per chunk {t['position/value'].chunks}")
        c.check(t["box"].attrs["dimension"] == 3 and list(t["box"].attrs["boundary"]) == ["periodic"] * 3, "box attributes")
        units = {k: t[k + "/value"].attrs.get("unit") for k in ("position", "velocity", "force")}
        c.check(units == {"position": "Angstrom", "velocity": "Angstrom ps-1", "force": "eV Angstrom-1"}, f"value units {units}")
        c.check(all(t[k + "/time"].attrs.get("unit") == "ps" for k in ("position", "velocity", "force")), "time units ps")
        c.check("deck" in f["parameters/atomforge"], "deck stored under parameters/")
        c.check(all(k in f["observables"] for k in ("temp", "pe", "ke", "etotal", "press", "vol")), "thermo under observables/")
        steps = t["position/step"][()]
        times = t["position/time"][()]
        c.check(list(steps) == [fr[0] for fr in ref], f"steps {list(steps)}")
        c.check(np.allclose(times, steps * 0.002, rtol=0, atol=1e-12), "time = step * dt")
        ids = t["id"][()]
        c.check(list(ids) == sorted(ids), "atoms in id order")
        worst = {"position": 0.0, "velocity": 0.0, "force": 0.0, "edges": 0.0}
        fscale = max(np.abs(fr[2][:, 7:10]).max() for fr in ref)  # frame 0 is a perfect lattice
        for k, (step, bounds, data) in enumerate(ref):
            edges = t["box/edges/value"][k]
            # LAMMPS dump bounds -> lx, ly, lz, xy, xz, yz
            xy, xz, yz = bounds[0][2], bounds[1][2], bounds[2][2]
            lx = (bounds[0][1] - max(0.0, xy, xz, xy + xz)) - (bounds[0][0] - min(0.0, xy, xz, xy + xz))
            ly = (bounds[1][1] - max(0.0, yz)) - (bounds[1][0] - min(0.0, yz))
            lz = bounds[2][1] - bounds[2][0]
            want = np.array([[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]])
            worst["edges"] = max(worst["edges"], float(np.abs(edges - want).max()))
            # Positions: equal modulo a lattice vector (both engines wrap at rebuilds).
            d = t["position/value"][k] - data[:, 1:4]
            frac = np.linalg.solve(want.T, d.T).T
            d = (frac - np.round(frac)) @ want
            worst["position"] = max(worst["position"], float(np.abs(d).max()))
            worst["velocity"] = max(worst["velocity"], float(np.abs(t["velocity/value"][k] - data[:, 4:7]).max()))
            worst["force"] = max(worst["force"], float(np.abs(t["force/value"][k] - data[:, 7:10]).max() / fscale))
        for k, v in worst.items():
            c.check(v < 1e-9, f"{k}: max difference from the LAMMPS dump {v:.2e}")
        # Unwrapped positions from images are continuous between frames.
        unwrapped = t["position/value"][()] + np.einsum("fni,ij->fnj", t["image/value"][()], t["box/edges/value"][0])
        jump = float(np.abs(np.diff(unwrapped, axis=0)).max())
        c.check(jump < 1.0, f"unwrapped positions continuous (max step-to-step change {jump:.3f} A)")

    # MDAnalysis 2.4 opens atomforge files without a topology. It knows Angstrom and ps
    # but not eV, so metal-unit files holding forces need eV registered first (the
    # snippet in docs/h5md.md); position/velocity files open as they are.
    def mda_matches(path, with_forces):
        u = mda.Universe(path)
        ok = u.trajectory.n_frames == len(ref)
        with h5py.File(path, "r") as f:
            t = f["particles/trajectory"]
            for ts in u.trajectory:
                k = ts.frame
                ok &= np.allclose(ts.positions, t["position/value"][k], rtol=0, atol=1e-5)  # float32
                ok &= abs(ts.time - t["position/time"][k]) < 1e-9 and ts.data["step"] == t["position/step"][k]
                e = t["box/edges/value"][k]
                ok &= np.allclose(ts.dimensions[:3], np.linalg.norm(e, axis=1), rtol=1e-6)
                cosg = np.dot(e[0], e[1]) / np.linalg.norm(e[0]) / np.linalg.norm(e[1])
                ok &= abs(ts.dimensions[5] - np.degrees(np.arccos(cosg))) < 1e-4
                if with_forces:  # MDAnalysis converts eV/A to kJ/(mol A)
                    ok &= np.allclose(ts.forces / EV_TO_KJMOL, t["force/value"][k], rtol=1e-5, atol=1e-6)
        return bool(ok)

    EV_TO_KJMOL = 96.48533212
    H5MDReader._unit_translation["force"]["eV Angstrom-1"] = "eV/Angstrom"
    mda.units.forceUnit_factor["eV/Angstrom"] = 1 / EV_TO_KJMOL
    c.check(mda_matches(path, True), "mda.Universe(path) (eV registered): positions, box, time, step and forces equal the file's")
    del H5MDReader._unit_translation["force"]["eV Angstrom-1"], mda.units.forceUnit_factor["eV/Angstrom"]

    deck["output"]["trajectory"]["fields"] = ["position", "velocity"]
    deck["output"]["trajectory"]["file"] = "traj_pv.h5md"
    write_deck(deck, os.path.join(wd, "deck_pv.yaml"))
    run_atomforge(["run", "deck_pv.yaml", "-q"], wd)
    pv = os.path.join(wd, "traj_pv.h5md")
    c.check(mda_matches(pv, False), "plain mda.Universe(path) on a position+velocity trajectory: positions, box, time, step equal")

    # A trajectory named otherwise gets one warning line naming the deck's key.
    deck["output"]["trajectory"]["file"] = "traj_pv.h5"
    write_deck(deck, os.path.join(wd, "deck_h5.yaml"))
    for cmd in (["validate", "deck_h5.yaml"], ["run", "deck_h5.yaml", "-q"]):
        p = run_atomforge(cmd, wd)
        err = [ln for ln in p.stderr.strip().splitlines() if not ln.startswith("progress:")]
        c.check(len(err) == 1 and err[0].startswith("deck_h5.yaml:") and "warning" in err[0]
                and "MDAnalysis recognises H5MD files by that extension" in err[0],
                f"{cmd[0]}: trajectory file traj_pv.h5 warned about in one line: '{err[0] if err else ''}'")
    c.done()


if __name__ == "__main__":
    main()
