"""A neural potential: atomforge versus the PyTorch reference, same weights (default
examples/models/si_equivariant.h5; --model examples/models/si_attention.h5), same
machine, same thread count, one energy+forces call on Si diamond supercells of 1,000 and
8,000 atoms. Reports seconds per call, peak memory (max RSS of a fresh process doing
only that), the BLAS PyTorch uses, and each side's achieved GFLOP/s from the model's
FLOP count (equivariant: the per-edge radial MLP dominates it; attention: the per-edge
H x H products). The spline column is the equivariant model's tabulated radial MLP.

    /usr/bin/python3 bench/nnip_vs_torch.py [--threads 1] [--precision float32] [--model FILE] [--repeat 1]

--repeat N runs each side N times in fresh processes, alternating, and reports each
side's median (this machine's run-to-run spread reached +-40% on a busy host).
Prints a Markdown table for bench/RESULTS.md. Needs build/bin/atomforge."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MODEL = os.path.join(ROOT, "examples", "models", "si_equivariant.h5")
AF = os.path.join(ROOT, "build", "bin", "atomforge")

TORCH_CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, ROOT + "/potentials/nnip/training")
import torch
from ase.build import bulk
from aftrain.export import load_model
from aftrain.model import as_tensors
torch.set_num_threads(THREADS)
torch.set_flush_denormal(True)  # PyTorch's faster setting here (subnormal floats cost x86 assists)
dtype = torch.float32 if "PREC" == "float32" else torch.float64
model = load_model(MODEL, dtype=dtype)
model.eval()
at = bulk("Si", "diamond", a=5.431, cubic=True).repeat((REP, REP, REP))
t = as_tensors(at, model.h.species, model.h.r_cut, dtype)
times = []
for k in range(4):
    t0 = time.perf_counter()
    out = model(**t, stress=False)
    times.append(time.perf_counter() - t0)
edges = len(t["receiver"])
print(json.dumps({"seconds": sorted(times[1:])[1], "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "edges": edges}))
'''


def architecture():
    import h5py
    with h5py.File(MODEL) as f:
        return f.attrs["architecture"]


def model_flops(edges, atoms):
    """Multiply-adds x 2 of one energy+forces call (forward; backward counted as 2x)."""
    sys.path.insert(0, os.path.join(ROOT, "potentials", "nnip", "training"))
    import h5py
    with h5py.File(MODEL) as f:
        hy = json.loads(f["hyper"].attrs["json"])
    if architecture() == "attention":
        H, B, M = hy["hidden"], hy["n_layers"], edges / atoms
        per_edge = B * (9 * H * H + 2 * M * H) + hy["n_gauss"] * H + (3 * H + 2 * hy["l_boo"] + 2) * H
        per_atom = B * 6 * H * H + (B + 1) * H * H
        total = 2 * 3 * (edges * per_edge + atoms * per_atom)
        return total, total
    from aftrain.model import Hyper
    from aftrain import so3
    h = Hyper(**hy)
    P, C = len(h.paths()), h.channels
    widths = [h.n_bessel] + list(h.radial_hidden) + [P * C]
    radial = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    tp = sum(int((abs(so3.wigner_3j(*p)) > 0).sum()) for p in h.paths()) * C
    F = C * (h.l_max + 1) ** 2
    node = 2 * F * C + F * C  # two channel mixes per block (+ gates), per atom
    per_block = edges * (radial + tp) + atoms * node
    return 2 * 3 * h.n_layers * per_block, 2 * 3 * h.n_layers * edges * radial


def run_torch(rep, threads, prec):
    code = TORCH_CHILD.replace("ROOT", repr(ROOT)).replace("THREADS", str(threads)).replace("PREC", prec)
    code = code.replace("MODEL", repr(MODEL)).replace("REP", str(rep))
    # OpenBLAS single-threaded under PyTorch's own OpenMP threads: its pthreads pool on
    # top of them oversubscribed the cores (2 threads: 0.27-0.45 s per call at 1,000
    # atoms against 0.22 s so; 1 thread: the same either way).
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_atomforge(rep, threads, prec, radial):
    wd = tempfile.mkdtemp(prefix="af-nnip-bench-")
    # A timing window of the same order as PyTorch's (three calls): 20 calls at 1,000
    # atoms (~0.6 s), 4 at 8,000 (~1 s). Until 2026-11-30 (sixth session) it was 4 calls
    # at both sizes, ~0.1 s at 1,000 atoms, which a slow spell of the host moved by 25%.
    steps = 20 if rep <= 5 else 4
    with open(os.path.join(wd, "deck.yaml"), "w") as f:
        f.write(f"""units: metal
system: {{lattice: {{style: diamond, a: 5.431, repeat: [{rep}, {rep}, {rep}], species: Si}}}}
potential: {{style: nnip, model: {MODEL}, precision: {prec}, radial: {radial}}}
neighbor: {{skin: 1.0}}
stages: [{{name: run, integrator: {{style: nve, timestep: 0.001}}, steps: {steps}}}]
""")
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OMP_PROC_BIND="false")
    p = subprocess.run(["/usr/bin/time", "-v", AF, "run", "deck.yaml"], cwd=wd, capture_output=True, text=True,
                       env=env, check=True)
    force = float(re.search(r"^Force\s+\|\s+([0-9.e+-]+)", p.stdout, re.M).group(1))
    rss = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    # The Force phase times the run loop's calls, one per step; the setup call before the
    # loop is not in it (until 2026-11-30 this divided by steps + 1, which put every
    # figure here 20% low and every speed-up 25% high).
    return {"seconds": force / steps, "rss_mb": rss}


def blas():
    try:
        out = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"], capture_output=True,
                             text=True).stdout
        return re.search(r"^Value: (.*)$", out, re.M).group(1)
    except Exception:  # noqa: BLE001
        return "unknown"


def median_run(runs):
    """The run whose seconds are the median (lower median for an even count)."""
    return sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--precision", default="float32")
    ap.add_argument("--model", help="model file (default examples/models/si_equivariant.h5)")
    ap.add_argument("--repeat", type=int, default=1, help="fresh processes per side; medians reported")
    args = ap.parse_args()
    global MODEL
    if args.model:
        MODEL = os.path.abspath(args.model)
    spline = architecture() == "equivariant"
    print(f"model: {os.path.relpath(MODEL, ROOT)} ({architecture()})")
    print(f"BLAS: {blas()}; threads {args.threads}; precision {args.precision}\n")
    print("| atoms | edges | PyTorch s/call | PyTorch MB | atomforge (mlp) s/call | (spline) s/call | atomforge MB "
          "| speed-up mlp / spline | memory ratio | GFLOP/s torch / af mlp |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    paired = []
    for rep in (5, 10):  # 1,000 and 8,000 atoms
        atoms = 8 * rep ** 3
        runs = {"t": [], "a": [], "s": []}
        for _ in range(args.repeat):  # alternating, so a slow spell of the host hits both sides
            runs["t"].append(run_torch(rep, args.threads, args.precision))
            runs["a"].append(run_atomforge(rep, args.threads, args.precision, "mlp"))
            if spline:
                runs["s"].append(run_atomforge(rep, args.threads, args.precision, "spline"))
        t, a, s = (median_run(runs[k]) if runs[k] else None for k in ("t", "a", "s"))
        # Each repeat's own speed-up (its PyTorch and atomforge runs back to back): the
        # host's speed wanders by tens of percent over minutes, and the spread of these
        # says how far the table's ratio of medians can be trusted.
        ratios = sorted(x["seconds"] / y["seconds"] for x, y in zip(runs["t"], runs["a"]))
        paired.append(f"{atoms:,} atoms: " + ", ".join(f"{r:.2f}x" for r in ratios))
        flops, _ = model_flops(t["edges"], atoms)
        s_time = f"{s['seconds']:.3f}" if s else "-"
        s_speed = f"{t['seconds'] / s['seconds']:.2f}x" if s else "-"
        print(f"| {atoms:,} | {t['edges']:,} | {t['seconds']:.3f} | {t['rss_mb']:.0f} | {a['seconds']:.3f} | "
              f"{s_time} | {a['rss_mb']:.0f} | {t['seconds'] / a['seconds']:.2f}x / {s_speed} | "
              f"{t['rss_mb'] / a['rss_mb']:.1f}x | {flops / t['seconds'] / 1e9:.2f} / {flops / a['seconds'] / 1e9:.2f} |")
    print("\nPer-repeat speed-ups (mlp), sorted: " + "; ".join(paired))


if __name__ == "__main__":
    main()
