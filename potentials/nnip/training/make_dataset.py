"""Training data for the neural potentials from atomforge's own classic potentials:
Stillinger-Weber Si (Si.sw) or EAM Ni-Al (NiAlH_jea.eam.alloy) over crystals, strained
cells, vacancies, surfaces and liquids at several temperatures. Each configuration is
a Langevin run (dt 1 fs) whose extended-XYZ frames (energy, forces, stress) are pooled,
shuffled with a fixed seed and split 80/10/10 into train/val/test.

    /usr/bin/python3 potentials/nnip/training/make_dataset.py --system si --out data/si
    (--scale small: a few frames per configuration, for tests)

Writes OUT/{train,val,test}.extxyz and OUT/dataset.json (configurations, counts, seed).
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np
import yaml
from ase.build import bulk, surface
from ase.io import read, write

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def si_configs():
    base = bulk("Si", "diamond", a=5.431, cubic=True).repeat((2, 2, 2))  # 64 atoms
    out = [("crystal", base, T) for T in (300, 900, 1500)]
    for s in (-0.04, -0.02, 0.02, 0.04):
        a = base.copy()
        a.set_cell(base.cell[:] * (1 + s), scale_atoms=True)
        out.append((f"iso{s:+.2f}", a, 600))
    rng = np.random.default_rng(1)
    for k in range(3):
        a = base.copy()
        eps = rng.uniform(-0.03, 0.03, (3, 3))
        a.set_cell(base.cell[:] @ (np.eye(3) + (eps + eps.T) / 2), scale_atoms=True)
        out.append((f"shear{k}", a, 600))
    vac = base.copy()
    del vac[0]
    out.append(("vacancy", vac, 900))
    slab = surface(bulk("Si", "diamond", a=5.431, cubic=True), (0, 0, 1), 4, vacuum=5.0).repeat((2, 2, 1))
    slab.pbc = True
    out.append(("surface001", slab, 600))
    for T in (2000, 3000):
        out.append((f"liquid{T}", base.copy(), T))
    return out, {"style": "sw", "file": "Si.sw"}


def nial_configs():
    b2 = bulk("NiAl", "cesiumchloride", a=2.887).repeat((3, 3, 3))  # 54 atoms
    out = [("b2", b2, T) for T in (300, 900, 1500)]
    for s in (-0.03, 0.03):
        a = b2.copy()
        a.set_cell(b2.cell[:] * (1 + s), scale_atoms=True)
        out.append((f"iso{s:+.2f}", a, 600))
    fcc = bulk("Ni", "fcc", a=3.52, cubic=True).repeat((2, 2, 2))
    rng = np.random.default_rng(2)
    fcc.symbols[rng.random(len(fcc)) < 0.25] = "Al"
    out.append(("fcc_ni3al_random", fcc, 900))
    vac = b2.copy()
    del vac[0]
    out.append(("vacancy", vac, 900))
    out.append(("liquid", b2.copy(), 2500))
    return out, {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"}


def run_config(atomforge, name, atoms, T, potential, frames, every, equil, wd, seed):
    d = os.path.join(wd, f"{name}_{T}K")
    os.makedirs(d)
    write(os.path.join(d, "start.extxyz"), atoms, format="extxyz")
    melt = T >= 2000
    stages = []
    if melt:  # melt hot first, then sample at T
        stages.append({"name": "melt", "integrator": {"style": "langevin", "timestep": 0.001, "temperature": 3500.0,
                                                       "damping": 0.05}, "steps": 4 * equil})
    stages.append({"name": "equilibrate", "integrator": {"style": "langevin", "timestep": 0.001, "temperature": float(T),
                                                          "damping": 0.05}, "steps": equil})
    deck = {"units": "metal", "seed": seed,
            "system": {"read": "start.extxyz", "velocities": {"temperature": float(T)}},
            "potential": dict(potential, species=sorted(set(atoms.get_chemical_symbols()),
                                                        key=atoms.get_chemical_symbols().index)),
            "stages": stages + [{"name": "sample", "integrator": {"style": "langevin", "timestep": 0.001,
                                                                  "temperature": float(T), "damping": 0.1},
                                 "steps": frames * every}],
            "output": {"extxyz": {"every": every, "file": "frames.extxyz"}}}
    if potential["style"] == "sw":
        deck["potential"]["species"] = ["Si"]
    with open(os.path.join(d, "deck.yaml"), "w") as f:
        yaml.safe_dump(deck, f, sort_keys=False)
    subprocess.run([atomforge, "run", "deck.yaml", "-q"], cwd=d, check=True,
                   env=dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false"))
    got = read(os.path.join(d, "frames.extxyz"), index=":")
    return got[-frames:]  # the sampling stage's frames (step 0 and equilibration excluded)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--system", choices=["si", "nial"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", choices=["small", "full"], default="full")
    ap.add_argument("--atomforge", default=os.path.join(SOURCE, "build", "bin", "atomforge"))
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    configs, potential = si_configs() if args.system == "si" else nial_configs()
    frames, every, equil = (3, 20, 200) if args.scale == "small" else (40, 50, 2000)
    wd = tempfile.mkdtemp(prefix="af-dataset-")
    pool, info = [], []
    for k, (name, atoms, T) in enumerate(configs):
        got = run_config(args.atomforge, name, atoms, T, potential, frames, every, equil, wd, args.seed + k)
        for a in got:
            a.info["config"] = f"{name}_{T}K"
            a.info["temperature"] = T
        pool += got
        info.append({"name": f"{name}_{T}K", "atoms": len(atoms), "temperature": T, "frames": len(got)})
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(pool))
    n_val = n_test = max(1, len(pool) // 10)
    split = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
    os.makedirs(args.out, exist_ok=True)
    for part, idx in split.items():
        write(os.path.join(args.out, f"{part}.extxyz"), [pool[i] for i in sorted(idx)], format="extxyz")
    with open(os.path.join(args.out, "dataset.json"), "w") as f:
        json.dump({"system": args.system, "potential": potential, "scale": args.scale, "seed": args.seed,
                   "frames_per_config": frames, "every": every, "equilibration_steps": equil,
                   "configs": info, "counts": {k: int(len(v)) for k, v in split.items()}}, f, indent=1)
    shutil.rmtree(wd)
    print(f"{args.system}: {len(pool)} frames -> {args.out} ({', '.join(f'{k} {len(v)}' for k, v in split.items())})")


if __name__ == "__main__":
    main()
