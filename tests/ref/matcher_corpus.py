"""The matcher's parity corpus: >= 10,000 structure pairs built from a fixed seed with
pymatgen, and pymatgen's answers for them.

    /usr/bin/python3 tests/ref/matcher_corpus.py --refresh   # recompute the answers (~20 min)

Pairs (categories): the same structure under a random cell choice (random unimodular
bases, i.e. Niggli-type transforms, strongly sheared; x2 supercells), origin shift, atom
permutation and rotation (`same`); the same with site noise from 0 to past stol and a
small strain (`perturbed`); polymorphs of one composition (`polymorph`: diamond /
lonsdaleite, fcc / hcp / bcc, B2 / L1_0, rutile / anatase, zincblende / wurtzite);
different compositions (`composition`); random triclinic cells of 1-64 atoms with
angles 50-130 degrees (`triclinic`). About a fifth use the csp tolerances.

For every pair the answers file holds pymatgen 2022.11's fit, get_rms_dist (rms,
max_dist) and the fit criterion's value (the smallest largest-distance over mappings),
computed with stol widened by 10% so that values just past the tolerance are seen: a
pair whose value lies within 5% of stol is "near the tolerance". The file starts with a
checksum of the corpus; test_matcher_corpus.py rebuilds the corpus, checks the sum and
re-asks pymatgen on a sample, so the stored answers stay pymatgen's."""
import os

# The corpus is hashed to every digit; numpy's small products go through OpenBLAS, whose
# kernels (and last bits) follow the CPU: Haswell's kernels (what AMD Zen runs, where the
# stored answers were made) on every x86-64 host. Set before numpy loads OpenBLAS.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
import argparse
import gzip
import hashlib
import sys
import time

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_matcher_parity import bases, random_rotation  # noqa: E402

N_PAIRS = 10400
SEED = 2026
ANSWERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "matcher_corpus.csv.gz")
FAMILIES = [["diamond", "lonsdaleite"], ["fcc", "hcp", "bcc"], ["B2", "L1_0"], ["rutile", "anatase"],
            ["zincblende", "wurtzite"]]


def tolerances(preset):
    return dict(ltol=0.3, stol=0.5, angle_tol=10) if preset == "csp" else dict(ltol=0.2, stol=0.3, angle_tol=5)


def unimodular(rng, steps):
    """A random integer basis change of determinant 1 (products of shears, a swap)."""
    m = np.eye(3, dtype=int)
    for _ in range(steps):
        i, j = rng.choice(3, 2, replace=False)
        m[i] += int(rng.choice([-2, -1, 1, 2])) * m[j]
    if rng.random() < 0.3:
        m = m[[1, 0, 2]]
        m[2] *= -1
    return m


def random_cell(rng, n):
    lat = Lattice.from_parameters(*(rng.uniform(0.8, 1.25, 3) * (10.0 * n) ** (1 / 3)), *rng.uniform(50, 130, 3))
    if lat.volume < 0.3 * 10.0 * n:  # too flat to be a crystal: retry
        return random_cell(rng, n)
    return Structure(lat, list(rng.choice(["C", "N", "O"], n)), rng.random((n, 3)))


def copy_of(s, noise, rng, supercell_ok=True):
    """s in another cell (random unimodular basis, sometimes doubled), shifted, permuted,
    rotated; sites moved by `noise` Angstrom (normal, per axis) and the cell strained."""
    t = s.copy()
    m = unimodular(rng, int(rng.integers(0, 5)))
    if supercell_ok and len(t) <= 16 and rng.random() < 0.25:
        m = m @ np.diag(np.roll([2, 1, 1], int(rng.integers(3))))
    t.make_supercell(m)
    perm = rng.permutation(len(t))
    rot = random_rotation(rng)
    strain = np.eye(3) + rng.normal(scale=noise * 0.05, size=(3, 3))
    lat = Lattice(t.lattice.matrix @ strain @ rot.T)
    cart = np.array([t[i].coords for i in perm]) @ strain @ rot.T + rng.normal(scale=noise, size=(len(t), 3))
    frac = lat.get_fractional_coords(cart) + rng.random(3)
    return Structure(lat, [t[i].species for i in perm], frac)


def build(seed=SEED, n=N_PAIRS):
    """[(category, preset, s1, s2)] in a fixed order."""
    rng = np.random.default_rng(seed)
    b = bases(rng)
    b["fcc1"] = Structure(Lattice([[0, 1.8, 1.8], [1.8, 0, 1.8], [1.8, 1.8, 0]]), ["Cu"], [[0, 0, 0]])
    b["rocksalt64"] = b["rocksalt"] * (2, 2, 2)
    b["diamond64"] = b["diamond"] * (2, 2, 2)
    names = list(b)
    weight = np.array([0.15 if len(b[k]) > 16 else 1.0 for k in names])  # big cells cost pymatgen seconds
    weight /= weight.sum()
    pick = lambda: b[names[rng.choice(len(names), p=weight)]]  # noqa: E731
    pairs = []
    while len(pairs) < n:
        preset = "csp" if rng.random() < 0.2 else ""
        r = rng.random()
        if r < 0.22:
            s = pick()
            pairs.append(("same", preset, s, copy_of(s, 0.0, rng)))
        elif r < 0.62:
            s = pick()
            pairs.append(("perturbed", preset, s, copy_of(s, float(rng.uniform(0, 0.45)), rng)))
        elif r < 0.74:
            fam = FAMILIES[rng.integers(len(FAMILIES))]
            i, j = rng.choice(len(fam), 2, replace=False)
            pairs.append(("polymorph", preset, b[fam[i]], copy_of(b[fam[j]], float(rng.uniform(0, 0.1)), rng)))
        elif r < 0.80:
            i, j = rng.choice(len(names), 2, replace=False)
            if b[names[i]].composition.reduced_formula == b[names[j]].composition.reduced_formula:
                continue
            pairs.append(("composition", preset, b[names[i]], copy_of(b[names[j]], 0.02, rng)))
        else:
            size = int(rng.choice([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64],
                                  p=[.07, .11, .13, .13, .13, .13, .11, .08, .05, .03, .02, .01]))
            s = random_cell(rng, size)
            pairs.append(("triclinic", preset, s, copy_of(s, float(rng.uniform(0, 0.4)), rng, supercell_ok=size <= 16)))
    return pairs


def extxyz(s):
    """Every digit (the engine and pymatgen read the same numbers)."""
    lines = [f"{len(s)}", 'Lattice="' + " ".join(f"{v:.17g}" for v in s.lattice.matrix.ravel())
             + '" Properties=species:S:1:pos:R:3 pbc="T T T"']
    lines += [f"{site.specie.symbol} " + " ".join(f"{x:.17g}" for x in site.coords) for site in s]
    return "\n".join(lines) + "\n"


def checksum(pairs):
    h = hashlib.sha256()
    for cat, preset, a, b in pairs:
        h.update((cat + preset + extxyz(a) + extxyz(b)).encode())
    return h.hexdigest()


def criterion(s1, s2, preset):
    """pymatgen's fit criterion (smallest largest-distance over mappings) with stol widened
    by 10%: None when no mapping comes within that."""
    tol = tolerances(preset)
    sm = StructureMatcher(**dict(tol, stol=tol["stol"] * 1.1))
    a, b = sm._process_species([s1, s2])
    a, b, fu, s1_supercell = sm._preprocess(a, b)
    m = sm._match(a, b, fu, s1_supercell, use_rms=False, break_on_match=False)
    return None if m is None else float(m[0])


def answer(pair):
    cat, preset, s1, s2 = pair
    sm = StructureMatcher(**tolerances(preset))
    fit = sm.fit(s1, s2)
    rd = sm.get_rms_dist(s1, s2)
    return fit, rd, criterion(s1, s2, preset)


def fmt(x):
    return "" if x is None else f"{x:.15g}"


def parse(x):
    return None if x == "" else float(x)


def read_answers(path=ANSWERS):
    with gzip.open(path, "rt") as f:
        head = f.readline().split()
        rows = []
        for line in f:
            fit, rms, maxd, crit = line.rstrip("\n").split(",")
            rows.append((fit == "1", None if rms == "" else (float(rms), float(maxd)), parse(crit)))
    return head[1], rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--refresh", action="store_true", help="recompute pymatgen's answers")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not args.refresh:
        sys.exit("nothing to do: --refresh recomputes the answers file")
    t0 = time.time()
    pairs = build()
    from multiprocessing import Pool
    with Pool(args.jobs) as pool:
        answers = pool.map(answer, pairs, chunksize=50)
    os.makedirs(os.path.dirname(ANSWERS), exist_ok=True)
    with gzip.open(ANSWERS, "wt") as f:
        f.write(f"sha256 {checksum(pairs)} pairs {len(pairs)} seed {SEED}\n")
        for fit, rd, crit in answers:
            f.write(f"{int(fit)},{fmt(rd[0] if rd else None)},{fmt(rd[1] if rd else None)},{fmt(crit)}\n")
    print(f"{len(pairs)} pairs answered in {time.time() - t0:.0f} s -> {ANSWERS}")


if __name__ == "__main__":
    main()
