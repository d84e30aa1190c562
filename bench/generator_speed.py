"""Time per structure of `atomforge generate` (issue 21, acceptance 1: under 1 ms per
structure for N <= 32 on one core), random and symmetric modes, N = 8-32. Each
composition is generated twice, 1 and COUNT structures; the difference over COUNT - 1
excludes the process start and the space-group tables (built once per process), and
includes writing the extended XYZ file. Then the refusal of an infeasible request (Si3 in
Fd-3m; acceptance: under 10 ms): the median CPU time of the process over REPEAT runs,
less that of `atomforge --version`. No peer runs here (PyXtal and AIRSS are not
in Debian); the figure is measured against the acceptance line.

    /usr/bin/python3 bench/generator_speed.py [COUNT]"""
import os
import resource
import statistics
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


def cpu_ms(args, repeat=41):  # median CPU time (user + system) of the process
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([ATOMFORGE] + args, capture_output=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(1e3 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    return statistics.median(times)


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
        start = cpu_ms(["--version"])
        refuse = cpu_ms(["generate", "--composition", "Si3", "--spacegroup", "227", out])
        print(f"\nSi3 in Fd-3m refused in {refuse - start:.1f} ms CPU beyond the process start "
              f"({start:.1f} ms; medians of 41 runs)")


if __name__ == "__main__":
    main()
