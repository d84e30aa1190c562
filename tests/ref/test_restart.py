"""Exact restart: a run of 2,000 steps in one go against 1,037 steps (`--until 1037`,
which stops cleanly with a checkpoint; no output is due at that step, so the force
kernels there ran without tallies), then `--restart` for the remaining 963. Final
positions, velocities and cell must be bit-identical (same thread count), and the
restarted thermo CSV must equal the uninterrupted one line for line. Covers NVE,
Langevin, Nose-Hoover NVT and NPT (triclinic) on an EAM alloy (half neighbor lists,
spatial sorting every 1,000 steps) and NVE Lennard-Jones (cluster lists), with
neighbor-list rebuilds falling on both sides of the restart. Also: SIGTERM during a
run leaves a checkpoint from which the run ends identically; a checkpoint that does not
fit the deck is refused with one line and exit code 2."""
import os
import signal
import subprocess
import time

import h5py
import numpy as np

from common import ATOMFORGE, Checks, run_atomforge, workdir, write_deck

EAM = {"units": "metal", "seed": 9,
       "system": {"lattice": {"style": "fcc", "a": 3.6, "repeat": [4, 4, 4], "species": ["Ni", "Al", "Ni", "Ni"]},
                  "velocities": {"temperature": 900}},
       "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
       "neighbor": {"skin": 1.0, "sort": 1000}}
LJ = {"units": "lj", "seed": 5,
      "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [5, 5, 5], "species": "Ar"},
                 "masses": {"Ar": 1.0}, "velocities": {"temperature": 1.44}},
      "potential": {"style": "lj", "cutoff": 2.5, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]},
      "neighbor": {"skin": 0.3, "every": 20, "check": False}}

CASES = {
    "nve_eam": (EAM, {"style": "nve", "timestep": 0.002}),
    "langevin_eam": (EAM, {"style": "langevin", "timestep": 0.002, "temperature": {"start": 900, "stop": 600},
                           "damping": 0.1}),
    "nvt_eam": (EAM, {"style": "nvt", "timestep": 0.002, "temperature": 900, "damping": 0.1}),
    "npt_tri_eam": (EAM, {"style": "npt", "timestep": 0.002, "temperature": 900, "damping": 0.1, "pressure": 0.0,
                          "pressure_damping": 1.0, "couple": "tri"}),
    "nve_lj": (LJ, {"style": "nve", "timestep": 0.005}),
}


def final_state(path):
    with h5py.File(path, "r") as f:
        order = np.argsort(f["id"][()])
        return (f["step"][0], f["x"][()].reshape(-1, 3)[order], f["v"][()].reshape(-1, 3)[order], f["box"][()])


def main():
    c = Checks("restart")
    for name, (base, integ) in CASES.items():
        threads = 2 if name == "nve_eam" else 1  # per-thread force copies once; 1 thread is quicker under ctest -j2
        wd = workdir(f"restart-{name}")
        deck = dict(base, stages=[{"name": "md", "integrator": integ, "steps": 2000}],
                    output={"thermo": {"every": 100, "file": "thermo.csv"},
                            "checkpoint": {"every": 500, "file": "run.ckpt.h5"}})
        write_deck(deck, os.path.join(wd, "deck.yaml"))
        full, part = os.path.join(wd, "full"), os.path.join(wd, "part")
        for d in (full, part):
            os.makedirs(d)
            os.link(os.path.join(wd, "deck.yaml"), os.path.join(d, "deck.yaml"))
        run_atomforge(["run", "deck.yaml", "-q"], full, threads=threads)
        run_atomforge(["run", "deck.yaml", "-q", "--until", "1037"], part, threads=threads)
        mid = final_state(os.path.join(part, "run.ckpt.h5"))[0]
        run_atomforge(["run", "deck.yaml", "-q", "--restart", "run.ckpt.h5"], part, threads=threads)
        a, b = final_state(os.path.join(full, "run.ckpt.h5")), final_state(os.path.join(part, "run.ckpt.h5"))
        same = a[0] == b[0] == 2000 and all(np.array_equal(p, q) for p, q in zip(a[1:], b[1:]))
        dx = np.abs(a[1] - b[1]).max()
        thermo_same = open(os.path.join(full, "thermo.csv")).read() == open(os.path.join(part, "thermo.csv")).read()
        c.check(same and mid == 1037 and thermo_same,
                f"{name}: 1037 + restart + 963 bit-identical to 2000 (max |dx| {dx:.1e}; thermo CSV identical: "
                f"{thermo_same})")

    # SIGTERM mid-run, then resume.
    base, integ = CASES["nvt_eam"]
    wd = workdir("restart-sigterm")
    deck = dict(base, stages=[{"name": "md", "integrator": integ, "steps": 20000}],
                output={"checkpoint": {"every": 1000, "file": "run.ckpt.h5"}})
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")
    p = subprocess.Popen([ATOMFORGE, "run", "deck.yaml", "-q"], cwd=wd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    stopped = final_state(os.path.join(wd, "run.ckpt.h5"))[0]
    run_atomforge(["run", "deck.yaml", "-q", "--restart", "run.ckpt.h5"], wd, threads=1)
    resumed = final_state(os.path.join(wd, "run.ckpt.h5"))
    ref_dir = os.path.join(wd, "ref")
    os.makedirs(ref_dir)
    os.link(os.path.join(wd, "deck.yaml"), os.path.join(ref_dir, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], ref_dir, threads=1)
    ref = final_state(os.path.join(ref_dir, "run.ckpt.h5"))
    c.check(p.returncode == 128 + signal.SIGTERM and 0 < stopped < 20000 and "--restart run.ckpt.h5" in err
            and all(np.array_equal(x, y) for x, y in zip(resumed[1:], ref[1:])),
            f"SIGTERM at step {stopped} (exit {p.returncode}), checkpoint, resume: final state bit-identical")

    # A checkpoint from another system.
    other = dict(LJ, stages=[{"name": "md", "integrator": {"style": "nve", "timestep": 0.005}, "steps": 10}])
    write_deck(other, os.path.join(wd, "other.yaml"))
    q = run_atomforge(["run", "other.yaml", "-q", "--restart", "run.ckpt.h5"], wd, check=False)
    c.check(q.returncode == 2 and len(q.stderr.strip().splitlines()) == 1 and "does not fit this deck" in q.stderr,
            f"foreign checkpoint refused: exit {q.returncode}, '{q.stderr.strip()}'")
    c.done()


if __name__ == "__main__":
    main()
