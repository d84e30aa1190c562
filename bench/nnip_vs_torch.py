"""A neural potential: atomforge versus the PyTorch reference, same weights (default
examples/models/si_equivariant.h5; --model examples/models/si_attention.h5), same
machine, same thread count, one energy+forces call on Si diamond supercells of 1,000 and
8,000 atoms. Reports seconds per call, peak memory (max RSS of a fresh process doing
only that), the BLAS PyTorch uses, and each side's achieved GFLOP/s from the model's
FLOP count (equivariant: the per-edge radial MLP dominates it; attention: the per-edge
H x H products). The spline column is the equivariant model's tabulated radial MLP.
Next to the reference (aftrain, written to be read) runs an independent implementation
written for speed (bench/torch_equivariant.py; bench/torch_attention.py when it exists),
each with glibc's default allocator and with one kept from returning memory (issue 25).

    /usr/bin/python3 bench/nnip_vs_torch.py [--threads 1] [--precision float32] [--model FILE] [--repeat 1]
                                            [--sizes 5,10]

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


# glibc kept from returning memory to the system between calls (issue 25): without it
# both PyTorch codes spend much of a call in page faults, bimodally from process to process.
KEEP_MEMORY = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "100000000000", "MALLOC_TOP_PAD_": "1000000000"}
INDEPENDENT = {"equivariant": os.path.join(ROOT, "bench", "torch_equivariant.py"),
               "attention": os.path.join(ROOT, "bench", "torch_attention.py")}


def torch_env(threads, keep):
    # OpenBLAS single-threaded under PyTorch's own OpenMP threads: its pthreads pool on
    # top of them oversubscribed the cores (2 threads: 0.27-0.45 s per call at 1,000
    # atoms against 0.22 s so; 1 thread: the same either way).
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1")
    if keep:
        env.update(KEEP_MEMORY)
    return env


def run_torch(rep, threads, prec, keep):
    code = TORCH_CHILD.replace("ROOT", repr(ROOT)).replace("THREADS", str(threads)).replace("PREC", prec)
    code = code.replace("MODEL", repr(MODEL)).replace("REP", str(rep))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=torch_env(threads, keep),
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_independent(rep, threads, prec, keep):
    """The independent PyTorch implementation written for speed (None if there is none)."""
    script = INDEPENDENT[architecture()]
    if not os.path.exists(script):
        return None
    out = subprocess.run([sys.executable, script, MODEL, "--atoms", str(8 * rep ** 3), "--precision", prec],
                         capture_output=True, text=True, env=torch_env(threads, keep), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_atomforge(rep, threads, prec, radial):
    wd = tempfile.mkdtemp(prefix="af-nnip-bench-")
    # A timing window of the same order as PyTorch's (three calls): 20 calls at 1,000
    # atoms (~0.6 s), 4 at 8,000 (~1 s). Until 2026-11-30 (sixth session) it was 4 calls
    # at both sizes, ~0.1 s at 1,000 atoms, which a slow spell of the host moved by 25%.
    steps = 20 if rep <= 5 else 4
    radial_key = f", radial: {radial}" if architecture() == "equivariant" else ""
    with open(os.path.join(wd, "deck.yaml"), "w") as f:
        f.write(f"""units: metal
system: {{lattice: {{style: diamond, a: 5.431, repeat: [{rep}, {rep}, {rep}], species: Si}}}}
potential: {{style: nnip, model: {MODEL}, precision: {prec}{radial_key}}}
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


def cpu_model():
    with open("/proc/cpuinfo") as f:
        return re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M).group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--precision", default="float32")
    ap.add_argument("--model", help="model file (default examples/models/si_equivariant.h5)")
    ap.add_argument("--repeat", type=int, default=1, help="fresh processes per side; medians reported")
    ap.add_argument("--sizes", default="5,10", help="supercell repeats (5: 1,000 atoms, 10: 8,000)")
    args = ap.parse_args()
    global MODEL
    if args.model:
        MODEL = os.path.abspath(args.model)
    spline = architecture() == "equivariant"
    print(f"model: {os.path.relpath(MODEL, ROOT)} ({architecture()})")
    print(f"CPU: {cpu_model()}; BLAS: {blas()}; PyTorch {torch_version()}; threads {args.threads}; "
          f"precision {args.precision}\n")
    print("| atoms | edges | allocator | reference s | independent s | atomforge mlp s | spline s "
          "| mlp vs independent | spline vs independent | mlp vs reference | MB: ref / indep / af | GFLOP/s af mlp |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    paired = []
    for rep in (int(r) for r in args.sizes.split(",")):
        atoms = 8 * rep ** 3
        for keep in (False, True):
            runs = {"t": [], "i": [], "a": [], "s": []}
            for _ in range(args.repeat):  # alternating, so a slow spell of the host hits every side
                runs["t"].append(run_torch(rep, args.threads, args.precision, keep))
                ind = run_independent(rep, args.threads, args.precision, keep)
                if ind:
                    runs["i"].append(ind)
                runs["a"].append(run_atomforge(rep, args.threads, args.precision, "mlp"))
                if spline:
                    runs["s"].append(run_atomforge(rep, args.threads, args.precision, "spline"))
            t, i, a, s = (median_run(runs[k]) if runs[k] else None for k in ("t", "i", "a", "s"))
            # Each repeat's own speed-up against the independent code (or the reference):
            # the host's speed wanders by tens of percent over minutes.
            base = runs["i"] or runs["t"]
            ratios = sorted(x["seconds"] / y["seconds"] for x, y in zip(base, runs["a"]))
            paired.append(f"{atoms:,} atoms ({'kept' if keep else 'default'} allocator): "
                          + ", ".join(f"{r:.2f}x" for r in ratios))
            flops, _ = model_flops(t["edges"], atoms)
            fmt = (lambda r, key="seconds": f"{r[key]:.3f}" if r else "-")
            ratio = (lambda x, y: f"{x['seconds'] / y['seconds']:.2f}x" if x and y else "-")
            ind_mb = f"{i['rss_mb']:.0f}" if i else "-"
            mem = f"{t['rss_mb']:.0f} / {ind_mb} / {a['rss_mb']:.0f}"
            alloc = "kept" if keep else "default"
            print(f"| {atoms:,} | {t['edges']:,} | {alloc} | {fmt(t)} | {fmt(i)} | {fmt(a)} | {fmt(s)} | "
                  f"{ratio(i, a)} | {ratio(i, s)} | {ratio(t, a)} | {mem} | {flops / a['seconds'] / 1e9:.1f} |")
    print("\nPer-repeat speed-ups of the exact path against the independent code, sorted: " + "; ".join(paired))


def torch_version():
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                         text=True)
    return out.stdout.strip()


if __name__ == "__main__":
    main()
