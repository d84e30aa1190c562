"""The learned sampler's dataset (issue 22, protocol in docs/learned_sampler.md): unique
relaxed minima of symmetric-search campaigns on the *training* systems only, at every cell
size from 4 to 12 atoms that the system's formula allows (no test composition, no test
size: Si16 is held out, so nothing of 16 atoms enters).

    /usr/bin/python3 examples/learned_sampler/make_dataset.py [--relaxations N] [--keep]

For each training system of bench/csp/systems.py and each size: `atomforge sample` with
that system's potential, generator settings and relaxation (symmetric generator, seed
2026, batch 64), into runs/flow_data/SYSTEM_N/ (not versioned). Kept: converged minima
within WINDOW eV/atom (enthalpy at the deck's pressure) of the best of their system over all
sizes, deduplicated with the matcher (csp preset) per system; split 90/10 into
train/val with a fixed seed. Writes examples/learned_sampler/data/minima.extxyz (each frame:
system, enthalpy_per_atom, above_best, split) and data/provenance.json.
"""
import datetime
import json
import math
import os
import subprocess
import sys
from collections import Counter

import atomforge
import numpy as np
from ase.io import read, write

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "csp"))
from systems import SYSTEMS  # noqa: E402

ATOMFORGE = os.environ.get("ATOMFORGE", os.path.join(ROOT, "build", "bin", "atomforge"))
TRAINING = ["si8_sw", "si8_tersoff", "sic8_tersoff", "bn8_tersoff", "cdte8_sw", "nial_eam", "feal_eam", "c8_20gpa"]
WINDOW = 0.2  # eV/atom above the system's best
SIZES = range(4, 13)


def formula_units(composition):
    """Cell sizes 4..12 of the system's formula (its composition's gcd)."""
    g = math.gcd(*composition.values())
    unit = {k: v // g for k, v in composition.items()}
    per = sum(unit.values())
    return unit, [n // per for n in SIZES if n % per == 0]


def run(system, relaxations, keep):
    s = SYSTEMS[system]
    unit, fus = formula_units(s["composition"])
    formula = "".join(f"{k}{v if v > 1 else ''}" for k, v in unit.items())
    frames = []
    for fu in fus:
        n = fu * sum(unit.values())
        work = os.path.join(ROOT, "runs", "flow_data", f"{system}_{n}")
        os.makedirs(work, exist_ok=True)
        deck = (f"units: {s['units']}\nseed: 2026\npotential: {s['potential']}\nsample:\n"
                f"  formula: {formula}\n  formula_units: {fu}\n"
                f"  generator: {{style: symmetric, {s['generator']}}}\n"
                f"  budget: {{relaxations: {relaxations}}}\n  batch: 64\n"
                f"  relax: {{{s['relax']}}}\noutput: {{dir: out}}\n")
        path = os.path.join(work, "deck.yaml")
        same = os.path.exists(path) and open(path).read() == deck
        if not (keep and same and os.path.exists(os.path.join(work, "out", "summary.json"))):
            open(path, "w").write(deck)
            subprocess.run(["rm", "-rf", os.path.join(work, "out")], check=True)
            subprocess.run([ATOMFORGE, "sample", "deck.yaml", "-q"], cwd=work, check=True)
        for f in read(os.path.join(work, "out", "relaxed.extxyz"), index=":"):
            if f.info.get("status") == "converged":
                f.info = {"system": system, "enthalpy_per_atom": f.info["enthalpy_per_atom"], "atoms": n}
                frames.append(f)
    best = min(f.info["enthalpy_per_atom"] for f in frames)
    near = [f for f in frames if f.info["enthalpy_per_atom"] <= best + WINDOW]
    # Per-atom enthalpy ranks structures of different sizes alike.
    unique = atomforge.dedup(near, energies=[f.info["enthalpy_per_atom"] for f in near], preset="csp")
    for f in unique:
        f.info = {"system": system, "enthalpy_per_atom": f.info["energy"], "above_best": f.info["energy"] - best,
                  "atoms": len(f), "class_size": len(f.info["members"])}
    return unique, {"sizes": [fu * sum(unit.values()) for fu in fus], "converged": len(frames),
                    "within_window": len(near), "unique": len(unique), "best_per_atom": best}


def main():
    relaxations = int(sys.argv[sys.argv.index("--relaxations") + 1]) if "--relaxations" in sys.argv else 1500
    keep = "--keep" in sys.argv
    out, prov = [], {"date": datetime.date.today().isoformat(), "relaxations_per_size": relaxations,
                     "window_eV_per_atom": WINDOW, "generator": "symmetric, seed 2026, batch 64",
                     "systems": {}}
    for system in TRAINING:
        unique, info = run(system, relaxations, keep)
        prov["systems"][system] = info
        print(f"{system}: {info}", flush=True)
        out += unique
    rng = np.random.default_rng(2026)
    for f, r in zip(out, rng.random(len(out))):
        f.info["split"] = "val" if r < 0.1 else "train"
    prov["split"] = dict(Counter(f.info["split"] for f in out))
    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    write(os.path.join(HERE, "data", "minima.extxyz"), out)
    with open(os.path.join(HERE, "data", "provenance.json"), "w") as f:
        json.dump(prov, f, indent=1)
    print(f"make_dataset: {len(out)} structures ({prov['split']})")


if __name__ == "__main__":
    main()
