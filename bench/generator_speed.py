"""Time per structure of `atomforge generate` (issue 21, acceptance 1: under 1 ms per
structure for N <= 32 on one core), random and symmetric modes, N = 8-32. Each
composition is generated twice, 1 and COUNT structures; the difference over COUNT - 1
excludes the process start and the space-group tables (built once per process), and
includes writing the extended XYZ file. No peer runs here (PyXtal and AIRSS are not
in Debian); the figure is measured against the acceptance line.

    /usr/bin/python3 bench/generator_speed.py [COUNT]"""
import os
import subprocess
import sys
import tempfile
import time

ATOMFORGE = os.environ.get("ATOMFORGE", "build/bin/atomforge")
COMPOSITIONS = ["Si8", "Ni12Al4", "Si8O16", "Si16O16", "Ti8Mg8O16"]


def timed(args):
    t = time.perf_counter()
    subprocess.run([ATOMFORGE] + args, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return time.perf_counter() - t


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as wd:
        out = os.path.join(wd, "g.xyz")
        print(f"| composition | atoms | random (ms/structure) | symmetric, group drawn (ms/structure) |")
        print("|---|---|---|---|")
        for comp in COMPOSITIONS:
            n = sum(int("".join(ch for ch in part if ch.isdigit()) or 1)
                    for part in __import__("re").findall(r"[A-Z][a-z]?\d*", comp))
            row = []
            for mode in ("random", "symmetric"):
                base = ["generate", "--composition", comp, "--mode", mode, "--seed", "3"]
                t1 = min(timed(base + ["--count", "1", out]) for _ in range(3))
                tn = timed(base + ["--count", str(count), out])
                row.append(1e3 * (tn - t1) / (count - 1))
            print(f"| {comp} | {n} | {row[0]:.3f} | {row[1]:.3f} |")


if __name__ == "__main__":
    main()
