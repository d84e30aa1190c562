"""Canonical sampling by every thermostat: EAM copper (256 atoms) at 600 K, 100 ps after
5 ps of equilibration. The mean kinetic temperature is within 1% of 600 K and its
variance within 10% of the canonical 2 T^2 / dof (dof = 3N - 3)."""
import os

import numpy as np

from common import Checks, read_csv, run_atomforge, workdir, write_deck

T = 600.0
THERMOSTATS = {
    "nvt": {"style": "nvt", "damping": 0.1, "chain": 3},
    "csvr": {"style": "csvr", "damping": 0.1},
    "langevin": {"style": "langevin", "damping": 0.5},
}


def main():
    c = Checks("thermostats")
    for name, integ in THERMOSTATS.items():
        wd = workdir("thermo-" + name)
        it = dict(integ, timestep=0.002, temperature=T)
        deck = {
            "units": "metal", "seed": 31337,
            "system": {"lattice": {"style": "fcc", "a": 3.63, "repeat": [4, 4, 4], "species": "Cu"},
                       "velocities": {"temperature": T}},
            "potential": {"style": "eam", "file": "Cu_u3.eam"},
            "neighbor": {"skin": 1.0},
            "stages": [{"name": "equilibrate", "integrator": it, "steps": 2500},
                       {"name": "sample", "integrator": it, "steps": 50000}],
            "output": {"thermo": {"every": 5, "file": "thermo.csv"}},
        }
        write_deck(deck, os.path.join(wd, "deck.yaml"))
        run_atomforge(["run", "deck.yaml", "-q"], wd, threads=2)
        temps = np.array([r["temp"] for r in read_csv(os.path.join(wd, "thermo.csv")) if r["step"] > 2500])
        n = 256
        var_canon = 2 * T * T / (3 * n - 3)
        c.check(abs(temps.mean() / T - 1) < 0.01, f"{name}: mean T {temps.mean():.2f} K ({100 * (temps.mean() / T - 1):+.2f}%)")
        c.check(abs(temps.var() / var_canon - 1) < 0.10,
                f"{name}: var T {temps.var():.1f} K^2 vs canonical {var_canon:.1f} ({100 * (temps.var() / var_canon - 1):+.1f}%)")
    c.done()


if __name__ == "__main__":
    main()
