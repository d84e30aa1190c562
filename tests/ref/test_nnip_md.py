"""MD with a shipped Si model (argument: equivariant, the default, or attention; issue 5
acceptance 7, issue 6 acceptance 4), float64; the equivariant model's radial MLP
tabulated (radial: spline; its error is in test_equivariant_engine.py):
- NVE, 512 Si atoms, dt 1 fs, from 2000 K velocities (about 1000 K after equipartition):
  energy drift (slope of a linear fit of the total energy) below 5e-4 eV/atom/ps;
- liquid Si at 2000 K: the radial distribution function of the model matches
  Stillinger-Weber's from the same start (diamond melted with SW at 3000 K), each
  potential equilibrating and sampling at 2000 K (Nose-Hoover): first-peak position within
  0.02 A (parabola through the top bins), max |g_model - g_SW| < 0.1.

AF_NNIP_MD=full runs the issue's lengths (10 ps NVE; 512-atom liquid, 5 ps melt, 5 ps
equilibration, 10 ps sampling: peak 2.512 vs 2.514 A, max |dg| 0.041 on 2026-11-29).
The default (CI) runs the 1 ps NVE only: shorter liquid runs are too noisy for the bound;
for the attention model, whose calls cost more, on 216 atoms."""
import os
import sys

import numpy as np

from common import SOURCE_DIR, Checks, read_csv, run_atomforge, workdir, write_deck

FULL = os.environ.get("AF_NNIP_MD", "") == "full"
THREADS = int(os.environ.get("AF_NNIP_MD_THREADS", "2"))
ARCH = sys.argv[1] if len(sys.argv) > 1 else "equivariant"
MODEL = os.path.join(SOURCE_DIR, "examples", "models", f"si_{ARCH}.h5")
NNIP = {"style": "nnip", "model": MODEL, **({"radial": "spline"} if ARCH == "equivariant" else {})}
SW = {"style": "sw", "file": "Si.sw", "species": ["Si"]}


def nve_drift(c, wd):
    ps = 10 if FULL else 1
    cells = 3 if ARCH == "attention" and not FULL else 4
    d = os.path.join(wd, "nve")
    os.makedirs(d)
    write_deck({"units": "metal", "seed": 11,
                "system": {"lattice": {"style": "diamond", "a": 5.431, "repeat": [cells] * 3, "species": "Si"},
                           "velocities": {"temperature": 2000.0}},
                "potential": NNIP,
                "stages": [{"name": "nve", "integrator": {"style": "nve", "timestep": 0.001}, "steps": 1000 * ps}],
                "output": {"thermo": {"every": 10, "file": "thermo.csv"}}}, os.path.join(d, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], d, threads=THREADS, timeout=7200)
    rows = read_csv(os.path.join(d, "thermo.csv"))
    t = np.array([r["time"] for r in rows])
    natoms = 8 * cells ** 3
    e = np.array([r["etotal"] for r in rows]) / natoms
    slope = np.polyfit(t, e, 1)[0]
    temp = np.mean([r["temp"] for r in rows[len(rows) // 2:]])
    c.check(abs(slope) < 5e-4, f"{ARCH}: NVE {ps} ps, {natoms} atoms at {temp:.0f} K: drift {slope:.2e} eV/atom/ps (< 5e-4); "
            f"etotal spread {1000 * (e.max() - e.min()):.3f} meV/atom")


def melt(wd):
    """A liquid to start from: diamond Si melted with Stillinger-Weber at 3000 K (cheap;
    each potential then equilibrates it at 2000 K itself)."""
    cells, steps = (4, 5000) if FULL else (3, 2000)
    d = os.path.join(wd, "melt")
    os.makedirs(d)
    write_deck({"units": "metal", "seed": 5,
                "system": {"lattice": {"style": "diamond", "a": 5.431, "repeat": [cells] * 3, "species": "Si"},
                           "velocities": {"temperature": 3000.0}},
                "potential": SW,
                "stages": [{"name": "melt", "integrator": {"style": "nvt", "timestep": 0.001, "damping": 0.1,
                                                           "temperature": 3000.0}, "steps": steps}],
                "output": {"extxyz": {"every": steps, "file": "melt.extxyz"}}}, os.path.join(d, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], d, threads=THREADS, timeout=7200)
    return os.path.join(d, "melt.extxyz")


def liquid_rdf(potential, wd, name, start):
    equil, sample = (5000, 10000) if FULL else (1500, 3000)
    d = os.path.join(wd, name)
    os.makedirs(d)
    nvt = {"style": "nvt", "timestep": 0.001, "damping": 0.1, "temperature": 2000.0}
    write_deck({"units": "metal", "seed": 5,
                "system": {"read": start},
                "potential": potential,
                "stages": [{"name": "equilibrate", "integrator": nvt, "steps": equil},
                           {"name": "sample", "integrator": nvt, "steps": sample}],
                "output": {"analysis": {"every": 20, "rdf": {"cutoff": 5.0, "bins": 100, "file": "rdf.csv"}}}},
               os.path.join(d, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], d, threads=THREADS, timeout=7200)
    rows = [r for r in read_csv(os.path.join(d, "rdf.csv")) if r["stage"] == "sample"]
    return np.array([r["r"] for r in rows]), np.array([r["g_Si-Si"] for r in rows])


def peak_position(r, g):
    """The first peak's position, refined by a parabola through the three highest bins."""
    k = int(np.argmax(g))
    y0, y1, y2 = g[k - 1], g[k], g[k + 1]
    return r[k] + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2) * (r[1] - r[0])


def main():
    c = Checks(f"nnip_md ({ARCH})")
    wd = workdir("nnip_md")
    nve_drift(c, wd)
    if not FULL:
        # A short liquid run's g(r) is too noisy on the peak's steep flank for a 0.1 bound
        # (216 atoms, 3 ps: 0.068 in one run, 0.154 in another with the same code), so the
        # liquid comparison runs at the issue's length only: AF_NNIP_MD=full (~10 min).
        print("liquid RDF comparison: run with AF_NNIP_MD=full")
        c.done()
        return
    start = melt(wd)
    r, g_sw = liquid_rdf(SW, wd, "sw", start)
    _, g_nn = liquid_rdf(NNIP, wd, "nnip", start)
    peak_sw, peak_nn = peak_position(r, g_sw), peak_position(r, g_nn)
    c.check(abs(peak_nn - peak_sw) <= 0.02,
            f"{ARCH}: liquid 2000 K: first RDF peak {peak_nn:.3f} A vs SW {peak_sw:.3f} A (within 0.02 A)")
    dg = np.abs(g_nn - g_sw).max()
    c.check(dg < 0.1, f"{ARCH}: liquid 2000 K: max |g_model - g_SW| = {dg:.3f} (< 0.1; peak g {g_sw.max():.2f})")
    c.done()


if __name__ == "__main__":
    main()
