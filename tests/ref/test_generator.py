"""`atomforge generate` (random mode, samplers/generator.hpp) checked independently with
ASE: for Si8, Ni3Al x2 and SiO2 x3 with default settings, every structure has the exact
composition, every distance between atoms and periodic images (ASE's neighbor_list, self
images included) at least 0.7 (r_A + r_B) with ASE's covalent radii (Cordero 2008, the
table the engine carries), and a volume per atom within x0.7-x1.4 of spheres of those
radii at packing fraction 0.5; given separations and volumes are honoured; a seed gives
the same structures every time; an Ar13 cluster lies in a sphere in a non-periodic box.
Infeasible or malformed requests stop with one line, exit 2, and write nothing."""
import os

import numpy as np
from ase.data import atomic_numbers, covalent_radii
from ase.io import read
from ase.neighborlist import neighbor_list

from common import Checks, run_atomforge, workdir


def separations_ok(atoms, need):
    """need(a, b) -> minimum distance; checks every pair and self image within the largest."""
    cut = max(need(a, b) for a in set(atoms.get_chemical_symbols()) for b in set(atoms.get_chemical_symbols()))
    i, j, d = neighbor_list("ijd", atoms, cut + 1e-6, self_interaction=False)
    sym = atoms.get_chemical_symbols()
    return all(dd >= need(sym[a], sym[b]) - 1e-9 for a, b, dd in zip(i, j, d))


def main():
    c = Checks("generator")
    wd = workdir("generator")
    r = lambda s: covalent_radii[atomic_numbers[s]]  # noqa: E731
    for comp, units, counts in (("Si8", 1, {"Si": 8}), ("Ni3Al", 2, {"Ni": 6, "Al": 2}), ("SiO2", 3, {"Si": 3, "O": 6})):
        out = os.path.join(wd, f"{comp}.xyz")
        run_atomforge(["generate", "--composition", comp, "--formula-units", str(units), "--count", "100",
                       "--seed", "7", out], wd)
        frames = read(out, index=":")
        n = sum(counts.values())
        v0 = sum(k * 4 / 3 * np.pi * r(s) ** 3 / 0.5 for s, k in counts.items()) / n
        comp_ok = all({s: list(f.get_chemical_symbols()).count(s) for s in counts} == counts and len(f) == n
                      for f in frames)
        sep_ok = all(separations_ok(f, lambda a, b: 0.7 * (r(a) + r(b))) for f in frames)
        vols = [f.get_volume() / len(f) for f in frames]
        c.check(len(frames) == 100 and comp_ok and sep_ok and all(f.pbc.all() for f in frames),
                f"{comp} x{units}: 100 structures, composition exact, separations >= 0.7 (r_A + r_B) incl. images")
        c.check(all(0.7 * v0 - 1e-9 <= v <= 1.4 * v0 + 1e-9 for v in vols),
                f"{comp} x{units}: volume per atom {min(vols):.2f}-{max(vols):.2f} within x0.7-x1.4 of {v0:.2f} A^3")

    # Given separations and volumes; the same seed, the same structures.
    args = ["generate", "--composition", "Si4C4", "--count", "50", "--seed", "11", "--volume-per-atom", "10", "14",
            "--min-distance", "Si-C=1.6", "--min-distance", "Si-Si=2.2", "--min-distance", "C-C=1.3"]
    run_atomforge(args + ["a.xyz"], wd)
    run_atomforge(args + ["b.xyz"], wd)
    run_atomforge(args[:6] + ["12"] + args[7:] + ["c.xyz"], wd)
    frames = read(os.path.join(wd, "a.xyz"), index=":")
    need = {("Si", "C"): 1.6, ("C", "Si"): 1.6, ("Si", "Si"): 2.2, ("C", "C"): 1.3}
    c.check(all(separations_ok(f, lambda a, b: need[(a, b)]) and 10 - 1e-9 <= f.get_volume() / 8 <= 14 + 1e-9
                for f in frames), "Si4C4 with given separations and 10-14 A^3 per atom: all honoured")
    same = open(os.path.join(wd, "a.xyz")).read() == open(os.path.join(wd, "b.xyz")).read()
    other = open(os.path.join(wd, "a.xyz")).read() != open(os.path.join(wd, "c.xyz")).read()
    c.check(same and other, "a seed gives the same file every time; another seed another")

    # Lennard-Jones cluster in vacuum.
    run_atomforge(["generate", "--composition", "Ar13", "--cluster", "--min-distance", "Ar-Ar=0.9",
                   "--volume-per-atom", "1.2", "1.6", "--count", "20", "lj.xyz"], wd)
    frames = read(os.path.join(wd, "lj.xyz"), index=":")
    radius = (3 * 13 * 1.6 / (4 * np.pi)) ** (1 / 3)
    ok = all(not f.pbc.any() and len(f) == 13 and
             np.linalg.norm(f.positions - f.cell.diagonal() / 2, axis=1).max() <= radius + 1e-9 and
             min(np.linalg.norm(f.positions[a] - f.positions[b]) for a in range(13) for b in range(a)) >= 0.9 - 1e-9
             for f in frames)
    c.check(ok, f"Ar13 clusters: non-periodic, inside a sphere of radius {radius:.2f}, separations >= 0.9")

    # Bad requests: one line, exit 2, no file.
    for extra, what in ((["--composition", "Si8", "--volume-per-atom", "1", "2"], "infeasible"),
                        (["--composition", "Si8", "--volume-per-atom", "2", "3"], "could not place"),
                        (["--composition", "si8"], "element symbol"),
                        (["--composition", "Xx4"], "no covalent radius"),
                        (["--composition", "Si8", "--min-distance", "Si-Si=abc"], "not a number")):
        p = run_atomforge(["generate"] + extra + ["bad.xyz"], wd, check=False)
        err = p.stderr.strip()
        c.check(p.returncode == 2 and what in err and len(err.splitlines()) == 1 and
                not os.path.exists(os.path.join(wd, "bad.xyz")), f"{' '.join(extra)}: exit {p.returncode}, '{err}'")
    c.done()


if __name__ == "__main__":
    main()
