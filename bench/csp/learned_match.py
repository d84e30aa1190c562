"""In-distribution match rate of the learned sampler (issue 22, acceptance 4), DiffCSP's
protocol: for every validation minimum of the dataset (examples/learned_sampler/data/,
split val: training systems and sizes, structures never trained on), 20 unrelaxed samples
of its composition; match@20 and RMSE (StructureMatcher CSP tolerances: ltol 0.3, stol 0.5,
angle_tol 10, scaled volumes) and METRe/cRMSE by `atomforge metrics --preset csp`. The
symmetric generator's samples (same volumes, same counts) are scored beside them.

    /usr/bin/python3 bench/csp/learned_match.py [--model FILE] [--steps S] [--k 20]

Writes bench/csp/learned_match.json and prints one row per generator.
"""
import json
import os
import subprocess
import sys
from collections import Counter

from ase.io import read, write

sys.path.insert(0, os.path.dirname(__file__))
from baseline import ATOMFORGE, ROOT  # noqa: E402
from systems import SYSTEMS  # noqa: E402


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    model = os.path.abspath(arg("--model", os.path.join(ROOT, "examples", "models", "crystal_flow.h5")))
    steps, k = arg("--steps", "50"), int(arg("--k", "20"))
    data = read(os.path.join(ROOT, "examples", "learned_sampler", "data", "minima.extxyz"), index=":")
    val = [f for f in data if f.info["split"] == "val"]
    work = os.path.join(ROOT, "runs", "csp_learned", "match")
    os.makedirs(work, exist_ok=True)
    write(os.path.join(work, "reference.extxyz"), val)
    result = {"model": os.path.relpath(model, ROOT), "steps": int(steps), "k": k, "references": len(val),
              "systems": dict(Counter(f.info["system"] for f in val))}
    for mode in ("learned", "symmetric"):
        frames = []
        for j, ref in enumerate(val):
            counts = Counter(ref.get_chemical_symbols())
            comp = "".join(f"{s}{n}" for s, n in counts.items())
            vol = SYSTEMS[ref.info["system"]]["generator"].split("[")[1].split("]")[0].split(",")
            extra = ["--model", model, "--steps", steps] if mode == "learned" else []
            out = os.path.join(work, f"{mode}_{j}.extxyz")
            subprocess.run([ATOMFORGE, "generate", "--composition", comp, "--mode", mode, "--count", str(k),
                            "--seed", str(1000 + j), "--volume-per-atom", vol[0].strip(), vol[1].strip(), *extra, out],
                           check=True)
            frames += read(out, index=":")
        write(os.path.join(work, f"{mode}.extxyz"), frames)
        r = subprocess.run([ATOMFORGE, "metrics", "--reference", "reference.extxyz", "--generated", f"{mode}.extxyz",
                            "--k", "1", str(k), "--preset", "csp"], cwd=work, check=True, capture_output=True, text=True)
        result[mode] = json.loads(r.stdout)
        print(f"{mode}: {r.stdout.strip()}")
    with open(os.path.join(ROOT, "bench", "csp", "learned_match.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
