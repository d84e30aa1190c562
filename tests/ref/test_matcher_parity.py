"""`atomforge match` against pymatgen's StructureMatcher (Debian's python3-pymatgen
2022.11) on a fixed-seed corpus: each base structure (polymorph families, binaries,
random triclinic cells of 3-8 atoms) against copies under a random cell choice
(unimodular and x2 supercells, strongly sheared bases), origin shift, atom permutation
and rotation, with noise from 0 (identical) past stol; the bases against each other
(different polymorphs and compositions); the csp preset on part of it. The match
decision must equal pymatgen's fit and rms / max_dist its get_rms_dist to 1e-6 where
both match (docs/matcher.md); every disagreement is listed. Multi-frame files give the
same lines frame by frame, --all-pairs every pair in order; unequal frame counts without
it, or a missing file, stop with one line and exit 2. `atomforge dedup` gives the classes
pymatgen's fit gives greedily in energy order, whatever the order of the input frames."""
import json
import os

import numpy as np
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

from common import Checks, run_atomforge, workdir


def write_extxyz(path, s):
    """Every digit (the engine and pymatgen read the same numbers)."""
    with open(path, "w") as f:
        f.write(f"{len(s)}\n")
        f.write('Lattice="' + " ".join(f"{v:.17g}" for v in s.lattice.matrix.ravel())
                + '" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for site in s:
            f.write(f"{site.specie.symbol} " + " ".join(f"{x:.17g}" for x in site.coords) + "\n")


def bases(rng):
    fcc = [[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]]
    diamond = fcc + [[x + .25 for x in p] for p in fcc]
    out = {
        "diamond": Structure(Lattice.cubic(5.431), ["Si"] * 8, diamond),
        "lonsdaleite": Structure(Lattice.hexagonal(3.84, 6.27), ["Si"] * 4,
                                 [[1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, .5], [1 / 3, 2 / 3, .375], [2 / 3, 1 / 3, .875]]),
        "fcc": Structure(Lattice.cubic(3.615), ["Cu"] * 4, fcc),
        "bcc": Structure(Lattice.cubic(2.87), ["Cu"] * 2, [[0, 0, 0], [.5, .5, .5]]),
        "hcp": Structure(Lattice.hexagonal(2.56, 4.18), ["Cu"] * 2, [[1 / 3, 2 / 3, .25], [2 / 3, 1 / 3, .75]]),
        "rocksalt": Structure(Lattice.cubic(5.64), ["Na"] * 4 + ["Cl"] * 4,
                              fcc + [[.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]]),
        "B2": Structure(Lattice.cubic(2.95), ["Cu", "Zn"], [[0, 0, 0], [.5, .5, .5]]),
        "L1_2": Structure(Lattice.cubic(3.75), ["Au", "Cu", "Cu", "Cu"], fcc),
        "L1_0": Structure(Lattice.tetragonal(2.8, 3.7), ["Cu", "Au"], [[0, 0, 0], [.5, .5, .5]]),
        "zincblende": Structure(Lattice.cubic(5.41), ["Zn"] * 4 + ["S"] * 4, diamond),
        "wurtzite": Structure(Lattice.hexagonal(3.82, 6.26), ["Zn", "Zn", "S", "S"],
                              [[1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, .5], [1 / 3, 2 / 3, .375], [2 / 3, 1 / 3, .875]]),
        "rutile": Structure(Lattice.tetragonal(4.59, 2.96), ["Ti", "Ti", "O", "O", "O", "O"],
                            [[0, 0, 0], [.5, .5, .5], [.305, .305, 0], [.695, .695, 0], [.805, .195, .5],
                             [.195, .805, .5]]),
        "anatase": Structure(Lattice.tetragonal(3.78, 9.51), ["Ti"] * 4 + ["O"] * 8,
                             [[0, 0, 0], [.5, .5, .5], [0, .5, .25], [.5, 0, .75], [0, 0, .208], [0, 0, .792],
                              [.5, .5, .708], [.5, .5, .292], [0, .5, .458], [0, .5, .042], [.5, 0, .958],
                              [.5, 0, .542]]),
    }
    for n in (3, 5, 8):
        lat = Lattice.from_parameters(*rng.uniform(3.5, 6, 3), *rng.uniform(65, 115, 3))
        out[f"random{n}"] = Structure(lat, list(rng.choice(["C", "N", "O"], n)), rng.random((n, 3)))
    return out


CELL_CHOICES = [np.eye(3), [[1, 1, 0], [0, 1, 0], [0, 0, 1]], [[1, 2, 3], [0, 1, 4], [0, 0, 1]],
                [[0, 1, 0], [1, 0, 0], [0, 0, -1]], [[1, 0, 0], [1, 1, 0], [0, 0, 2]], [[2, 0, 0], [0, 1, 0], [0, 0, 1]]]


def random_rotation(rng):
    """A rotation about a random axis by an angle in [0, pi) (Rodrigues)."""
    ax = rng.normal(size=3)
    ax /= np.linalg.norm(ax)
    k = np.array([[0, -ax[2], ax[1]], [ax[2], 0, -ax[0]], [-ax[1], ax[0], 0]])
    th = rng.uniform(0, np.pi)
    return np.eye(3) + np.sin(th) * k + (1 - np.cos(th)) * k @ k


def variant(s, noise, rng):
    t = s.copy()
    t.make_supercell(CELL_CHOICES[rng.integers(len(CELL_CHOICES))])
    t.translate_sites(list(range(len(t))), rng.random(3), frac_coords=True)
    perm = rng.permutation(len(t))
    rot = random_rotation(rng)
    strain = np.eye(3) + rng.normal(scale=noise * 0.1, size=(3, 3))
    lat = Lattice(t.lattice.matrix @ strain @ rot.T)
    frac = np.array([t[i].frac_coords for i in perm]) + rng.normal(scale=noise, size=(len(t), 3)) / t.lattice.abc
    return Structure(lat, [t[i].species for i in perm], frac)


def main():
    c = Checks("matcher_parity")
    wd = workdir("matcher_parity")
    rng = np.random.default_rng(20)
    b = bases(rng)
    pairs = []
    for name, s in b.items():
        for noise in (0.0, 0.02, 0.06, 0.12, 0.2, 0.35):
            pairs.append((f"{name} ~{noise}", s, variant(s, noise, rng), {}))
    names = list(b)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if len(b[names[i]].composition.elements) == len(b[names[j]].composition.elements):
                pairs.append((f"{names[i]} / {names[j]}", b[names[i]], b[names[j]], {}))
    for name in ("diamond", "rocksalt", "wurtzite", "random5"):
        for noise in (0.1, 0.25, 0.4):
            pairs.append((f"{name} ~{noise} csp", b[name], variant(b[name], noise, rng), {"preset": "csp"}))

    agree, worst, matched, disagree = 0, 0.0, 0, []
    for k, (label, s1, s2, opt) in enumerate(pairs):
        pa, pb = os.path.join(wd, f"a{k}.extxyz"), os.path.join(wd, f"b{k}.extxyz")
        write_extxyz(pa, s1)
        write_extxyz(pb, s2)
        sm = StructureMatcher(ltol=0.3, stol=0.5, angle_tol=10) if opt else StructureMatcher()
        fit, rd = sm.fit(s1, s2), sm.get_rms_dist(s1, s2)
        args = ["match", pa, pb] + (["--preset", "csp"] if opt else [])
        r = json.loads(run_atomforge(args, wd).stdout)
        ok = r["match"] == fit and (rd is None) == (r["rms"] is None)
        if ok and rd is not None:
            matched += 1
            err = max(abs(rd[0] - r["rms"]), abs(rd[1] - r["max_dist"]))
            worst = max(worst, err)
            ok = err <= 1e-6
        agree += ok
        if not ok:
            disagree.append(f"{label}: pymatgen fit {fit} rms {rd}, atomforge {r}")
    c.check(agree == len(pairs), f"{agree}/{len(pairs)} pairs agree with pymatgen ({matched} with an RMS); "
            f"disagreements: {disagree[:6]}")
    c.check(worst <= 1e-6, f"rms and max_dist equal get_rms_dist to {worst:.1e} (<= 1e-6)")
    c.check(len(pairs) // 4 <= matched <= len(pairs) - len(pairs) // 4,
            f"{matched} of {len(pairs)} pairs matched (the corpus spans both outcomes)")

    # Multi-frame files: frame i with frame i, one line per pair in order, the same
    # results; --all-pairs every frame with every frame (lines carry i and j).
    fa, fb = os.path.join(wd, "all_a.extxyz"), os.path.join(wd, "all_b.extxyz")
    plain = [k for k, p in enumerate(pairs) if not p[3]]
    with open(fa, "w") as f, open(fb, "w") as g:
        for k in plain:
            f.write(open(os.path.join(wd, f"a{k}.extxyz")).read())
            g.write(open(os.path.join(wd, f"b{k}.extxyz")).read())
    lines = [json.loads(ln) for ln in run_atomforge(["match", fa, fb], wd).stdout.splitlines()]
    single = {k: json.loads(run_atomforge(["match", os.path.join(wd, f"a{k}.extxyz"), os.path.join(wd, f"b{k}.extxyz")],
                                          wd).stdout) for k in plain[:20]}
    c.check(len(lines) == len(plain) and all(lines[n] == single[k] for n, k in enumerate(plain[:20])),
            f"two {len(plain)}-frame files: {len(lines)} lines, frame i with frame i as single calls give")
    few_a, few_b = os.path.join(wd, "few_a.extxyz"), os.path.join(wd, "few_b.extxyz")
    with open(few_a, "w") as f:
        for k in plain[:3]:
            f.write(open(os.path.join(wd, f"a{k}.extxyz")).read())
    with open(few_b, "w") as f:
        for k in plain[:4]:
            f.write(open(os.path.join(wd, f"b{k}.extxyz")).read())
    grid = [json.loads(ln) for ln in run_atomforge(["match", few_a, few_b, "--all-pairs"], wd).stdout.splitlines()]
    c.check([(x["i"], x["j"]) for x in grid] == [(i, j) for i in range(3) for j in range(4)]
            and all({k: v for k, v in x.items() if k not in "ij"} == lines[x["i"]] for x in grid if x["i"] == x["j"]),
            f"--all-pairs on 3 x 4 frames: {len(grid)} lines in order, the diagonal as frame-wise")
    p = run_atomforge(["match", few_a, few_b], wd, check=False)
    err = p.stderr.strip()
    c.check(p.returncode == 2 and "few_b.extxyz" in err and len(err.splitlines()) == 1,
            f"unequal frame counts without --all-pairs: exit {p.returncode}, '{err}'")

    # dedup: the classes pymatgen's fit gives greedily in the same order (energy ranks
    # frames; each joins the first class whose representative fits it), the same for the
    # frames shuffled, the lowest energy of each class written with its energy.
    pool, energies = [], []
    for name in ("diamond", "lonsdaleite", "fcc", "hcp", "rocksalt", "wurtzite", "zincblende", "random5"):
        for noise in (0.0, 0.03, 0.1, 0.2, 0.4):
            pool.append(variant(b[name], noise, rng))
            energies.append(float(rng.uniform(-5, 5)))
    sm = StructureMatcher()
    reps, ref_classes = [], []
    for k in sorted(range(len(pool)), key=lambda k: energies[k]):
        for cls in ref_classes:
            if sm.fit(pool[cls[0]], pool[k]):
                cls.append(k)
                break
        else:
            ref_classes.append([k])
    results = []
    for trial, perm in enumerate([np.arange(len(pool)), rng.permutation(len(pool))]):
        src = os.path.join(wd, f"pool{trial}.extxyz")
        with open(src, "w") as f:
            for k in perm:
                write_extxyz(src + ".one", pool[k])
                lines = open(src + ".one").read().splitlines(True)
                lines[1] = lines[1].rstrip("\n") + f" energy={energies[k]:.17g}\n"
                f.writelines(lines)
        out = os.path.join(wd, f"unique{trial}.extxyz")
        summary = json.loads(run_atomforge(["dedup", src, out], wd).stdout)
        written = [float(ln.split("energy=")[1].split()[0]) for ln in open(out) if "energy=" in ln]
        results.append((summary, [int(perm[r]) for r in summary["representatives"]], written))
    want_reps = [cls[0] for cls in ref_classes]
    want_sizes = [len(cls) for cls in ref_classes]
    (s0, reps0, w0), (s1, reps1, w1) = results
    c.check(reps0 == want_reps and s0["class_sizes"] == want_sizes,
            f"dedup of {len(pool)} frames: {s0['unique']} classes, sizes {s0['class_sizes']}, as pymatgen's fit "
            f"greedily ({len(ref_classes)} classes, sizes {want_sizes})")
    c.check(reps1 == reps0 and s1["class_sizes"] == s0["class_sizes"],
            "dedup of the frames shuffled: the same representatives and class sizes")
    c.check(w0 == [energies[r] for r in want_reps], "dedup writes each class's lowest-energy frame with its energy")

    # --anonymous: pymatgen's fit_anonymous and get_rms_anonymous (species relabelled).
    relabel = lambda s, m: Structure(s.lattice, [m.get(x.symbol, x.symbol) for x in s.species], s.frac_coords)  # noqa: E731
    anon_pairs = [(b["rocksalt"], relabel(variant(b["rocksalt"], 0.05, rng), {"Na": "K", "Cl": "Br"})),
                  (b["zincblende"], relabel(variant(b["zincblende"], 0.03, rng), {"Zn": "S", "S": "Zn"})),
                  (b["L1_2"], relabel(variant(b["L1_2"], 0.04, rng), {"Au": "Ni", "Cu": "Al"})),
                  (b["B2"], relabel(b["L1_0"], {"Au": "Zn"})), (b["rutile"], b["anatase"]),
                  (b["wurtzite"], relabel(variant(b["zincblende"], 0.02, rng), {"Zn": "Ga", "S": "N"})),
                  (b["random5"], relabel(variant(b["random5"], 0.1, rng), {"C": "N", "N": "O", "O": "C"}))]
    anon_ok, anon_fits = 0, 0
    for k, (s1, s2) in enumerate(anon_pairs):
        pa, pb = os.path.join(wd, f"anon_a{k}.extxyz"), os.path.join(wd, f"anon_b{k}.extxyz")
        write_extxyz(pa, s1)
        write_extxyz(pb, s2)
        sm = StructureMatcher()
        fit, rd = sm.fit_anonymous(s1, s2), sm.get_rms_anonymous(s1, s2)[0]
        r = json.loads(run_atomforge(["match", pa, pb, "--anonymous"], wd).stdout)
        plain = json.loads(run_atomforge(["match", pa, pb], wd).stdout)
        anon_fits += fit
        anon_ok += (r["match"] == fit and (rd is None) == (r["rms"] is None) and
                    (rd is None or abs(rd - r["rms"]) <= 1e-6) and not (plain["match"] and not fit))
    c.check(anon_ok == len(anon_pairs) and 0 < anon_fits < len(anon_pairs),
            f"--anonymous: {anon_ok}/{len(anon_pairs)} pairs as pymatgen's fit_anonymous / get_rms_anonymous "
            f"({anon_fits} match)")

    # Bad input: one line naming the file, exit 2.
    p = run_atomforge(["match", os.path.join(wd, "missing.extxyz"), pa], wd, check=False)
    err = p.stderr.strip()
    c.check(p.returncode == 2 and "missing.extxyz" in err and len(err.splitlines()) == 1, f"missing file: exit {p.returncode}, '{err}'")
    empty, garbage = os.path.join(wd, "empty.extxyz"), os.path.join(wd, "garbage.extxyz")
    with open(empty, "w") as f:
        f.write('0\nLattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
    with open(garbage, "w") as f:
        f.write("not a structure\n")
    for bad in (empty, garbage):
        for args in (["match", bad, pa], ["dedup", bad, os.path.join(wd, "out.extxyz")],
                     ["metrics", "--reference", pa, "--generated", bad]):
            p = run_atomforge(args, wd, check=False)
            err = p.stderr.strip()
            c.check(p.returncode == 2 and os.path.basename(bad) in err and len(err.splitlines()) == 1
                    and not os.path.exists(os.path.join(wd, "out.extxyz")),
                    f"{args[0]} on {os.path.basename(bad)}: exit {p.returncode}, '{err}'")
    c.done()


if __name__ == "__main__":
    main()
