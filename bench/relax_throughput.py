"""Relaxations per second for small cells (issue 21, acceptance 2), side by side on the
same proposals (Si8 and Si16 with Stillinger-Weber, symmetric generator, seed 5; FIRE with
the cell to 1e-3 eV/A, at most 2000 steps):

  per-process   one `atomforge run` per structure (a deck with a minimize stage), as a
                script driving the engine would do it;
  in-process    `atomforge sample` with generator style file and batch 1: one process,
                structures relaxed one after another (System::relax, the minimize stage);
  batched       the same with batch 64 (samplers/batch_relax.*).

Also the largest relative difference of final enthalpies, batched vs in-process, and how
many of them differ by more than 1e-10 (paths that fork on rounding; see
tests/ref/test_batch_relax.py). In-process rates are the relaxer's (summary.json
relaxer_relaxations_per_second: without generation, spglib and writing) and the whole
campaign's; per-process rates are wall time per `atomforge run`. THREADS (default 2, all
of this host's cores) for every method.

    /usr/bin/python3 bench/relax_throughput.py [COUNT]"""
import json
import os
import subprocess
import sys
import tempfile
import time

from ase.io import read, write

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ATOMFORGE = os.environ.get("ATOMFORGE", os.path.join(ROOT, "build", "bin", "atomforge"))
THREADS = sys.argv[2] if len(sys.argv) > 2 else "2"
ENV = dict(os.environ, OMP_NUM_THREADS=THREADS, OMP_PROC_BIND="false")


def sample(wd, name, batch):
    with open(os.path.join(wd, name + ".yaml"), "w") as f:
        f.write("units: metal\npotential: {style: sw, file: Si.sw}\nsample:\n"
                "  generator: {style: file, file: props.extxyz}\n"
                f"  relax: {{fmax: 1.0e-3, max_steps: 2000, ptol: 100.0}}\n  batch: {batch}\noutput: {{dir: {name}}}\n")
    t = time.perf_counter()
    subprocess.run([ATOMFORGE, "sample", name + ".yaml", "-q", "-t", THREADS], cwd=wd, check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    t = time.perf_counter() - t
    rate = json.load(open(os.path.join(wd, name, "summary.json")))["relaxer_relaxations_per_second"]
    return t, rate, [f.info.get("enthalpy") for f in read(os.path.join(wd, name, "relaxed.extxyz"), index=":")]


def per_process(wd, frames):
    t = time.perf_counter()
    for k, at in enumerate(frames):
        write(os.path.join(wd, f"s{k}.extxyz"), at)
        with open(os.path.join(wd, f"s{k}.yaml"), "w") as f:
            f.write(f"units: metal\nsystem: {{read: s{k}.extxyz}}\npotential: {{style: sw, file: Si.sw}}\n"
                    "stages:\n  - {name: relax, minimize: {style: fire, fmax: 1.0e-3, max_iterations: 2000,"
                    " cell: {pressure: 0.0, ptol: 100.0}}}\n"
                    f"output: {{extxyz: {{every: 100000, file: out{k}.extxyz}}}}\n")
        subprocess.run([ATOMFORGE, "run", f"s{k}.yaml", "-q", "-t", THREADS], cwd=wd, env=ENV, capture_output=True)
    return time.perf_counter() - t


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    print(f"{count} structures per cell size, {THREADS} threads; relaxations/s (relaxer / whole campaign)\n")
    print("| cell | one `atomforge run` per structure | one at a time in-process | batched (64) | "
          "batched / per-process | batched / in-process (relaxer) | enthalpies batched vs in-process |")
    print("|---|---|---|---|---|---|---|")
    for comp in ("Si8", "Si16"):
        with tempfile.TemporaryDirectory() as wd:
            subprocess.run([ATOMFORGE, "generate", "--composition", comp, "--mode", "symmetric", "--volume-per-atom",
                            "14", "24", "--count", str(count), "--seed", "5", "props.extxyz"], cwd=wd, check=True,
                           env=ENV)
            frames = read(os.path.join(wd, "props.extxyz"), index=":")
            t_in, r_in, e_in = sample(wd, "inproc", 1)
            t_b, r_b, e_b = sample(wd, "batched", 64)
            t_pp = per_process(wd, frames)
        d = [abs(a - b) / abs(a) for a, b in zip(e_in, e_b) if a is not None and b is not None]
        print(f"| {comp} | {count / t_pp:.1f} | {r_in:.0f} / {count / t_in:.0f} | {r_b:.0f} / {count / t_b:.0f} | "
              f"{r_b * t_pp / count:.1f}x / {t_pp / t_b:.1f}x | {r_b / r_in:.1f}x | {sum(x > 1e-10 for x in d)} of "
              f"{len(d)} differ by > 1e-10 (largest {max(d):.1e}) |")


if __name__ == "__main__":
    main()
