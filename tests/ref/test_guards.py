"""Runtime guards, each triggered by a constructed case: the run stops with exit code 3
and one message naming the step, the atom id(s) and position(s); the trajectory ends
with the frame of the failing step and the checkpoint holds the last good state.
- two atoms on top of each other: non-finite forces;
- an atom flying out of a non-periodic cell: lost atom;
- guards.min_distance: two atoms closer than allowed, with their distance;
- guards.max_neighbors: an atom with more neighbors than allowed."""
import os

import h5py

from common import Checks, run_atomforge, workdir, write_deck


def xyz(path, pbc, rows, cell=10.0):
    with open(path, "w") as f:
        f.write(f"{len(rows)}\nLattice=\"{cell} 0 0 0 {cell} 0 0 0 {cell}\" Properties=species:S:1:pos:R:3:vel:R:3 "
                f"pbc=\"{pbc}\"\n")
        for r in rows:
            f.write(" ".join(str(v) for v in r) + "\n")


LJ = {"style": "lj", "cutoff": 2.5, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]}


def run(wd, name, deck):
    write_deck(deck, os.path.join(wd, name + ".yaml"))
    return run_atomforge(["run", name + ".yaml", "-q"], wd, check=False)


def main():
    c = Checks("guards")
    wd = workdir("guards")

    xyz(os.path.join(wd, "overlap.xyz"), "T T T", [["Ar", 1, 1, 1, 0, 0, 0], ["Ar", 1, 1, 1, 0, 0, 0],
                                                    ["Ar", 5, 5, 5, 0, 0, 0]])
    p = run(wd, "overlap", {"units": "lj", "system": {"read": "overlap.xyz", "masses": {"Ar": 1.0}}, "potential": LJ,
                            "stages": [{"name": "md", "integrator": {"style": "nve"}, "steps": 10}]})
    msg = p.stderr.strip()
    c.check(p.returncode == 3 and "step 0: non-finite" in msg and "atom 1 at (1, 1, 1)" in msg
            and len(msg.splitlines()) == 1, f"coincident atoms: exit {p.returncode}, '{msg}'")

    xyz(os.path.join(wd, "fly.xyz"), "F F F", [["Ar", 2, 5, 5, 0, 0, 0], ["Ar", 8, 5, 5, 20.0, 0, 0]])
    p = run(wd, "fly", {"units": "lj", "system": {"read": "fly.xyz", "masses": {"Ar": 1.0}}, "potential": LJ,
                        "stages": [{"name": "md", "integrator": {"style": "nve", "timestep": 0.005}, "steps": 100}],
                        "output": {"trajectory": {"every": 50, "file": "fly.h5md"},
                                   "checkpoint": {"every": 5, "file": "fly.ckpt.h5"}}})
    msg = p.stderr.strip()
    with h5py.File(os.path.join(wd, "fly.h5md"), "r") as f:
        steps = list(f["particles/trajectory/position/step"][()])
        last_x = f["particles/trajectory/position/value"][-1][1, 0]
    with h5py.File(os.path.join(wd, "fly.ckpt.h5"), "r") as f:
        ck_step = int(f["step"][0])
    # x = 8 + 20 * 0.005 n leaves the cell [0, 10] at step 21.
    c.check(p.returncode == 3 and "step 21: atom 2 at (10.1" in msg and "lost atom" in msg and steps == [0, 21]
            and last_x > 10 and ck_step == 20,
            f"lost atom: exit {p.returncode}, '{msg}'; frames {steps}; checkpoint at step {ck_step}")

    xyz(os.path.join(wd, "close.xyz"), "T T T", [["Cu", 1, 1, 1, 0, 0, 0], ["Cu", 1.3, 1, 1, 0, 0, 0]])
    p = run(wd, "close", {"units": "metal", "system": {"read": "close.xyz"},
                          "potential": {"style": "morse", "cutoff": 4.0,
                                        "pairs": [{"species": ["Cu", "Cu"], "d0": 0.34, "alpha": 1.36, "r0": 2.87}]},
                          "guards": {"min_distance": 0.5},
                          "stages": [{"name": "md", "integrator": {"style": "nve"}, "steps": 10}]})
    msg = p.stderr.strip()
    c.check(p.returncode == 3 and "step 0: atom 1 at (1, 1, 1) and atom 2 are 0.3 apart" in msg,
            f"min_distance: exit {p.returncode}, '{msg}'")

    p = run(wd, "dense", {"units": "lj", "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [4, 4, 4],
                                                                "species": "Ar"}, "masses": {"Ar": 1.0}},
                          "potential": LJ, "neighbor": {"list": "full"}, "guards": {"max_neighbors": 40},
                          "stages": [{"name": "md", "integrator": {"style": "nve"}, "steps": 10}]})
    msg = p.stderr.strip()
    c.check(p.returncode == 3 and "step 0: atom" in msg and "more than guards.max_neighbors = 40" in msg,
            f"max_neighbors: exit {p.returncode}, '{msg}'")
    c.done()


if __name__ == "__main__":
    main()
