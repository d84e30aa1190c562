"""Restart after a finished run, and trajectories that continue in place.

A 200-step deck run to its end (checkpoint at 200; its last step is a thermo step only
because the stage ends there) and then the same system's 400-step deck with
`--restart` must end bit-identical to the uninterrupted 400-step run, for NVE and
Langevin (EAM alloy). The forces that move the atoms at a stage's last step come from
the same kernels as at any other step; the end-of-stage thermo row gets its energy and
virial from a second call whose forces are discarded.

On restart the H5MD, LAMMPS dump and extxyz trajectories continue in the same files:
frames after the checkpoint's step, and an early stop's extra frame at it (`--until`),
are dropped, then the new frames appended, so the files equal the uninterrupted run's
byte for byte (text) or value for value (H5MD) and MDAnalysis reads every step once.
`--restart-new-files` keeps the first run's files and writes NAME.restart-STEP.EXT."""
import os
import warnings

import h5py
import numpy as np

from common import Checks, run_atomforge, workdir, write_deck

warnings.filterwarnings("ignore", category=DeprecationWarning)
import MDAnalysis as mda  # noqa: E402

BASE = {"units": "metal", "seed": 9,
        "system": {"lattice": {"style": "fcc", "a": 3.6, "repeat": [4, 4, 4], "species": ["Ni", "Al", "Ni", "Ni"]},
                   "velocities": {"temperature": 900}},
        "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
        "neighbor": {"skin": 1.0}}
INTEGRATORS = {"nve": {"style": "nve", "timestep": 0.002},
               "langevin": {"style": "langevin", "timestep": 0.002, "temperature": 900, "damping": 0.1}}
# 200 is neither a thermo (every 150) nor a frame step (every 60): in the 200-step run
# only the stage's end makes it an output step.
OUTPUT = {"thermo": {"every": 150, "file": "thermo.csv"},
          "trajectory": {"every": 60, "file": "traj.h5md", "fields": ["position", "velocity", "image"]},
          "dump": {"every": 60, "file": "traj.dump"},
          "extxyz": {"every": 60, "file": "traj.extxyz"},
          "checkpoint": {"every": 200, "file": "run.ckpt.h5"}}


def state(path):
    with h5py.File(path, "r") as f:
        order = np.argsort(f["id"][()])
        return (int(f["step"][0]), f["x"][()].reshape(-1, 3)[order], f["v"][()].reshape(-1, 3)[order], f["box"][()])


def h5md_series(path):
    with h5py.File(path, "r") as f:
        p = f["particles/trajectory"]
        out = {k: (p[k]["step"][()], p[k]["value"][()]) for k in ("position", "velocity", "image")}
        out["edges"] = (p["box/edges/step"][()], p["box/edges/value"][()])
        for k in f["observables"]:
            out["obs/" + k] = (f["observables"][k]["step"][()], f["observables"][k]["value"][()])
    return out


def same_series(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k][0], b[k][0]) and np.array_equal(a[k][1], b[k][1])
                                        for k in a)


def read(path):
    with open(path) as f:
        return f.read()


def deck_dir(wd, name):
    d = os.path.join(wd, name)
    os.makedirs(d)
    return d


def main():
    c = Checks("restart_outputs")
    for name, integ in INTEGRATORS.items():
        wd = workdir(f"restart-outputs-{name}")
        decks = {}
        for steps in (200, 400):
            decks[steps] = os.path.join(wd, f"deck{steps}.yaml")
            write_deck(dict(BASE, stages=[{"name": "md", "integrator": integ, "steps": steps}], output=OUTPUT),
                       decks[steps])
        full, part, early, fresh = (deck_dir(wd, n) for n in ("full", "part", "early", "fresh"))
        run_atomforge(["run", decks[400], "-q"], full)
        # 6a: a finished 200-step run, then the 400-step deck from its checkpoint.
        run_atomforge(["run", decks[200], "-q"], part)
        mid = state(os.path.join(part, "run.ckpt.h5"))[0]
        p = run_atomforge(["run", decks[400], "-q", "--restart", "run.ckpt.h5"], part)
        a, b = state(os.path.join(full, "run.ckpt.h5")), state(os.path.join(part, "run.ckpt.h5"))
        dx = np.abs(a[1] - b[1]).max()
        dv = np.abs(a[2] - b[2]).max()
        c.check(mid == 200 and a[0] == b[0] == 400 and all(np.array_equal(x, y) for x, y in zip(a[1:], b[1:])),
                f"{name}: 200-step run + restart with the 400-step deck bit-identical to 400 steps "
                f"(max |dx| {dx:.1e}, |dv| {dv:.1e})")
        c.check(read(os.path.join(full, "thermo.csv")) == read(os.path.join(part, "thermo.csv")),
                f"{name}: thermo CSV identical")
        # 6b: the trajectories continued in place equal the uninterrupted run's.
        fs, ps = h5md_series(os.path.join(full, "traj.h5md")), h5md_series(os.path.join(part, "traj.h5md"))
        steps = list(ps["position"][0])
        c.check(same_series(fs, ps) and steps == list(range(0, 400, 60)),
                f"{name}: H5MD continued in place equals the uninterrupted run's (steps {steps}, "
                f"{len(ps)} series incl. observables)")
        for ext in ("dump", "extxyz"):
            c.check(read(os.path.join(full, "traj." + ext)) == read(os.path.join(part, "traj." + ext)),
                    f"{name}: {ext} continued in place identical to the uninterrupted run's")
        u = mda.Universe(os.path.join(part, "traj.h5md"))
        mda_steps = [int(ts.data["step"]) for ts in u.trajectory]
        c.check(mda_steps == steps and len(set(mda_steps)) == len(mda_steps),
                f"{name}: MDAnalysis reads every frame once ({len(mda_steps)} frames)")
        c.check(not [f for f in os.listdir(part) if ".restart-" in f], f"{name}: no NAME.restart-STEP files")

        # An early stop (--until 290) writes an extra frame at 290 that the restart drops.
        run_atomforge(["run", decks[400], "-q", "--until", "290"], early)
        with h5py.File(os.path.join(early, "traj.h5md"), "r") as f:
            stopped = list(f["particles/trajectory/position/step"][()])
        run_atomforge(["run", decks[400], "-q", "--restart", "run.ckpt.h5"], early)
        es = h5md_series(os.path.join(early, "traj.h5md"))
        c.check(stopped[-1] == 290 and same_series(fs, es)
                and all(read(os.path.join(full, "traj." + e)) == read(os.path.join(early, "traj." + e))
                        for e in ("dump", "extxyz")),
                f"{name}: --until 290 (last frame {stopped[-1]}) + restart: trajectories equal the uninterrupted run's")

        # --restart-new-files: the first run's files stay as they were.
        run_atomforge(["run", decks[200], "-q"], fresh)
        before = read(os.path.join(fresh, "traj.dump"))
        run_atomforge(["run", decks[400], "-q", "--restart", "run.ckpt.h5", "--restart-new-files"], fresh)
        with h5py.File(os.path.join(fresh, "traj.restart-200.h5md"), "r") as f:
            new_steps = list(f["particles/trajectory/position/step"][()])
        c.check(read(os.path.join(fresh, "traj.dump")) == before and new_steps == [240, 300, 360]
                and os.path.exists(os.path.join(fresh, "traj.restart-200.dump")),
                f"{name}: --restart-new-files keeps the first files, new frames {new_steps} in traj.restart-200.h5md")

    # A trajectory that does not fit the deck is refused with one line, exit 2.
    wd = workdir("restart-outputs-refuse")
    deck = os.path.join(wd, "deck.yaml")
    write_deck(dict(BASE, stages=[{"name": "md", "integrator": INTEGRATORS["nve"], "steps": 20}],
                    output=dict(OUTPUT, checkpoint={"every": 10, "file": "run.ckpt.h5"})), deck)
    run_atomforge(["run", deck, "-q", "--until", "10"], wd)
    other = dict(OUTPUT, checkpoint={"every": 10, "file": "run.ckpt.h5"},
                 trajectory={"every": 60, "file": "traj.h5md", "fields": ["position"]})
    write_deck(dict(BASE, stages=[{"name": "md", "integrator": INTEGRATORS["nve"], "steps": 20}], output=other), deck)
    q = run_atomforge(["run", deck, "-q", "--restart", "run.ckpt.h5"], wd, check=False)
    err = [ln for ln in q.stderr.strip().splitlines() if not ln.startswith("progress:")]
    c.check(q.returncode == 2 and len(err) == 2 and "cannot continue this trajectory" in err[-1]
            and "--restart-new-files" in err[-1], f"a trajectory with other fields refused: exit {q.returncode}, "
            f"'{err[-1] if err else ''}'")
    c.done()


if __name__ == "__main__":
    main()
