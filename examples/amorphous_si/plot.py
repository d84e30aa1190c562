#!/usr/bin/python3
"""Plots a melt-quench run of inputs/si_heat_quench.yaml: temperature and potential
energy per atom against time, and the radial distribution function of each stage.

    plot.py RUN_DIR [OUT.png]      (default RUN_DIR/si_heat_quench.png)

Reads thermo.csv, rdf.csv, coordination.csv and traj.h5md written by the deck; prints the final
RDF's first peak and the mean coordination of the relaxed structure."""
import csv
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(run, "si_heat_quench.png")
    thermo = read(os.path.join(run, "thermo.csv"))
    t = np.array([float(r["time"]) for r in thermo])
    temp = np.array([float(r["temp"]) for r in thermo])
    rdf = read(os.path.join(run, "rdf.csv"))
    cn = read(os.path.join(run, "coordination.csv"))
    # pe is a total: the atom count comes from the trajectory.
    with h5py.File(os.path.join(run, "traj.h5md"), "r") as f:
        natoms = len(f["particles/trajectory/species"])
    col = [k for k in rdf[0] if k.startswith("g_")][0]  # the Si-Si column
    pe = np.array([float(r["pe"]) for r in thermo]) / natoms

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    ax[0].plot(t, temp, lw=0.8)
    ax[0].set(xlabel="time (ps)", ylabel="temperature (K)", title="Temperature")
    ax[1].plot(t, pe, lw=0.8, color="tab:red")
    ax[1].set(xlabel="time (ps)", ylabel="potential energy (eV/atom)", title="Potential energy")
    stages = list(dict.fromkeys(r["stage"] for r in rdf))
    for s in stages:
        rows = [r for r in rdf if r["stage"] == s]
        ax[2].plot([float(r["r"]) for r in rows], [float(r[col]) for r in rows], label=s, lw=1)
    ax[2].axhline(1.0, color="gray", lw=0.5)
    ax[2].set(xlabel="r (Å)", ylabel="g(r)", title=f"RDF {col[2:]}")
    ax[2].legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)

    last = [r for r in rdf if r["stage"] == stages[-1]]
    r = np.array([float(x["r"]) for x in last])
    g = np.array([float(x[col]) for x in last])
    print(f"{out}: final first RDF peak {r[np.argmax(g)]:.3f} A, mean coordination {float(cn[-1]['cn']):.3f}")


if __name__ == "__main__":
    main()
