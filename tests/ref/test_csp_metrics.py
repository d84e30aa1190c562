"""`atomforge metrics` against the published definitions, implemented here on pymatgen
(Debian's python3-pymatgen 2022.11) from DiffCSP's scripts/compute_metrics.py and
eval_utils.py (match rate and RMSE at k = 1 with both structures' validity, at k > 1
with the candidates'; structure validity: distances between distinct sites >= 0.5 A and
volume >= 0.1 A^3) and OMatG's omg/analysis (one-to-one match rate, RMSE and cRMSE with
an unmatched pair counting stol; METRe: first candidates against every reference, each
reference keeping its smallest RMS), plus validity, uniqueness (classes of equal
generated structures per generated structure) and novelty (generated structures that
fit no known one). A constructed set has matches, near misses past stol, polymorphs
(diamond/lonsdaleite: METRe != one-to-one), invalid generated and reference structures,
duplicates and a wrong composition. Counts must agree exactly, RMS-based values to 1e-8;
shuffling the references with their candidate groups changes nothing.
Bad input: a generated count that is not a multiple of the references, k above it."""
import json
import os

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

from common import Checks, run_atomforge, workdir
from test_matcher_parity import write_extxyz

LTOL, STOL, ANGLE = 0.3, 0.5, 10.0


def write_frames(path, structures):
    parts = []
    for s in structures:
        one = path + ".one"
        write_extxyz(one, s)
        with open(one) as f:
            parts.append(f.read())
        os.remove(one)
    with open(path, "w") as f:
        f.write("".join(parts))


def constructed(rng):
    fcc = [[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
    diamond = Structure(Lattice.cubic(5.431), ["Si"] * 8, fcc + [[x + .25 for x in p] for p in fcc])
    lons = Structure(Lattice.hexagonal(3.84, 6.27), ["Si"] * 4,
                     [[1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, .5], [1 / 3, 2 / 3, .375], [2 / 3, 1 / 3, .875]])
    cu = Structure(Lattice.cubic(3.615), ["Cu"] * 4, fcc)
    nacl = Structure(Lattice.cubic(5.64), ["Na"] * 4 + ["Cl"] * 4,
                     fcc + [[.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]])
    cscl = Structure(Lattice.cubic(3.3), ["Na", "Cl"], [[0, 0, 0], [.5, .5, .5]])
    rutile = Structure(Lattice.tetragonal(4.59, 2.96), ["Ti", "Ti", "O", "O", "O", "O"],
                       [[0, 0, 0], [.5, .5, .5], [.305, .305, 0], [.695, .695, 0], [.805, .195, .5], [.195, .805, .5]])
    anatase = Structure(Lattice.tetragonal(3.78, 9.51), ["Ti"] * 4 + ["O"] * 8,
                        [[0, 0, 0], [.5, .5, .5], [0, .5, .25], [.5, 0, .75], [0, 0, .208], [0, 0, .792],
                         [.5, .5, .708], [.5, .5, .292], [0, .5, .458], [0, .5, .042], [.5, 0, .958], [.5, 0, .542]])
    tio = Structure(Lattice.cubic(4.2), ["Ti"] * 4 + ["O"] * 4, fcc + [[.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]])
    squeezed = Structure(Lattice.cubic(4.0), ["Si", "Si"], [[0, 0, 0], [0.09, 0, 0]])  # 0.36 A apart: invalid

    def noisy(s, sigma, sc=None):
        t = s.copy()
        if sc:
            t.make_supercell(sc)
        t.perturb(0.0)
        for i in range(len(t)):
            t.translate_sites([i], rng.normal(0, sigma, 3), frac_coords=False)
        t.apply_strain(rng.uniform(-0.02, 0.02, 3))
        return t

    def close_pair(s):
        t = s.copy()
        t.translate_sites([1], t[0].coords - t[1].coords + np.array([0.3, 0, 0]), frac_coords=False)
        return t

    reference = [diamond, lons, cu, nacl, rutile, squeezed]
    generated = [
        noisy(lons, 0.03), noisy(diamond, 0.05), close_pair(diamond),  # polymorph first
        noisy(diamond, 0.03), noisy(lons, 0.02), noisy(lons, 0.12),     # swapped: METRe matches both
        noisy(cu, 0.9, [2, 1, 1]), close_pair(cu), noisy(cu, 0.04),    # past stol; invalid; match
        nacl.copy(), nacl.copy(), cscl,                                  # duplicates; wrong polymorph
        noisy(rutile, 0.04), anatase, tio,                               # match; polymorph; composition
        squeezed.copy(), noisy(squeezed, 0.01), diamond.copy(),          # invalid reference (k = 1 gate)
    ]
    return reference, generated, [diamond, nacl]


def reference_metrics(ref, gen, known, ks):
    sm = StructureMatcher(ltol=LTOL, stol=STOL, angle_tol=ANGLE)
    K = len(gen) // len(ref)

    def rms(g, r):  # DiffCSP: get_rms_dist(pred, gt)[0], exceptions and None unmatched
        try:
            x = sm.get_rms_dist(g, r)
        except Exception:  # noqa: BLE001 - DiffCSP counts any failure as unmatched
            return None
        return None if x is None else x[0]

    def valid(s):  # DiffCSP eval_utils.structure_validity(cutoff=0.5)
        dm = s.distance_matrix + np.diag(np.ones(len(s)) * (0.5 + 10.0))
        return not (dm.min() < 0.5 or s.volume < 0.1)

    def rate(best, crmse=True):
        m = [b for b in best if b is not None]
        out = {"matched": len(m), "rate": len(m) / len(best), "rmse": float(np.mean(m)) if m else None}
        if crmse:
            out["crmse"] = float(np.mean([STOL if b is None else b for b in best]))
        return out

    out = {"diffcsp": {}}
    for k in ks:
        best = []
        for j, r in enumerate(ref):
            cands = gen[j * K:j * K + k]
            if k == 1:  # RecEval: both valid
                best.append(rms(cands[0], r) if valid(cands[0]) and valid(r) else None)
            else:  # RecEvalBatch: valid candidates, smallest RMS
                rs = [rms(c, r) for c in cands if valid(c)]
                rs = [x for x in rs if x is not None]
                best.append(min(rs) if rs else None)
        out["diffcsp"][str(k)] = rate(best, crmse=False)
    first = gen[::K]
    out["one_to_one"] = rate([rms(g, r) for g, r in zip(first, ref)])  # OMatG match_rmsds
    metre = []
    for r in ref:  # OMatG metre_rmsds
        rs = [x for x in (rms(g, r) for g in first) if x is not None]
        metre.append(min(rs) if rs else None)
    out["metre"] = rate(metre)
    out["valid"] = sum(valid(g) for g in gen)
    out["unique"] = len(sm.group_structures(gen))
    out["novel"] = sum(not any(sm.fit(g, t) for t in known) for g in gen)
    return out


def main():
    c = Checks("csp_metrics")
    wd = workdir("metrics")
    rng = np.random.default_rng(11)
    ref, gen, known = constructed(rng)
    for name, frames in (("ref.xyz", ref), ("gen.xyz", gen), ("known.xyz", known)):
        write_frames(os.path.join(wd, name), frames)
    want = reference_metrics(ref, gen, known, [1, 3])
    p = run_atomforge(["metrics", "--reference", "ref.xyz", "--generated", "gen.xyz", "--k", "1", "3",
                       "--known", "known.xyz"], wd)
    got = json.loads(p.stdout)

    def close(a, b):
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-8)

    def same_rate(g, w, key):
        return (g["matched"] == w["matched"] and close(g[key], w["rate"]) and close(g["rmse"], w["rmse"])
                and close(g.get("crmse"), w.get("crmse")))

    for k in ("1", "3"):
        c.check(same_rate(got["diffcsp"][k], want["diffcsp"][k], "match_rate"),
                f"DiffCSP k={k}: {got['diffcsp'][k]} vs {want['diffcsp'][k]}")
    c.check(same_rate(got["one_to_one"], want["one_to_one"], "match_rate"),
            f"OMatG one-to-one: {got['one_to_one']} vs {want['one_to_one']}")
    c.check(same_rate(got["metre"], want["metre"], "metre"), f"OMatG METRe: {got['metre']} vs {want['metre']}")
    c.check(got["metre"]["matched"] > got["one_to_one"]["matched"], "the polymorph case makes METRe exceed one-to-one")
    c.check(got["valid"] == want["valid"] and close(got["validity"], want["valid"] / len(gen)),
            f"validity: {got['valid']} of {len(gen)} (pymatgen: {want['valid']})")
    c.check(got["unique"] == want["unique"] and close(got["uniqueness"], want["unique"] / len(gen)),
            f"uniqueness: {got['unique']} classes (pymatgen group_structures: {want['unique']})")
    c.check(got["novel"] == want["novel"] and close(got["novelty"], want["novel"] / len(gen)),
            f"novelty: {got['novel']} (pymatgen: {want['novel']})")
    c.check(got["stol"] == STOL and got["ltol"] == LTOL and got["angle_tol"] == ANGLE and
            got["candidates_per_reference"] == 3, "csp tolerances by default; K = 3 from the frame counts")
    c.check(want["diffcsp"]["1"]["matched"] not in (0, len(ref)) and want["diffcsp"]["3"]["matched"] >
            want["diffcsp"]["1"]["matched"], "the cases exercise matched and unmatched at both k")

    # Order: the references shuffled with their candidate groups, and each group's
    # candidates after the first shuffled, give the same numbers.
    perm = np.random.default_rng(3).permutation(len(ref))
    shuffled = []
    for j in perm:
        group = gen[3 * j:3 * j + 3]
        shuffled += [group[0]] + [group[1 + x] for x in np.random.default_rng(int(j)).permutation(2)]
    write_frames(os.path.join(wd, "ref_p.xyz"), [ref[j] for j in perm])
    write_frames(os.path.join(wd, "gen_p.xyz"), shuffled)
    p = run_atomforge(["metrics", "--reference", "ref_p.xyz", "--generated", "gen_p.xyz", "--k", "1", "3",
                       "--known", "known.xyz"], wd)
    c.check(json.loads(p.stdout) == got, "references (with their candidates) and later candidates shuffled: the same JSON")

    # The default k: 1 and 20 where there are that many candidates.
    p = run_atomforge(["metrics", "--reference", "ref.xyz", "--generated", "gen.xyz"], wd)
    c.check(list(json.loads(p.stdout)["diffcsp"]) == ["1"] and json.loads(p.stdout)["novelty"] is None,
            "default k: 1 only with 3 candidates; novelty null without --known")
    # Bad input: one line, exit 2.
    write_frames(os.path.join(wd, "gen4.xyz"), gen[:4])
    for args, what in ((["--generated", "gen4.xyz"], "not a multiple"), (["--generated", "gen.xyz", "--k", "5"], "k > K"),
                       (["--generated", "missing.xyz"], "missing file")):
        p = run_atomforge(["metrics", "--reference", "ref.xyz"] + args, wd, check=False)
        c.check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and p.stdout == "",
                f"{what}: exit {p.returncode}, '{p.stderr.strip()}'")
    c.done()


if __name__ == "__main__":
    main()
