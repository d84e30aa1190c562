"""1 and 2 OpenMP threads agree to 1e-10 relative (lj_melt, 100 steps): thermo and
the final positions, velocities and forces."""
import os

import h5py
import numpy as np

from common import Checks, SOURCE_DIR, load_deck, read_csv, rel, run_atomforge, workdir, write_deck

TOL = 1e-10


def main():
    c = Checks("threads")
    wd = workdir("threads")
    results = {}
    for threads in (1, 2):
        sub = os.path.join(wd, f"t{threads}")
        os.mkdir(sub)
        d = load_deck(os.path.join(SOURCE_DIR, "inputs", "lj_melt.yaml"))
        d["stages"][0]["steps"] = 100
        d["output"] = {"thermo": {"every": 10, "file": "thermo.csv"},
                       "trajectory": {"every": 100, "file": "traj.h5", "fields": ["position", "velocity", "force"]}}
        write_deck(d, os.path.join(sub, "deck.yaml"))
        run_atomforge(["run", "deck.yaml", "-q"], sub, threads=threads)
        with h5py.File(os.path.join(sub, "traj.h5"), "r") as f:
            t = f["particles/trajectory"]
            results[threads] = (read_csv(os.path.join(sub, "thermo.csv")),
                                {k: t[k + "/value"][-1] for k in ("position", "velocity", "force")})
    (t1, a1), (t2, a2) = results[1], results[2]
    worst = max(rel(x[k], y[k]) for x, y in zip(t1, t2) for k in ("pe", "ke", "etotal", "press"))
    c.check(worst < TOL, f"thermo (pe, ke, etotal, press): max relative difference {worst:.2e}")
    for k in ("position", "velocity", "force"):
        d = float(np.abs(a1[k] - a2[k]).max() / np.abs(a1[k]).max())
        c.check(d < TOL, f"final {k}: max difference {d:.2e} relative to max |{k}|")
    c.done()


if __name__ == "__main__":
    main()
