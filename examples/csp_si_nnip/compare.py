"""Compares two campaigns' ranked minima (unique.extxyz): for each of the first
reference minima, the matching minimum of the other campaign (pymatgen's
StructureMatcher with the CSP tolerances ltol 0.3, stol 0.5, 10 degrees), its rank and
energy per atom; then the share of the reference's top minima found, and the Spearman
rank correlation of the energies of the matched pairs.

    compare.py REFERENCE_DIR OTHER_DIR [TOP]"""
import os
import sys

import numpy as np
from ase.io import read
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.io.ase import AseAtomsAdaptor


def minima(d):
    return read(os.path.join(d, "unique.extxyz"), index=":")


def spearman(a, b):
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1]) if len(a) > 2 else float("nan")


def main():
    ref_dir, other_dir = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    ref, other = minima(ref_dir), minima(other_dir)
    m = StructureMatcher(ltol=0.3, stol=0.5, angle_tol=10)
    other_s = [AseAtomsAdaptor.get_structure(a) for a in other]
    print(f"\n{os.path.basename(ref_dir)} ({len(ref)} minima) vs {os.path.basename(other_dir)} ({len(other)} minima)")
    print(f"{'rank':>4} {'E/atom (eV)':>12} {'group':>10} {'hits':>5} | {'rank':>4} {'E/atom (eV)':>12} {'group':>10} {'hits':>5}")
    pairs = []
    for k, a in enumerate(ref[:top]):
        s = AseAtomsAdaptor.get_structure(a)
        j = next((j for j, o in enumerate(other_s) if m.fit(s, o)), None)
        left = f"{k + 1:>4} {a.info['enthalpy_per_atom']:>12.5f} {a.info.get('spacegroup_symbol', ''):>10} {a.info['hits']:>5}"
        if j is None:
            print(left + " |    - not found")
            continue
        o = other[j]
        pairs.append((a.info["enthalpy_per_atom"], o.info["enthalpy_per_atom"]))
        print(left + f" | {j + 1:>4} {o.info['enthalpy_per_atom']:>12.5f} {o.info.get('spacegroup_symbol', ''):>10} "
                     f"{o.info['hits']:>5}")
    if pairs:
        e = np.array(pairs)
        print(f"found {len(pairs)} of the reference's first {min(top, len(ref))}; energy differences "
              f"mean {np.mean(e[:, 1] - e[:, 0]) * 1e3:+.1f}, largest {np.max(np.abs(e[:, 1] - e[:, 0])) * 1e3:.1f} "
              f"meV/atom; Spearman rank correlation {spearman(e[:, 0], e[:, 1]):.2f}")


if __name__ == "__main__":
    main()
