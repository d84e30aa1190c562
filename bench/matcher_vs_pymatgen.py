"""atomforge match against pymatgen's StructureMatcher, one script, same machine, same
pairs: a random sample of the parity corpus (tests/ref/matcher_corpus.py: same
structures under random cell choices, perturbations past stol, polymorphs, other
compositions, triclinic cells of 1-64 atoms; pymatgen's default tolerances). pymatgen
runs fit + get_rms_dist per pair (what `atomforge match` reports), timed per pair;
atomforge runs all pairs in one process (`match A B --timing`, frame i with frame i),
each pair timed from its two structures to its line (Niggli and primitive reductions,
fit, RMS); its total adds reading the files and starting. Then `atomforge dedup` of
10,000 structures of 8-16 atoms (8 structure types under random cell choices, noise 0 to
0.3 A, random energies), timed whole.
    /usr/bin/python3 bench/matcher_vs_pymatgen.py [PAIRS]      (default 1000)
Prints Markdown; also checks that the decisions agree."""
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
import matcher_corpus as mc  # noqa: E402
from test_matcher_parity import bases, variant, write_extxyz  # noqa: E402


def append(path, s):
    tmp = path + ".one"
    write_extxyz(tmp, s)
    with open(path, "a") as f, open(tmp) as g:
        f.write(g.read())
    os.remove(tmp)


def dedup_bench(af, wd, n=10000):
    rng = np.random.default_rng(3)
    b = [s for s in bases(rng).values() if len(s) <= 16]
    src = os.path.join(wd, "pool.extxyz")
    with open(src, "w") as f:
        for _ in range(n):
            s = b[rng.integers(len(b))].copy()
            if len(s) < 8:
                s.make_supercell([2, 1, 1] if len(s) < 4 else [1, 1, 2])
            v = variant(s, float(rng.choice([0.0, 0.02, 0.05, 0.3])), rng)
            text = mc.extxyz(v).splitlines(True)
            text[1] = text[1].rstrip("\n") + f" energy={rng.uniform(-5, 5):.17g}\n"
            f.writelines(text)
    t0 = time.perf_counter()
    out = subprocess.run([af, "dedup", src, os.path.join(wd, "unique.extxyz")], capture_output=True, text=True,
                         check=True, env=dict(os.environ, OMP_NUM_THREADS="1")).stdout
    dt = time.perf_counter() - t0
    s = json.loads(out)
    print(f"dedup: {n} structures of 8-16 atoms -> {s['unique']} classes, {s['comparisons']} fits, "
          f"{dt:.2f} s on one core (with reading and writing)")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = np.random.default_rng(7)
    corpus = [p for p in mc.build() if p[1] == ""]
    pairs = [(corpus[k][2], corpus[k][3]) for k in sorted(rng.choice(len(corpus), n, replace=False))]
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
    print()
    dedup_bench(af, wd)


if __name__ == "__main__":
    main()
