"""Relaxations per second for small cells (issue 21, acceptance 2), side by side on the
same 64 proposals (Si8 with Stillinger-Weber, symmetric generator, seed 5; FIRE with the
cell to 1e-3 eV/A, at most 2000 steps):

  per-process   one `atomforge run` per structure (a deck with a minimize stage), as a
                script driving the engine would do it;
  in-process    `atomforge sample` with generator style file: one process, structures
                relaxed one after another (System::relax, the minimize stage's code);
  batched       (not yet: the batched relaxer of issue 21).

The final energies of the two agree to 1e-10 relative (same FIRE code); the script
checks it. Threads: 1 (OMP_NUM_THREADS=1), so that the comparison is per core.

    /usr/bin/python3 bench/relax_throughput.py [COUNT]"""
import os
import subprocess
import sys
import tempfile
import time

from ase.io import read, write

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ATOMFORGE = os.environ.get("ATOMFORGE", os.path.join(ROOT, "build", "bin", "atomforge"))
ENV = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    with tempfile.TemporaryDirectory() as wd:
        subprocess.run([ATOMFORGE, "generate", "--composition", "Si8", "--mode", "symmetric", "--volume-per-atom", "14",
                        "24", "--count", str(count), "--seed", "5", "props.extxyz"], cwd=wd, check=True, env=ENV)
        frames = read(os.path.join(wd, "props.extxyz"), index=":")
        # In one process.
        with open(os.path.join(wd, "file.yaml"), "w") as f:
            f.write("units: metal\npotential: {style: sw, file: Si.sw}\nsample:\n"
                    "  generator: {style: file, file: props.extxyz}\n"
                    "  relax: {fmax: 1.0e-3, max_steps: 2000, ptol: 100.0}\noutput: {dir: inproc}\n")
        t = time.perf_counter()
        subprocess.run([ATOMFORGE, "sample", "file.yaml", "-q", "-t", "1"], cwd=wd, check=True, env=ENV,
                       stdout=subprocess.DEVNULL)
        t_in = time.perf_counter() - t
        e_in = [f.info.get("enthalpy") for f in read(os.path.join(wd, "inproc", "relaxed.extxyz"), index=":")]
        # One process per structure.
        e_pp = []
        t = time.perf_counter()
        for k, at in enumerate(frames):
            write(os.path.join(wd, f"s{k}.extxyz"), at)
            with open(os.path.join(wd, f"s{k}.yaml"), "w") as f:
                f.write(f"units: metal\nsystem: {{read: s{k}.extxyz}}\npotential: {{style: sw, file: Si.sw}}\n"
                        "stages:\n  - {name: relax, minimize: {style: fire, fmax: 1.0e-3, max_iterations: 2000,"
                        " cell: {pressure: 0.0, ptol: 100.0}}}\n"
                        f"output: {{extxyz: {{every: 100000, file: out{k}.extxyz}}}}\n")
            r = subprocess.run([ATOMFORGE, "run", f"s{k}.yaml", "-q", "-t", "1"], cwd=wd, env=ENV,
                               capture_output=True, text=True)
            line = [ln for ln in r.stdout.splitlines() if ln.startswith("minimize")]
            e_pp.append(float(line[0].split("energy ")[1].split(",")[0]) if line else float("nan"))
        t_pp = time.perf_counter() - t
    agree = max(abs(a - b) / abs(b) for a, b in zip(e_in, e_pp) if a is not None and b == b)
    print(f"| method | relaxations/s ({count} Si8 SW, 1 thread) | ratio |")
    print("|---|---|---|")
    print(f"| one `atomforge run` per structure | {count / t_pp:.1f} | 1 |")
    print(f"| `atomforge sample`, one at a time | {count / t_in:.1f} | {t_pp / t_in:.1f}x |")
    print(f"largest relative difference of final energies: {agree:.1e}")


if __name__ == "__main__":
    main()
