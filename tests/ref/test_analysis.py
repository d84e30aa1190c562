"""On-the-fly analysis against MDAnalysis 2.4 and numpy on the written trajectory:
RDF (MDAnalysis InterRDF, same frames), mean-squared displacement (from unwrapped
positions) and coordination numbers (direct pair counting), for a hot two-species alloy."""
import os
import warnings

import h5py
import numpy as np

from common import Checks, read_csv, run_atomforge, workdir, write_deck

warnings.filterwarnings("ignore")
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.analysis.rdf import InterRDF  # noqa: E402


def main():
    c = Checks("analysis")
    wd = workdir("analysis")
    # a = 3.55: the perfect lattice of frame 0 puts no pair distance on a bin edge, where
    # MDAnalysis's float32 coordinates and our doubles could bin it differently.
    deck = {
        "units": "metal", "seed": 5,
        "system": {"lattice": {"style": "fcc", "a": 3.55, "repeat": [4, 4, 4], "species": ["Ni", "Al", "Ni", "Ni"]},
                   "velocities": {"temperature": 4000}},
        "potential": {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"},
        "stages": [{"name": "melt", "integrator": {"style": "nve", "timestep": 0.002}, "steps": 600}],
        "output": {"trajectory": {"every": 100, "file": "traj.h5md", "fields": ["position", "velocity", "image"]},
                   "analysis": {"every": 100, "rdf": {"cutoff": 6.0, "bins": 60, "file": "rdf.csv"},
                                "msd": {"file": "msd.csv"}, "coordination": {"cutoff": 3.0, "file": "cn.csv"}}},
    }
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    run_atomforge(["run", "deck.yaml", "-q"], wd, threads=2)

    u = mda.Universe(os.path.join(wd, "traj.h5md"))
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        species = f["particles/trajectory/species"][()]
        pos = f["particles/trajectory/position/value"][()]
        img = f["particles/trajectory/image/value"][()]
        edges = f["particles/trajectory/box/edges/value"][()]
    ni = u.atoms[species == 0]
    al = u.atoms[species == 1]
    rows = read_csv(os.path.join(wd, "rdf.csv"))  # first column is the stage name
    r = np.array([row["r"] for row in rows])
    shell = 4.0 / 3.0 * np.pi * ((r + 0.05) ** 3 - (r - 0.05) ** 3)
    vol = abs(np.linalg.det(edges[0]))  # NVE: constant

    def pair_counts(g, na, nb, same, frames):
        """Ordered pair counts per bin implied by g(r) (the normalisation LAMMPS and MDAnalysis use)."""
        return g * shell * (na * (na - 1) if same else na * nb) / vol * frames

    def compare(ours, ref, na, nb, same, frames):
        """MDAnalysis bins float32 coordinates: a distance within float32 rounding of a bin edge can
        land in the neighbouring bin. Allow that for at most one pair (two ordered counts) in at most
        two bins; everything else must match to 1e-6 in counts."""
        d = np.abs(pair_counts(ours, na, nb, same, frames) - ref.results.count)
        off = d > 1e-6 * max(1.0, ref.results.count.max())
        return bool(np.all(d[off] < 2 + 1e-6) and off.sum() <= 2), d.max()

    for name, a, b, col in (("Ni-Ni", ni, ni, "g_Ni-Ni"), ("Ni-Al", ni, al, "g_Ni-Al"), ("Al-Al", al, al, "g_Al-Al")):
        same = a is b
        # The stage's samples: steps 100-600 (the starting structure belongs to no stage).
        ref = InterRDF(a, b, nbins=60, range=(0.0, 6.0), exclusion_block=(1, 1) if same else None).run(start=1)
        ours = np.array([row[col] for row in rows])
        ok, err = compare(ours, ref, len(a), len(b), same, len(pos) - 1)
        peak = ref.results.bins[np.argmax(ref.results.rdf)]
        c.check(np.allclose(r, ref.results.bins) and ok,
                f"rdf {name} (stage average) = MDAnalysis InterRDF: max pair-count difference {err:.1e} "
                f"(first peak {peak:.2f} A)")

    # MSD from unwrapped positions relative to frame 0.
    unwrapped = pos + np.einsum("fni,ij->fnj", img, edges[0])
    msd_ref = ((unwrapped - unwrapped[0]) ** 2).sum(axis=2).mean(axis=1)
    msd = np.array([row["msd"] for row in read_csv(os.path.join(wd, "msd.csv"))])
    c.check(np.allclose(msd, msd_ref, rtol=1e-9, atol=1e-12), f"msd equals the trajectory's: {msd.round(4)} A^2")

    # Coordination within 3.0 A, minimum image (the cell is over 6 A).
    cn = read_csv(os.path.join(wd, "cn.csv"))
    ok = True
    for k, frame in enumerate(pos):
        h = edges[k]
        d = frame[None, :, :] - frame[:, None, :]
        frac = d @ np.linalg.inv(h)
        d = (frac - np.round(frac)) @ h
        r2 = (d ** 2).sum(axis=2)
        np.fill_diagonal(r2, np.inf)
        ok &= abs((r2 < 9.0).sum() / len(frame) - cn[k]["cn"]) < 1e-12
    c.check(bool(ok), f"coordination equals direct counting in every frame (last {cn[-1]['cn']:.3f})")

    # observables/: one row per frame, at the frames' steps, readable through MDAnalysis.
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        steps = f["particles/trajectory/position/step"][()]
        obs = f["observables"]
        aligned = all(np.array_equal(obs[k]["step"][()], steps) for k in obs)
    c.check(aligned, f"every observable has one row per trajectory frame ({len(steps)} frames)")
    seen = []
    for ts in u.trajectory:
        seen.append((ts.data["step"], ts.data["msd"][0], ts.data["coordination"][0], ts.data["temp"]))
    c.check(np.allclose([s[1] for s in seen], msd_ref, rtol=1e-9, atol=1e-12)
            and np.allclose([s[2] for s in seen], [row["cn"] for row in cn], rtol=0, atol=1e-12),
            "MDAnalysis reads msd and coordination per frame from observables/")
    # Samples every 100 steps = every frame, so each frame's block average is that frame's g(r).
    nni = len(ni)
    worst, ok = 0.0, True
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        per_frame = f["observables/rdf_Ni-Ni/value"][()]
    for k in range(len(pos)):
        ref = InterRDF(ni, ni, nbins=60, range=(0.0, 6.0), exclusion_block=(1, 1)).run(start=k, stop=k + 1)
        fine, err = compare(per_frame[k], ref, nni, nni, True, 1)
        ok &= fine
        worst = max(worst, err)
    c.check(ok, f"per-frame rdf observable = MDAnalysis on each frame (max pair-count difference {worst:.1e})")
    c.done()


if __name__ == "__main__":
    main()
