"""Where an NNIP call's time goes, stage by stage (issue 25): `perf record` of an atomforge
NVE run (float32, 1 thread, Si diamond), samples grouped by kernel symbol into stages;
each stage's seconds per call, and for the dense products (the radial MLP tiles and the
channel mixes of the equivariant model, the row-block products of the attention model) the achieved GFLOP/s
from the model's count of those products against the core's FMA peak (micro_bench's
BM_FmaPeak, measured in the same script).

    /usr/bin/python3 bench/nnip_stages.py [--model FILE] [--sizes 5,10] [--steps 40]

Needs perf and build/bin/{atomforge,micro_bench}. Prints a Markdown table."""
import argparse
import json
import os
import re
import subprocess
import tempfile

import h5py

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
AF = os.path.join(ROOT, "build", "bin", "atomforge")

# (stage, symbol pattern), first match wins.
STAGES = {
    # gemm_*: the radial MLP tiles and, since the mixes run as host products over chunks
    # of nodes (equivariant_mix.cpp), the channel mixes too; dense_flops counts both.
    "equivariant": [("radial MLP and channel-mix products (dense)", r"radial_tile|gemm_"),
                    ("edge convolutions (tensor product, harmonics, spline)", r"convolution|HostThreadTeamMember"),
                    ("gates, residuals, readout (per atom)", r"compute_block|reverse_block|readout|embedding|"
                                                             r"mix_linear"),
                    ("neighbor list, integrator, other", r".")],
    "attention": [("row-block products (dense)", r"accumulate_row_block"),
                  ("attention lanes, softmax, per-edge elementwise", r"lanes_|compute_block|reverse_block|fused_last|"
                                                                     r"project|transpose16"),
                  ("input layer and BOO", r"input|boo_"),
                  ("kernel page clearing, memset/memcpy", r"clear_page|memset|memcpy|\[k\]"),
                  ("neighbor list, integrator, other", r".")],
}


def dense_flops(path, edges, atoms):
    """FLOPs (2 per multiply-add) of one call's dense products, backward counted as 2x."""
    with h5py.File(path) as f:
        hy = json.loads(f["hyper"].attrs["json"])
        arch = f.attrs["architecture"]
    if arch == "equivariant":
        import sys
        sys.path.insert(0, os.path.join(ROOT, "potentials", "nnip", "training"))
        from aftrain.model import Hyper
        h = Hyper(**hy)
        widths = [h.n_bessel] + list(h.radial_hidden) + [len(h.paths()) * h.channels]
        radial = 2 * 3 * h.n_layers * edges * sum(a * b for a, b in zip(widths[:-1], widths[1:]))
        # Channel mixes per node and block: W1 and W2 on every (l, m) row, W2's gate
        # columns on l = 0; the reverse (dE/d input only) as many again.
        C, rows = h.channels, (h.l_max + 1) ** 2
        mixes = 2 * 2 * h.n_layers * atoms * (2 * rows * C * C + h.l_max * C * C)
        return arch, radial + mixes
    H, B = hy["hidden"], hy["n_layers"]
    per_edge = B * 9 * H * H - 4 * H * H  # message, q/k/v, output, edge FFN (none in the last block)
    per_atom = B * 6 * H * H + (B + 1) * H * H
    return arch, 2 * 3 * (edges * per_edge + atoms * per_atom)


def fma_peak():
    out = subprocess.run([os.path.join(ROOT, "build", "bin", "micro_bench"), "--benchmark_filter=FmaPeak<float>",
                          "--benchmark_format=json"], capture_output=True, text=True, env=dict(os.environ,
                                                                                               OMP_NUM_THREADS="1"))
    return json.loads(out.stdout)["benchmarks"][0]["GFLOP/s"]


def profile(model, rep, steps):
    wd = tempfile.mkdtemp(prefix="af-stages-")
    radial = ", radial: mlp" if "equivariant" in open_arch(model) else ""
    with open(os.path.join(wd, "deck.yaml"), "w") as f:
        f.write(f"""units: metal
system: {{lattice: {{style: diamond, a: 5.431, repeat: [{rep}, {rep}, {rep}], species: Si}}}}
potential: {{style: nnip, model: {model}, precision: float32{radial}}}
neighbor: {{skin: 1.0}}
stages: [{{name: run, integrator: {{style: nve, timestep: 0.001}}, steps: {steps}}}]
""")
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")
    p = subprocess.run(["perf", "record", "-q", "-o", "perf.data", AF, "run", "deck.yaml"], cwd=wd, env=env,
                       capture_output=True, text=True, check=True)
    force = float(re.search(r"^Force\s+\|\s+([0-9.e+-]+)", p.stdout, re.M).group(1))
    rep_out = subprocess.run(["perf", "report", "-i", "perf.data", "--no-children", "--stdio", "--sort", "sym"],
                             cwd=wd, capture_output=True, text=True).stdout
    shares = []
    for line in rep_out.splitlines():
        m = re.match(r"\s+([0-9.]+)%\s+(\[.\])\s+(.*)$", line)
        if m:
            shares.append((float(m.group(1)), m.group(2) + " " + m.group(3)))
    edges = 16 * 8 * rep ** 3  # Si diamond within 4 A: 16 neighbours
    return force / steps, shares, edges


def open_arch(path):
    with h5py.File(path) as f:
        return str(f.attrs["architecture"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "examples", "models", "si_attention.h5"))
    ap.add_argument("--sizes", default="5,10")
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    model = os.path.abspath(args.model)
    peak = fma_peak()
    arch = open_arch(model)
    print(f"model: {os.path.relpath(model, ROOT)} ({arch}); float32, 1 thread; FMA peak {peak:.0f} GFLOP/s (float)\n")
    print("| atoms | stage | share of samples | s/call | GFLOP/s (dense) | % of peak |")
    print("|---|---|---|---|---|---|")
    for rep in (int(r) for r in args.sizes.split(",")):
        per_call, shares, edges = profile(model, rep, args.steps)
        atoms = 8 * rep ** 3
        _, flops = dense_flops(model, edges, atoms)
        total = sum(s for s, _ in shares)
        groups = {name: 0.0 for name, _ in STAGES[arch]}
        for share, sym in shares:
            for name, pat in STAGES[arch]:
                if re.search(pat, sym):
                    groups[name] += share
                    break
        for k, (name, _) in enumerate(STAGES[arch]):
            sec = per_call * groups[name] / total
            rate = f"{flops / sec / 1e9:.0f}" if k == 0 and sec > 0 else ""
            pct = f"{100 * flops / sec / 1e9 / peak:.0f}%" if k == 0 and sec > 0 else ""
            print(f"| {atoms:,} | {name} | {100 * groups[name] / total:.1f}% | {sec:.4f} | {rate} | {pct} |")
    print("\nShares are of the whole run's samples, setup included (the first call faults in the work "
          "arrays: --steps amortises it); s/call = share x the Force phase's seconds per call.")


if __name__ == "__main__":
    main()
