"""atomforge match against pymatgen's StructureMatcher, one script, same machine, same
pairs: every base structure of tests/ref/test_matcher_parity.py as a supercell of 8-64
atoms against copies under random cell choices with noise 0-0.35 A, and random pairs of
different bases. pymatgen runs fit + get_rms_dist per pair (what `atomforge match`
reports), timed per pair; atomforge runs all pairs in one process (`match A B --timing`,
frame i with frame i), each pair timed from its two structures to its line (Niggli and
primitive reductions, fit, RMS); its total adds reading the files and starting.
    /usr/bin/python3 bench/matcher_vs_pymatgen.py [PAIRS]      (default 300)
Prints a Markdown table; also checks that the decisions agree."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "ref"))
from test_matcher_parity import bases, variant, write_extxyz  # noqa: E402


def append(path, s):
    tmp = path + ".one"
    write_extxyz(tmp, s)
    with open(path, "a") as f, open(tmp) as g:
        f.write(g.read())
    os.remove(tmp)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rng = np.random.default_rng(7)
    b = list(bases(rng).values())
    pairs = []
    while len(pairs) < n:
        s = b[rng.integers(len(b))].copy()
        while len(s) * 2 <= 64 and (len(s) < 8 or rng.random() < 0.3):
            s.make_supercell([2, 1, 1] if len(s) % 2 else [1, 2, 1])
        if rng.random() < 0.8:
            pairs.append((s, variant(s, float(rng.choice([0.0, 0.05, 0.1, 0.2, 0.35])), rng)))
        else:
            t = b[rng.integers(len(b))]
            pairs.append((s, t))
    wd = tempfile.mkdtemp(prefix="af-bench-matcher-")
    fa, fb = os.path.join(wd, "a.extxyz"), os.path.join(wd, "b.extxyz")
    for s, t in pairs:
        append(fa, s)
        append(fb, t)
    sm = StructureMatcher()
    times, ref = [], []
    for s, t in pairs:
        t0 = time.perf_counter()
        fit = sm.fit(s, t)
        rd = sm.get_rms_dist(s, t)
        times.append(time.perf_counter() - t0)
        ref.append((fit, rd))
    af = os.path.join(ROOT, "build", "bin", "atomforge")
    t0 = time.perf_counter()
    out = subprocess.run([af, "match", fa, fb, "--timing"], capture_output=True, text=True, check=True).stdout
    t_af = time.perf_counter() - t0
    got = [json.loads(ln) for ln in out.splitlines()]
    agree = sum(g["match"] == r[0] and (g["rms"] is None) == (r[1] is None) for g, r in zip(got, ref))
    per_af = [g["seconds"] for g in got]
    atoms = [len(s) for s, _ in pairs]
    print(f"## Structure matching, {len(pairs)} pairs of {min(atoms)}-{max(atoms)} atoms, 1 core")
    print()
    print("| side | median per pair | mean per pair | total |")
    print("|---|---|---|---|")
    print(f"| pymatgen 2022.11 fit + get_rms_dist | {statistics.median(times) * 1e3:.2f} ms | "
          f"{statistics.mean(times) * 1e3:.2f} ms | {sum(times):.2f} s |")
    print(f"| atomforge match (one process) | {statistics.median(per_af) * 1e3:.3f} ms | "
          f"{statistics.mean(per_af) * 1e3:.3f} ms | {t_af:.2f} s (with reading and start) |")
    print()
    print(f"median ratio {statistics.median(times) / statistics.median(per_af):.0f}x, mean ratio "
          f"{statistics.mean(times) / statistics.mean(per_af):.0f}x, total {sum(times) / t_af:.0f}x; "
          f"decisions agree on {agree}/{len(pairs)} pairs")


if __name__ == "__main__":
    main()
