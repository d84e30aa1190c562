"""Microbenchmark of the equivariant model's two tensor-product backends (sparse
Clebsch-Gordan paths versus the spherical-grid Gaunt product) at l_max = l_sh = 1, 2, 3, 4:
seconds per energy+forces call of a random-weight model (16 channels, 2 blocks, radial
spline so that the tensor product dominates) on 1,000 Si atoms, same thread count.

    /usr/bin/python3 bench/tp_backends.py [--threads 1]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "potentials", "nnip", "training"))
from aftrain.export import save_model  # noqa: E402
from aftrain.model import EquivariantModel, Hyper  # noqa: E402

AF = os.path.join(ROOT, "build", "bin", "atomforge")


def force_seconds(model, tp, threads, wd, steps=4):
    with open(os.path.join(wd, f"{tp}.yaml"), "w") as f:
        f.write(f"""units: metal
system: {{lattice: {{style: diamond, a: 5.431, repeat: [5, 5, 5], species: Si}}}}
potential: {{style: nnip, model: {model}, radial: spline, tensor_product: {tp}}}
neighbor: {{skin: 1.0}}
stages: [{{name: run, integrator: {{style: nve, timestep: 0.001}}, steps: {steps}}}]
""")
    p = subprocess.run([AF, "run", f"{tp}.yaml"], cwd=wd, capture_output=True, text=True, check=True,
                       env=dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_PROC_BIND="false"))
    # one Force-phase call per step (the setup call is outside the phase)
    return float(re.search(r"^Force\s+\|\s+([0-9.e+-]+)", p.stdout, re.M).group(1)) / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="af-tp-bench-")
    print("| l_max = l_sh | paths (on grid) | CG s/call | grid s/call | grid / CG |")
    print("|---|---|---|---|---|")
    for l in (1, 2, 3, 4):
        h = Hyper(species=["Si"], r_cut=4.0, l_max=l, l_sh=l, channels=16, n_layers=2, radial_hidden=[32, 32])
        path = os.path.join(wd, f"l{l}.h5")
        save_model(EquivariantModel(h, seed=l), path)
        paths = h.paths()
        even = sum(1 for p in paths if sum(p) % 2 == 0)
        cg = force_seconds(path, "cg", args.threads, wd)
        grid = force_seconds(path, "grid", args.threads, wd)
        print(f"| {l} | {len(paths)} ({even}) | {cg:.4f} | {grid:.4f} | {grid / cg:.2f} |")


if __name__ == "__main__":
    main()
