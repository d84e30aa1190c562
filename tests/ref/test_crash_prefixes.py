"""Crash consistency of H5MD trajectories, exhaustively: a preloaded shim kills the run
just before its N-th write, for every N of a short run, so the file holds exactly the
first N-1 writes. Every such file opens with h5py once its creation is complete; every
frame it shows (each dataset's extent) reads back bit for bit as in the uninterrupted
run; no frame is lost that a flush had completed (the frames shown never decrease).
HDF5's own driver writes the superblock last in each flush, and files killed there fail
with "addr overflow" on the newest frame."""
import os
import subprocess
import sys
import warnings

import h5py
import numpy as np

from common import ATOMFORGE, Checks, workdir, write_deck

warnings.filterwarnings("ignore", category=DeprecationWarning)

SHIM = os.environ.get("AF_KILL_AT_WRITE_SHIM", "")


def run(wd, kill_at):
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false", LD_PRELOAD=SHIM,
               AF_KILL_AT_WRITE=str(kill_at))
    return subprocess.run([ATOMFORGE, "run", "deck.yaml", "-q"], cwd=wd, env=env, capture_output=True, text=True,
                          timeout=120)


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def compact(ns):
    """[1, 2, 3, 7] -> '1-3, 7'."""
    runs = []
    for n in ns:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs) or "none"


def main():
    c = Checks("crash_prefixes")
    if not SHIM or not os.path.exists(SHIM):
        sys.exit("AF_KILL_AT_WRITE_SHIM is not set to the built shim")
    wd = workdir("crash")
    write_deck({"units": "lj",
                "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [3, 3, 3], "species": "Ar"},
                           "masses": {"Ar": 1.0}, "velocities": {"temperature": 1.44, "seed": 5}},
                "potential": {"style": "lj", "cutoff": 2.5,
                              "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]},
                "stages": [{"integrator": {"style": "nve", "timestep": 0.005}, "steps": 3}],
                "output": {"thermo": {"every": 1},
                           "trajectory": {"every": 1, "file": "traj.h5md",
                                          "fields": ["position", "velocity", "force", "image"]}}},
               os.path.join(wd, "deck.yaml"))
    full = run(wd, 0)
    total = int(full.stderr.split("af_kill_at_write:")[1].split()[0])
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        ref = {k: d[()] for k, d in datasets(f).items()}
    frames_ref = len(ref["particles/trajectory/position/value"])
    c.check(full.returncode == 0 and frames_ref == 4 and total > 50, f"uninterrupted run: {frames_ref} frames, {total} writes")

    lead = "particles/trajectory/position/value"  # MDAnalysis counts frames by it
    unopenable, bad, shown_before = [], [], 0
    for n in range(1, total + 1):
        path = os.path.join(wd, "traj.h5md")
        if os.path.exists(path):
            os.remove(path)
        p = run(wd, n)
        if p.returncode != -9:
            bad.append(f"write {n}: not killed (exit {p.returncode})")
            continue
        try:
            with h5py.File(path, "r") as f:
                got = {k: np.asarray(d[()]) for k, d in datasets(f).items()}
        except Exception as e:  # noqa: BLE001 - any failure to open or read is the finding
            if shown_before > 0:
                bad.append(f"write {n}: {str(e)[:120]}")
            unopenable.append(n)
            continue
        shown = len(got.get(lead, []))
        if shown < shown_before:
            bad.append(f"write {n}: {shown} frames shown after {shown_before}")
        shown_before = shown
        for k, r in ref.items():
            v = got.get(k)
            if v is None:
                if shown > 0:
                    bad.append(f"write {n}: {k} missing")
                continue
            r = np.asarray(r)
            if r.ndim == 0:
                whole = np.array_equal(v, r)
            else:
                whole = v.shape[1:] == r.shape[1:] and len(v) <= len(r) and np.array_equal(v, r[:len(v)])
            if r.ndim > 0 and k.split("/")[-1] in ("value", "step", "time") and len(v) < shown:
                whole = False  # a series behind the lead: the newest frame is incomplete
            if not whole:
                bad.append(f"write {n}: {k} is not the uninterrupted run's first rows ({v.shape} vs {r.shape}, "
                           f"{shown} frames shown)")
    c.check(not bad, f"{total} kill points: every file whose creation completed opens, shows only whole frames "
                     f"identical to the uninterrupted run, and never fewer than before ({len(bad)} failures)"
                     + "".join("\n    " + b for b in bad[:8]))
    c.check(unopenable == list(range(1, len(unopenable) + 1)) and len(unopenable) < total // 4,
            f"unopenable only while the file is being created: kills at writes {compact(unopenable)}")
    c.done()


if __name__ == "__main__":
    main()
